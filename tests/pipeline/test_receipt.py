"""The score receipt end to end: 2023 and 2024 of the sample district through the real batch.

Each published figure is checked against an independent reading of the published tables and
the marts (SQL here, polars in scoring/): last year's result, the rectification follow-up, the
yoy_jump warnings, and the receipt in the 2024 workbook and HTML report.
"""

from __future__ import annotations

import duckdb
import openpyxl
import polars as pl

from orchestration.lock import DUCKDB_CONFIG
from orchestration.pipeline import office_file_names
from orchestration.publish.workbook_detail import DETAIL_SHEET
from scoring.rulebook import load_rulebook


def _sql(district, query: str, params=None) -> pl.DataFrame:
    with duckdb.connect(str(district.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        return pl.from_arrow(con.sql(query, params=params).to_arrow_table())


def test_previous_year_columns_are_last_years_published_result(published_district):
    got = _sql(
        published_district,
        """
        select now.carrier_id, now.prev_total_score, now.prev_grade, now.prev_rank_in_type,
               before.total_score, before.grade, before.rank_in_type
        from results.carrier_scores now
        left join results.carrier_scores before
          on before.carrier_id = now.carrier_id and before.assessment_year = 2023
        where now.assessment_year = 2024
        """,
    )
    assert got.height > 0
    for r in got.iter_rows(named=True):
        assert (r["prev_total_score"], r["prev_grade"], r["prev_rank_in_type"]) == (
            r["total_score"],
            r["grade"],
            r["rank_in_type"],
        ), r["carrier_id"]
    first = _sql(
        published_district, "select * from results.carrier_scores where assessment_year = 2023"
    )
    assert first["prev_grade"].null_count() == first.height  # the first loaded year


def test_rectifications_follow_the_published_grades(published_district):
    expected = _sql(
        published_district,
        """
        select d.carrier_id, 2023 as ordered_year, now.grade as grade_in_due_year,
               case when now.grade in ('A', 'B', 'C') then 'met' else 'missed' end as status
        from results.carrier_scores d
        left join results.carrier_scores now
          on now.carrier_id = d.carrier_id and now.assessment_year = 2024
        where d.assessment_year = 2023 and d.grade = 'D'
        union all
        select carrier_id, 2024, null, 'open'
        from results.carrier_scores where assessment_year = 2024 and grade = 'D'
        order by all
        """,
    )
    got = _sql(
        published_district,
        "select carrier_id, ordered_year, grade_in_due_year, status from results.rectifications "
        "where assessment_year = 2024 order by all",
    )
    assert got.rows() == expected.rows()
    assert set(got["status"]) == {"met", "missed", "open"}, got  # the sample shows each
    missed = got.filter(pl.col("status") == "missed")["carrier_id"].to_list()
    reasons = _sql(
        published_district,
        "select carrier_id, reasons_zh from results.carrier_actions where assessment_year = 2024",
    )
    for cid, text in reasons.iter_rows():
        assert (cid in missed) == text.startswith("整改未达标：2023 年 D 级，2024 年仍为 D 级"), cid


def test_yoy_jumps_match_an_independent_reading_of_the_marts(published_district):
    rulebook = load_rulebook(2024)
    ratio = float(rulebook.plausibility.max_ratio)
    area = float(rulebook.plausibility.max_area_change)
    marts = _sql(
        published_district,
        "select * from marts.carrier_year_indicators where assessment_year in (2023, 2024)",
    )
    now = {r["carrier_id"]: r for r in marts.filter(pl.col("assessment_year") == 2024).to_dicts()}
    before = {
        r["carrier_id"]: r for r in marts.filter(pl.col("assessment_year") == 2023).to_dicts()
    }
    expected = set()
    for cid, r in now.items():
        b = before.get(cid)
        if b is None:
            continue
        for code, ind in rulebook.indicators.items():
            if ind.goalposts is None:
                continue
            x, y = b[f"{code.lower()}_raw"], r[f"{code.lower()}_raw"]
            if x is None or y is None:
                continue
            goal = float(ind.goalposts.for_type(r["carrier_type"]))
            if max(x, y) >= goal and (y > ratio * x * (1 + 1e-12) or y * ratio < x * (1 - 1e-12)):
                expected.add((cid, code))
        a0, a1 = b["incubation_area_m2"], r["incubation_area_m2"]
        if a0 and a1 is not None and abs(a1 - a0) > area * a0 * (1 + 1e-12):
            expected.add((cid, "incubation_area_m2"))
    got = _sql(
        published_district,
        "select carrier_id, column_name, severity, message from results.dq_issues "
        "where assessment_year = 2024 and check_name = 'yoy_jump'",
    )
    assert {(c, col) for c, col, *_ in got.iter_rows()} == expected
    assert expected  # the sample district plants some
    assert set(got["severity"]) <= {"warning"}
    for _cid, col, _sev, message in got.iter_rows():
        assert message.startswith(col if col != "incubation_area_m2" else "孵化面积"), message


def test_the_2024_office_files_carry_the_receipt(published_district):
    names = office_file_names(2024)
    folder = published_district.out / "2024"
    scores = _sql(
        published_district, "select * from results.carrier_scores where assessment_year = 2024"
    )
    html = (folder / names["report"]).read_text(encoding="utf-8")
    assert html.count("评分回执") >= scores.height
    book = openpyxl.load_workbook(folder / names["workbook"], read_only=True)
    cells = [v for row in book[DETAIL_SHEET].iter_rows(values_only=True) for v in row if v]
    assert cells.count("评分回执 / Score receipt") == scores.height
    assert cells.count("等级说明") == scores.height
    notes = set(scores["grade_note_zh"])
    assert notes <= set(cells)  # every carrier's note, as published
