"""Year-on-year plausibility (contract "The score receipt"): `yoy_jump` warnings for the office.

A carrier's indicator raw value more than `plausibility.max_ratio` times its value of Y−1, or
less than its inverse, is questioned when the larger of the two is at least the indicator's
goalpost (a jump from 1 to 6 patents where 20 earn full points is not worth a question). Its
incubation area changing by more than `plausibility.max_area_change` of last year's is
questioned too. Warnings never block publishing; they land in `results.dq_issues`.
"""

from __future__ import annotations

import polars as pl

from scoring.grading import text, to_exact
from scoring.rulebook import CARRIER_TYPES, INDICATOR_CODES, Rulebook
from scoring.schemas import EXACT

CHECK_NAME = "yoy_jump"

INDICATOR_DATASET: dict[str, str] = {
    "S1": "financing",
    "S2": "financing",
    "S3": "carriers",
    "S4": "tenants",
    "S5": "tenants",
    "P1": "high_tech",
    "P2": "tenants",
    "P3": "graduations",
    "P4": "patents",
    "P5": "patents",
    "P6": "tenants",
    "D1": "tenants",
    "D2": "tenants",
    "D3": "tenants",
}
"""The report dataset an indicator's raw value mostly comes from, so the office knows where to
look (and the data-quality report files the warning under it)."""

FINDING_COLUMNS: dict[str, pl.DataType] = {
    "carrier_id": pl.String,
    "dataset": pl.String,
    "column_name": pl.String,
    "check_name": pl.String,
    "severity": pl.String,
    "value_as_written": pl.String,
    "message": pl.String,
}
"""The columns of `results.dq_issues` a plausibility finding fills (no file or row: it is about
two years' figures, not one cell)."""


def _goalposts(rulebook: Rulebook) -> pl.DataFrame:
    rows = [
        {
            "indicator_code": code,
            "carrier_type": ctype,
            "name_zh": rulebook.indicator(code).name_zh,
            "goalpost": rulebook.indicator(code).goalposts.for_type(ctype),
        }
        for code in INDICATOR_CODES
        if rulebook.indicator(code).goalposts is not None
        for ctype in CARRIER_TYPES
    ]
    schema = {
        "indicator_code": pl.String,
        "carrier_type": pl.String,
        "name_zh": pl.String,
        "goalpost": EXACT,
    }
    return pl.DataFrame(rows, schema=schema)


def _ratio_text(expr: pl.Expr, decimals: int) -> pl.Expr:
    """A ratio as the office reads it (7.0 → 7, 5.0149 → 5.01)."""
    return expr.cast(pl.Float64).round(decimals).cast(pl.String).str.replace(r"\.0$", "")


def indicator_jumps(
    current: pl.DataFrame, previous: pl.DataFrame, rulebook: Rulebook, year: int
) -> pl.DataFrame:
    """One finding per carrier × indicator whose raw value jumped or fell beyond the ratio."""
    codes = [c for c in INDICATOR_CODES if rulebook.indicator(c).goalposts is not None]
    ratio = pl.lit(rulebook.plausibility.max_ratio, dtype=EXACT)
    long = [
        current.select("carrier_id", "carrier_type", pl.col(f"{c.lower()}_raw").alias("now"))
        .join(
            previous.select("carrier_id", pl.col(f"{c.lower()}_raw").alias("before")),
            on="carrier_id",
        )
        .with_columns(indicator_code=pl.lit(c))
        for c in codes
    ]
    frame = (
        pl.concat(long)
        .filter(pl.col("now").is_not_null() & pl.col("before").is_not_null())
        .join(_goalposts(rulebook), on=["indicator_code", "carrier_type"])
        .with_columns(_now=to_exact(pl.col("now")), _before=to_exact(pl.col("before")))
    )
    up = pl.col("_now") > ratio * pl.col("_before")
    down = pl.col("_now") * ratio < pl.col("_before")
    large = pl.max_horizontal("_now", "_before") >= pl.col("goalpost")
    flagged = frame.filter((up | down) & large)
    times = pl.col("now") / pl.col("before")
    pct = _ratio_text(times * 100, 1)
    ratio_zh = (
        pl.when(pl.col("before") == 0)
        .then(pl.lit("上年为 0"))
        .when(pl.col("now") > pl.col("before"))
        .then(pl.format("为上年的 {} 倍", _ratio_text(times, 2)))
        .otherwise(pl.format("仅为上年的 {}%", pct))
    )
    ratio_en = (
        pl.when(pl.col("before") == 0)
        .then(pl.lit("from 0"))
        .when(pl.col("now") > pl.col("before"))
        .then(pl.format("{}x last year's", _ratio_text(times, 2)))
        .otherwise(pl.format("{}% of last year's", pct))
    )
    limit = f"{rulebook.plausibility.max_ratio.normalize():f}"
    return flagged.select(
        "carrier_id",
        pl.col("indicator_code")
        .replace_strict(INDICATOR_DATASET, default=None, return_dtype=pl.String)
        .alias("dataset"),
        pl.col("indicator_code").alias("column_name"),
        text(pl.col("now")).alias("value_as_written"),
        pl.format(
            "{} {}：{} 年 {}，{} 年 {}，{}（超出 {} 倍或 1/{} 的范围），请核实"
            " / {} {} in {}, {} in {}: {} (beyond {}x either way), please check",
            pl.col("indicator_code"),
            pl.col("name_zh"),
            pl.lit(year - 1),
            text(pl.col("before")),
            pl.lit(year),
            text(pl.col("now")),
            ratio_zh,
            pl.lit(limit),
            pl.lit(limit),
            pl.col("indicator_code"),
            text(pl.col("before")),
            pl.lit(year - 1),
            text(pl.col("now")),
            pl.lit(year),
            ratio_en,
            pl.lit(limit),
        ).alias("message"),
    )


