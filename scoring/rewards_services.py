"""Reward rules of the plan's parts 三(二) and 三(三) (服务与绩效, rules.md "Rewards"): R06–R10,
each registered with its parameters (its `rewards.<code>` entry in the rulebook) beside its
function."""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
from pydantic import Field

from scoring.grading import text
from scoring.params import Grade, Level, NonNeg, Share
from scoring.registry import rule as rule_of
from scoring.rewards import (
    LEVEL_ZH,
    TYPE_ZH,
    RewardContext,
    RewardParams,
    capped,
    combine,
    dec,
    label_zh,
    lookup,
    operator_payee,
)
from scoring.schemas import EXACT


class R06Params(RewardParams):
    """`rewards.R06`: revenue must exceed `min_revenue`, growth reach `min_growth`."""

    min_revenue: NonNeg
    min_growth: NonNeg
    rate: Share


@rule_of("R06", "reward", article="三(二)6", params=R06Params)
def r06_service_revenue(ctx: RewardContext, rule: R06Params) -> pl.DataFrame:
    """R06 三(二)6 科技服务机构开票收入增长 (rules.md "Rewards"): a service_revenue claim whose
    invoiced revenue (amount_audited) exceeds the rulebook's minimum and whose growth
    (amount_audited − amount_previous) ÷ amount_previous reaches its minimum growth: the
    increase × the rate, capped; no or zero amount_previous: not paid, flagged. Payee the
    service body (the claimant).

    The growth test is done without division: increase ≥ minimum growth × previous, exactly."""
    now, prev = pl.col("amount_audited_wan"), pl.col("amount_previous_wan")
    increase = now - prev
    no_prev = prev.is_null() | (prev == 0)
    low_rev = now <= dec(rule.min_revenue)
    low_growth = increase < prev * dec(rule.min_growth)
    claims = ctx.claims_y.filter(pl.col("claim_kind") == "service_revenue").with_columns(
        basis_zh=pl.format(
            "{}（{}）本年开票 {} 万元，上年 {} 万元",
            pl.col("claimant_name"),
            pl.col("claimant_uscc"),
            text(now),
            text(prev),
        ),
        needs_review=no_prev,
        note_zh=pl.when(no_prev)
        .then(
            pl.lit(
                "上年开票收入缺失或为零，不予奖励，提请复核"
                " / no previous revenue: not paid, flagged"
            )
        )
        .when(low_rev)
        .then(
            pl.lit(
                f"本年开票收入未超过{rule.min_revenue}万元 / revenue not above {rule.min_revenue}"
            )
        )
        .when(low_growth)
        .then(
            pl.lit(f"增长率低于{rule.min_growth * 100}% / growth below {rule.min_growth * 100}%")
        ),
    )
    ok = pl.col("note_zh").is_null()
    out = claims.with_columns(
        amount_before_cap=pl.when(ok).then(increase * dec(rule.rate)).otherwise(dec(0)),
        basis_zh=pl.when(ok)
        .then(
            pl.format(
                "{}；增长 {} 万元（{}%）× {}%",
                pl.col("basis_zh"),
                text(increase),
                text((increase / prev * 100).round(2)),
                text(dec(rule.rate) * 100),
            )
        )
        .otherwise(pl.col("basis_zh")),
    ).pipe(capped, rule.cap)
    return out.with_columns(
        payee_kind=pl.lit("service_body"),
        payee_name=pl.col("claimant_name"),
        payee_uscc=pl.col("claimant_uscc"),
    )


class R07Params(RewardParams):
    """`rewards.R07`: the amount, and the levels that qualify per recognition type."""

    amount: NonNeg
    types: dict[Literal["public_service_platform", "service_top100"], tuple[Level, ...]]


