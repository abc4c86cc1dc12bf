"""The published workbooks open in a spreadsheet program, not only in openpyxl (issue 21: "the
workbook in a spreadsheet program, checked with openpyxl read-only and headless LibreOffice"):
headless LibreOffice exports every sheet of both workbooks, and each sheet holds the rows
openpyxl reads, with the Chinese intact. The large sheets are written by our own writer
(orchestration/xlsx_columns.py), which only a second reader can vouch for.

Needs Debian's `libreoffice-calc-nogui` (`make browser` installs it). Skipped when LibreOffice
is absent on a developer's machine; in CI (CI=true) its absence fails.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration.pipeline import office_file_names
from tests.reports.workbook_rows import rows_by_openpyxl

# LibreOffice's CSV filter: comma, double quote, UTF-8 (76), from line 1, … , every sheet (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    reason = (
        "LibreOffice 未安装 / LibreOffice not installed "
        "(apt-get install -y --no-install-recommends libreoffice-calc-nogui)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _rows_by_libreoffice(path: Path, sheets: list[str], tmp_path: Path) -> dict[str, int]:
    out = tmp_path / "csv"
    command = [
        _soffice(),
        "--headless",
        "--norestore",
        f"-env:UserInstallation=file://{tmp_path / 'profile'}",
        "--convert-to",
        CSV_FILTER,
        "--outdir",
        str(out),
        str(path),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    rows = {}
    for sheet in sheets:
        exported = out / f"{path.stem}-{sheet}.csv"
        assert exported.is_file(), f"LibreOffice wrote no {exported.name}: {done.stdout}"
        with exported.open(newline="", encoding="utf-8") as handle:
            rows[sheet] = sum(1 for record in csv.reader(handle) if any(record))
    return rows


@pytest.mark.parametrize("kind", ["workbook", "details"])
def test_libreoffice_reads_every_sheet_as_openpyxl_does(published_district, tmp_path, kind):
    path = published_district.out / "2024" / office_file_names(2024)[kind]
    expected = rows_by_openpyxl(path)
    assert expected and all(rows > 0 for rows in expected.values())
    assert _rows_by_libreoffice(path, list(expected), tmp_path) == expected
    if kind == "workbook":  # the carriers' sheet: a header and the 60 carriers, in Chinese
        with (tmp_path / "csv" / f"{path.stem}-载体评分.csv").open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert "载体编号" in "".join(header)
