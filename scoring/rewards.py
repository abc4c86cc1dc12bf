"""Rewards (奖补清单, rules.md "Rewards"): R01–R10 and the case-by-case items.

Each line names its rule, payee, the facts behind it (basis_zh: claims, recognitions,
enterprises, so a clerk can recompute it by hand), the amount before the cap, the cap and the
amount paid, in exact decimals (万元). A claim or recognition that does not qualify gets a line
with amount 0 and a note, so nothing the office sent in disappears without a word.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from scoring.grading import text
from scoring.rulebook import Rulebook
from scoring.schemas import EXACT
from scoring.vocabulary import package_labels

LEVEL_RANK = {"municipal": 1, "provincial": 2, "national": 3}
LEVEL_ZH = package_labels()["recognized_level"]
TYPE_ZH = package_labels()["recognized_type"]
"""A recognition's level and type as the basis texts name them (the one label per code)."""


def dec(value: object) -> pl.Expr:
    return pl.lit(Decimal(str(value)) if value is not None else None, dtype=EXACT)


def _map(expr: pl.Expr, mapping: dict, dtype: pl.DataType = EXACT) -> pl.Expr:
    """Look a value up in a rulebook table; NULL when it is not there."""
    if not mapping:
        return pl.lit(None, dtype=dtype)
    keys = list(mapping)
    return expr.replace_strict(keys, [mapping[k] for k in keys], default=None, return_dtype=dtype)