@rule_of("R07", "reward", article="三(二)6", params=R07Params)
def r07_service_recognition(ctx: RewardContext, rule: R07Params) -> pl.DataFrame:
    """R07 三(二)6 新认定科技公共服务平台、服务业百强 (rules.md "Rewards"): a recognition in Y of
    a qualifying type and level that is the holder's first of that type ever (none earlier in
    history): the rulebook's amount, capped per holder and year. Payee the holder."""
    allowed = pl.lit(False)
    for rtype, levels in rule.types.items():
        allowed = allowed | (
            (pl.col("recognized_type") == rtype) & pl.col("recognized_level").is_in(list(levels))
        )
    holder_key = pl.coalesce(pl.col("holder_uscc"), pl.format("carrier:{}", pl.col("carrier_id")))
    earlier = pl.concat([ctx.recognitions_before, ctx.recognitions_y]).select(
        holder_key.alias("holder_key"),
        "recognized_type",
        pl.col("recognized_date").alias("earlier_date"),
    )
    recs = ctx.recognitions_y.filter(allowed).with_columns(holder_key=holder_key)
    first = (
        recs.join(earlier, on=["holder_key", "recognized_type"], how="left")
        .group_by(recs.columns)
        .agg((pl.col("earlier_date") < pl.col("recognized_date")).any().alias("has_earlier"))
        .with_columns(value=pl.when(pl.col("has_earlier")).then(dec(0)).otherwise(dec(rule.amount)))
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(
            payee_kind=pl.when(pl.col("holder_kind") == "service_body")
            .then(pl.lit("service_body"))
            .otherwise(pl.lit("operator")),
            payee_name=pl.coalesce(pl.col("holder_name"), pl.col("operator_name")),
            payee_uscc=pl.coalesce(pl.col("holder_uscc"), pl.col("operator_uscc")),
            item=pl.format(
                "{}认定为{}{}{}",
                pl.col("recognized_date"),
                label_zh(pl.col("recognized_level"), LEVEL_ZH),
                label_zh(pl.col("recognized_type"), TYPE_ZH),
                pl.when(pl.col("has_earlier"))
                .then(pl.lit("（此前已有同类认定，不予奖励）"))
                .otherwise(pl.lit("（首次）")),
            ),
        )
    )
    out = (
        first.group_by("holder_key")
        .agg(
            pl.col("carrier_id").min(),
            pl.col("payee_kind").first(),
            pl.col("payee_name").first(),
            pl.col("payee_uscc").first(),
            combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
            pl.col("item").sort().str.join("；").alias("basis_zh"),
        )
        .with_columns(
            needs_review=pl.lit(False),
            note_zh=pl.when(pl.col("amount_before_cap") == 0).then(
                pl.lit("非首次同类认定，不予奖励 / not the first of its type: nothing")
            ),
        )
        .pipe(capped, rule.cap)
    )
    return out.drop("holder_key")


class R08Params(RewardParams):
    """`rewards.R08`: the grade that qualifies and the amount per evaluation level."""

    grade: Grade
    amounts: dict[Literal["national", "provincial"], NonNeg]


