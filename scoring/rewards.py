"""Rewards (奖补清单, rules.md "Rewards"): what every reward rule shares, the case-by-case items,
and the dispatch over the registered reward rules (scoring/registry.py). The rules themselves:
scoring/rewards_carriers.py (三(一), R01–R05) and scoring/rewards_services.py (三(二), 三(三),
R06–R10).

Each line names its rule, payee, the facts behind it (basis_zh: claims, recognitions,
enterprises, so a clerk can recompute it by hand), the amount before the cap, the cap and the
amount paid, in exact decimals (万元). A claim or recognition that does not qualify gets a line
with amount 0 and a note, so nothing the office sent in disappears without a word.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import polars as pl

from scoring.grading import text
from scoring.params import Mode, NonNeg, Params
from scoring.registry import rules
from scoring.schemas import EXACT
from scoring.vocabulary import package_labels

if TYPE_CHECKING:
    from scoring.rulebook import Rulebook

LEVEL_RANK = {"municipal": 1, "provincial": 2, "national": 3}
LEVEL_ZH = package_labels()["recognized_level"]
TYPE_ZH = package_labels()["recognized_type"]
"""A recognition's level and type as the basis texts name them (the one label per code)."""


def dec(value: object) -> pl.Expr:
    return pl.lit(Decimal(str(value)) if value is not None else None, dtype=EXACT)


def lookup(expr: pl.Expr, mapping: dict, dtype: pl.DataType = EXACT) -> pl.Expr:
    """Look a value up in a rulebook table; NULL when it is not there."""
    if not mapping:
        return pl.lit(None, dtype=dtype)
    keys = list(mapping)
    return expr.replace_strict(keys, [mapping[k] for k in keys], default=None, return_dtype=dtype)