def area_changes(
    current: pl.DataFrame, previous: pl.DataFrame, rulebook: Rulebook, year: int
) -> pl.DataFrame:
    """One finding per carrier whose incubation area changed by more than the share allowed."""
    limit = rulebook.plausibility.max_area_change
    frame = (
        current.select("carrier_id", pl.col("incubation_area_m2").alias("now"))
        .join(
            previous.select("carrier_id", pl.col("incubation_area_m2").alias("before")),
            on="carrier_id",
        )
        .filter(pl.col("now").is_not_null() & (pl.col("before") > 0))
        .with_columns(_change=(to_exact(pl.col("now")) - to_exact(pl.col("before"))).abs())
        .filter(pl.col("_change") > to_exact(pl.col("before")) * pl.lit(limit, dtype=EXACT))
    )
    share = ((pl.col("now") - pl.col("before")) / pl.col("before") * 100).round(1)
    signed = pl.when(share > 0).then(pl.format("+{}", share)).otherwise(share.cast(pl.String))
    limit_pct = f"{(limit * 100).normalize():f}"
    return frame.select(
        "carrier_id",
        pl.lit("carriers").alias("dataset"),
        pl.lit("incubation_area_m2").alias("column_name"),
        text(pl.col("now")).alias("value_as_written"),
        pl.format(
            "孵化面积：{} 年 {} 平方米，{} 年 {} 平方米，变化 {}%（超出 ±{}%），请核实"
            " / incubation area {} m2 in {}, {} m2 in {}: {}% (beyond ±{}%), please check",
            pl.lit(year - 1),
            text(pl.col("before")),
            pl.lit(year),
            text(pl.col("now")),
            signed,
            pl.lit(limit_pct),
            text(pl.col("before")),
            pl.lit(year - 1),
            text(pl.col("now")),
            pl.lit(year),
            signed,
            pl.lit(limit_pct),
        ).alias("message"),
    )


def yoy_jumps(indicators: pl.DataFrame, rulebook: Rulebook, year: int) -> pl.DataFrame:
    """The `yoy_jump` warnings of year Y from `carrier_year_indicators` (every loaded year);
    none when Y−1 is not loaded."""
    current = indicators.filter(pl.col("assessment_year") == year)
    previous = indicators.filter(pl.col("assessment_year") == year - 1)
    parts = [
        indicator_jumps(current, previous, rulebook, year),
        area_changes(current, previous, rulebook, year),
    ]
    found = pl.concat(
        [p.select(c for c in FINDING_COLUMNS if c in p.columns) for p in parts],
        how="diagonal",
    )
    return (
        found.with_columns(
            check_name=pl.lit(CHECK_NAME),
            severity=pl.lit("warning"),
        )
        .select([pl.col(c).cast(t) for c, t in FINDING_COLUMNS.items()])
        .sort("carrier_id", "dataset", "column_name")
    )