@rule_of("R08", "reward", article="三(三)8", params=R08Params)
def r08_evaluation_a(ctx: RewardContext, rule: R08Params) -> pl.DataFrame:
    """R08 三(三)8 绩效评价优秀 (rules.md "Rewards"): the rulebook's grade in a national or
    provincial evaluation whose evaluation_year is Y: the amount of its level, combined by the
    rule's mode (highest only), capped. Payee the operator."""
    evals = ctx.evaluations_y.filter(
        (pl.col("grade") == rule.grade) & pl.col("evaluation_level").is_in(list(rule.amounts))
    ).with_columns(value=lookup(pl.col("evaluation_level"), dict(rule.amounts)))
    out = (
        evals.group_by("carrier_id")
        .agg(
            combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
            pl.format(
                "{}年度{}绩效评价{}等次（{} 万元）",
                pl.col("evaluation_year"),
                label_zh(pl.col("evaluation_level"), LEVEL_ZH),
                pl.col("grade"),
                text(pl.col("value")),
            )
            .sort()
            .str.join("；")
            .alias("basis_zh"),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(needs_review=pl.lit(False), note_zh=pl.lit(None, dtype=pl.String))
        .pipe(capped, rule.cap)
    )
    return out.pipe(operator_payee)


class R09Params(RewardParams):
    """`rewards.R09`: the amount per enterprise."""

    amount_each: NonNeg


@rule_of("R09", "reward", article="三(三)8", params=R09Params)
def r09_first_certificate_or_graduation(ctx: RewardContext, rule: R09Params) -> pl.DataFrame:
    """R09 三(三)8 在孵企业首次认定高企或毕业 (rules.md "Rewards"): each distinct tenant
    enterprise that in Y got its first high-tech certificate (cert_kind first, and no earlier
    certificate in history) while a tenant of the carrier, or graduated from the carrier in Y;
    an enterprise that does both counts once: the amount each, capped per carrier and year.
    Payee the operator."""
    ev = ctx.events_y.filter(
        pl.col("attributed_carrier_id").is_not_null()
        & (
            ((pl.col("event_kind") == "high_tech_certificate") & pl.col("is_first_certificate"))
            | (pl.col("event_kind") == "graduation")
        )
    ).with_columns(
        what=pl.when(pl.col("event_kind") == "graduation")
        .then(pl.format("{}毕业", pl.col("event_date")))
        .otherwise(
            pl.format("{}首次认定高企（{}）", pl.col("event_date"), pl.col("certificate_no"))
        )
    )
    per_enterprise = ev.group_by(pl.col("attributed_carrier_id").alias("carrier_id"), "uscc").agg(
        pl.col("enterprise_name").first(),
        pl.col("what").sort().str.join("、"),
    )
    out = (
        per_enterprise.group_by("carrier_id")
        .agg(
            pl.len().alias("n"),
            pl.format("{}（{}）：{}", pl.col("enterprise_name"), pl.col("uscc"), pl.col("what"))
            .sort()
            .str.join("；")
            .alias("items"),
        )
        .with_columns(
            amount_before_cap=pl.col("n").cast(EXACT) * dec(rule.amount_each),
            basis_zh=pl.format(
                "{} 家 × {} 万元：{}", pl.col("n"), pl.lit(str(rule.amount_each)), pl.col("items")
            ),
            needs_review=pl.lit(False),
            note_zh=pl.lit(None, dtype=pl.String),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .pipe(capped, rule.cap)
    )
    return out.pipe(operator_payee)


class R10Params(RewardParams):
    """`rewards.R10`: the amount per award level and rank (other ranks: nothing)."""

    amounts: dict[Literal["provincial", "municipal"], dict[Annotated[int, Field(ge=1)], NonNeg]]


@rule_of("R10", "reward", article="三(三)8", params=R10Params)
def r10_award(ctx: RewardContext, rule: R10Params) -> pl.DataFrame:
    """R10 三(三)8 创新创业大赛获奖 (rules.md "Rewards"): an award dated in Y and attributed to
    the carrier (the enterprise a tenant on the award date) at a level and rank the rulebook
    gives an amount for (other ranks: nothing); highest only per enterprise and year, capped.
    Payee the enterprise."""
    table = {f"{lvl}|{rank}": v for lvl, ranks in rule.amounts.items() for rank, v in ranks.items()}
    key = pl.format("{}|{}", pl.col("award_level"), pl.col("award_rank"))
    awards = (
        ctx.events_y.filter(
            (pl.col("event_kind") == "award") & pl.col("attributed_carrier_id").is_not_null()
        )
        .with_columns(value=lookup(key, table).fill_null(dec(0)))
        .with_columns(
            item=pl.format(
                "{}{}{}获{}{}等奖（{} 万元）",
                pl.col("event_date"),
                pl.lit(" "),
                pl.col("competition"),
                label_zh(pl.col("award_level"), LEVEL_ZH),
                pl.col("award_rank"),
                text(pl.col("value")),
            )
        )
        .sort("value", "event_date", "event_key", descending=[True, False, False])
    )
    out = (
        awards.group_by("uscc")
        .agg(
            pl.col("attributed_carrier_id").first().alias("carrier_id"),
            pl.col("enterprise_name").first().alias("payee_name"),
            combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
            pl.col("item").sort().str.join("；").alias("basis_zh"),
        )
        .with_columns(
            payee_kind=pl.lit("enterprise"),
            payee_uscc=pl.col("uscc"),
            needs_review=pl.lit(False),
            note_zh=pl.when(pl.col("amount_before_cap") == 0).then(
                pl.lit("获奖名次不在奖励范围 / rank not rewarded")
            ),
        )
        .pipe(capped, rule.cap)
    )
    return out