def label_zh(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    return lookup(expr, mapping, pl.String).fill_null(expr.cast(pl.String))


def _header(rulebook: Rulebook, code: str) -> list[pl.Expr]:
    rule = rulebook.rewards[code]
    return [
        pl.lit(code).alias("rule_code"),
        pl.lit(rule.article).alias("article"),
        pl.lit(rule.name_zh).alias("rule_name_zh"),
    ]


def combine(expr: pl.Expr, mode: str) -> pl.Expr:
    """ "Highest only" (就高不重复): the highest tier; "stack": the sum (rulebook, per rule)."""
    return expr.max() if mode == "highest_only" else expr.sum()


def capped(frame: pl.DataFrame, cap: Decimal | None) -> pl.DataFrame:
    before = pl.col("amount_before_cap")
    return frame.with_columns(
        cap=dec(cap),
        amount=before if cap is None else pl.min_horizontal(before, dec(cap)),
    )


def operator_payee(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        payee_kind=pl.lit("operator"),
        payee_name=pl.col("operator_name"),
        payee_uscc=pl.col("operator_uscc"),
    )


def not_paid(frame: pl.DataFrame, note: pl.Expr, review: pl.Expr | bool = False) -> pl.DataFrame:
    """Lines for things that do not qualify: amount 0, with the reason."""
    return frame.with_columns(
        amount_before_cap=dec(0),
        amount=dec(0),
        note_zh=note,
        needs_review=review if isinstance(review, pl.Expr) else pl.lit(review),
    )


def claim_text() -> pl.Expr:
    return pl.format(
        "{}（{}）核定 {} 万元",
        pl.col("claimant_name"),
        pl.col("claimant_uscc"),
        text(pl.col("amount_audited_wan")),
    )


class RewardParams(Params):
    """What every reward rule's rulebook entry (`rewards.<code>`) holds."""

    article: str
    name_zh: str
    payee_kind: Literal["operator", "enterprise", "service_body"]
    mode: Mode
    cap: NonNeg | None


def claim_rule(
    ctx: RewardContext,
    rule: RewardParams,
    claim_kind: str,
    eligible: pl.Expr,
    value: pl.Expr,
    ineligible_note: pl.Expr,
    ineligible_review: pl.Expr,
    value_text: pl.Expr,
) -> pl.DataFrame:
    """Operator-paid claim rules (R03, R04, R05): the carrier's qualifying claims summed into one
    line (the cap is per carrier and year); each non-qualifying claim its own line at 0."""
    claims = (
        ctx.claims_y.filter(pl.col("claim_kind") == claim_kind)
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(_ok=eligible.fill_null(False), _value=value, _vtext=value_text)
    )
    paid = (
        claims.filter(pl.col("_ok"))
        .group_by("carrier_id")
        .agg(
            pl.col("_value").sum().alias("amount_before_cap"),
            pl.col("amount_audited_wan").sum().alias("audited_total"),
            pl.format("{}：{}", claim_text(), pl.col("_vtext"))
            .sort()
            .str.join("；")
            .alias("basis_zh"),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(needs_review=pl.lit(False), note_zh=pl.lit(None, dtype=pl.String))
        .pipe(capped, rule.cap)
    )
    unpaid = not_paid(
        claims.filter(~pl.col("_ok")).with_columns(basis_zh=claim_text()),
        ineligible_note,
        ineligible_review,
    ).with_columns(cap=dec(rule.cap))
    return pl.concat([paid, unpaid], how="diagonal_relaxed").pipe(operator_payee)


def case_by_case(ctx: RewardContext) -> pl.DataFrame:
    """rules.md: "Not computed, listed for the office with amount 0 and a note"."""
    rows = [
        {
            "rule_code": item.code,
            "article": item.article,
            "rule_name_zh": item.name_zh,
            "basis_zh": item.name_zh
            + (f"（最高 {item.up_to} 万元）" if item.up_to is not None else ""),
            "cap": item.up_to,
            "note_zh": item.note_zh,
        }
        for item in ctx.rulebook.case_by_case
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "rule_code": pl.String,
            "article": pl.String,
            "rule_name_zh": pl.String,
            "basis_zh": pl.String,
            "cap": EXACT,
            "note_zh": pl.String,
        },
    )
    return frame.with_columns(amount_before_cap=dec(0), amount=dec(0), needs_review=pl.lit(True))


class RewardContext:
    """The frames the reward rules read, already narrowed to year Y where the rule says so."""

    def __init__(
        self,
        rulebook: Rulebook,
        year: int,
        carriers: pl.DataFrame,
        claims: pl.DataFrame,
        recognitions: pl.DataFrame,
        evaluations: pl.DataFrame,
        events: pl.DataFrame,
    ) -> None:
        self.rulebook = rulebook
        self.year = year
        self.carriers = carriers.select(
            "carrier_id",
            "carrier_type",
            "operator_name",
            "operator_uscc",
            "level",
            "level_date",
        )
        self.claims_y = claims.filter(pl.col("assessment_year") == year)
        # The same recognition reported in two packages is one recognition.
        recs = recognitions.unique(
            ["carrier_id", "recognized_type", "recognized_level", "recognized_date", "holder_uscc"],
            keep="first",
            maintain_order=True,
        )
        rec_year = pl.col("recognized_date").dt.year()
        self.recognitions_y = recs.filter(rec_year == year)
        self.recognitions_before = recs.filter(rec_year < year)
        self.evaluations_y = evaluations.filter(pl.col("evaluation_year") == year).unique(
            ["carrier_id", "evaluation_level"], keep="first", maintain_order=True
        )
        self.events_y = events.filter(pl.col("event_year") == year)


def rewards(ctx: RewardContext) -> pl.DataFrame:
    """Every reward line of year Y: the registered reward rules in order, then the case-by-case
    items."""
    parts = []
    for rule in rules("reward"):
        frame = rule.fn(ctx, ctx.rulebook.rewards[rule.code])
        parts.append(frame.with_columns(_header(ctx.rulebook, rule.code)))
    parts.append(case_by_case(ctx))
    cols = [
        "rule_code",
        "article",
        "rule_name_zh",
        "payee_kind",
        "payee_name",
        "payee_uscc",
        "carrier_id",
        "basis_zh",
        "amount_before_cap",
        "cap",
        "amount",
        "needs_review",
        "note_zh",
    ]
    return pl.concat(
        [p.select(c if c in p.columns else pl.lit(None).alias(c) for c in cols) for p in parts],
        how="vertical_relaxed",
    ).with_columns(assessment_year=pl.lit(ctx.year))
