"""Grade robustness and the reward budget in the year's workbook and HTML report."""

from __future__ import annotations

import re

import openpyxl
import polars as pl

from orchestration.publish import workbook_office as office
from orchestration.publish.decision import DEPARTMENT_SHEET
from orchestration.publish.html_report import render_html_report
from orchestration.publish.labels import TABLE_LABELS
from orchestration.publish.workbook import write_workbook


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


def _keys(ws) -> list:
    """The keys of a sheet's columns, through the dictionary sheet (字段说明)."""
    book = ws.parent
    keys = {
        (r[0], r[1]): r[2]
        for r in book[office.DICTIONARY_SHEET].iter_rows(min_row=2, values_only=True)
    }
    return [keys.get((ws.title, c.value)) for c in ws[1]]


def test_the_workbook_has_the_robustness_budget_and_department_sheets(tables, year, tmp_path):
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "w.xlsx", year))
    ws = book[TABLE_LABELS["grade_robustness"]]
    keys = _keys(ws)
    flags = [ws.cell(row=r, column=keys.index("borderline") + 1).value for r in (2, 3, 4)]
    assert flags == ["是", "是", "否"]  # borderline first
    p_same = ws.cell(row=2, column=keys.index("p_same") + 1)
    assert p_same.value == 0.55 and p_same.number_format == "0.00%"
    budget = book[TABLE_LABELS["reward_budget"]]
    scope = _keys(budget).index("scope") + 1
    scopes = [budget.cell(row=r, column=scope).value for r in range(2, budget.max_row + 1)]
    assert scopes[-1] == "total" and "R01" in scopes
    departments = book[DEPARTMENT_SHEET]
    assert _keys(departments)[:2] == ["department_zh", "line_count"]
    names = [departments.cell(row=r, column=1).value for r in range(2, 12)]
    assert "区科技局" in names


def test_tables_published_before_the_budget_still_render(tables, year, tmp_path):
    del tables["grade_robustness"], tables["reward_budget"]
    tables["rewards"] = tables["rewards"].drop(
        "amount_before_budget", "budget_factor", "departments_zh"
    )
    html = render_html_report(tables, year)
    assert "未设奖补预算" in _section(html, "budget")
    write_workbook(tables, tmp_path / "old.xlsx", year)
