"""Grading (评分定级, rules.md "Grading"): indicator points, totals, grades, the A cap, ranks.

Points are computed in exact decimals (38 digits, 18 after the point), never floats, so a total
of 84.995 rounds half-up to 85.00 and earns an A even where float arithmetic gives 84.99499….
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import polars as pl

from scoring.indicators import INDICATOR_CODES, text
from scoring.params import CARRIER_TYPES
from scoring.registry import rules
from scoring.schemas import EXACT

if TYPE_CHECKING:
    from scoring.rulebook import Rulebook

__all__ = ["text"]  # re-exported: the rules' basis texts format numbers with it

NOTE_MISSING = "缺少数据 / missing data"
NOTE_DIV_ZERO = "分母为零 / division by zero"
NOTE_D1_ZERO_REVENUE = "营业收入合计为0，按0计 / revenue sums to 0: counted as 0"


def to_exact(expr: pl.Expr) -> pl.Expr:
    """A DOUBLE as the decimal it was written as (0.15 → 0.15, not 0.1499999…)."""
    return expr.cast(pl.Float64).cast(pl.String).cast(EXACT)


def round_half_up(expr: pl.Expr, decimals: int) -> pl.Expr:
    """Half-up rounding of a non-negative decimal (84.995 → 85.00), first cleaning the
    last-digit noise of 18-place division so a true x.xx5 is never seen as x.xx4999…."""
    return expr.round(10, mode="half_away_from_zero").round(decimals, mode="half_away_from_zero")


DIMENSION_COLUMNS = {
    "service": "service_points",
    "performance": "incubation_points",
    "sustainability": "sustainability_points",
    "bonus": "bonus_points",
}
"""The rulebook's dimensions and their subtotal columns in carrier_scores (S, P, D, B)."""


def _rulebook_frame(rulebook: Rulebook) -> pl.DataFrame:
    """indicator × carrier type → name, dimension, points_max, goalpost (NULL for bonus)."""
    rows = []
    for code in INDICATOR_CODES:
        ind = rulebook.indicator(code)
        for ctype in CARRIER_TYPES:
            rows.append(
                {
                    "indicator_code": code,
                    "carrier_type": ctype,
                    "indicator_name_zh": ind.name_zh,
                    "dimension": ind.dimension,
                    "points_max": ind.points,
                    "goalpost": ind.goalposts.for_type(ctype) if ind.goalposts else None,
                    "indicator_order": INDICATOR_CODES.index(code) + 1,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "indicator_code": pl.String,
            "carrier_type": pl.String,
            "indicator_name_zh": pl.String,
            "dimension": pl.String,
            "points_max": EXACT,
            "goalpost": EXACT,
            "indicator_order": pl.Int32,
        },
    )


def indicator_points(points_max: pl.Expr, raw: pl.Expr, goalpost: pl.Expr) -> pl.Expr:
    """rules.md: "Points of an indicator = its points × min(raw ÷ goalpost, 1); missing data and
    division by zero count as 0". Bonus indicators (no goalpost) earn their points when raw is 1.
    """
    raw_x = to_exact(raw)
    scored = pl.min_horizontal(raw_x * points_max / goalpost, points_max)
    bonus = pl.when(raw_x > 0).then(points_max).otherwise(pl.lit(Decimal(0), dtype=EXACT))
    value = pl.when(goalpost.is_null()).then(bonus).otherwise(scored)
    return (
        pl.when(raw.is_null())
        .then(pl.lit(Decimal(0), dtype=EXACT))
        .otherwise(pl.max_horizontal(value, pl.lit(Decimal(0), dtype=EXACT)))
    )


def score_details(indicators: pl.DataFrame, rulebook: Rulebook) -> pl.DataFrame:
    """One row per carrier × indicator (S1…D3, B1, B2): raw value, goalpost, points, the note
    and the facts behind it (basis_zh). `points` is exact (18 places); publish rounds it."""
    parts = []
    for code, facts in ((r.code, r.fn()) for r in rules("indicator")):
        denominator = pl.col(facts.denominator) if facts.denominator else pl.lit(None)
        note = (
            pl.when(pl.col(facts.raw).is_not_null())
            .then(
                pl.when((pl.lit(code) == "D1") & (pl.col("revenue_sum_wan") == 0)).then(
                    pl.lit(NOTE_D1_ZERO_REVENUE)
                )
            )
            .when(denominator.cast(pl.Float64) == 0)
            .then(pl.lit(NOTE_DIV_ZERO))
            .otherwise(pl.lit(NOTE_MISSING))
        )
        parts.append(
            indicators.select(
                "assessment_year",
                "carrier_id",
                "carrier_type",
                pl.lit(code).alias("indicator_code"),
                pl.col(facts.raw).cast(pl.Float64).alias("raw_value"),
                note.alias("note_zh"),
                facts.basis.alias("basis_zh"),
            )
        )
    long = pl.concat(parts).join(
        _rulebook_frame(rulebook), on=["indicator_code", "carrier_type"], how="left"
    )
    unknown = long.filter(pl.col("dimension").is_null())["carrier_type"].unique().to_list()
    if unknown:
        raise ValueError(f"未知载体类型 / unknown carrier_type: {unknown}")
    return long.with_columns(
        points=indicator_points(pl.col("points_max"), pl.col("raw_value"), pl.col("goalpost")),
        benchmark=pl.col("goalpost").cast(pl.Float64),
    ).sort("carrier_id", "indicator_order")


