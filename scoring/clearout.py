"""Tenant clear-out (三(三)7 腾笼换鸟, rules.md "Clear-out and carrier actions").

One row per tenant (carrier × enterprise) of year Y for which any of C1, C2, C3 applies, with
every applying reason. Months and the multi-year activity facts come from
marts.tenant_year_facts, which looks across every package loaded so far.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Literal

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
    # The marts compute these windows (tenant_year_facts); another window needs a mart change.
    activity_years: Literal[2]
    certificate_years: Literal[3]


class C3Params(Params):
    """`clearout.C3`: the reason's text only."""

    reason_zh: str


def _c1_limit(rule: C1Params) -> pl.Expr:
    """The tenant's incubation limit in months: the long period when its industry names one of
    the rulebook's long-period industries. Industry and rulebook terms are compared after the
    text normalisation (a space between CJK characters dropped)."""
    long_period = pl.lit(False)
    industry_text = _drop_cjk_spaces_expr(pl.col("industry").fill_null(""))
    for industry in rule.long_period_industries:
        long_period = long_period | industry_text.str.contains(
            drop_cjk_spaces(industry), literal=True
        )
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
        pl.col("is_incubating_at_year_end").fill_null(False)
        & (pl.col("months_in_incubation") >= rule.min_months).fill_null(False)
        & (pl.col("patent_events_prev_and_this_year").fill_null(0) == 0)
        & ~pl.col("has_tech_sme_reg_prev_and_this_year").fill_null(False)
        & (pl.col("certificates_last_three_years").fill_null(0) == 0)
        & (pl.col("financing_events_prev_and_this_year").fill_null(0) == 0)
        & pl.col("is_rd_expense_zero_or_missing").fill_null(True)
    )


@register("C3", "clearout", article=ARTICLE, params=C3Params)
def c3_deregistered(rule: C3Params) -> pl.Expr:  # noqa: ARG001 - same signature as C1/C2
    """C3 已注销仍在册 (rules.md "Clear-out", plan 三(三)7): status deregistered with no
    exit_date."""
    return (pl.col("tenant_status") == "deregistered") & pl.col("exit_date").is_null()


def _facts(rulebook: Rulebook, year: pl.Expr) -> dict[str, pl.Expr]:
    """Each reason's facts, in Chinese: what the office checks before it clears a tenant out."""
    months = pl.col("months_in_incubation").cast(pl.String)
    prev = (year - 1).cast(pl.String)
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
            pl.lit(rulebook.clearout.C2.min_months).cast(pl.String),
            prev,
            year.cast(pl.String),
            pl.col("patent_events_prev_and_this_year").fill_null(0).cast(pl.String),
            pl.when(pl.col("has_tech_sme_reg_prev_and_this_year").fill_null(False))
            .then(pl.lit("有"))
            .otherwise(pl.lit("无")),
            pl.col("financing_events_prev_and_this_year").fill_null(0).cast(pl.String),
            (year - 2).cast(pl.String),
            year.cast(pl.String),
            pl.col("certificates_last_three_years").fill_null(0).cast(pl.String),
            year.cast(pl.String),
            pl.when(rd.is_null())
            .then(pl.lit("未填报"))
            .otherwise(pl.format(" {} 万元", rd.cast(pl.Decimal(18, 2)).cast(pl.String))),
        ),
        "C3": pl.lit("企业状态为注销，但未填退出日期，仍在在孵名册中"),
    }


def tenant_clearout(tenants: pl.DataFrame, rulebook: Rulebook) -> pl.DataFrame:
    """The tenants of year Y recommended for clear-out, every applying reason listed with the
    facts behind it (months against the limit, the C2 tests and their figures)."""
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
