"""Carrier actions (三(一)2 整合提升, 三(二)4 专业运营; rules.md "Clear-out and carrier actions").

From this year's grades and the grades published for earlier years (`grade_history`): one row
per carrier with an action, the most severe action (the rulebook's `severity`) and every
reason. Each action is a registered rule (rectify, transfer_operator, delist_review) whose
rulebook entry (`actions.<code>`) says how many consecutive D years it takes and, for
transfer_operator, which operators and grades count too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import polars as pl
from pydantic import Field

from scoring.params import Grade, Params
from scoring.registry import get, rules
from scoring.registry import rule as register

if TYPE_CHECKING:
    from scoring.rulebook import Rulebook


class OperatorRule(Params):
    """The operators (by kind) for which other grades, held for years in a row, count too."""

    operator_kinds: tuple[str, ...]
    grades: tuple[Grade, ...]
    consecutive_years: Annotated[int, Field(ge=1)]


class ActionRule(Params):
    """An action's rulebook entry (`actions.<code>`)."""

    name_zh: str
    severity: Annotated[int, Field(ge=1)]
    consecutive_d_years: Annotated[int, Field(ge=1)]
    operator_rule: OperatorRule | None = None


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


@register("rectify", "action", article="三(一)2", params=ActionRule)
def rectify(rule: ActionRule, year: int) -> tuple[pl.Expr, pl.Expr]:
    """整改 (rules.md "Carrier actions", plan 三(一)2): grade D in Y and, when the rulebook asks
    for more, the years before it."""
    return action_condition(rule, year)


@register("transfer_operator", "action", article="三(二)4", params=ActionRule)
def transfer_operator(rule: ActionRule, year: int) -> tuple[pl.Expr, pl.Expr]:
    """转专业机构运营 (rules.md "Carrier actions", plan 三(二)4): grade D for the rulebook's
    consecutive years; or, for the operators its operator_rule names, one of its grades for its
    consecutive years."""
    return action_condition(rule, year)


@register("delist_review", "action", article="三(一)2", params=ActionRule)
def delist_review(rule: ActionRule, year: int) -> tuple[pl.Expr, pl.Expr]:
    """撤销认定审查 (rules.md "Carrier actions", plan 三(一)2): grade D for the rulebook's
    consecutive years."""
    return action_condition(rule, year)


def by_severity(rulebook: Rulebook) -> list[tuple[str, ActionRule]]:
    """The registered actions with their rulebook entries, most severe first."""
    items = [(r.code, rulebook.actions[r.code]) for r in rules("action")]
    return sorted(items, key=lambda kv: -kv[1].severity)


def carrier_actions(
    scores: pl.DataFrame, history: pl.DataFrame, rulebook: Rulebook, year: int
) -> pl.DataFrame:
    """One row per carrier that meets any action's condition; `action` is the most severe."""
    ranked = by_severity(rulebook)
    depth = max(
        max(r.consecutive_d_years, r.operator_rule.consecutive_years if r.operator_rule else 1)
        for _, r in ranked
    )
    wide = _grades_wide(scores, history, year, depth)
    cols = []
    for code, rule in ranked:
        applies, reason = get(code).fn(rule, year)
        cols += [applies.alias(f"_{code}"), reason.alias(f"_{code}_reason")]
    wide = wide.with_columns(cols)
    most_severe = pl.lit(None, dtype=pl.String)
    most_severe_zh = pl.lit(None, dtype=pl.String)
    for code, rule in reversed(ranked):  # least severe first, overwritten by more severe
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
            [pl.when(pl.col(f"_{c}")).then(pl.lit(c)) for c, _ in ranked],
            separator=",",
            ignore_nulls=True,
        ),
        reasons_zh=pl.concat_str(
            [pl.col(f"_{c}_reason") for c, _ in ranked], separator="；", ignore_nulls=True
        ),
        grade_history=history_text,
        assessment_year=pl.lit(year),
    ).filter(pl.col("action").is_not_null())
