"""The office's adjustments in scoring (scoring/adjustments.py through score_year): set_grade
after grading and the A cap, set_reward on the line, the three statuses, adjustment_ids, and
results.adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from scoring.adjustments import conform_adjustments
from scoring.engine import score_year

Y = dt.date(2024, 6, 1)


def _total(rulebook, fraction: str) -> dict:
    return {
        f"{code.lower()}_raw": float(ind.goalposts.incubator * Decimal(fraction))
        for code, ind in rulebook.indicators.items()
        if ind.goalposts is not None
    }


def adjustments(*rows: dict) -> pl.DataFrame:
    base = {
        "reason": "理由",
        "approved_by": "王主任",
        "approved_on": dt.date(2025, 3, 5),
        "status": "accepted",
    }
    return conform_adjustments(
        pl.DataFrame([base | {"file_row": i + 2} | r for i, r in enumerate(rows)])
    )


def run(mk, rulebook, adj: pl.DataFrame | None = None, history=()):
    carriers = mk.carriers(
        {"carrier_id": "K1", **_total(rulebook, "0.1")},  # D
        {"carrier_id": "K2", **_total(rulebook, "0.65")},  # C
        {"carrier_id": "K3", **_total(rulebook, "0.75")},  # B
    )
    rec = mk.recognitions(
        {"carrier_id": "K3", "recognized_type": "incubator", "recognized_level": "national",
         "recognized_date": Y}
    )  # fmt: skip
    cl = mk.claims({"carrier_id": "K3", "claim_kind": "renovation", "amount_audited_wan": 500})
    more = {"adjustments": adj} if adj is not None else {}
    return score_year(
        rulebook,
        mk.YEAR,
        mk.inputs(
            carriers,
            carrier_recognitions=rec,
            subsidy_claims=cl,
            grade_history=mk.history(*history),
            **more,
        ),
    )


def by(frame: pl.DataFrame, key: str) -> dict:
    return {r[key]: r for r in frame.to_dicts()}


def test_no_adjustments_change_nothing_and_leave_ids_null(mk, rulebook):
    out = run(mk, rulebook)
    assert out["adjustments"].is_empty()
    for table in ("carrier_scores", "score_details", "rewards", "carrier_actions"):
        assert out[table]["adjustment_ids"].null_count() == out[table].height, table


def test_set_grade_replaces_the_grade_only_and_actions_follow(mk, rulebook):
    before = by(run(mk, rulebook)["carrier_scores"], "carrier_id")
    assert before["K1"]["grade"] == "D"
    out = run(mk, rulebook, adjustments({"adjustment_id": "A1", "kind": "set_grade",
                                         "target": "K1", "value": "c"}))  # fmt: skip
    scores = by(out["carrier_scores"], "carrier_id")
    assert scores["K1"]["grade"] == "C"
    assert scores["K1"]["adjustment_ids"] == "A1"
    assert "按调整 A1 由D改为C" in scores["K1"]["grade_note_zh"]
    for carrier, row in before.items():  # total and rank stay; nobody else moves
        assert scores[carrier]["total_score"] == row["total_score"]
        assert scores[carrier]["rank_in_type"] == row["rank_in_type"]
        if carrier != "K1":
            assert scores[carrier]["grade"] == row["grade"]
            assert scores[carrier]["adjustment_ids"] is None
    # K1 was D (rectify); graded C by the office it has no action any more
    assert "K1" not in out["carrier_actions"]["carrier_id"].to_list()
    row = out["adjustments"].row(0, named=True)
    assert (row["old_value"], row["new_value"], row["applied"]) == ("D", "C", True)
    assert "由 D 调整为 C" in row["effect_zh"]


def test_set_grade_to_d_brings_an_action_marked_with_the_adjustment(mk, rulebook):
    out = run(
        mk,
        rulebook,
        adjustments({"adjustment_id": "A2", "kind": "set_grade", "target": "K2", "value": "D"}),
    )
    actions = by(out["carrier_actions"], "carrier_id")
    assert actions["K2"]["action"] == "rectify"
    assert actions["K2"]["adjustment_ids"] == "A2"
    assert actions["K1"]["adjustment_ids"] is None  # K1's own D: not the office's doing


def test_set_reward_replaces_amount_keeps_before_cap_and_cap(mk, rulebook):
    line = by(run(mk, rulebook)["rewards"].filter(pl.col("rule_code") == "R01"), "carrier_id")
    assert line["K3"]["amount"] == Decimal(100)
    target = "R01|91320000OPERATOR1|K3"
    out = run(mk, rulebook, adjustments({"adjustment_id": "R", "kind": "set_reward",
                                         "target": target, "value": "120.5"}))  # fmt: skip
    r01 = out["rewards"].filter(pl.col("rule_code") == "R01").row(0, named=True)
    assert r01["amount"] == Decimal("120.5")
    assert (r01["amount_before_cap"], r01["cap"]) == (
        line["K3"]["amount_before_cap"],
        line["K3"]["cap"],
    )
    assert r01["adjustment_ids"] == "R"
    others = out["rewards"].filter(pl.col("rule_code") != "R01")
    assert others["adjustment_ids"].null_count() == others.height
    row = out["adjustments"].row(0, named=True)
    assert (row["old_value"], row["new_value"], row["applied"]) == ("100", "120.5", True)


def test_set_reward_zero_cancels_the_line(mk, rulebook):
    target = "R01|91320000OPERATOR1|K3"
    out = run(mk, rulebook, adjustments({"adjustment_id": "R0", "kind": "set_reward",
                                         "target": target, "value": "0"}))  # fmt: skip
    r01 = out["rewards"].filter(pl.col("rule_code") == "R01").row(0, named=True)
    assert r01["amount"] == 0
    assert "取消" in out["adjustments"]["effect_zh"][0]


@pytest.mark.parametrize(
    ("status", "effect"), [("pending", "待定，未执行"), ("rejected", "已驳回，未执行")]
)
def test_pending_and_rejected_are_listed_not_applied(mk, rulebook, status, effect):
    plain = run(mk, rulebook)
    out = run(
        mk,
        rulebook,
        adjustments(
            {"adjustment_id": "P1", "kind": "set_grade", "target": "K1", "value": "A",
             "status": status, "source": "appeal", "approved_by": None, "approved_on": None},
            {"adjustment_id": "P2", "kind": "set_reward", "target": "R01|91320000OPERATOR1|K3",
             "value": "1", "status": status},
        ),
    )  # fmt: skip
    for table in ("carrier_scores", "rewards", "carrier_actions"):
        assert out[table].drop("adjustment_ids").equals(plain[table].drop("adjustment_ids"))
        assert out[table]["adjustment_ids"].null_count() == out[table].height
    rows = out["adjustments"].to_dicts()
    assert [r["adjustment_id"] for r in rows] == ["P1", "P2"]
    assert all(not r["applied"] and r["effect_zh"].startswith(effect) for r in rows)
    assert [r["new_value"] for r in rows] == ["A", "1"]


def test_a_scoring_target_that_does_not_exist_is_recorded_not_applied(mk, rulebook):
    out = run(mk, rulebook, adjustments(
        {"adjustment_id": "X1", "kind": "set_grade", "target": "NOPE", "value": "A"},
        {"adjustment_id": "X2", "kind": "set_reward", "target": "R99|x|K1", "value": "1"},
    ))  # fmt: skip
    rows = out["adjustments"].to_dicts()
    assert [r["applied"] for r in rows] == [False, False]
    assert all("对象不存在" in r["effect_zh"] for r in rows)


def test_row_level_adjustments_mark_the_reporting_carrier_and_the_fed_indicators(mk, rulebook):
    out = run(
        mk,
        rulebook,
        adjustments(
            {"adjustment_id": "E1", "kind": "exclude_row", "target": "patents|f.xlsx|专利|5",
             "carrier_id": "K2", "dataset": "patents", "old_value": "专利号=1", "applied": True,
             "effect_zh": "剔除"},
            {"adjustment_id": "V1", "kind": "set_value", "target": "subsidy_claims|g.csv||2",
             "field": "amount_audited", "value": "400", "carrier_id": "K3",
             "dataset": "subsidy_claims", "old_value": "500", "applied": True,
             "effect_zh": "更正"},
        ),
    )  # fmt: skip
    scores = by(out["carrier_scores"], "carrier_id")
    assert (scores["K2"]["adjustment_ids"], scores["K3"]["adjustment_ids"]) == ("E1", "V1")
    marked = out["score_details"].filter(pl.col("adjustment_ids").is_not_null())
    assert set(marked["indicator_code"]) == {"P4", "P5"} and set(marked["carrier_id"]) == {"K2"}
    assert set(out["rewards"].filter(pl.col("carrier_id") == "K3")["adjustment_ids"]) == {"V1"}
    rows = by(out["adjustments"], "adjustment_id")
    assert (rows["V1"]["old_value"], rows["V1"]["new_value"]) == ("500", "400")
    assert rows["E1"]["new_value"] is None and rows["E1"]["applied"]
