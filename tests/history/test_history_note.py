"""The office files state the rulebook and the history basis, with a banner when incomplete."""

from __future__ import annotations

import openpyxl
import polars as pl
import pytest

from orchestration.publish import history_note
from orchestration.publish.html_report import render_html_report
from orchestration.publish.workbook import write_workbook
from orchestration.publish.workbook_sheets import SUMMARY_SHEET
from tests.reports.sample_tables import YEAR, sample_result_tables


def _tables(history_years: str | None, gaps: str | None, rulebook_year: int | None):
    tables = sample_result_tables()
    tables["runs"] = tables["runs"].with_columns(
        pl.lit(rulebook_year, dtype=pl.Int32).alias("rulebook_year"),
        pl.lit(history_years, dtype=pl.String).alias("history_years"),
        pl.lit(gaps, dtype=pl.String).alias("history_gaps"),
    )
    return tables


@pytest.mark.parametrize(
    ("history_years", "gaps", "banner"),
    [
        ("", "", "首个评价年度"),
        (f"{YEAR - 3}", f"{YEAR - 2},{YEAR - 1}", "缺少"),
        (None, None, None),
    ],
)
def test_banner_when_the_look_back_was_incomplete(tmp_path, history_years, gaps, banner):
    tables = _tables(history_years, gaps, YEAR - 1)
    html = render_html_report(tables, YEAR)
    path = write_workbook(tables, tmp_path / "book.xlsx", YEAR)
    cells = [
        str(v)
        for row in openpyxl.load_workbook(path)[SUMMARY_SHEET].iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    if banner is None:
        assert "history-banner" not in html
        assert not any(c.startswith("⚠") for c in cells)
    else:
        assert "history-banner" in html and banner in html
        assert any(c.startswith("⚠") and banner in c for c in cells)
    assert f"沿用 {YEAR - 1} 年度默认规则" in html
    assert any(f"沿用 {YEAR - 1} 年度默认规则" in c for c in cells)


def test_complete_history_has_no_banner():
    run = {"history_years": "2022,2023", "history_gaps": "", "rulebook_year": 2024}
    assert history_note.banner(run, 2024) is None
    assert history_note.rulebook_text(run, 2024).startswith("2024 年度规则")
    assert history_note.history_text(run) == "2022、2023"
