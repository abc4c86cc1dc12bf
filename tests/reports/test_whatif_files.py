"""The whatif comparison and its files, on small frames: added, removed and changed lines."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import polars as pl

from orchestration.publish.whatif_report import SHEETS, write_files
from orchestration.score.compare import compare
from scoring.rulebook import load_rulebook

HOSTILE = "<script>alert(1)</script>"


def scores(rows: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "carrier_id": [r[0] for r in rows],
            "carrier_name": [HOSTILE if r[0] == "C2" else f"载体{r[0]}" for r in rows],
            "carrier_type": ["incubator"] * len(rows),
            "total_score": [Decimal(r[1]) for r in rows],
            "grade": [r[2] for r in rows],
            "rank_in_type": [r[3] for r in rows],
        },
        schema_overrides={"total_score": pl.Decimal(6, 2)},
    )


def rewards(rows: list[tuple[str, str | None, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rule_code": [r[0] for r in rows],
            "rule_name_zh": ["规则"] * len(rows),
            "payee_kind": ["operator"] * len(rows),
            "payee_name": [r[2] for r in rows],
            "payee_uscc": [r[1] for r in rows],
            "carrier_id": [r[2] for r in rows],
            "basis_zh": ["依据"] * len(rows),
            "amount": [Decimal(r[3]) for r in rows],
        },
        schema_overrides={"amount": pl.Decimal(18, 4)},
    )


def comparison():
    old_scores = scores([("C1", "90.00", "A", 1), ("C2", "71.00", "B", 2), ("C3", "50", "D", 3)])
    new_scores = scores([("C1", "88.00", "A", 1), ("C2", "69.50", "C", 2), ("C3", "52", "D", 3)])
    old = rewards([("R01", "U1", "C1", "100"), ("R09", None, "C2", "6"), ("R10", "U3", "C3", "5")])
    new = rewards([("R01", "U1", "C1", "80"), ("R09", None, "C2", "6"), ("R08", "U3", "C3", "5")])
    budget = pl.DataFrame({"scope": ["R01", "total"], "budget": [80.0, None]})
    tables = {"carrier_scores": new_scores, "rewards": new, "reward_budget": budget}
    return compare(2024, "rules.yaml", old_scores, old, tables, load_rulebook(2024))


def test_lines_are_matched_by_rule_payee_and_carrier():
    c = comparison()
    got = {(r["rule_code"], r["carrier_id"]): r for r in c.rewards.to_dicts()}
    assert got[("R01", "C1")]["change"] == "changed"
    assert got[("R09", "C2")]["change"] == "same"  # a NULL uscc matches a NULL uscc
    assert got[("R10", "C3")]["change"] == "removed" and got[("R10", "C3")]["amount_new"] is None
    assert got[("R08", "C3")]["change"] == "added" and got[("R08", "C3")]["amount_old"] is None
    assert c.rewards["change"].to_list() == ["added", "removed", "changed", "same"]
    assert c.carriers["carrier_id"].to_list()[0] == "C2"  # the grade that changes first
    by_rule = {r["rule_code"]: r for r in c.by_rule.to_dicts()}
    assert by_rule["R01"]["amount_change"] == -20 and by_rule["R10"]["amount_new"] == 0
    departments = {r["department_zh"]: r for r in c.by_department.to_dicts()}
    assert departments["工信局"]["amount_old"] == 100 and departments["工信局"]["amount_new"] == 80


def test_the_files_hold_the_contract_columns_and_escape_names(tmp_path):
    files = write_files(comparison(), tmp_path)
    carriers = pl.read_parquet(files["carriers"])
    assert carriers.columns == [
        "carrier_id", "total_score_old", "total_score_new", "grade_old", "grade_new",
        "rank_in_type_old", "rank_in_type_new",
    ]  # fmt: skip
    lines = pl.read_parquet(files["rewards"])
    assert lines.columns == [
        "rule_code", "payee_uscc", "payee_name", "carrier_id", "amount_old", "amount_new",
    ]  # fmt: skip
    assert lines["amount_old"].null_count() == 1 and lines["amount_new"].null_count() == 1
    book = openpyxl.load_workbook(files["workbook"])
    assert book.sheetnames == ["概要", *(name for name, _, _ in SHEETS)]
    assert book["奖补变化"].max_row == 2 + 3  # two header rows, the three lines that change
    assert book["等级变化"].max_row == 2 + 3  # every carrier
    html = files["report"].read_text(encoding="utf-8")
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "不限 / no limit" in html and "合计 / total" in html
