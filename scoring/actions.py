"""Carrier actions (三(一)2 整合提升, 三(二)4 专业运营; rules.md "Clear-out and carrier actions").

From this year's grades and the grades published for earlier years (`grade_history`): one row
per carrier with an action, the most severe action and every reason.

| action            | condition (rules.md)                                                  |
| rectify           | grade D in Y                                                          |
| transfer_operator | grade D in Y and Y−1; or a government-run carrier C or D in Y and Y−1  |
| delist_review     | grade D in Y, Y−1 and Y−2                                             |
"""

from __future__ import annotations

import polars as pl

from scoring.rulebook import ActionRule, Rulebook


def _grades_wide(
    scores: pl.DataFrame, history: pl.DataFrame, year: int, depth: int
) -> pl.DataFrame:
    """carrier_id, g0 (grade in Y), g1 (Y−1), … g<depth-1>; NULL where no grade was published.

    This year's grade is the one just computed; a history row for Y itself (a rerun) is ignored.
    """
    frame = scores.select(
        "carrier_id", "carrier_name", "operator_kind", pl.col("grade").alias("g0")
    )
    for back in range(1, depth):
        earlier = (
            history.filter(pl.col("assessment_year") == year - back)
            .group_by("carrier_id")
            .agg(pl.col("grade").first())
            .rename({"grade": f"g{back}"})
        )
        frame = frame.join(earlier, on="carrier_id", how="left")
    return frame


def _consecutive(grades: tuple[str, ...], years: int) -> pl.Expr:
    return pl.all_horizontal(
        pl.col(f"g{k}").is_in(list(grades)).fill_null(False) for k in range(years)
    )


def _grades_text(year: int, years: int) -> pl.Expr:
    """The grades behind a reason, oldest first: `2023 年 D 级、2024 年 D 级`."""
    return pl.concat_str(
        [pl.format(f"{year - k} 年 {{}} 级", pl.col(f"g{k}")) for k in reversed(range(years))],
        separator="、",
    )


def action_condition(rule: ActionRule, year: int) -> tuple[pl.Expr, pl.Expr]:
    """(applies, reason text) for one action rule of the rulebook; the reason states the
    grades it rests on, in Chinese (the office's words)."""
    n = rule.consecutive_d_years
    by_d = _consecutive(("D",), n)
    span = "" if n == 1 else f"（连续 {n} 年 D 级）"
    reason = pl.when(by_d).then(pl.format(f"{rule.name_zh}：{{}}{span}", _grades_text(year, n)))
    applies = by_d
    if rule.operator_rule is not None:
        op = rule.operator_rule
        by_op = pl.col("operator_kind").is_in(list(op.operator_kinds)).fill_null(False) & (
            _consecutive(op.grades, op.consecutive_years)
        )
        grades = " 或 ".join(op.grades)
        reason_op = pl.when(by_op).then(
            pl.format(
                f"{rule.name_zh}：政府运营，{{}}（连续 {op.consecutive_years} 年 {grades} 级）",
                _grades_text(year, op.consecutive_years),
            )
        )
        applies = applies | by_op
        reason = pl.when(applies).then(
            pl.concat_str([reason, reason_op], separator="；", ignore_nulls=True)
        )
    return applies, reason


def carrier_actions(
    scores: pl.DataFrame, history: pl.DataFrame, rulebook: Rulebook, year: int
) -> pl.DataFrame:
    """One row per carrier that meets any action's condition; `action` is the most severe."""
    rules = rulebook.actions.by_severity()
    depth = max(
        max(r.consecutive_d_years, r.operator_rule.consecutive_years if r.operator_rule else 1)
        for _, r in rules
    )
    wide = _grades_wide(scores, history, year, depth)
    cols = []
    for code, rule in rules:
        applies, reason = action_condition(rule, year)
        cols += [applies.alias(f"_{code}"), reason.alias(f"_{code}_reason")]
    wide = wide.with_columns(cols)
    most_severe = pl.lit(None, dtype=pl.String)
    most_severe_zh = pl.lit(None, dtype=pl.String)
    for code, rule in reversed(rules):  # least severe first, overwritten by more severe
        most_severe = pl.when(pl.col(f"_{code}")).then(pl.lit(code)).otherwise(most_severe)
        most_severe_zh = (
            pl.when(pl.col(f"_{code}")).then(pl.lit(rule.name_zh)).otherwise(most_severe_zh)
        )
    history_text = pl.concat_str(
        [
            pl.format(f"{year - k}:{{}}", pl.col(f"g{k}").fill_null("-"))
            for k in reversed(range(depth))
        ],
        separator=",",
    )
    return wide.with_columns(
        action=most_severe,
        action_zh=most_severe_zh,
        reason_codes=pl.concat_str(
            [pl.when(pl.col(f"_{c}")).then(pl.lit(c)) for c, _ in rules],
            separator=",",
            ignore_nulls=True,
        ),
        reasons_zh=pl.concat_str(
            [pl.col(f"_{c}_reason") for c, _ in rules], separator="；", ignore_nulls=True
        ),
        grade_history=history_text,
        assessment_year=pl.lit(year),
    ).filter(pl.col("action").is_not_null())
