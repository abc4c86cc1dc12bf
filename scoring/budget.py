"""The reward budget (奖补预算, contract README "What-if, robustness and the reward budget").

The rulebook's `budget: {total, rules: {R01: …}}` (万元; null or absent: no limit). When the
lines of a rule claim more than its budget, every line of that rule is scaled by one factor,
budget ÷ claimed, and rounded down to 0.01 万元; then the same for all lines against the total,
on what the rule budgets left. Rounding down keeps every scope within its budget. The amount
before the budget is kept on each line (`amount_before_budget`), with the factor applied to it
(`budget_factor`: the rule's factor × the total's) and the rule's responsible departments
(`departments_zh`, the rulebook's `departments`).

Without a budget nothing changes: amount = amount_before_budget, factor 1.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from scoring.rulebook import REWARD_CODES, Rulebook
from scoring.schemas import EXACT

TOTAL_SCOPE = "total"
DEPARTMENT_SEPARATOR = "、"

BUDGET_COLUMNS: dict[str, pl.DataType] = {
    "scope": pl.String,
    "budget": EXACT,
    "claimed": EXACT,
    "paid": EXACT,
    "factor": EXACT,
}

_ONE = Decimal(1)


def _exact(value: object) -> pl.Expr:
    return pl.lit(Decimal(str(value)) if value is not None else None, dtype=EXACT)


def scaled_down(amount: pl.Expr, budget: Decimal, claimed: Decimal) -> pl.Expr:
    """amount × budget ÷ claimed, rounded down to 0.01 (amounts are never negative)."""
    share = amount.cast(EXACT) * _exact(budget) / _exact(claimed)
    return (share * 100).floor() / 100


def _factor(budget: Decimal | None, claimed: Decimal) -> Decimal:
    if budget is None or claimed <= budget:
        return _ONE
    return budget / claimed


def _total(frame: pl.DataFrame, column: str) -> Decimal:
    value = frame.get_column(column).sum() if frame.height else None
    return Decimal(value) if value is not None else Decimal(0)


def apply_budget(rewards: pl.DataFrame, rulebook: Rulebook) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reward lines within the rulebook's budget, and the budget view.

    Returns `rewards` with `amount` pro-rated and the columns `amount_before_budget`,
    `budget_factor`, `departments_zh` added, and the rows of `results.reward_budget`: one per
    reward rule (R01–R10) and one for the total, each with its budget (NULL: no limit), what its
    lines claimed, what they are paid and the factor (1 when within the budget). The total's
    `claimed` is what the rule budgets left.
    """
    budget = rulebook.budget
    departments = {
        code: DEPARTMENT_SEPARATOR.join(names) for code, names in rulebook.departments.items()
    }
    frame = rewards.with_columns(
        amount=pl.col("amount").cast(EXACT),
        amount_before_budget=pl.col("amount").cast(EXACT),
        budget_factor=_exact(1),
        departments_zh=pl.col("rule_code").replace_strict(
            list(departments), list(departments.values()), default=None, return_dtype=pl.String
        )
        if departments
        else pl.lit(None, dtype=pl.String),
    )
    rows: list[dict[str, object]] = []
    for code in REWARD_CODES:
        lines = frame.filter(pl.col("rule_code") == code)
        limit = budget.rules.get(code)
        claimed = _total(lines, "amount")
        factor = _factor(limit, claimed)
        if factor != _ONE:
            in_scope = pl.col("rule_code") == code
            frame = frame.with_columns(
                amount=pl.when(in_scope)
                .then(scaled_down(pl.col("amount"), limit, claimed))
                .otherwise(pl.col("amount")),
                budget_factor=pl.when(in_scope)
                .then(pl.col("budget_factor") * _exact(factor))
                .otherwise(pl.col("budget_factor")),
            )
        paid = _total(frame.filter(pl.col("rule_code") == code), "amount")
        rows.append(
            {"scope": code, "budget": limit, "claimed": claimed, "paid": paid, "factor": factor}
        )
    claimed = _total(frame, "amount")
    factor = _factor(budget.total, claimed)
    if factor != _ONE:
        frame = frame.with_columns(
            amount=scaled_down(pl.col("amount"), budget.total, claimed),
            budget_factor=pl.col("budget_factor") * _exact(factor),
        )
    rows.append(
        {
            "scope": TOTAL_SCOPE,
            "budget": budget.total,
            "claimed": claimed,
            "paid": _total(frame, "amount"),
            "factor": factor,
        }
    )
    return frame, pl.DataFrame(rows, schema=BUDGET_COLUMNS, orient="row")


def department_totals(rewards: pl.DataFrame) -> pl.DataFrame:
    """Per responsible department: its lines (a line counts for every department of its rule,
    so the departments' totals overlap), claimed before the budget and paid."""
    if rewards.is_empty():
        return pl.DataFrame(
            schema={
                "department_zh": pl.String,
                "line_count": pl.UInt32,
                "amount_before_budget": EXACT,
                "amount": EXACT,
            }
        )
    return (
        rewards.filter(pl.col("departments_zh").is_not_null())
        .with_columns(department_zh=pl.col("departments_zh").str.split(DEPARTMENT_SEPARATOR))
        .explode("department_zh")
        .group_by("department_zh", maintain_order=True)
        .agg(
            pl.len().alias("line_count"),
            pl.col("amount_before_budget").cast(EXACT).sum(),
            pl.col("amount").cast(EXACT).sum(),
        )
    )
