"""The score receipt (contract "The score receipt"): why each grade, how far to the next, and
how the carrier did last year. Pure functions over the frames of `scoring.grading`.

`add_receipt(scores, details, rulebook, history, year)` adds to `carrier_scores`:

- `grade_note_zh`: why this grade: its band, the A cap, the veto (an office adjustment writes its
  own note where it is applied: `adjusted_grade_note`);
- `prev_total_score, prev_grade, prev_rank_in_type`: the published result of Y−1 (from the
  grade history, which the history re-derivation keeps current), NULL when none;
- `next_grade`, `points_to_next_grade`: the next better grade and the points the rounded total
  lacks (docs/rules-readings.md RECEIPT-NEXT); NULL points for a vetoed or adjusted grade;
- `lift_indicator`, `lift_raw_value`: the one indicator whose rise alone closes that gap with the
  smallest relative growth of its raw value, and the raw value it needs (RECEIPT-LIFT).

Bands, the cap and the total's rounding come from the rulebook; nothing here is a figure.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from scoring.grading import NOTE_DIV_ZERO, indicator_points, round_half_up
from scoring.rulebook import Rulebook
from scoring.schemas import EXACT, SCORE

NEXT_GRADE = {"D": "C", "C": "B", "B": "A"}
"""The next better grade; A has none."""

RAW_STEP: dict[str, float] = {
    "S1": 0.01,  # 万元
    "S2": 0.0001,  # a share
    "S3": 1.0,  # seed fund: 0 or 1
    "S4": 0.01,  # tenants per 1000 m2
    "S5": 1.0,
    "P1": 1.0,
    "P2": 1.0,
    "P3": 1.0,
    "P4": 1.0,
    "P5": 1.0,
    "P6": 1.0,
    "D1": 0.0001,  # a share
    "D2": 0.01,  # 万元
    "D3": 0.0001,  # a share
}
"""The unit a raw value moves by (a count by whole enterprises, patents or people; money by
0.01 万元; shares by 0.01 %): the lift's raw value is rounded up to it. Bonus indicators (B1,
B2) have no points function to invert and are never a lift."""


def _score_text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(SCORE).cast(pl.String)


def _band_text(rulebook: Rulebook) -> pl.Expr:
    """The band a rounded total sits in, as the office reads it (`A ≥ <grading.bands.A>` …)."""
    b = rulebook.grading.bands

    def n(x: Decimal) -> str:
        return f"{x.normalize():f}"

    g = pl.col("score_grade")
    return (
        pl.when(g == "A")
        .then(pl.lit(f"≥{n(b.A)}"))
        .when(g == "B")
        .then(pl.lit(f"{n(b.B)}–{n(b.A)}"))
        .when(g == "C")
        .then(pl.lit(f"{n(b.C)}–{n(b.B)}"))
        .otherwise(pl.lit(f"<{n(b.C)}"))
    )


def grade_notes(scores: pl.DataFrame, rulebook: Rulebook) -> pl.Expr:
    """`grade_note_zh`: the veto, the A cap, or the band that decided the grade."""
    cap = rulebook.grading.a_cap
    share = f"{(cap.share * 100).normalize():f}"
    total = _score_text(pl.col("total_score"))
    veto = pl.format(
        "一票否决：{}，评为 {}（总分 {} 分，本属 {} 档） / veto: {}; total {}, band {}",
        pl.col("veto_reason"),
        pl.col("grade"),
        total,
        pl.col("score_grade"),
        pl.col("grade"),
        total,
        pl.col("score_grade"),
    )
    capped = pl.format(
        "总分 {} 分达 A 档（{}），但本类型 {} 家载体中 A 等次至多 {} 家（{}%），"
        "本载体在 A 档中排第 {} 名，按比例上限评为 B"
        " / total {} is in band A, but at most {} of the {} carriers of its type may be A"
        " ({}%); ranked {} among them: B",
        total,
        _band_text(rulebook),
        pl.col("carriers_in_type"),
        pl.col("a_allowed_in_type"),
        pl.lit(share),
        pl.col("a_rank").cast(pl.Int64),
        total,
        pl.col("a_allowed_in_type"),
        pl.col("carriers_in_type"),
        pl.lit(share),
        pl.col("a_rank").cast(pl.Int64),
    )
    band = pl.format(
        "总分 {} 分，在 {} 档（{}） / total {}: band {}",
        total,
        pl.col("score_grade"),
        _band_text(rulebook),
        total,
        pl.col("score_grade"),
    )
    return (
        pl.when(pl.col("veto_reason").is_not_null())
        .then(veto)
        .when(pl.col("is_capped"))
        .then(capped)
        .otherwise(band)
    )


def adjusted_grade_note(
    grade_before: pl.Expr, grade_after: pl.Expr, adjustment_id: pl.Expr, reason: pl.Expr
) -> pl.Expr:
    """The note of a grade the office set (`set_grade`), for where the adjustment is applied:
    `grade_note_zh` = this; then call `next_grade_columns` again so the receipt follows the
    adjusted grade (an adjusted grade gets no points to the next grade)."""
    return pl.format(
        "考核办公室调整（{}）：{} → {}，理由：{} / adjusted by the office ({}): {} → {}",
        adjustment_id,
        grade_before,
        grade_after,
        reason,
        adjustment_id,
        grade_before,
        grade_after,
    )


def previous_year(scores: pl.DataFrame, history: pl.DataFrame, year: int) -> pl.DataFrame:
    """`prev_total_score, prev_grade, prev_rank_in_type`: the published result of Y−1."""
    prev = (
        history.filter(pl.col("assessment_year") == year - 1)
        .group_by("carrier_id")
        .agg(
            pl.col("total_score").first().alias("prev_total_score"),
            pl.col("grade").first().alias("prev_grade"),
            pl.col("rank_in_type").first().alias("prev_rank_in_type"),
        )
    )
    return scores.drop([c for c in prev.columns if c != "carrier_id" and c in scores.columns]).join(
        prev, on="carrier_id", how="left"
    )


def _unit(rulebook: Rulebook) -> Decimal:
    return Decimal(1).scaleb(-rulebook.grading.total_decimals)


def next_grade_columns(scores: pl.DataFrame, rulebook: Rulebook) -> pl.DataFrame:
    """`next_grade`, `points_to_next_grade` and the rounded total the next grade needs
    (`_target`), from `grade`, `total_score` and the A cap.

    To A: the band's lower bound, or, when the type's A places are all taken (the cap binds),
    what passes the lowest A of the type: equal to it where ties keep A, else one unit more
    unless the carrier's id sorts first (RECEIPT-NEXT). Vetoed carriers and carriers with an
    `adjustment_ids` value get no points: the veto or the office, not points, holds them.
    """
    g = rulebook.grading
    unit = _unit(rulebook)
    kept_a = (
        (pl.col("score_grade") == "A")
        & pl.col("veto_reason").is_null()
        & ~pl.col("is_capped").fill_null(True)
    )
    lowest = (
        scores.filter(kept_a)
        .group_by("carrier_type")
        .agg(
            pl.len().alias("_a_count"),
            pl.col("total_score").min().alias("_lowest_a"),
        )
    )
    last_id = (
        scores.filter(kept_a)
        .join(lowest, on="carrier_type")
        .filter(pl.col("total_score") == pl.col("_lowest_a"))
        .group_by("carrier_type")
        .agg(pl.col("carrier_id").max().alias("_lowest_a_id"))
    )
    held = pl.col("veto_reason").is_not_null()
    if "adjustment_ids" in scores.columns:
        held = held | pl.col("adjustment_ids").is_not_null()
    binding = pl.col("_a_count").fill_null(0) >= pl.col("a_allowed_in_type")
    tie_ok = pl.lit(g.a_cap.ties_keep_a) | (pl.col("carrier_id") < pl.col("_lowest_a_id"))
    pass_lowest = pl.col("_lowest_a").cast(EXACT) + pl.when(tie_ok).then(
        pl.lit(Decimal(0), dtype=EXACT)
    ).otherwise(pl.lit(unit, dtype=EXACT))
    band_a = pl.lit(g.bands.A, dtype=EXACT)
    next_grade = pl.col("grade").replace_strict(NEXT_GRADE, default=None, return_dtype=pl.String)
    target = (
        pl.when(held)
        .then(pl.lit(None, dtype=EXACT))
        .when(next_grade == "A")
        .then(pl.when(binding).then(pl.max_horizontal(band_a, pass_lowest)).otherwise(band_a))
        .when(next_grade == "B")
        .then(pl.lit(g.bands.B, dtype=EXACT))
        .when(next_grade == "C")
        .then(pl.lit(g.bands.C, dtype=EXACT))
    )
    out = (
        scores.drop([c for c in ("_target", "_cap_full") if c in scores.columns])
        .join(lowest, on="carrier_type", how="left")
        .join(last_id, on="carrier_type", how="left")
        .with_columns(next_grade=next_grade, _target=target)
        .with_columns(
            points_to_next_grade=(pl.col("_target") - pl.col("total_score").cast(EXACT)).cast(
                SCORE
            ),
            # a plain B whose type's A places are taken: the band alone would not give A
            _cap_full=(
                (pl.col("grade") == "B")
                & ~pl.col("is_capped").fill_null(False)
                & binding
                & (pl.col("_target") > band_a)
            ).fill_null(False),
        )
    )
    return out.drop("_a_count", "_lowest_a", "_lowest_a_id")


def cap_full_note(scores: pl.DataFrame) -> pl.Expr:
    """The grade note of a B below the A band in a type whose A places are all taken: the
    next grade needs more than the band (RECEIPT-NEXT)."""
    target = pl.col("_target").cast(SCORE).cast(pl.String)
    extra = pl.format(
        "本类型 A 等次至多 {} 家，已满，升 A 须达到 {} 分 / its type's {} A places are taken:"
        " A needs {}",
        pl.col("a_allowed_in_type"),
        target,
        pl.col("a_allowed_in_type"),
        target,
    )
    return (
        pl.when(pl.col("_cap_full"))
        .then(pl.concat_str([pl.col("grade_note_zh"), extra], separator="；"))
        .otherwise(pl.col("grade_note_zh"))
    )


def lift_columns(scores: pl.DataFrame, details: pl.DataFrame, rulebook: Rulebook) -> pl.DataFrame:
    """`lift_indicator`, `lift_raw_value` for every carrier with a `_target`.

    For each scored indicator the points it must reach are those that, with every other point
    unchanged, bring the exact total to the target before half-up rounding; inverting
    points × min(raw ÷ goalpost, 1) gives the raw value, rounded up to the indicator's unit
    (RAW_STEP) and checked by scoring the new total again. Impossible when the points needed
    exceed the indicator's maximum, or when the raw value is missing for want of a denominator
    (a share of no tenants, a density of no area). Among the possible ones: the smallest
    relative growth of the raw value (from 0: after every finite growth, then the smallest
    share of the goalpost), then the rulebook's indicator order.
    """
    decimals = rulebook.grading.total_decimals
    half = _unit(rulebook) / 2
    need = scores.filter(pl.col("_target").is_not_null()).select(
        "carrier_id", "exact_total", "_target"
    )
    steps = pl.DataFrame(
        {"indicator_code": list(RAW_STEP), "_step": list(RAW_STEP.values())},
        schema={"indicator_code": pl.String, "_step": pl.Float64},
    )
    zero = pl.lit(Decimal(0), dtype=EXACT)
    # a value that is not there for want of a denominator (no tenants, no area) cannot grow
    no_denominator = pl.col("raw_value").is_null() & (pl.col("note_zh") == NOTE_DIV_ZERO)
    cand = (
        details.filter(pl.col("goalpost").is_not_null() & ~no_denominator.fill_null(False))
        .join(steps, on="indicator_code")
        .join(need, on="carrier_id")
        .with_columns(
            _other=pl.col("exact_total").cast(EXACT) - pl.col("points").cast(EXACT),
            _raw=pl.col("raw_value").fill_null(0.0),
        )
        .with_columns(_need_points=pl.col("_target") - pl.lit(half, dtype=EXACT) - pl.col("_other"))
        .filter((pl.col("_need_points") <= pl.col("points_max")) & (pl.col("_need_points") > zero))
        .with_columns(
            _need_raw=(pl.col("_need_points") * pl.col("goalpost") / pl.col("points_max"))
            .cast(pl.Float64)
            .round(9)
        )
        .with_columns(_lift=((pl.col("_need_raw") / pl.col("_step")).ceil() * pl.col("_step")))
    )

    def reaches(lift: pl.Expr) -> pl.Expr:
        points = indicator_points(pl.col("points_max"), lift, pl.col("goalpost"))
        return round_half_up(pl.col("_other") + points, decimals) >= pl.col("_target")

    def clean(lift: pl.Expr) -> pl.Expr:  # 3 × 0.01 → 0.03, not 0.030000000000000002
        return lift.round(6)

    cand = (
        cand.with_columns(_lift=clean(pl.col("_lift")))
        .with_columns(
            _lift=pl.when(reaches(pl.col("_lift")))
            .then(pl.col("_lift"))
            .otherwise(clean(pl.col("_lift") + pl.col("_step")))
        )
        .filter(reaches(pl.col("_lift")) & (pl.col("_lift") > pl.col("_raw")))
        .with_columns(
            _growth=pl.when(pl.col("_raw") > 0)
            .then((pl.col("_lift") - pl.col("_raw")) / pl.col("_raw"))
            .otherwise(float("inf")),
            _share=pl.col("_lift") / pl.col("goalpost").cast(pl.Float64),
        )
        .sort("carrier_id", "_growth", "_share", "indicator_order")
        .group_by("carrier_id", maintain_order=True)
        .first()
        .select(
            "carrier_id",
            pl.col("indicator_code").alias("lift_indicator"),
            pl.col("_lift").alias("lift_raw_value"),
        )
    )
    return scores.drop(
        [c for c in ("lift_indicator", "lift_raw_value") if c in scores.columns]
    ).join(cand, on="carrier_id", how="left")


def hold_adjusted(scores: pl.DataFrame) -> pl.DataFrame:
    """carrier_scores after the office's `set_grade`: a carrier whose grade the office set gets
    the next grade of that grade and no points to it (the office, not points, holds it), as
    `next_grade_columns` treats a carrier with an `adjustment_ids` value."""
    if "adjustment_ids" not in scores.columns:
        return scores
    held = pl.col("adjustment_ids").is_not_null()
    return scores.with_columns(
        next_grade=pl.when(held)
        .then(pl.col("grade").replace_strict(NEXT_GRADE, default=None, return_dtype=pl.String))
        .otherwise(pl.col("next_grade")),
        **{
            column: pl.when(held).then(None).otherwise(pl.col(column))
            for column in ("points_to_next_grade", "lift_indicator", "lift_raw_value")
        },
    )


def add_receipt(
    scores: pl.DataFrame,
    details: pl.DataFrame,
    rulebook: Rulebook,
    history: pl.DataFrame,
    year: int,
) -> pl.DataFrame:
    """`carrier_scores` (from `grading.carrier_scores`) with the receipt columns."""
    out = scores.with_columns(grade_note_zh=grade_notes(scores, rulebook))
    out = previous_year(out, history, year)
    out = next_grade_columns(out, rulebook)
    out = out.with_columns(grade_note_zh=cap_full_note(out))
    return lift_columns(out, details, rulebook).sort("carrier_id")
