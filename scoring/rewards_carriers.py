"""Reward rules of the plan's part 三(一) (载体建设, rules.md "Rewards"): R01–R05, each registered
with its parameters (its `rewards.<code>` entry in the rulebook) beside its function."""

from __future__ import annotations

from typing import Annotated, Literal

import polars as pl
from pydantic import Field

from scoring.grading import text
from scoring.params import CarrierType, Level, NonNeg, Params, Share
from scoring.registry import rule as rule_of
from scoring.rewards import (
    LEVEL_RANK,
    LEVEL_ZH,
    TYPE_ZH,
    RewardContext,
    RewardParams,
    capped,
    claim_rule,
    claim_text,
    combine,
    dec,
    label_zh,
    lookup,
    not_paid,
    operator_payee,
)

PROVINCIAL = LEVEL_RANK["provincial"]
"""R02's top-up starts from an earlier provincial (or higher) recognition."""


class R01Params(RewardParams):
    """`rewards.R01`: the recognition levels that qualify and the rate per carrier type."""

    recognized_levels: tuple[Level, ...]
    rates: dict[Literal["incubator", "accelerator", "maker_space"], Share]


@rule_of("R01", "reward", article="三(一)1", params=R01Params)
def r01_renovation(ctx: RewardContext, rule: R01Params) -> pl.DataFrame:
    """R01 三(一)1 载体改造提升 (rules.md "Rewards"): a renovation claim by a carrier recognised
    in Y at one of the rulebook's levels as one of the types it gives a rate for: the audited
    cost × that rate, capped per carrier; payee the operator. A claim without such a
    recognition: a line at 0 with the reason."""
    recs = (
        ctx.recognitions_y.filter(
            pl.col("recognized_type").is_in(list(rule.rates))
            & pl.col("recognized_level").is_in(list(rule.recognized_levels))
        )
        .with_columns(rate=lookup(pl.col("recognized_type"), dict(rule.rates)))
        .group_by("carrier_id")
        .agg(
            combine(pl.col("rate"), rule.mode).alias("rate"),
            pl.format(
                "{}认定为{}{}（比例 {}%）",
                pl.col("recognized_date"),
                label_zh(pl.col("recognized_level"), LEVEL_ZH),
                label_zh(pl.col("recognized_type"), TYPE_ZH),
                text(pl.col("rate") * 100),
            )
            .sort()
            .str.join("；")
            .alias("rec_text"),
        )
    )
    claims = (
        ctx.claims_y.filter(pl.col("claim_kind") == "renovation")
        .group_by("carrier_id")
        .agg(
            pl.col("amount_audited_wan").sum().alias("audited"),
            claim_text().sort().str.join("；").alias("claims_text"),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .join(recs, on="carrier_id", how="left")
    )
    paid = (
        claims.filter(pl.col("rate").is_not_null())
        .with_columns(
            amount_before_cap=pl.col("audited") * pl.col("rate"),
            basis_zh=pl.format(
                "载体改造 {}；合计 {} 万元 × {}%；{}",
                pl.col("claims_text"),
                text(pl.col("audited")),
                text(pl.col("rate") * 100),
                pl.col("rec_text"),
            ),
            needs_review=pl.lit(False),
            note_zh=pl.lit(None, dtype=pl.String),
        )
        .pipe(capped, rule.cap)
    )
    unpaid = not_paid(
        claims.filter(pl.col("rate").is_null()).with_columns(
            basis_zh=pl.format("载体改造 {}", pl.col("claims_text"))
        ),
        pl.lit(
            "当年未获省级以上孵化器、加速器、众创空间认定，不予奖补 / not recognised in Y: not paid"
        ),
    ).with_columns(cap=dec(rule.cap))
    return pl.concat([paid, unpaid], how="diagonal_relaxed").pipe(operator_payee)


class LevelAmounts(Params):
    national: NonNeg
    provincial: NonNeg


class R02Params(RewardParams):
    """`rewards.R02`: the amount per type and level, and whether a provincial-to-national
    upgrade is topped up (补差)."""

    amounts: dict[Literal["incubator", "maker_space"], LevelAmounts]
    top_up: bool


def _earlier_levels(ctx: RewardContext) -> pl.DataFrame:
    """carrier × recognised type → the best level (LEVEL_RANK) held before Y: earlier years'
    rows, and the carriers sheet's own level when its date lies before Y (the warehouse may not
    hold the year it was granted)."""
    earlier = pl.concat(
        [
            ctx.recognitions_before.select("carrier_id", "recognized_type", "recognized_level"),
            ctx.carriers.filter(pl.col("level_date").dt.year() < ctx.year).select(
                "carrier_id",
                pl.col("carrier_type").alias("recognized_type"),
                pl.col("level").alias("recognized_level"),
            ),
        ]
    )
    return (
        earlier.with_columns(lvl=lookup(pl.col("recognized_level"), LEVEL_RANK, pl.Int32))
        .filter(pl.col("lvl").is_not_null())
        .group_by("carrier_id", "recognized_type")
        .agg(pl.col("lvl").max().alias("earlier_lvl"))
    )


@rule_of("R02", "reward", article="三(一)2", params=R02Params)
def r02_recognition(ctx: RewardContext, rule: R02Params) -> pl.DataFrame:
    """R02 三(一)2 新认定孵化器、众创空间 (rules.md "Rewards"): recognition in Y as a national or
    provincial incubator or maker space: the rulebook's amount for the type and level; a carrier
    holding an earlier provincial recognition of the type, now national, gets the difference
    only (top-up, 补差); the same or a higher level earlier: nothing. Payee the operator."""
    types = list(rule.amounts)
    table = {
        (t, lvl): getattr(rule.amounts[t], lvl) for t in types for lvl in ("national", "provincial")
    }
    amount_of = {f"{t}|{lvl}": v for (t, lvl), v in table.items()}

    recs = ctx.recognitions_y.filter(
        pl.col("recognized_type").is_in(types)
        & pl.col("recognized_level").is_in(["national", "provincial"])
    )
    earlier_best = _earlier_levels(ctx)
    key = pl.concat_str(pl.col("recognized_type"), pl.lit("|"), pl.col("recognized_level"))
    prov_key = pl.concat_str(pl.col("recognized_type"), pl.lit("|provincial"))
    lines = (
        recs.join(earlier_best, on=["carrier_id", "recognized_type"], how="left")
        .with_columns(
            tier=lookup(key, amount_of),
            lvl=lookup(pl.col("recognized_level"), LEVEL_RANK, pl.Int32),
        )
        .with_columns(
            value=pl.when(pl.col("earlier_lvl").is_null() | (pl.col("earlier_lvl") < PROVINCIAL))
            .then(pl.col("tier"))
            .when(pl.col("earlier_lvl") >= pl.col("lvl"))
            .then(dec(0))
            .otherwise(
                pl.col("tier") - lookup(prov_key, amount_of) if rule.top_up else pl.col("tier")
            ),
            why=pl.when(pl.col("earlier_lvl").is_null() | (pl.col("earlier_lvl") < PROVINCIAL))
            .then(pl.lit(""))
            .when(pl.col("earlier_lvl") >= pl.col("lvl"))
            .then(
                pl.lit(
                    "，此前已获同级或更高级认定，不再奖励 / same or higher level earlier: nothing"
                )
            )
            .otherwise(pl.lit("，此前已获省级认定，补差 / top-up from provincial")),
        )
        .with_columns(
            item=pl.format(
                "{}认定为{}{}，标准 {} 万元，应发 {} 万元{}",
                pl.col("recognized_date"),
                label_zh(pl.col("recognized_level"), LEVEL_ZH),
                label_zh(pl.col("recognized_type"), TYPE_ZH),
                text(pl.col("tier")),
                text(pl.col("value")),
                pl.col("why"),
            )
        )
    )
    out = (
        lines.group_by("carrier_id")
        .agg(
            combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
            pl.col("item").sort().str.join("；").alias("basis_zh"),
            (pl.col("earlier_lvl") >= PROVINCIAL).any().alias("had_earlier"),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(
            needs_review=pl.lit(False),
            note_zh=pl.when(pl.col("amount_before_cap") == 0)
            .then(pl.lit("此前已获同级或更高级认定，不再奖励 / earlier recognition: nothing"))
            .when(pl.col("had_earlier"))
            .then(pl.lit("补差发放 / top-up (补差)")),
        )
        .pipe(capped, rule.cap)
    )
    return out.pipe(operator_payee)


class R03Params(RewardParams):
    """`rewards.R03`: the carrier types that qualify and the review threshold."""

    carrier_types: tuple[CarrierType, ...]
    review_below: NonNeg


@rule_of("R03", "reward", article="三(一)3", params=R03Params)
def r03_platform_startup(ctx: RewardContext, rule: R03Params) -> pl.DataFrame:
    """R03 三(一)3 科创平台启动运行经费 (rules.md "Rewards"): a platform_startup claim by a carrier
    of a qualifying type: the audited amount, capped; below the rulebook's review threshold it
    is paid as audited and flagged for review. Payee the operator."""
    out = claim_rule(
        ctx,
        rule,
        "platform_startup",
        eligible=pl.col("carrier_type").is_in(list(rule.carrier_types)),
        value=pl.col("amount_audited_wan"),
        ineligible_note=pl.lit("申报载体不是科创平台，不予支持 / the carrier is not a platform"),
        ineligible_review=pl.lit(True),
        value_text=pl.lit("按核定金额"),
    )
    low = (pl.col("amount_before_cap") < dec(rule.review_below)) & (pl.col("amount") > 0)
    return out.with_columns(
        needs_review=pl.col("needs_review") | low,
        note_zh=pl.when(low)
        .then(
            pl.lit(
                f"低于{rule.review_below}万元，按核定金额支付并提请复核"
                f" / below {rule.review_below}: paid as audited, flagged for review"
            )
        )
        .otherwise(pl.col("note_zh")),
    )


class R04Params(RewardParams):
    """`rewards.R04`: the minimum three-year investment and the rate."""

    min_amount: NonNeg
    rate: Share


@rule_of("R04", "reward", article="三(一)3", params=R04Params)
def r04_rd_equipment(ctx: RewardContext, rule: R04Params) -> pl.DataFrame:
    """R04 三(一)3 研发设备投入 (rules.md "Rewards"): an rd_equipment claim whose audited three-year
    new R&D equipment investment reaches the rulebook's minimum: that investment × the rate,
    capped. Payee the operator."""
    return claim_rule(
        ctx,
        rule,
        "rd_equipment",
        eligible=pl.col("amount_audited_wan") >= dec(rule.min_amount),
        value=pl.col("amount_audited_wan") * dec(rule.rate),
        ineligible_note=pl.lit(
            f"三年新增研发设备投入未达{rule.min_amount}万元，不予奖补"
            f" / below {rule.min_amount}: not paid"
        ),
        ineligible_review=pl.lit(False),
        value_text=pl.lit(f"× {rule.rate * 100}%"),
    )


class R05Params(RewardParams):
    """`rewards.R05`: the carrier types that qualify and the rate per rent year index."""

    carrier_types: tuple[CarrierType, ...]
    rates: dict[Annotated[int, Field(ge=1)], Share]


@rule_of("R05", "reward", article="三(一)3", params=R05Params)
def r05_offshore_rent(ctx: RewardContext, rule: R05Params) -> pl.DataFrame:
    """R05 三(一)3 域外创新中心租金 (rules.md "Rewards"): an offshore_rent claim by a carrier of a
    qualifying type, with a rent year index the rulebook gives a rate for: the audited rent ×
    that rate, capped per year. Payee the operator."""
    rate = lookup(pl.col("rent_year_index"), dict(rule.rates))
    type_ok = pl.col("carrier_type").is_in(list(rule.carrier_types))
    return claim_rule(
        ctx,
        rule,
        "offshore_rent",
        eligible=type_ok & rate.is_not_null(),
        value=pl.col("amount_audited_wan") * rate,
        ineligible_note=pl.when(~type_ok)
        .then(pl.lit("申报载体不是域外创新中心，不予补贴 / not an offshore centre"))
        .otherwise(
            pl.lit("租金年次缺失或不在1–3年内，不予补贴，提请复核 / rent year index not 1–3")
        ),
        ineligible_review=type_ok,
        value_text=pl.format("第{}年 × {}%", pl.col("rent_year_index"), text(rate * 100)),
    )
