"""Grade robustness and the reward budget in the year's workbook and HTML report."""

from __future__ import annotations

import re

import openpyxl
import polars as pl

from orchestration.reports import TABLE_LABELS, render_html_report, write_workbook
from orchestration.reports_decision import DEPARTMENT_SHEET


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert match, section_id
    return match.group(1)


def test_the_html_lists_the_borderline_carriers_with_their_shares(tables, year):
    html = render_html_report(tables, year)
    part = _section(html, "robustness")
    rob = tables["grade_robustness"]
    names = dict(tables["carrier_scores"].select("carrier_id", "carrier_name").iter_rows())
    for row in rob.iter_rows(named=True):
        shown = names[row["carrier_id"]] in part
        assert shown == row["borderline"], row["carrier_id"]
    assert "55.0%" in part and "临界载体 2 家" in part


def test_the_html_budget_section_shows_scopes_and_departments(tables, year):
    part = _section(render_html_report(tables, year), "budget")
    budget = tables["reward_budget"]
    r01 = budget.filter(pl.col("scope") == "R01").row(0, named=True)
    assert f"{float(r01['paid']):,.2f}" in part and f"{float(r01['claimed']):,.2f}" in part
    assert "不限 / no limit" in part  # the rules without a budget
    assert "资规江都分局" in part and "区科技局" in part
    assert "1 个超出预算" in part


def test_the_workbook_has_the_robustness_budget_and_department_sheets(tables, year, tmp_path):
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "w.xlsx", year))
    ws = book[TABLE_LABELS["grade_robustness"]]
    en = [c.value for c in ws[2]]
    flags = [ws.cell(row=r, column=en.index("borderline") + 1).value for r in (3, 4, 5)]
    assert flags == ["是", "是", "否"]  # borderline first
    p_same = ws.cell(row=3, column=en.index("p_same") + 1)
    assert p_same.value == 0.55 and p_same.number_format == "0.00%"
    budget = book[TABLE_LABELS["reward_budget"]]
    scopes = [budget.cell(row=r, column=1).value for r in range(3, budget.max_row + 1)]
    assert scopes[-1] == "total" and "R01" in scopes
    departments = book[DEPARTMENT_SHEET]
    assert [c.value for c in departments[2]][:2] == ["department_zh", "line_count"]
    names = [departments.cell(row=r, column=1).value for r in range(3, 12)]
    assert "区科技局" in names


def test_tables_published_before_the_budget_still_render(tables, year, tmp_path):
    del tables["grade_robustness"], tables["reward_budget"]
    tables["rewards"] = tables["rewards"].drop(
        "amount_before_budget", "budget_factor", "departments_zh"
    )
    html = render_html_report(tables, year)
    assert "未设奖补预算" in _section(html, "budget")
    write_workbook(tables, tmp_path / "old.xlsx", year)
