"""File-level handling: duplicates, unreadable files, ignored entries, size guards, names."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from orchestration.ingest import xlsx as ingest_xlsx

HEADERS = ["载体编号", "专利权人", "专利权人统一社会信用代码", "专利号", "专利类型", "申请日"]
ROW = ["C001", "某科技公司", "91320500MA1XXXXX0X", "ZL202310123456.6", "发明", "2023-01-02"]


def _workbook(path: Path, rows: int = 1) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("专利")
    sheet.write_row(0, 0, HEADERS)
    for r in range(rows):
        sheet.write_row(r + 1, 0, ROW)
    workbook.close()
    return path


def test_same_file_twice_is_loaded_once(package, run_ingest, query) -> None:
    _workbook(package / "C001_某孵化器.xlsx")
    (package / "C001_某孵化器 (1).xlsx").write_bytes((package / "C001_某孵化器.xlsx").read_bytes())
    summary = run_ingest(package)
    assert query("select count(*) from raw.patents") == [(1,)]
    assert query("select source_file, status, duplicate_of from raw._ingest_files order by 1") == [
        # files are read in name order: the first name wins, whichever it is
        ("C001_某孵化器 (1).xlsx", "loaded", None),
        ("C001_某孵化器.xlsx", "duplicate", "C001_某孵化器 (1).xlsx"),
    ]
    [finding] = summary.findings
    assert (finding.check_name, finding.severity) == ("duplicate_file", "warning")
    assert "C001_某孵化器 (1).xlsx" in finding.message and "C001_某孵化器.xlsx" in finding.message
    assert summary.files_by_status == {"loaded": 1, "duplicate": 1, "unreadable": 0, "ignored": 0}


def _unreadable_cases(tmp: Path) -> dict[str, bytes]:
    good = _workbook(tmp / "good.xlsx").read_bytes()
    return {
        "not_a_zip.xlsx": "载体编号,专利号\nC001,1\n".encode(),
        "password.xlsx": bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600,
        "truncated.xlsx": good[: len(good) // 2],
        "empty.xlsx": b"",
    }


def test_unreadable_files_are_findings_not_crashes(tmp_path, package, run_ingest, query) -> None:
    cases = _unreadable_cases(tmp_path)
    for name, data in cases.items():
        (package / name).write_bytes(data)
    _workbook(package / "ok.xlsx")
    summary = run_ingest(package)
    unreadable = {f.source_file for f in summary.findings if f.check_name == "unreadable_file"}
    assert unreadable == set(cases)
    assert all(f.severity == "error" for f in summary.findings if f.source_file in unreadable)
    password = next(f for f in summary.findings if f.source_file == "password.xlsx")
    assert "密码" in password.message and "password" in password.message
    assert query("select count(*) from raw.patents") == [(1,)]


def test_workbook_saved_as_csv_is_unreadable(package, tmp_path, run_ingest) -> None:
    (package / "patents.csv").write_bytes(_workbook(tmp_path / "w.xlsx").read_bytes())
    summary = run_ingest(package)
    assert [(f.check_name, f.source_file) for f in summary.findings] == [
        ("unreadable_file", "patents.csv")
    ]


def test_sub_folders_other_extensions_and_lock_files_are_ignored(package, run_ingest) -> None:
    (package / "old").mkdir()
    _workbook(package / "old" / "a.xlsx")
    (package / "说明.docx").write_bytes(b"x")
    (package / "a.xls").write_bytes(b"x")
    (package / "~$C001.xlsx").write_bytes(b"x")
    summary = run_ingest(package)
    assert sorted((f.check_name, f.severity, f.source_file) for f in summary.findings) == [
        ("ignored_file", "warning", "a.xls"),
        ("ignored_file", "warning", "old/"),
        ("ignored_file", "warning", "~$C001.xlsx"),
        ("ignored_file", "warning", "说明.docx"),
    ]
    assert summary.files_by_status["ignored"] == 4
    assert summary.rows_by_dataset["patents"] == 0


def test_zip_bomb_guard_refuses_from_the_zip_directory(package, run_ingest, monkeypatch) -> None:
    _workbook(package / "big.xlsx", rows=200)
    monkeypatch.setattr(ingest_xlsx, "MAX_XLSX_UNCOMPRESSED_BYTES", 10_000)
    summary = run_ingest(package)
    [finding] = summary.findings
    assert finding.check_name == "unreadable_file" and "10000" in finding.message
    assert summary.rows_by_dataset["patents"] == 0


def test_sheet_with_more_rows_than_excel_allows_is_refused(
    package, run_ingest, monkeypatch
) -> None:
    _workbook(package / "a.xlsx", rows=5)
    monkeypatch.setattr(ingest_xlsx, "EXCEL_MAX_ROWS", 3)
    summary = run_ingest(package)
    assert [(f.check_name, f.severity) for f in summary.findings] == [("sheet_too_large", "error")]
    assert summary.rows_by_dataset["patents"] == 0


@pytest.mark.parametrize(
    "name",
    ["patents_x'; DROP TABLE raw.patents; --.csv", 'patents_"quoted".csv', "patents_..%2F..csv"],
)
def test_file_names_are_data_only(package, run_ingest, query, name: str) -> None:
    (package / name).write_text(",".join(HEADERS) + "\n" + ",".join(ROW) + "\n", encoding="utf-8")
    run_ingest(package)
    assert query("select _source_file from raw.patents") == [(name,)]
    assert sorted(p.name for p in package.parent.iterdir()) == ["2024"]
