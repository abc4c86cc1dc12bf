"""Tenant clear-out (三(三)7 腾笼换鸟, rules.md "Clear-out and carrier actions").

One row per tenant (carrier × enterprise) of year Y for which any of C1, C2, C3 applies, with
every applying reason. Months come from marts.tenant_year_facts; C2's activities from
marts.enterprise_activity (every package loaded so far), counted here within the rulebook's
look-back windows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated

import polars as pl
from pydantic import Field

from scoring.params import Params
from scoring.registry import rule as register
from scoring.registry import rules

if TYPE_CHECKING:
    from scoring.rulebook import Rulebook

ARTICLE = "三(三)7"

CJK = "[\u3001-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"
"""Characters between which text normalisation drops a space (macros/normalize_text.sql)."""
_CJK_PAIR = f"({CJK})\\s+({CJK})"


def drop_cjk_spaces(text: str) -> str:
    """A rulebook term in the form staging gives reported text: no space between CJK characters
    (`生物 医药` → `生物医药`)."""
    return re.sub(f"(?<={CJK})\\s+(?={CJK})", "", text.strip())


def _drop_cjk_spaces_expr(expr: pl.Expr) -> pl.Expr:
    """The same on a column (two passes: the regex engine has no look-around)."""
    return expr.str.replace_all(_CJK_PAIR, "${1}${2}").str.replace_all(_CJK_PAIR, "${1}${2}")


class C1Params(Params):
    """`clearout.C1`: the incubation limit in months, and the longer one for the industries
    named."""

    reason_zh: str
    max_months: Annotated[int, Field(ge=0)]
    long_period_max_months: Annotated[int, Field(ge=0)]
    long_period_industries: tuple[str, ...]


class C2Params(Params):
    """`clearout.C2`: the minimum months in incubation and the look-back windows in years."""

    reason_zh: str
    min_months: Annotated[int, Field(ge=0)]
    activity_years: Annotated[int, Field(ge=1)]
    """Patents, tech-SME registrations, financing: Y and the years before it, this many in all."""
    certificate_years: Annotated[int, Field(ge=1)]
    """High-tech certificates issued: Y and the years before it (a certificate's validity)."""


class C3Params(Params):
    """`clearout.C3`: the reason's text only."""

    reason_zh: str


def _c1_limit(rule: C1Params) -> pl.Expr:
    """The tenant's incubation limit in months: the long period when its industry names one of
    the rulebook's long-period industries. Industry and rulebook terms are compared after the
    text normalisation (a space between CJK characters dropped).

    One search for all the terms (`contains_any`: literal, any of them), so the normalised text
    is computed once, not once per term (national, 865,486 tenants: 0.35 -> 0.12 s)."""
    terms = [drop_cjk_spaces(industry) for industry in rule.long_period_industries]
    if not terms:
        return pl.lit(rule.max_months)
    industry_text = _drop_cjk_spaces_expr(pl.col("industry").fill_null(""))
    long_period = industry_text.str.contains_any(terms)
    return pl.when(long_period).then(rule.long_period_max_months).otherwise(rule.max_months)


@register("C1", "clearout", article=ARTICLE, params=C1Params)
def c1_overdue(rule: C1Params) -> pl.Expr:
    """C1 超期未毕业 (rules.md "Clear-out", plan 三(三)7): months in incubation over the
    rulebook's limit, the longer limit for the long-period industries — for tenants incubating
    at the end of Y."""
    return pl.col("is_incubating_at_year_end").fill_null(False) & (
        pl.col("months_in_incubation") > _c1_limit(rule)
    ).fill_null(False)


@register("C2", "clearout", article=ARTICLE, params=C2Params)
def c2_low_innovation(rule: C2Params) -> pl.Expr:
    """C2 创新效益低下 (rules.md "Clear-out", plan 三(三)7): in incubation at least the
    rulebook's minimum months, and within its activity window (Y and the years before it): no
    patent applied for or granted, no tech-SME registration, no financing event; no high-tech
    certificate issued within its certificate window (a certificate is valid for years); and
    rd_expense in Y zero or missing — for tenants incubating at the end of Y."""
    return (
        c2_could_apply(rule)
        & (pl.col("c2_patents") == 0)
        & ~pl.col("c2_has_tech_sme_registration")
        & (pl.col("c2_certificates") == 0)
        & (pl.col("c2_financing") == 0)
    )


def c2_could_apply(rule: C2Params) -> pl.Expr:
    """C2's tests on the tenant row itself: incubating at the end of Y, for at least the
    rulebook's minimum months, rd_expense in Y zero or missing. Only these tenants' activities
    are counted (`with_c2_activity`), and marts.enterprise_activity holds only the enterprises
    with such a row, any months (models/marts/enterprise_activity.sql, tested against this
    expression in tests/marts/test_marts_build.py)."""
    return (
        pl.col("is_incubating_at_year_end").fill_null(False)
        & (pl.col("months_in_incubation") >= rule.min_months).fill_null(False)
        & pl.col("is_rd_expense_zero_or_missing").fill_null(True)
    )


C2_COUNTS = {
    "c2_patents": "patent",
    "c2_tech_sme_registrations": "tech_sme_registration",
    "c2_certificates": "certificate",
    "c2_financing": "financing",
}
"""C2's counts on each tenant row, by the activity kind of marts.enterprise_activity."""


def with_c2_activity(tenants: pl.DataFrame, activity: pl.DataFrame, rule: C2Params) -> pl.DataFrame:
    """The tenant rows with C2's counts: the enterprise's distinct patents applied for or
    granted, tech-SME registrations and financing events within the rulebook's activity window
    (`activity_years` ending with Y), and high-tech certificates issued within its certificate
    window (`certificate_years` ending with Y); any loaded package.

    Counted only for the tenants C2 could apply to (`c2_could_apply`); the others' counts are
    NULL, which C2 never flags. National: 17,200 of 865,486 tenants, the counts 1.4 -> 0.03 s
    (docs/benchmarks.md, issue 21, tenth pass)."""
    windows = {kind: rule.activity_years for kind in C2_COUNTS.values()}
    windows["certificate"] = rule.certificate_years
    year = pl.col("assessment_year")
    window = pl.col("activity_kind").replace_strict(
        list(windows), list(windows.values()), default=0, return_dtype=pl.Int32
    )
    could_apply = c2_could_apply(rule)
    in_window = (
        tenants.filter(could_apply)
        .select("uscc", "assessment_year")
        .unique()
        .join(activity, on="uscc", how="inner")
        .filter((pl.col("activity_year") <= year) & (pl.col("activity_year") > year - window))
    )
    counts = in_window.group_by("uscc", "assessment_year").agg(
        pl.col("activity_key").filter(pl.col("activity_kind") == kind).n_unique().alias(column)
        for column, kind in C2_COUNTS.items()
    )
    return (
        tenants.join(counts, on=["uscc", "assessment_year"], how="left")
        .with_columns(
            *(
                pl.when(could_apply).then(pl.col(column).fill_null(0)).cast(pl.Int64)
                for column in C2_COUNTS
            ),
        )
        .with_columns(c2_has_tech_sme_registration=pl.col("c2_tech_sme_registrations") > 0)
    )


@register("C3", "clearout", article=ARTICLE, params=C3Params)
def c3_deregistered(rule: C3Params) -> pl.Expr:  # noqa: ARG001 - same signature as C1/C2
    """C3 已注销仍在册 (rules.md "Clear-out", plan 三(三)7): status deregistered with no
    exit_date."""
    return (pl.col("tenant_status") == "deregistered") & pl.col("exit_date").is_null()


def _facts(rulebook: Rulebook, year: pl.Expr) -> dict[str, pl.Expr]:
    """Each reason's facts, in Chinese: what the office checks before it clears a tenant out."""
    months = pl.col("months_in_incubation").cast(pl.String)
    c2 = rulebook.clearout.C2
    activity_from = (year - (c2.activity_years - 1)).cast(pl.String)
    certificate_from = (year - (c2.certificate_years - 1)).cast(pl.String)
    rd = pl.col("rd_expense_wan")
    return {
        "C1": pl.format(
            "在孵 {} 个月，超过 {} 个月的孵化期上限{}",
            months,
            _c1_limit(rulebook.clearout.C1).cast(pl.String),
            pl.when(_c1_limit(rulebook.clearout.C1) != rulebook.clearout.C1.max_months)
            .then(pl.format("（{}类企业）", pl.col("industry")))
            .otherwise(pl.lit("")),
        ),
        "C2": pl.format(
            "在孵 {} 个月（不少于 {} 个月）；{}—{} 年专利申请或授权 {} 件、科技型中小企业入库 {}、"
            "投融资 {} 笔；{}—{} 年高企证书 {} 张；{} 年研发投入{}",
            months,
            pl.lit(c2.min_months).cast(pl.String),
            activity_from,
            year.cast(pl.String),
            pl.col("c2_patents").cast(pl.String),
            pl.when(pl.col("c2_has_tech_sme_registration"))
            .then(pl.lit("有"))
            .otherwise(pl.lit("无")),
            pl.col("c2_financing").cast(pl.String),
            certificate_from,
            year.cast(pl.String),
            pl.col("c2_certificates").cast(pl.String),
            year.cast(pl.String),
            pl.when(rd.is_null())
            .then(pl.lit("未填报"))
            .otherwise(pl.format(" {} 万元", rd.cast(pl.Decimal(18, 2)).cast(pl.String))),
        ),
        "C3": pl.lit("企业状态为注销，但未填退出日期，仍在在孵名册中"),
    }


def tenant_clearout(
    tenants: pl.DataFrame, rulebook: Rulebook, activity: pl.DataFrame
) -> pl.DataFrame:
    """The tenants of year Y recommended for clear-out, every applying reason listed with the
    facts behind it (months against the limit, the C2 tests and their figures); `activity`:
    marts.enterprise_activity."""
    tenants = with_c2_activity(tenants, activity, rulebook.clearout.C2)
    registered = rules("clearout")
    codes = [rule.code for rule in registered]
    reasons = {code: rulebook.clearout[code].reason_zh for code in codes}
    flagged = tenants.with_columns(
        *(rule.fn(rulebook.clearout[rule.code]).alias(f"_{rule.code}") for rule in registered)
    )
    facts = _facts(rulebook, pl.col("assessment_year"))
    code_exprs = [pl.when(pl.col(f"_{c}")).then(pl.lit(c)) for c in codes]
    texts = [
        pl.when(pl.col(f"_{c}")).then(pl.format(f"{c} {reasons[c]}：{{}}", facts[c])) for c in codes
    ]
    return (
        flagged.filter(pl.any_horizontal(f"_{c}" for c in codes))
        .with_columns(
            reason_codes=pl.concat_str(code_exprs, separator=",", ignore_nulls=True),
            reasons_zh=pl.concat_str(texts, separator="；", ignore_nulls=True),
        )
        .drop(f"_{c}" for c in codes)
    )
