"""The score receipt (contract "The score receipt"; scoring/receipt.py): subtotals, grade notes,
the previous year, the next grade and the single-indicator lift, each against hand-computed
cases at the band edges, under the A cap, with a veto, for a new carrier and with a goalpost
already met."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import score_year
from scoring.receipt import RAW_STEP
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


def scores(mk, rulebook, *rows, history=None) -> dict[str, dict]:
    more = {"grade_history": history} if history is not None else {}
    out = score_year(rulebook, mk.YEAR, mk.inputs(mk.carriers(*rows), **more))
    return {r["carrier_id"]: r for r in out["carrier_scores"].to_dicts()}


def lifted(mk, rulebook, rows: list[dict], carrier_id: str) -> dict:
    """Score again with the carrier's lift applied: the receipt's promise, checked."""
    got = scores(mk, rulebook, *rows)[carrier_id]
    code = got["lift_indicator"]
    assert code is not None
    new_rows = [
        {**r, f"{code.lower()}_raw": got["lift_raw_value"]} if r["carrier_id"] == carrier_id else r
        for r in rows
    ]
    return scores(mk, rulebook, *new_rows)[carrier_id]


def test_dimension_subtotals_sum_to_the_total(mk, rulebook):
    s = scores(mk, rulebook, {"carrier_id": "C1", **raws(rulebook, "0.5"), "b1_raw": 1.0})["C1"]
    assert s["service_points"] == Decimal("15")  # (10 + 5 + 5 + 5 + 5) × 0.5
    assert s["incubation_points"] == Decimal("27.5")  # 55 × 0.5
    assert s["sustainability_points"] == Decimal("7.5")
    assert s["bonus_points"] == Decimal("3")
    parts = ("service_points", "incubation_points", "sustainability_points", "bonus_points")
    assert sum(s[p] for p in parts) == s["total_score"] == Decimal("53.00")


@pytest.mark.parametrize(
    ("fraction", "grade", "next_grade", "gap"),
    [
        ("0.85", "A", None, None),
        ("0.8499", "B", "A", "0.01"),
        ("0.70", "B", "A", "15.00"),
        ("0.6999", "C", "B", "0.01"),
        ("0.60", "C", "B", "10.00"),
        ("0.5999", "D", "C", "0.01"),
        ("0.30", "D", "C", "30.00"),
    ],
)
def test_next_grade_at_the_band_edges(mk, rulebook, fraction, grade, next_grade, gap):
    s = scores(mk, rulebook, {"carrier_id": "C1", **raws(rulebook, fraction)})["C1"]
    assert s["grade"] == grade and s["next_grade"] == next_grade
    assert s["points_to_next_grade"] == (None if gap is None else Decimal(gap))
    assert f"在 {grade} 档" in s["grade_note_zh"]
    if grade == "A":
        assert s["lift_indicator"] is None and s["lift_raw_value"] is None


def test_lift_takes_the_smallest_relative_growth_and_rounds_half_up(mk, rulebook):
    # 84.99: the exact total must reach 84.995 (which rounds half-up to 85.00), +0.005 points.
    # S1 (10 points per 2000 万元): 1699.8 → 1700.8 is +0.06 %; D2 (5 per 500): 424.95 →
    # 425.45 is +0.12 %; a count such as P1 needs a whole enterprise (2.5497 → 3, +18 %).
    rows = [{"carrier_id": "C1", **raws(rulebook, "0.8499")}]
    s = scores(mk, rulebook, *rows)["C1"]
    assert (s["lift_indicator"], s["lift_raw_value"]) == ("S1", 1700.8)
    after = lifted(mk, rulebook, rows, "C1")
    assert after["total_score"] == Decimal("85.00") and after["grade"] == "A"
    # one unit (0.01 万元) less would not do: 8.50395 points, 84.99495 → 84.99
    less = scores(mk, rulebook, {**rows[0], "s1_raw": 1700.79})["C1"]
    assert less["total_score"] == Decimal("84.99")


def test_counts_lift_by_whole_units(mk, rulebook):
    # Every goalpost met except S1 0 (−10), P1 1 of 3 (−10), P2 4 of 10 (−6), D1 D2 D3 0
    # (−15): 59.00, D. To C the exact total must reach 59.995: +0.995 points. P2 (1 point per
    # SME): 4 → 4.995 → 5 whole SMEs, +25 %; P1 (5 per enterprise): 1 → 2, +100 %; S1, D1–D3
    # from 0: unbounded growth. P2 it is, and 60.00 is really reached.
    full = raws(rulebook, "1", s1_raw=0.0, p1_raw=1.0, p2_raw=4.0)
    rows = [{"carrier_id": "C1", **full, "d1_raw": 0.0, "d2_raw": 0.0, "d3_raw": 0.0}]
    s = scores(mk, rulebook, *rows)["C1"]
    assert s["total_score"] == Decimal("59.00") and s["grade"] == "D"
    assert s["points_to_next_grade"] == Decimal("1.00")
    assert (s["lift_indicator"], s["lift_raw_value"]) == ("P2", 5.0)
    after = lifted(mk, rulebook, rows, "C1")
    assert after["total_score"] == Decimal("60.00") and after["grade"] == "C"


def test_no_single_indicator_can_close_the_gap(mk, rulebook):
    # 70 → 85 needs 15 points; the most any indicator has left is P1's 15 × 0.3 = 4.5.
    s = scores(mk, rulebook, {"carrier_id": "C1", **raws(rulebook, "0.70")})["C1"]
    assert s["points_to_next_grade"] == Decimal("15.00")
    assert s["lift_indicator"] is None and s["lift_raw_value"] is None


def test_an_indicator_whose_goalpost_is_met_is_never_the_lift(mk, rulebook):
    # Every scored indicator at or beyond its goalpost (S1 at 2.5×: the largest raw value),
    # except P1, P2, P3 at 0: 100 − 35 = 65, C. To B: +4.995. From 0 every growth is
    # unbounded; the smallest share of its goalpost wins: P1 1 of 3 (P2 5 of 10, P3 2 of 3).
    full = raws(rulebook, "1", s1_raw=5000.0, p1_raw=0.0, p2_raw=0.0, p3_raw=0.0)
    rows = [{"carrier_id": "C1", **full}]
    s = scores(mk, rulebook, *rows)["C1"]
    assert s["total_score"] == Decimal("65.00") and s["next_grade"] == "B"
    assert (s["lift_indicator"], s["lift_raw_value"]) == ("P1", 1.0)
    assert lifted(mk, rulebook, rows, "C1")["grade"] == "B"


def test_capped_carrier_is_measured_against_the_lowest_a(mk, rulebook):
    # 4 incubators: allowed = max(1, floor(1.2)) = 1. C1 95 keeps A; C2 at 85 (every goalpost
    # met but P1 at 0) is held at B by the cap; C3 at 80 is a plain B; C4 at 50.
    rows = [
        {"carrier_id": "C1", **raws(rulebook, "0.95")},
        {"carrier_id": "C2", **raws(rulebook, "1", p1_raw=0.0)},
        {"carrier_id": "C3", **raws(rulebook, "0.80")},
        {"carrier_id": "C4", **raws(rulebook, "0.5")},
    ]
    s = scores(mk, rulebook, *rows)
    c2 = s["C2"]
    assert (c2["score_grade"], c2["grade"]) == ("A", "B")
    assert "比例上限" in c2["grade_note_zh"] and "至多 1 家" in c2["grade_note_zh"]
    assert "排第 2 名" in c2["grade_note_zh"]
    # ties keep A: reaching 95.00 is enough; P1 0 → 2 gives 10 points (9.995 needed)
    assert c2["next_grade"] == "A" and c2["points_to_next_grade"] == Decimal("10.00")
    assert (c2["lift_indicator"], c2["lift_raw_value"]) == ("P1", 2.0)
    after = lifted(mk, rulebook, rows, "C2")
    assert after["total_score"] == Decimal("95.00") and after["grade"] == "A"
    # a plain B where the type's A places are taken: 85 would not be enough, 95 is
    assert s["C3"]["grade_note_zh"].startswith("总分 80.00 分，在 B 档")
    assert "本类型 A 等次至多 1 家，已满，升 A 须达到 95.00 分" in s["C3"]["grade_note_zh"]
    assert s["C3"]["points_to_next_grade"] == Decimal("15.00")
    assert s["C1"]["next_grade"] is None and s["C1"]["points_to_next_grade"] is None


def test_below_the_cap_the_band_is_enough(mk, rulebook):
    # 10 incubators: allowed 3; only one A, so a B at 80 needs the band's 85.
    rows = [{"carrier_id": f"C{i}", **raws(rulebook, "0.5")} for i in range(8)]
    rows += [{"carrier_id": "CA", **raws(rulebook, "0.95")}]
    rows += [{"carrier_id": "CB", **raws(rulebook, "0.80")}]
    got = scores(mk, rulebook, *rows)["CB"]
    assert got["points_to_next_grade"] == Decimal("5.00")
    assert "已满" not in got["grade_note_zh"]


def test_without_ties_keeping_a_one_unit_more_unless_the_id_sorts_first(mk, rulebook):
    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    doc["grading"]["a_cap"]["ties_keep_a"] = False
    strict = parse_rulebook(doc)
    rows = [
        {"carrier_id": "C1", **raws(strict, "0.95")},
        {"carrier_id": "C2", **raws(strict, "0.90")},
        {"carrier_id": "C0", **raws(strict, "0.90")},
        {"carrier_id": "C4", **raws(strict, "0.5")},
    ]
    s = scores(mk, strict, *rows)
    # C2 behind C1 (id after it): must pass 95.00; C0 would win a tie (ordinal by id)
    assert s["C2"]["points_to_next_grade"] == Decimal("5.01")
    assert s["C0"]["points_to_next_grade"] == Decimal("5.00")


def test_veto_gets_a_note_and_no_points_to_the_next_grade(mk, rulebook):
    rows = [
        {"carrier_id": "C1", "has_tenant_rows": False, **raws(rulebook, "0.9")},
        {"carrier_id": "C2", **raws(rulebook, "0.86")},
    ]
    s = scores(mk, rulebook, *rows)
    v = s["C1"]
    assert v["grade"] == "D" and v["next_grade"] == "C"
    assert v["points_to_next_grade"] is None and v["lift_indicator"] is None
    assert v["grade_note_zh"].startswith(
        "一票否决：未报送在孵企业数据，评为 D（总分 90.00 分，本属 A 档）"
    )
    # the vetoed carrier takes no A place: C2 is the one A, its receipt is plain
    assert s["C2"]["grade"] == "A" and s["C2"]["grade_note_zh"].startswith("总分 86.00 分")


def test_previous_year_and_a_carrier_new_this_year(mk, rulebook):
    history = mk.frame(
        "grade_history",
        [
            {"assessment_year": 2023, "carrier_id": "C1", "grade": "B", "total_score": 80.5,
             "rank_in_type": 2},
            {"assessment_year": 2022, "carrier_id": "C2", "grade": "A", "total_score": 90,
             "rank_in_type": 1},
            {"assessment_year": 2024, "carrier_id": "C2", "grade": "C", "total_score": 61,
             "rank_in_type": 1},
        ],
    )  # fmt: skip
    rows = [
        {"carrier_id": "C1", **raws(rulebook, "0.9")},
        {"carrier_id": "C2", **raws(rulebook, "0.5")},
    ]
    s = scores(mk, rulebook, *rows, history=history)
    assert (s["C1"]["prev_total_score"], s["C1"]["prev_grade"], s["C1"]["prev_rank_in_type"]) == (
        Decimal("80.50"),
        "B",
        2,
    )
    # C2 has no 2023 result: 2022 is not last year, 2024 is this year (an earlier run)
    assert s["C2"]["prev_total_score"] is None and s["C2"]["prev_grade"] is None
    assert s["C2"]["prev_rank_in_type"] is None


def test_adjusted_grade_note_hook():
    import polars as pl

    from scoring.receipt import adjusted_grade_note

    frame = pl.DataFrame({"b": ["B"], "a": ["A"], "id": ["ADJ-1"], "why": ["申诉成立"]})
    note = frame.select(
        adjusted_grade_note(pl.col("b"), pl.col("a"), pl.col("id"), pl.col("why"))
    ).item()
    assert note.startswith("考核办公室调整（ADJ-1）：B → A，理由：申诉成立")


def test_an_adjusted_grade_is_held_by_the_office_not_by_points(mk, rulebook):
    """The hook for office adjustments (set_grade): recomputed after the grade changes, a
    carrier with `adjustment_ids` gets its next grade but no points or lift."""
    import polars as pl

    from scoring.grading import carrier_scores, score_details
    from scoring.receipt import next_grade_columns

    ind = mk.inputs(
        mk.carriers(
            {"carrier_id": "C1", **raws(rulebook, "0.75")},
            {"carrier_id": "C2", **raws(rulebook, "0.75")},
        )
    ).conformed()
    indicators = ind.carrier_year_indicators
    graded = carrier_scores(indicators, score_details(indicators, rulebook), rulebook)
    adjusted = graded.with_columns(
        grade=pl.when(pl.col("carrier_id") == "C1").then(pl.lit("C")).otherwise("grade"),
        adjustment_ids=pl.when(pl.col("carrier_id") == "C1").then(pl.lit("ADJ-1")),
    )
    s = {r["carrier_id"]: r for r in next_grade_columns(adjusted, rulebook).to_dicts()}
    assert s["C1"]["next_grade"] == "B" and s["C1"]["points_to_next_grade"] is None
    assert s["C2"]["next_grade"] == "A" and s["C2"]["points_to_next_grade"] == Decimal("10.00")


def test_no_lift_from_a_value_missing_for_want_of_a_denominator(mk):
    # Bands moved to A ≥ 95 so that 90 is a B, 5.00 short. Every goalpost met except S2 (a
    # share of the tenant set: NULL, no tenants) and S3 (no seed fund, 0): each could give the
    # 4.995 points alone, S2 with the smaller share of its goalpost (0.1998 of 0.2) than S3
    # (1 of 1). But S2 cannot grow without tenants: S3 it is.
    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    doc["grading"]["bands"]["A"] = 95
    rb = parse_rulebook(doc)
    full = raws(rb, "1", s2_raw=None, s3_raw=0.0)
    s = scores(mk, rb, {"carrier_id": "C1", **full, "tenant_set_count": 0})["C1"]
    assert (s["total_score"], s["grade"], s["points_to_next_grade"]) == (
        Decimal("90.00"),
        "B",
        Decimal("5.00"),
    )
    assert (s["lift_indicator"], s["lift_raw_value"]) == ("S3", 1.0)
    # with tenants (S2 merely 0), S2 is the lift
    s = scores(mk, rb, {"carrier_id": "C1", **full, "s2_raw": 0.0})["C1"]
    assert (s["lift_indicator"], s["lift_raw_value"]) == ("S2", 0.1998)


# --- property: the lift keeps its promise, and no smaller unit would -------------------------


def _share(code: str) -> st.SearchStrategy:
    """A raw value as the marts give it: counts whole, shares and money with their decimals."""
    if RAW_STEP[code] == 1.0:
        return st.integers(min_value=0, max_value=40).map(float)
    places = 4 if RAW_STEP[code] < 0.01 else 2
    top = 1.0 if places == 4 else 6000.0
    return st.floats(min_value=0, max_value=top).map(lambda x: round(x, places))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.fixed_dictionaries({f"{c.lower()}_raw": _share(c) for c in SCORED}),
    st.sampled_from(["incubator", "maker_space", "industrial_park", "platform"]),
)
def test_the_lift_reaches_the_next_grade_and_one_unit_less_does_not(mk, rulebook, raw, ctype):
    row = {"carrier_id": "C1", "carrier_type": ctype, **raw}
    s = scores(mk, rulebook, row)["C1"]
    if s["lift_indicator"] is None:
        return
    code = s["lift_indicator"]
    col = f"{code.lower()}_raw"
    target = s["total_score"] + s["points_to_next_grade"]
    after = scores(mk, rulebook, {**row, col: s["lift_raw_value"]})["C1"]
    assert after["total_score"] >= target and after["grade"] == s["next_grade"]
    less = round(s["lift_raw_value"] - RAW_STEP[code], 6)
    if less > raw[col]:
        assert scores(mk, rulebook, {**row, col: less})["C1"]["total_score"] < target
