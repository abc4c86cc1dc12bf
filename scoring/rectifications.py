"""Rectification follow-up (整改跟踪; contract "The score receipt", `results.rectifications`).

A carrier is ordered to rectify in year X when the rulebook's `rectify` condition holds in X
(grade D, for `consecutive_d_years` years up to X), whatever more severe action heads its row.
Seen from year Y, two orders matter (docs/rules-readings.md RECT-YEARS): those of Y−1, due in Y
(`met`: graded C or better in Y; `missed`: graded D, or not assessed in Y), and those of Y itself,
due in Y+1 (`open`). A missed rectification is cited in the carrier's action reasons.
"""

from __future__ import annotations

import polars as pl

from scoring.rulebook import Rulebook

PASSING = ("A", "B", "C")
"""Grades that meet a rectification order (C or better)."""


def _grades(scores: pl.DataFrame, history: pl.DataFrame, year: int) -> pl.DataFrame:
    """assessment_year, carrier_id, grade: published earlier years and this year's grades."""
    earlier = (
        history.filter(pl.col("assessment_year") < year)
        .group_by("assessment_year", "carrier_id")
        .agg(pl.col("grade").first())
    )
    now = scores.select(
        pl.lit(year, dtype=pl.Int32).alias("assessment_year"), "carrier_id", "grade"
    )
    return pl.concat([earlier.select(now.columns), now], how="vertical_relaxed")


def _ordered(grades: pl.DataFrame, ordered_year: int, d_years: int) -> pl.DataFrame:
    """The carriers ordered to rectify in `ordered_year`: D in each of `d_years` years to it."""
    window = grades.filter(
        pl.col("assessment_year").is_between(ordered_year - d_years + 1, ordered_year)
        & (pl.col("grade") == "D")
    )
    return (
        window.group_by("carrier_id")
        .agg(pl.col("assessment_year").n_unique().alias("_d_years"))
        .filter(pl.col("_d_years") == d_years)
        .select("carrier_id", pl.lit(ordered_year, dtype=pl.Int32).alias("ordered_year"))
    )


def rectifications(
    scores: pl.DataFrame,
    actions: pl.DataFrame,
    history: pl.DataFrame,
    rulebook: Rulebook,
    year: int,
) -> pl.DataFrame:
    """One row per carrier × order (ordered in Y−1 or Y) with its status and next action."""
    d_years = rulebook.actions.rectify.consecutive_d_years
    grades = _grades(scores, history, year)
    orders = pl.concat([_ordered(grades, year - 1, d_years), _ordered(grades, year, d_years)])
    due = grades.select(
        (pl.col("assessment_year") - 1).cast(pl.Int32).alias("ordered_year"),
        "carrier_id",
        pl.col("grade").alias("grade_in_due_year"),
    )
    names = scores.select("carrier_id", "carrier_name")
    heads = actions.select("carrier_id", pl.col("action").alias("_action"), "action_zh")
    due_year = pl.col("ordered_year") + 1
    status = (
        pl.when(due_year > year)
        .then(pl.lit("open"))
        .when(pl.col("grade_in_due_year").is_in(PASSING))
        .then(pl.lit("met"))
        .otherwise(pl.lit("missed"))
    )
    frame = (
        orders.join(due, on=["carrier_id", "ordered_year"], how="left")
        .join(names, on="carrier_id", how="left")
        .join(heads, on="carrier_id", how="left")
        .with_columns(
            assessment_year=pl.lit(year, dtype=pl.Int32),
            grade_then=pl.lit("D"),
            due_year=due_year.cast(pl.Int32),
            status=status,
        )
    )
    missed_action = pl.col("_action").is_not_null() & (pl.col("status") == "missed")
    return frame.with_columns(
        next_action=pl.when(pl.col("status") == "met")
        .then(pl.lit("close"))
        .when(missed_action)
        .then(pl.col("_action"))
        .otherwise(pl.lit("review")),
        next_action_zh=pl.when(pl.col("status") == "met")
        .then(pl.format("{} 年整改达标，结束跟踪", pl.col("due_year")))
        .when(missed_action)
        .then(pl.format("整改未达标，{} 年{}", pl.col("due_year"), pl.col("action_zh")))
        .when(pl.col("status") == "missed")
        .then(pl.format("{} 年未参评，整改成效无法确认，请核实", pl.col("due_year")))
        .otherwise(pl.format("整改中，待 {} 年评价结果复核", pl.col("due_year"))),
    ).sort("carrier_id", "ordered_year")


def cite_missed(actions: pl.DataFrame, rect: pl.DataFrame) -> pl.DataFrame:
    """The action reasons of a carrier whose rectification was missed start with it:
    整改未达标：2023 年 D 级，2024 年仍为 D 级."""
    missed = rect.filter(
        (pl.col("status") == "missed") & pl.col("grade_in_due_year").is_not_null()
    ).select(
        "carrier_id",
        pl.format(
            "整改未达标：{} 年 {} 级，{} 年仍为 {} 级",
            pl.col("ordered_year"),
            pl.col("grade_then"),
            pl.col("due_year"),
            pl.col("grade_in_due_year"),
        ).alias("_missed"),
    )
    return (
        actions.join(missed, on="carrier_id", how="left")
        .with_columns(
            reasons_zh=pl.concat_str(
                [pl.col("_missed"), pl.col("reasons_zh")], separator="；", ignore_nulls=True
            )
        )
        .drop("_missed")
    )
