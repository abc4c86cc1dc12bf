"""The bench's measure of the published office files (issue 21: no office file over 20 MB at
national scale, each workbook sheet within Excel's rows): sheet rows counted from the zip agree
with openpyxl whatever the chunk boundaries, and the bench line says when a limit is missed."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from orchestration.bench import BenchResult, outputs
from orchestration.bench.outputs import OfficeFiles, measure_outputs, sheet_rows
from orchestration.bench.report import format_result, outputs_line
from tests.reports.workbook_rows import rows_by_openpyxl


def _workbook(path: Path) -> Path:
    """Two sheets: 1,200 rows with a gap (row 7 empty), and one row; the second sheet named in
    Chinese, as the office workbook's are."""
    book = xlsxwriter.Workbook(str(path))
    first = book.add_worksheet("载体评分")
    for row in range(1201):
        if row != 7:
            first.write_row(row, 0, [f"C{row:05d}", row * 1.5, "<row> in a cell"])
    book.add_worksheet("概要").write(0, 0, "合计")
    book.close()
    return path


@pytest.mark.parametrize("chunk", [3, 5, 6, 7, 64, 1 << 20])
def test_sheet_rows_agree_with_openpyxl_at_any_chunk_boundary(tmp_path, monkeypatch, chunk):
    path = _workbook(tmp_path / "book.xlsx")
    monkeypatch.setattr(outputs, "_CHUNK", chunk)
    assert sheet_rows(path) == rows_by_openpyxl(path) == {"载体评分": 1200, "概要": 1}


def test_the_published_folder_is_measured_file_by_file(tmp_path):
    folder = tmp_path / "current"
    (folder / "dq").mkdir(parents=True)
    _workbook(folder / "carrier_assessment_2024.xlsx")
    (folder / "report_2024.html").write_text("<html></html>", encoding="utf-8")
    (folder / "carrier_scores.parquet").write_bytes(b"x" * 50)  # for systems: not counted
    (folder / "dq" / "C00001.html").write_text("a" * 300, encoding="utf-8")
    (folder / "dq" / "C00002.html").write_text("a" * 100, encoding="utf-8")

    found = measure_outputs(folder)

    assert set(found.files) == {"carrier_assessment_2024.xlsx", "report_2024.html"}
    assert found.files["report_2024.html"] == 13
    assert (found.dq_pages, found.largest_dq_page) == (2, 300)
    assert found.sheets == {"carrier_assessment_2024.xlsx": {"载体评分": 1200, "概要": 1}}
    assert found.largest[0] == "carrier_assessment_2024.xlsx"
    assert found.fullest_sheet == ("carrier_assessment_2024.xlsx", "载体评分", 1200)


def _result(scale: str, found: OfficeFiles) -> BenchResult:
    return BenchResult(
        scale=scale, multiplier=1, year=2024, generate_seconds=0, history_seconds=0,
        wall_seconds=1.0, peak_rss_bytes=1, exit_code=0, steps=[], rows={}, outputs=found,
    )  # fmt: skip


def test_the_bench_line_meets_or_misses_the_size_and_row_limits():
    fine = OfficeFiles({"a.xlsx": 19_900_000, "b.html": 10}, 3, 80_000, {"a.xlsx": {"s": 9}})
    line = outputs_line(_result("national", fine))
    assert "the largest a.xlsx, 19.9 MB (meets ≤ 20 MB)" in line
    assert "3 data-quality pages (the largest 80 KB)" in line
    assert "a.xlsx / s with 9 rows (within Excel's 1,048,576)" in line

    big = OfficeFiles({"a.xlsx": 20_100_000}, 0, 0, {"a.xlsx": {"s": 1_048_577}})
    line = outputs_line(_result("national", big))
    assert "(MISSES ≤ 20 MB)" in line and "(OVER Excel's 1,048,576)" in line
    assert line in format_result(_result("national", big))
    # a data-quality page larger than every other file is the largest
    page = OfficeFiles({"a.xlsx": 10}, 1, 25_000_000, {})
    assert "the largest dq/…, 25.0 MB (MISSES ≤ 20 MB)" in outputs_line(_result("national", page))
    # only the national scale has the size target
    assert "MB (" not in outputs_line(_result("district", big))


@pytest.mark.parametrize("chunk", [1, 4, 5, 6, 11, 1 << 20])
def test_a_tag_at_either_end_of_a_chunk_counts_once(tmp_path, monkeypatch, chunk):
    import zipfile

    path = tmp_path / "parts.zip"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("sheet.xml", b"<row r='1'/><rowBreaks/><row>x</row><row ")
    monkeypatch.setattr(outputs, "_CHUNK", chunk)
    with zipfile.ZipFile(path) as book:
        assert outputs._count_rows(book, "sheet.xml") == 3