def _zh(expr: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    return _map(expr, mapping, pl.String).fill_null(expr.cast(pl.String))


def _header(rulebook: Rulebook, code: str) -> list[pl.Expr]:
    rule = rulebook.rewards.rule(code)
    return [
        pl.lit(code).alias("rule_code"),
        pl.lit(rule.article).alias("article"),
        pl.lit(rule.name_zh).alias("rule_name_zh"),
    ]


def _combine(expr: pl.Expr, mode: str) -> pl.Expr:
    """ "Highest only" (就高不重复): the highest tier; "stack": the sum (rulebook, per rule)."""
    return expr.max() if mode == "highest_only" else expr.sum()


def _capped(frame: pl.DataFrame, cap: Decimal | None) -> pl.DataFrame:
    before = pl.col("amount_before_cap")
    return frame.with_columns(
        cap=dec(cap),
        amount=before if cap is None else pl.min_horizontal(before, dec(cap)),
    )


def _operator_payee(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        payee_kind=pl.lit("operator"),
        payee_name=pl.col("operator_name"),
        payee_uscc=pl.col("operator_uscc"),
    )


def _not_paid(frame: pl.DataFrame, note: pl.Expr, review: pl.Expr | bool = False) -> pl.DataFrame:
    """Lines for things that do not qualify: amount 0, with the reason."""
    return frame.with_columns(
        amount_before_cap=dec(0),
        amount=dec(0),
        note_zh=note,
        needs_review=review if isinstance(review, pl.Expr) else pl.lit(review),
    )


def _claim_text() -> pl.Expr:
    return pl.format(
        "{}（{}）核定 {} 万元",
        pl.col("claimant_name"),
        pl.col("claimant_uscc"),
        text(pl.col("amount_audited_wan")),
    )


# --- rules -----------------------------------------------------------------------------------


def r01_renovation(ctx: RewardContext) -> pl.DataFrame:
    """R01 三(一)1: "a renovation claim by a carrier that was recognised in Y as a
    provincial-or-higher incubator, accelerator or maker space: 20% of the audited cost
    (incubator, accelerator); 10% (maker space); cap 200 per carrier; payee operator"."""
    rule = ctx.rulebook.rewards.R01
    recs = (
        ctx.recognitions_y.filter(
            pl.col("recognized_type").is_in(list(rule.rates))
            & pl.col("recognized_level").is_in(list(rule.recognized_levels))
        )
        .with_columns(rate=_map(pl.col("recognized_type"), dict(rule.rates)))
        .group_by("carrier_id")
        .agg(
            _combine(pl.col("rate"), rule.mode).alias("rate"),
            pl.format(
                "{}认定为{}{}（比例 {}%）",
                pl.col("recognized_date"),
                _zh(pl.col("recognized_level"), LEVEL_ZH),
                _zh(pl.col("recognized_type"), TYPE_ZH),
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
            _claim_text().sort().str.join("；").alias("claims_text"),
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
        .pipe(_capped, rule.cap)
    )
    unpaid = _not_paid(
        claims.filter(pl.col("rate").is_null()).with_columns(
            basis_zh=pl.format("载体改造 {}", pl.col("claims_text"))
        ),
        pl.lit(
            "当年未获省级以上孵化器、加速器、众创空间认定，不予奖补 / not recognised in Y: not paid"
        ),
    ).with_columns(cap=dec(rule.cap))
    return pl.concat([paid, unpaid], how="diagonal_relaxed").pipe(_operator_payee)


def r02_recognition(ctx: RewardContext) -> pl.DataFrame:
    """R02 三(一)2: "recognition in Y as a national / provincial incubator; national /
    provincial maker space: incubator 40 / 20; maker space 30 / 10; top-up (补差): a carrier
    holding an earlier-year recognition of the same type at provincial level, now national,
    gets the difference only; the same or a higher level earlier: nothing"."""
    rule = ctx.rulebook.rewards.R02
    types = list(rule.amounts)
    table = {
        (t, lvl): getattr(rule.amounts[t], lvl) for t in types for lvl in ("national", "provincial")
    }
    amount_of = {f"{t}|{lvl}": v for (t, lvl), v in table.items()}

    recs = ctx.recognitions_y.filter(
        pl.col("recognized_type").is_in(types)
        & pl.col("recognized_level").is_in(["national", "provincial"])
    )
    # Earlier recognitions of the same type: earlier years' rows, and the carriers sheet's own
    # level when its date lies before Y (the warehouse may not hold the year it was granted).
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
    earlier_best = (
        earlier.with_columns(lvl=_map(pl.col("recognized_level"), LEVEL_RANK, pl.Int32))
        .filter(pl.col("lvl").is_not_null())
        .group_by("carrier_id", "recognized_type")
        .agg(pl.col("lvl").max().alias("earlier_lvl"))
    )
    key = pl.concat_str(pl.col("recognized_type"), pl.lit("|"), pl.col("recognized_level"))
    prov_key = pl.concat_str(pl.col("recognized_type"), pl.lit("|provincial"))
    lines = (
        recs.join(earlier_best, on=["carrier_id", "recognized_type"], how="left")
        .with_columns(
            tier=_map(key, amount_of),
            lvl=_map(pl.col("recognized_level"), LEVEL_RANK, pl.Int32),
        )
        .with_columns(
            value=pl.when(pl.col("earlier_lvl").is_null() | (pl.col("earlier_lvl") < 2))
            .then(pl.col("tier"))
            .when(pl.col("earlier_lvl") >= pl.col("lvl"))
            .then(dec(0))
            .otherwise(
                pl.col("tier") - _map(prov_key, amount_of) if rule.top_up else pl.col("tier")
            ),
            why=pl.when(pl.col("earlier_lvl").is_null() | (pl.col("earlier_lvl") < 2))
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
                _zh(pl.col("recognized_level"), LEVEL_ZH),
                _zh(pl.col("recognized_type"), TYPE_ZH),
                text(pl.col("tier")),
                text(pl.col("value")),
                pl.col("why"),
            )
        )
    )
    out = (
        lines.group_by("carrier_id")
        .agg(
            _combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
            pl.col("item").sort().str.join("；").alias("basis_zh"),
            (pl.col("earlier_lvl") >= 2).any().alias("had_earlier"),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(
            needs_review=pl.lit(False),
            note_zh=pl.when(pl.col("amount_before_cap") == 0)
            .then(pl.lit("此前已获同级或更高级认定，不再奖励 / earlier recognition: nothing"))
            .when(pl.col("had_earlier"))
            .then(pl.lit("补差发放 / top-up (补差)")),
        )
        .pipe(_capped, rule.cap)
    )
    return out.pipe(_operator_payee)


def _claim_rule(
    ctx: RewardContext,
    code: str,
    claim_kind: str,
    eligible: pl.Expr,
    value: pl.Expr,
    ineligible_note: pl.Expr,
    ineligible_review: pl.Expr,
    value_text: pl.Expr,
) -> pl.DataFrame:
    """Operator-paid claim rules (R03, R04, R05): the carrier's qualifying claims summed into one
    line (the cap is per carrier and year); each non-qualifying claim its own line at 0."""
    rule = ctx.rulebook.rewards.rule(code)
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
            pl.format("{}：{}", _claim_text(), pl.col("_vtext"))
            .sort()
            .str.join("；")
            .alias("basis_zh"),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(needs_review=pl.lit(False), note_zh=pl.lit(None, dtype=pl.String))
        .pipe(_capped, rule.cap)
    )
    unpaid = _not_paid(
        claims.filter(~pl.col("_ok")).with_columns(basis_zh=_claim_text()),
        ineligible_note,
        ineligible_review,
    ).with_columns(cap=dec(rule.cap))
    return pl.concat([paid, unpaid], how="diagonal_relaxed").pipe(_operator_payee)


def r03_platform_startup(ctx: RewardContext) -> pl.DataFrame:
    """R03 三(一)3: "a platform_startup claim by a carrier of type platform: the audited amount;
    below 50 it is paid as audited and flagged for review; cap 100; payee operator"."""
    rule = ctx.rulebook.rewards.R03
    out = _claim_rule(
        ctx,
        "R03",
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


def r04_rd_equipment(ctx: RewardContext) -> pl.DataFrame:
    """R04 三(一)3: "an rd_equipment claim whose audited three-year new R&D equipment
    investment is ≥ 300: 20% of it; cap 200; payee operator"."""
    rule = ctx.rulebook.rewards.R04
    return _claim_rule(
        ctx,
        "R04",
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


def r05_offshore_rent(ctx: RewardContext) -> pl.DataFrame:
    """R05 三(一)3: "an offshore_rent claim by an offshore_center carrier, rent year index 1, 2 or
    3: 30% / 20% / 10% of the audited rent; cap 100 per year; payee operator"."""
    rule = ctx.rulebook.rewards.R05
    rate = _map(pl.col("rent_year_index"), dict(rule.rates))
    type_ok = pl.col("carrier_type").is_in(list(rule.carrier_types))
    return _claim_rule(
        ctx,
        "R05",
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


def r06_service_revenue(ctx: RewardContext) -> pl.DataFrame:
    """R06 三(二)6: "a service_revenue claim with this year's invoiced revenue > 100 and growth
    (amount_audited − amount_previous) ÷ amount_previous ≥ 15%; no or zero amount_previous: not
    paid, flagged: 2% of the increase; cap 10; payee service_body (the claimant)".

    The growth test is done without division: increase ≥ 15% × previous, exactly."""
    rule = ctx.rulebook.rewards.R06
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
    ).pipe(_capped, rule.cap)
    return out.with_columns(
        payee_kind=pl.lit("service_body"),
        payee_name=pl.col("claimant_name"),
        payee_uscc=pl.col("claimant_uscc"),
    )


def r07_service_recognition(ctx: RewardContext) -> pl.DataFrame:
    """R07 三(二)6: "recognition in Y as provincial public service platform or service top-100,
    the holder's first of that type ever (none earlier in history): 20; 20 per holder per year;
    payee the holder (service_body)"."""
    rule = ctx.rulebook.rewards.R07
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
                _zh(pl.col("recognized_level"), LEVEL_ZH),
                _zh(pl.col("recognized_type"), TYPE_ZH),
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
            _combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
            pl.col("item").sort().str.join("；").alias("basis_zh"),
        )
        .with_columns(
            needs_review=pl.lit(False),
            note_zh=pl.when(pl.col("amount_before_cap") == 0).then(
                pl.lit("非首次同类认定，不予奖励 / not the first of its type: nothing")
            ),
        )
        .pipe(_capped, rule.cap)
    )
    return out.drop("holder_key")


def r08_evaluation_a(ctx: RewardContext) -> pl.DataFrame:
    """R08 三(三)8: "grade A in the national / provincial evaluation whose evaluation_year is Y:
    10 / 5; highest only; cap 10; payee operator"."""
    rule = ctx.rulebook.rewards.R08
    evals = ctx.evaluations_y.filter(
        (pl.col("grade") == rule.grade) & pl.col("evaluation_level").is_in(list(rule.amounts))
    ).with_columns(value=_map(pl.col("evaluation_level"), dict(rule.amounts)))
    out = (
        evals.group_by("carrier_id")
        .agg(
            _combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
            pl.format(
                "{}年度{}绩效评价{}等次（{} 万元）",
                pl.col("evaluation_year"),
                _zh(pl.col("evaluation_level"), LEVEL_ZH),
                pl.col("grade"),
                text(pl.col("value")),
            )
            .sort()
            .str.join("；")
            .alias("basis_zh"),
        )
        .join(ctx.carriers, on="carrier_id", how="left")
        .with_columns(needs_review=pl.lit(False), note_zh=pl.lit(None, dtype=pl.String))
        .pipe(_capped, rule.cap)
    )
    return out.pipe(_operator_payee)


def r09_first_certificate_or_graduation(ctx: RewardContext) -> pl.DataFrame:
    """R09 三(三)8: "each distinct tenant enterprise that in Y got its first high-tech
    certificate (cert_kind first, and no earlier certificate in history) while a tenant of the
    carrier, or graduated from the carrier in Y; an enterprise that does both counts once: 3
    each; 10 per carrier per year; payee operator"."""
    rule = ctx.rulebook.rewards.R09
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
        .pipe(_capped, rule.cap)
    )
    return out.pipe(_operator_payee)


def r10_award(ctx: RewardContext) -> pl.DataFrame:
    """R10 三(三)8: "an award dated in Y and attributed to the carrier (the enterprise a tenant on
    the award date): provincial 1st / 2nd / 3rd, municipal 1st / 2nd (other ranks: nothing):
    20 / 15 / 10 / 10 / 8; highest only per enterprise per year; cap 20; payee enterprise"."""
    rule = ctx.rulebook.rewards.R10
    table = {f"{lvl}|{rank}": v for lvl, ranks in rule.amounts.items() for rank, v in ranks.items()}
    key = pl.format("{}|{}", pl.col("award_level"), pl.col("award_rank"))
    awards = (
        ctx.events_y.filter(
            (pl.col("event_kind") == "award") & pl.col("attributed_carrier_id").is_not_null()
        )
        .with_columns(value=_map(key, table).fill_null(dec(0)))
        .with_columns(
            item=pl.format(
                "{}{}{}获{}{}等奖（{} 万元）",
                pl.col("event_date"),
                pl.lit(" "),
                pl.col("competition"),
                _zh(pl.col("award_level"), LEVEL_ZH),
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
            _combine(pl.col("value"), rule.mode).alias("amount_before_cap"),
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
        .pipe(_capped, rule.cap)
    )
    return out


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


REWARD_RULES = {
    "R01": r01_renovation,
    "R02": r02_recognition,
    "R03": r03_platform_startup,
    "R04": r04_rd_equipment,
    "R05": r05_offshore_rent,
    "R06": r06_service_revenue,
    "R07": r07_service_recognition,
    "R08": r08_evaluation_a,
    "R09": r09_first_certificate_or_graduation,
    "R10": r10_award,
}


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
    """Every reward line of year Y, R01–R10 then the case-by-case items."""
    parts = []
    for code, fn in REWARD_RULES.items():
        frame = fn(ctx).with_columns(_header(ctx.rulebook, code))
        parts.append(frame)
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
