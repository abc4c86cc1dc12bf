"""Grading (rules.md "Grading"): points, exact half-up totals, bands, the A cap, ranks, veto."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
import yaml

from scoring.engine import score_year
from scoring.rulebook import INDICATOR_CODES, RULEBOOK_DIR, parse_rulebook

SCORED = [c for c in INDICATOR_CODES if not c.startswith("B")]


def raws(rulebook, fraction: str, carrier_type: str = "incubator", **override) -> dict:
    """Raw values at `fraction` of every goalpost: the total is 100 × fraction exactly."""
    out = {}
    for code in SCORED:
        goal = rulebook.indicator(code).goalposts.for_type(carrier_type)
        out[f"{code.lower()}_raw"] = float(goal * Decimal(fraction))
    out.update(override)
    return out


def run(mk, rulebook, *carrier_rows, **more):
    return score_year(rulebook, mk.YEAR, mk.inputs(mk.carriers(*carrier_rows), **more))


def scores_by_id(out) -> dict[str, dict]:
    return {r["carrier_id"]: r for r in out["carrier_scores"].to_dicts()}


def test_points_are_capped_at_the_goalpost(mk, rulebook):
    out = run(mk, rulebook, {"carrier_id": "C1", "s1_raw": 4000.0, "p1_raw": 1.0})
    d = {r["indicator_code"]: r for r in out["score_details"].to_dicts()}
    assert d["S1"]["points"] == Decimal(10)  # 4000 ÷ 2000 → capped at 1
    assert d["S1"]["benchmark"] == 2000.0 and d["S1"]["points_max"] == 10
    assert d["P1"]["points"] == Decimal(5)  # 15 × 1/3
    assert d["S1"]["basis_zh"].startswith("投融资总额")


def test_goalposts_differ_by_carrier_type(mk, rulebook):
    out = run(
        mk,
        rulebook,
        {"carrier_id": "C1", "carrier_type": "maker_space", "s1_raw": 300.0},
        {"carrier_id": "C2", "carrier_type": "industrial_park", "s1_raw": 300.0},
    )
    pts = out["score_details"].filter(pl.col("indicator_code") == "S1")["points"].to_list()
    assert pts == [Decimal(10), Decimal("0.6")]


def test_missing_and_division_by_zero_score_zero_with_a_note(mk, rulebook):
    out = run(
        mk,
        rulebook,
        {"carrier_id": "C1", "s2_raw": None, "tenant_set_count": 0, "d2_raw": None},
    )
    d = {r["indicator_code"]: r for r in out["score_details"].to_dicts()}
    assert d["S2"]["points"] == 0 and d["S2"]["note_zh"] == "分母为零 / division by zero"
    assert d["D2"]["points"] == 0 and d["D2"]["note_zh"] == "缺少数据 / missing data"
    assert d["S1"]["note_zh"] is None


def test_bonus_points(mk, rulebook):
    out = run(mk, rulebook, {"carrier_id": "C1", "b1_raw": 1.0, "b2_raw": 1.0})
    s = scores_by_id(out)["C1"]
    assert s["bonus_points"] == Decimal(5) and s["total_score"] == Decimal(5)


def test_one_detail_row_per_carrier_and_indicator(mk, rulebook):
    out = run(mk, rulebook, {"carrier_id": "C1"}, {"carrier_id": "C2"})
    det = out["score_details"]
    assert det.height == 2 * 16
    assert det.filter(pl.col("carrier_id") == "C1")["indicator_code"].to_list() == list(
        INDICATOR_CODES
    )


def test_total_rounds_half_up_at_x_xx5(mk, rulebook):
    # 85 − 0.005 = 84.995: S1 earns 10 × 1999 ÷ 2000 = 9.995, every other scored point full.
    # In floats the sum is 84.99499…, which would round to 84.99 and a B.
    full = raws(rulebook, "1", s1_raw=1999.0, d1_raw=0.0, d2_raw=0.0, d3_raw=0.0)
    almost = raws(rulebook, "1", s1_raw=1998.9999, d1_raw=0.0, d2_raw=0.0, d3_raw=0.0)
    out = run(mk, rulebook, {"carrier_id": "C1", **full}, {"carrier_id": "C2", **almost})
    s = scores_by_id(out)
    assert s["C1"]["total_score"] == Decimal("85.00")
    assert s["C1"]["score_grade"] == "A"
    assert s["C2"]["total_score"] == Decimal("84.99")
    assert s["C2"]["score_grade"] == "B"


@pytest.mark.parametrize(
    ("fraction", "grade"),
    [("0.85", "A"), ("0.8499", "B"), ("0.70", "B"), ("0.6999", "C"), ("0.60", "C"), ("0.5", "D")],
)
def test_grade_bands(mk, rulebook, fraction, grade):
    out = run(mk, rulebook, {"carrier_id": "C1", **raws(rulebook, fraction)})
    assert scores_by_id(out)["C1"]["grade"] == grade


def test_rank_ties_share_a_rank(mk, rulebook):
    out = run(
        mk,
        rulebook,
        *(
            {"carrier_id": cid, **raws(rulebook, f)}
            for cid, f in [("C1", "0.9"), ("C2", "0.8"), ("C3", "0.8"), ("C4", "0.7")]
        ),
    )
    ranks = {cid: s["rank_in_type"] for cid, s in scores_by_id(out).items()}
    assert ranks == {"C1": 1, "C2": 2, "C3": 2, "C4": 4}


def test_ranks_are_within_carrier_type(mk, rulebook):
    out = run(
        mk,
        rulebook,
        {"carrier_id": "C1", **raws(rulebook, "0.9")},
        {"carrier_id": "C2", "carrier_type": "platform", **raws(rulebook, "0.5", "platform")},
    )
    assert [s["rank_in_type"] for s in scores_by_id(out).values()] == [1, 1]


def test_a_cap_with_ties_at_the_boundary(mk, rulebook):
    # 10 incubators: allowed = floor(0.3 × 10) = 3. Five reach 85; the third and fourth tie.
    fractions = ["0.95", "0.92", "0.90", "0.90", "0.88", "0.5", "0.5", "0.5", "0.5", "0.5"]
    rows = [{"carrier_id": f"C{i:02d}", **raws(rulebook, f)} for i, f in enumerate(fractions)]
    s = scores_by_id(run(mk, rulebook, *rows))
    grades = [s[f"C{i:02d}"]["grade"] for i in range(10)]
    assert grades[:5] == ["A", "A", "A", "A", "B"]
    assert s["C04"]["score_grade"] == "A" and "比例上限" in s["C04"]["grade_note_zh"]
    assert s["C00"]["a_allowed_in_type"] == 3


def test_a_cap_minimum_of_one(mk, rulebook):
    rows = [
        {"carrier_id": "C1", **raws(rulebook, "0.95")},
        {"carrier_id": "C2", **raws(rulebook, "0.9")},
    ]
    s = scores_by_id(run(mk, rulebook, *rows))
    assert (s["C1"]["grade"], s["C2"]["grade"]) == ("A", "B")
    assert s["C1"]["a_allowed_in_type"] == 1


def test_a_cap_without_ties_keep_a_breaks_ties_by_carrier_id(mk):
    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    doc["grading"]["a_cap"]["ties_keep_a"] = False
    rb = parse_rulebook(doc)
    rows = [{"carrier_id": c, **raws(rb, "0.9")} for c in ("C2", "C1", "C3")]
    s = scores_by_id(run(mk, rb, *rows))
    assert [s[c]["grade"] for c in ("C1", "C2", "C3")] == ["A", "B", "B"]


def test_veto_no_tenant_rows(mk, rulebook):
    # The vetoed carrier is ranked first but graded D and takes no A place (rules-readings).
    rows = [
        {"carrier_id": "C1", "has_tenant_rows": False, **raws(rulebook, "0.95")},
        {"carrier_id": "C2", **raws(rulebook, "0.9")},
        {"carrier_id": "C3", **raws(rulebook, "0.5")},
    ]
    s = scores_by_id(run(mk, rulebook, *rows))
    assert s["C1"]["grade"] == "D" and s["C1"]["veto_reason"] == "未报送在孵企业数据"
    assert s["C1"]["rank_in_type"] == 1 and s["C1"]["total_score"] == Decimal("95.00")
    assert s["C2"]["grade"] == "A" and s["C2"]["veto_reason"] is None
    assert s["C1"]["carriers_in_type"] == 3


def test_a_changed_goalpost_changes_the_grade(mk):
    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    default = parse_rulebook(doc)
    row = {"carrier_id": "C1", **raws(default, "0.84")}  # 84.00: B
    assert scores_by_id(run(mk, default, row))["C1"]["grade"] == "B"
    doc["indicators"]["S1"]["goalposts"]["incubator"] = 1000  # S1 now full: 85.60
    changed = parse_rulebook(doc)
    s = scores_by_id(run(mk, changed, row))["C1"]
    assert s["total_score"] == Decimal("85.60") and s["grade"] == "A"