def a_allowed(n: pl.Expr, rulebook: Rulebook) -> pl.Expr:
    """The A cap (rules.md "Grading", rulebook `grading.a_cap`): allowed = max(minimum,
    floor(share × carriers of that type)), in integers so that the product is exact."""
    num, den = rulebook.grading.a_cap.share.as_integer_ratio()
    return pl.max_horizontal((n * num) // den, pl.lit(rulebook.grading.a_cap.minimum))


def band_grade(total: pl.Expr, rulebook: Rulebook) -> pl.Expr:
    """The grade of a rounded total by the rulebook's bands (rules.md "Grading", rulebook
    `grading.bands`): A, B or C from its threshold up, D below C's."""
    bands = rulebook.grading.bands
    return (
        pl.when(total >= bands.A)
        .then(pl.lit("A"))
        .when(total >= bands.B)
        .then(pl.lit("B"))
        .when(total >= bands.C)
        .then(pl.lit("C"))
        .otherwise(pl.lit("D"))
    )


def carrier_scores(
    indicators: pl.DataFrame, details: pl.DataFrame, rulebook: Rulebook
) -> pl.DataFrame:
    """Totals, grades, the A cap and ranks, per carrier (the receipt columns: scoring.receipt).

    Order (docs/rules-readings.md, GRADE-VETO): the total is graded by band; the no-tenant veto
    sets D; then the A cap applies among the carriers still A, so a vetoed carrier never takes
    one of its type's A places, while it still counts among the carriers of its type (n) and
    is ranked like the others.
    """
    g = rulebook.grading
    dims = (
        details.group_by("carrier_id")
        .agg(
            *(
                pl.col("points").filter(pl.col("dimension") == dim).sum().alias(column)
                for dim, column in DIMENSION_COLUMNS.items()
            ),
            pl.col("points").sum().alias("exact_total"),
        )
        .with_columns(total_score=round_half_up(pl.col("exact_total"), g.total_decimals))
    )
    veto = ~pl.col("has_tenant_rows").fill_null(False)
    base = (
        indicators.select(
            "assessment_year",
            "carrier_id",
            "carrier_name",
            "carrier_type",
            "town",
            "operator_name",
            "operator_uscc",
            "has_tenant_rows",
        )
        .join(dims, on="carrier_id", how="left")
        .with_columns(
            score_grade=band_grade(pl.col("total_score"), rulebook),
            veto_reason=pl.when(veto).then(pl.lit(g.no_tenant_veto.reason_zh)),
            rank_in_type=pl.col("total_score")
            .rank("min", descending=True)
            .over("carrier_type")
            .cast(pl.Int32),
            carriers_in_type=pl.len().over("carrier_type").cast(pl.Int32),
        )
        .with_columns(a_allowed_in_type=a_allowed(pl.col("carriers_in_type"), rulebook))
    )
    # Candidates for A after the veto, ranked among themselves.
    candidate = (pl.col("score_grade") == "A") & pl.col("veto_reason").is_null()
    method = "min" if g.a_cap.ties_keep_a else "ordinal"
    # Sorted by carrier_id first, so `ordinal` (ties_keep_a false) breaks ties by carrier_id.
    ranked = base.sort("carrier_type", "carrier_id").with_columns(
        a_rank=pl.when(candidate)
        .then(pl.col("total_score"))
        .rank(method, descending=True)
        .over("carrier_type")
    )
    capped = candidate & (pl.col("a_rank") > pl.col("a_allowed_in_type"))
    return ranked.with_columns(
        grade=pl.when(pl.col("veto_reason").is_not_null())
        .then(pl.lit(g.no_tenant_veto.grade))
        .when(capped)
        .then(pl.lit("B"))
        .otherwise(pl.col("score_grade")),
        is_capped=capped.fill_null(False),
    ).sort("carrier_id")
