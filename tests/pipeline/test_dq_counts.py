"""One data-quality count everywhere, and every finding filed under its carrier."""

from __future__ import annotations

import re

import polars as pl
import pytest

from orchestration.audit.dq_carriers import (
    attribute_carriers,
    collapse_warnings,
    count_line,
    counts,
)
from orchestration.pipeline import office_file_names

pytestmark = pytest.mark.slow


def test_rejected_rows_carry_the_carrier_their_row_or_file_names(published_district):
    tables = published_district.results()
    dq = tables["dq_issues"].filter(pl.col("assessment_year") == 2024)
    known = set(tables["carrier_scores"]["carrier_id"])
    rejected = dq.filter(pl.col("source_row").is_not_null() & (pl.col("severity") == "error"))
    assert rejected.height > 0
    for row in rejected.iter_rows(named=True):
        named = {t for t in re.findall(r"[0-9A-Z]+", row["source_file"].upper()) if t in known}
        if named:
            assert row["carrier_id"] in known, row


def test_attribution_prefers_the_row_then_the_file():
    dq = pl.DataFrame(
        {
            "carrier_id": [None, None, None, "C9"],
            "dataset": ["tenants"] * 4,
            "source_file": ["C001_甲.xlsx", "C001_甲.xlsx", "financing_C002.csv", "x.xlsx"],
            "sheet": ["在孵企业", "在孵企业", "", "s"],
            "source_row": [3, 4, 5, 6],
        }
    )
    rows = pl.DataFrame(
        {
            "dataset": ["tenants"],
            "source_file": ["C001_甲.xlsx"],
            "sheet": ["在孵企业"],
            "source_row": [4],
            "row_carrier_id": ["C003"],
        }
    )
    out = attribute_carriers(dq, rows, pl.Series(["C001", "C002", "C003", "C9"]))
    assert out["carrier_id"].to_list() == ["C001", "C003", "C002", "C9"]


def test_repeated_warnings_collapse_but_errors_stay_one_per_row():
    dq = pl.DataFrame(
        {
            "carrier_id": ["C1"] * 4 + ["C2"],
            "dataset": ["tenants"] * 5,
            "source_file": ["f.xlsx"] * 5,
            "source_row": [3, 4, 5, 6, 7],
            "check_name": ["attribution_none"] * 3 + ["unreadable_date", "attribution_none"],
            "severity": ["warning"] * 3 + ["error", "warning"],
            "value_as_written": ["a", "b", "c", "d", "e"],
            "message": ["无法归属"] * 3 + ["日期无法识别", "无法归属"],
        }
    )
    out = collapse_warnings(dq)
    assert out.height == 3
    assert out["finding_count"].sum() == dq.height
    line = out.filter(pl.col("finding_count") == 3)
    assert "同类警告 3 条（行 3、4、5）" in line.item(0, "message")
    assert counts(dq) == (1, 4)
    assert "错误 1 条，警告 4 条" in count_line(dq)


def test_the_closing_line_and_the_reports_count_alike(district):
    outcome = district.run(2024)
    assert outcome.code == 0, outcome.message
    dq = district.results()["dq_issues"].filter(pl.col("assessment_year") == 2024)
    errors, warnings = counts(dq)
    assert f"错误 {errors} 条，警告 {warnings} 条" in outcome.message
    html = (district.out / "2024" / office_file_names(2024)["report"]).read_text("utf-8")
    assert f"错误 {errors} 条，警告 {warnings} 条" in html


def test_raw_row_carriers_finds_the_rows_a_finding_without_a_carrier_names(monkeypatch):
    """The raw rows behind findings without a carrier, and only those: looked up by row
    number (few rows) or by scanning the year (more than ROW_FILTER_MAX), the same rows."""
    import duckdb

    from orchestration.audit import dq_carriers

    con = duckdb.connect(":memory:")
    con.execute("create schema raw; create schema marts")
    con.execute(
        "create table raw.tenants (_assessment_year integer, _source_file varchar, "
        "_sheet varchar, _source_row integer, carrier_id varchar)"
    )
    con.execute(
        "insert into raw.tenants values (2024, 'tenants.csv', '', 2, ' ｃ001 '), "
        "(2024, 'tenants.csv', '', 3, 'C002'), (2024, 'other.csv', '', 2, 'C003'), "
        "(2023, 'tenants.csv', '', 2, 'C009')"
    )
    con.execute(
        "create table marts.data_quality_issues (assessment_year integer, dataset varchar, "
        "source_file varchar, sheet varchar, source_row bigint, carrier_id varchar)"
    )
    con.execute(
        "insert into marts.data_quality_issues values "
        "(2024, 'tenants', 'tenants.csv', '', 2, null), "  # its row names C001
        "(2024, 'tenants', 'tenants.csv', '', 3, 'C002'), "  # has its carrier already
        "(2024, 'patents', 'patents.csv', '', 5, null)"  # no raw.patents table
    )
    want = [("tenants", "tenants.csv", "", 2, "C001")]
    assert dq_carriers.raw_row_carriers(con, 2024).rows() == want
    monkeypatch.setattr(dq_carriers, "ROW_FILTER_MAX", 0)
    assert dq_carriers.raw_row_carriers(con, 2024).rows() == want
    assert dq_carriers.raw_row_carriers(con, 2022).height == 0
