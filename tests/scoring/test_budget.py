"""The reward budget (contract README "What-if, robustness and the reward budget")."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import polars as pl
import pytest
import yaml

from scoring.budget import apply_budget, department_totals
from scoring.engine import score_year
from scoring.rulebook import DEFAULT_DEPARTMENTS, RULEBOOK_DIR, RulebookError, parse_rulebook
from scoring.schemas import EXACT

CENT = Decimal("0.01")


def rulebook_with(**budget) -> object:
    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    doc["budget"].update(budget)
    return parse_rulebook(doc)


def lines(*rows: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rule_code": [r for r, _ in rows],
            "carrier_id": [f"C{i}" for i in range(len(rows))],
            "amount": [Decimal(a) for _, a in rows],
        },
        schema={"rule_code": pl.String, "carrier_id": pl.String, "amount": EXACT},
    )


LINES = lines(
    ("R01", "100"),
    ("R01", "50"),
    ("R01", "33.3333"),
    ("R02", "40"),
    ("R02", "20"),
    ("R09", "9"),
    ("R10", "0"),
)


def by_scope(table: pl.DataFrame) -> dict[str, dict]:
    return {r["scope"]: r for r in table.to_dicts()}


def test_no_budget_changes_nothing():
    paid, table = apply_budget(LINES, rulebook_with())
    assert paid["amount"].to_list() == LINES["amount"].to_list()
    assert paid["amount_before_budget"].to_list() == LINES["amount"].to_list()
    assert set(paid["budget_factor"].to_list()) == {Decimal(1)}
    assert table["scope"].to_list() == [*(f"R{i:02d}" for i in range(1, 11)), "total"]
    assert table["budget"].null_count() == table.height
    assert set(table["factor"].to_list()) == {Decimal(1)}
    assert by_scope(table)["total"]["paid"] == sum(LINES["amount"].to_list())


def test_a_rule_over_its_budget_is_scaled_by_one_factor_rounded_down():
    paid, table = apply_budget(LINES, rulebook_with(rules={"R01": 100}))
    r01 = paid.filter(pl.col("rule_code") == "R01")
    claimed = Decimal("183.3333")
    assert len(set(r01["budget_factor"].to_list())) == 1  # one factor for the scope
    for before, after in zip(r01["amount_before_budget"], r01["amount"], strict=True):
        exact = before * Decimal(100) / claimed
        assert after == exact.quantize(CENT, rounding=ROUND_FLOOR)
    assert sum(r01["amount"].to_list()) <= 100
    assert by_scope(table)["R01"]["paid"] == sum(r01["amount"].to_list())
    assert by_scope(table)["R01"]["claimed"] == claimed
    assert float(by_scope(table)["R01"]["factor"]) == pytest.approx(100 / 183.3333)
    # the other rules are untouched
    rest = paid.filter(pl.col("rule_code") != "R01")
    assert rest["amount"].to_list() == rest["amount_before_budget"].to_list()


def test_the_total_applies_to_what_the_rule_budgets_leave():
    paid, table = apply_budget(LINES, rulebook_with(total=120, rules={"R01": 100}))
    scopes = by_scope(table)
    left = scopes["R01"]["paid"] + Decimal(69)  # R02 60, R09 9, R10 0
    assert scopes["total"]["claimed"] == left
    assert sum(paid["amount"].to_list()) <= 120
    assert scopes["total"]["paid"] == sum(paid["amount"].to_list())
    factor_total = Decimal(120) / left
    r02 = paid.filter(pl.col("rule_code") == "R02")
    assert r02["amount"].to_list() == [
        (Decimal(a) * Decimal(120) / left).quantize(CENT, rounding=ROUND_FLOOR)
        for a in ("40", "20")
    ]
    assert float(r02["budget_factor"][0]) == pytest.approx(float(factor_total))
    r01 = paid.filter(pl.col("rule_code") == "R01")
    assert float(r01["budget_factor"][0]) == pytest.approx(
        float(factor_total * Decimal(100) / Decimal("183.3333"))
    )


def test_a_budget_above_the_claims_changes_nothing():
    paid, table = apply_budget(LINES, rulebook_with(total=10_000, rules={"R01": 500}))
    assert paid["amount"].to_list() == LINES["amount"].to_list()
    assert by_scope(table)["R01"]["budget"] == 500 and by_scope(table)["R01"]["factor"] == 1


def test_a_zero_budget_pays_nothing():
    paid, _ = apply_budget(LINES, rulebook_with(rules={"R02": 0}))
    assert paid.filter(pl.col("rule_code") == "R02")["amount"].to_list() == [0, 0]


def test_departments_default_to_the_plans_and_are_totalled():
    paid, _ = apply_budget(LINES, rulebook_with())
    r01 = paid.filter(pl.col("rule_code") == "R01")["departments_zh"][0]
    assert r01 == "、".join(DEFAULT_DEPARTMENTS["R01"])
    totals = {r["department_zh"]: r for r in department_totals(paid).to_dicts()}
    assert totals["区科技局"]["amount"] == sum(LINES["amount"].to_list())  # every rule
    assert totals["工信局"]["amount"] == Decimal("183.3333")  # R01 only
    assert totals["工信局"]["line_count"] == 3


def test_unknown_budget_rule_is_an_error():
    with pytest.raises(RulebookError, match="budget: rules: unknown reward rule"):
        rulebook_with(rules={"R99": 1})
    with pytest.raises(RulebookError, match="budget.total"):
        rulebook_with(total=-1)


def test_the_engine_publishes_the_budget(mk):
    rulebook = rulebook_with(total=0)
    carrier = mk.carriers({"carrier_id": "C1", "carrier_type": "incubator"})
    claim = mk.claims({"carrier_id": "C1", "claim_kind": "rd_equipment", "amount_audited_wan": 400})
    out = score_year(rulebook, mk.YEAR, mk.inputs(carrier, subsidy_claims=claim))
    rewards = out["rewards"].filter(pl.col("rule_code") == "R04")
    assert rewards["amount_before_budget"].to_list() == [Decimal(80)]
    assert rewards["amount"].to_list() == [Decimal(0)]
    budget = by_scope(out["reward_budget"])
    assert budget["total"]["claimed"] == 80 and budget["total"]["paid"] == 0
    assert out["reward_budget"]["assessment_year"].to_list() == [mk.YEAR] * 11
