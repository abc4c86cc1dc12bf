"""The bad-input corpus, file level: packages that need a folder of their own (a zip bomb, a
sheet at and beyond Excel's row limit, odd encodings), read by the real ingest into a real
DuckDB warehouse. Each case asserts a finding naming the file (and sheet) in `中文 / English`,
that nothing raised, and that the good file beside it was still loaded whole.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter

from orchestration.ingest import IngestSummary, ingest_package
from orchestration.ingest.xlsx import EXCEL_MAX_ROWS, MAX_XLSX_UNCOMPRESSED_BYTES
from orchestration.sample.identifiers import uscc_from_parts

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
HEADERS = ["载体编号", "企业名称", "统一社会信用代码", "入驻日期", "企业状态"]
BILINGUAL = re.compile(r"[\u4e00-\u9fff].* / .*[A-Za-z]", re.S)
GOOD = "C001_good.xlsx"


def good_row(n: int) -> list[str]:
    return ["C001", f"企业{n}", uscc_from_parts("91320500", f"{n:08d}"), "2023-01-05", "在孵"]


def write_good(folder: Path) -> None:
    """The good workbook every package holds: two tenants that must always load."""
    workbook = xlsxwriter.Workbook(str(folder / GOOD))
    ws = workbook.add_worksheet("在孵企业")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, good_row(1))
    ws.write_row(2, 0, good_row(2))
    workbook.close()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "reports" / "2024"
    folder.mkdir(parents=True)
    write_good(folder)
    return folder


@pytest.fixture
def ingest(warehouse: Path) -> Callable[[Path], tuple[IngestSummary, Callable[..., list]]]:
    def run(folder: Path) -> tuple[IngestSummary, Callable[..., list]]:
        with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
            summary = ingest_package(con, 2024, folder, "run-hardening")

        def query(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
            with duckdb.connect(str(warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
                return con.execute(sql, params or []).fetchall()

        return summary, query

    return run


def assert_reported(
    summary: IngestSummary, check: str, file: str, severity: str, sheet: str | None = None
) -> None:
    found = [f for f in summary.findings if f.check_name == check and f.source_file == file]
    if sheet is not None:
        found = [f for f in found if f.sheet == sheet]
    assert found, f"no {check} for {file}: {[vars(f) for f in summary.findings]}"
    for f in found:
        assert f.severity == severity
        assert BILINGUAL.search(f.message), f.message
        assert "Traceback" not in f.message


def assert_good_file_loaded(query: Callable[..., list]) -> None:
    rows = query("select count(*) from raw.tenants where _source_file = ?", [GOOD])
    assert rows == [(2,)]
    read = query(
        "select rows_read from raw._ingest_sheets where source_file = ? and status = 'loaded'",
        [GOOD],
    )
    assert read == [(2,)]


def test_zip_bomb_is_refused_by_its_declared_size(package, ingest) -> None:
    """A sheet part that inflates beyond the limit, compressed to a few hundred KB."""
    path = package / "bomb.xlsx"
    chunk = b" " * (8 * 1024 * 1024)
    started = time.perf_counter()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            written = 0
            while written <= MAX_XLSX_UNCOMPRESSED_BYTES:
                part.write(chunk)
                written += len(chunk)
    assert path.stat().st_size < 5 * 1024 * 1024
    summary, query = ingest(package)
    assert time.perf_counter() - started < 30
    assert_reported(summary, "unreadable_file", "bomb.xlsx", "error")
    assert any("zip bomb" in f.message for f in summary.findings)
    assert_good_file_loaded(query)


def test_sheet_at_excel_row_limit_is_read_with_true_row_numbers(package, ingest) -> None:
    workbook = xlsxwriter.Workbook(str(package / "limit.xlsx"))
    ws = workbook.add_worksheet("在孵企业")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, good_row(3))
    ws.write_row(EXCEL_MAX_ROWS - 1, 0, good_row(4))  # the last row Excel has
    workbook.close()
    summary, query = ingest(package)
    got = query("select _source_row from raw.tenants where _source_file = 'limit.xlsx' order by 1")
    assert got == [(2,), (EXCEL_MAX_ROWS,)]
    assert summary.findings_by_severity["error"] == 0
    assert_good_file_loaded(query)


def test_sheet_beyond_excel_row_limit_is_refused(package, ingest) -> None:
    """A hand-edited sheet XML with a row past 1,048,576: refused with a finding, no crash."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = workbook.add_worksheet("在孵企业")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(EXCEL_MAX_ROWS - 1, 0, good_row(5))
    workbook.close()
    beyond = str(EXCEL_MAX_ROWS + 1)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(package / "beyond.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(str(EXCEL_MAX_ROWS).encode(), beyond.encode())
            out.writestr(info, data)
    summary, query = ingest(package)
    problems = [
        f
        for f in summary.findings
        if f.source_file == "beyond.xlsx" and f.check_name in ("sheet_too_large", "unreadable_file")
    ]
    assert problems, [vars(f) for f in summary.findings]
    assert all(f.severity == "error" and BILINGUAL.search(f.message) for f in problems)
    assert query("select count(*) from raw.tenants where _source_file = 'beyond.xlsx'") == [(0,)]
    assert_good_file_loaded(query)


@pytest.mark.parametrize(
    ("name", "data", "check", "severity"),
    [
        # Latin-1 bytes that are neither UTF-8 nor sensible GB18030
        # bytes that are neither UTF-8 nor GB18030 (0x80 leads no GB18030 character)
        ("tenants_latin1.csv", b"\xd4\xd8\xcc\xe5,\x80\xe9t\xe9\n", "unreadable_file", "error"),
        ("tenants_quotes.csv", '载体编号\n"C001,"未闭合\n'.encode(), "unreadable_file", "error"),
        ("other.csv", b"a,b\n1,2\n", "ignored_file", "warning"),
        ("~$C001_good.xlsx", b"lock", "ignored_file", "warning"),
    ],
    ids=["csv_in_unknown_encoding", "malformed_csv", "csv_not_named_after_a_dataset",
         "office_lock_file"],
)  # fmt: skip
def test_unreadable_or_foreign_files(package, ingest, name, data, check, severity) -> None:
    (package / name).write_bytes(data)
    summary, query = ingest(package)
    assert_reported(summary, check, name, severity)
    assert_good_file_loaded(query)


def test_malformed_csv_message_names_the_line_without_developer_hints(package, ingest) -> None:
    (package / "tenants_q.csv").write_bytes('载体编号,企业名称\nC001,甲\n"C002,"乙\n'.encode())
    summary, _query = ingest(package)
    (message,) = [f.message for f in summary.findings if f.source_file == "tenants_q.csv"]
    assert "第 3 行" in message and "line 3" in message
    assert "ignore_errors" not in message and "infer_schema" not in message


def test_subfolder_is_ignored_with_a_warning(package, ingest) -> None:
    (package / "旧材料").mkdir()
    write_good(package / "旧材料")
    summary, query = ingest(package)
    assert_reported(summary, "ignored_file", "旧材料/", "warning")
    assert_good_file_loaded(query)


def test_workbook_without_a_dataset_sheet(package, ingest) -> None:
    workbook = xlsxwriter.Workbook(str(package / "杂项.xlsx"))
    workbook.add_worksheet("Sheet1").write_row(0, 0, HEADERS)
    workbook.close()
    summary, query = ingest(package)
    assert_reported(summary, "ignored_sheet", "杂项.xlsx", "warning", sheet="Sheet1")
    assert_good_file_loaded(query)


def test_header_below_row_ten_skips_the_sheet_with_an_error(package, ingest) -> None:
    workbook = xlsxwriter.Workbook(str(package / "低表头.xlsx"))
    ws = workbook.add_worksheet("在孵企业")
    for r in range(11):
        ws.write(r, 0, f"说明第{r + 1}行")
    ws.write_row(11, 0, HEADERS)
    ws.write_row(12, 0, good_row(6))
    workbook.close()
    summary, query = ingest(package)
    assert_reported(summary, "missing_required_columns", "低表头.xlsx", "error", sheet="在孵企业")
    assert_good_file_loaded(query)


def test_empty_sheet_is_a_warning(package, ingest) -> None:
    workbook = xlsxwriter.Workbook(str(package / "空表.xlsx"))
    workbook.add_worksheet("在孵企业")
    workbook.add_worksheet("专利").write(0, 0, None)
    workbook.close()
    summary, query = ingest(package)
    assert_reported(summary, "empty_sheet", "空表.xlsx", "warning", sheet="在孵企业")
    assert_good_file_loaded(query)
