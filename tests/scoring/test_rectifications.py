"""Rectification follow-up (results.rectifications) and the action reasons that cite it."""

from __future__ import annotations

from decimal import Decimal

from scoring.engine import score_year


def _total(rulebook, fraction: str) -> dict:
    out = {}
    for code in (
        "S1",
        "S2",
        "S3",
        "S4",
        "S5",
        "P1",
        "P2",
        "P3",
        "P4",
        "P5",
        "P6",
        "D1",
        "D2",
        "D3",
    ):
        goal = rulebook.indicator(code).goalposts.for_type("incubator")
        out[f"{code.lower()}_raw"] = float(goal * Decimal(fraction))
    return out


def run(mk, rulebook, carriers, history):
    return score_year(
        rulebook,
        mk.YEAR,
        mk.inputs(mk.carriers(*carriers), grade_history=mk.history(*history)),
    )


def test_rectifications_met_missed_open(mk, rulebook):
    d, c, b = _total(rulebook, "0.1"), _total(rulebook, "0.65"), _total(rulebook, "0.75")
    carriers = [
        {"carrier_id": "K1", **d},  # D 2023, D 2024 → missed; ordered again in 2024 → open
        {"carrier_id": "K2", **c},  # D 2023, C 2024 → met
        {"carrier_id": "K3", **b},  # D 2023, B 2024 → met
        {"carrier_id": "K4", **d},  # first D in 2024 → open
        {"carrier_id": "K6", **b},  # D 2022 only: that order was due in 2023, not seen now
    ]
    history = [
        (2023, "K1", "D"), (2023, "K2", "D"), (2023, "K3", "D"),
        (2023, "K5", "D"),  # K5 is not assessed in 2024
        (2022, "K6", "D"), (2023, "K6", "B"),
        (2024, "K4", "C"),  # a row for Y itself (an earlier run) is ignored
    ]  # fmt: skip
    out = run(mk, rulebook, carriers, history)
    rect = {(r["carrier_id"], r["ordered_year"]): r for r in out["rectifications"].to_dicts()}
    assert set(rect) == {("K1", 2023), ("K1", 2024), ("K2", 2023), ("K3", 2023), ("K4", 2024),
                         ("K5", 2023)}  # fmt: skip
    k1 = rect[("K1", 2023)]
    assert (k1["grade_then"], k1["due_year"], k1["grade_in_due_year"], k1["status"]) == (
        "D",
        2024,
        "D",
        "missed",
    )
    assert k1["next_action"] == "transfer_operator"  # D in 2023 and 2024
    assert k1["next_action_zh"].startswith("整改未达标，2024 年转专业机构运营")
    assert (rect[("K2", 2023)]["status"], rect[("K2", 2023)]["grade_in_due_year"]) == ("met", "C")
    assert rect[("K2", 2023)]["next_action"] == "close"
    assert rect[("K3", 2023)]["status"] == "met"
    for key in (("K1", 2024), ("K4", 2024)):
        row = rect[key]
        assert (row["due_year"], row["grade_in_due_year"], row["status"]) == (2025, None, "open")
        assert row["next_action"] == "review"
    k5 = rect[("K5", 2023)]  # ordered, then not assessed in the due year
    assert (k5["status"], k5["grade_in_due_year"], k5["next_action"]) == ("missed", None, "review")
    assert "未参评" in k5["next_action_zh"]
    assert all(r["assessment_year"] == 2024 for r in rect.values())


def test_a_missed_rectification_is_cited_in_the_action_reasons(mk, rulebook):
    d = _total(rulebook, "0.1")
    out = run(mk, rulebook, [{"carrier_id": "K1", **d}, {"carrier_id": "K4", **d}],
              [(2023, "K1", "D")])  # fmt: skip
    actions = {r["carrier_id"]: r for r in out["carrier_actions"].to_dicts()}
    assert actions["K1"]["reasons_zh"].startswith("整改未达标：2023 年 D 级，2024 年仍为 D 级；")
    assert actions["K1"]["action"] == "transfer_operator"
    assert "整改未达标" not in actions["K4"]["reasons_zh"]  # ordered only now


def test_no_history_no_follow_up(mk, rulebook):
    out = run(mk, rulebook, [{"carrier_id": "K1", **_total(rulebook, "0.9")}], [])
    assert out["rectifications"].height == 0
