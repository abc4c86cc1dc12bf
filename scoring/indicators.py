"""The grading indicators S1…B2 (rules.md "Grading"), each a registered rule: its parameters
(`Indicator`: dimension, name, points, goalposts per carrier type) and the facts it reads from
marts.carrier_year_indicators (the raw value's column, its denominator and the basis text).

The raw values themselves are computed by the mart (models/marts/carrier_year_indicators.sql);
points, totals and grades by scoring/grading.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import polars as pl
from pydantic import model_validator

from scoring.params import NonNeg, Params, Positive
from scoring.registry import registered_codes, rule

ARTICLE = "三(三)8、四(二)"
"""The plan's articles the indicators follow (rules.md "Grading")."""


def text(expr: pl.Expr) -> pl.Expr:
    """A number as a clerk reads it: shortest form, no trailing `.0`, `缺失` when missing."""
    return expr.cast(pl.Float64).cast(pl.String).str.replace(r"\.0$", "").fill_null("缺失")


class Goalposts(Params):
    """满分基准: the raw value that earns full points, one per carrier type (rules.md)."""

    incubator: Positive
    accelerator: Positive
    maker_space: Positive
    complex: Positive
    platform: Positive
    offshore_center: Positive
    industrial_park: Positive

    def for_type(self, carrier_type: str) -> Decimal:
        return getattr(self, carrier_type)


class Indicator(Params):
    """An indicator's rulebook entry (`indicators.<code>`)."""

    dimension: Literal["service", "performance", "sustainability", "bonus"]
    name_zh: str
    points: NonNeg
    goalposts: Goalposts | None = None

    @model_validator(mode="after")
    def _goalposts_unless_bonus(self) -> Indicator:
        if self.dimension != "bonus" and self.goalposts is None:
            raise ValueError("goalposts: missing (every scored indicator needs one per type)")
        if self.dimension == "bonus" and self.goalposts is not None:
            raise ValueError("goalposts: a bonus indicator has none (its raw value is 1 or 0)")
        return self


@dataclass(frozen=True)
class IndicatorFacts:
    """Where an indicator's raw value comes from in marts.carrier_year_indicators."""

    raw: str
    denominator: str | None
    basis: pl.Expr


def indicator(code: str):
    """Register an indicator's facts function (every indicator takes `Indicator` parameters)."""
    return rule(code, "indicator", article=ARTICLE, params=Indicator)


c = pl.col


@indicator("S1")
def s1_financing_total() -> IndicatorFacts:
    """S1 在孵企业当年获得投融资总额."""
    return IndicatorFacts(
        "s1_raw", None, pl.format("投融资总额 {} 万元", text(c("financing_total_wan")))
    )


@indicator("S2")
def s2_financed_share() -> IndicatorFacts:
    """S2 获得投融资的在孵企业占比."""
    return IndicatorFacts(
        "s2_raw",
        "tenant_set_count",
        pl.format(
            "获得投融资的在孵企业 {} 家 ÷ 在孵企业 {} 家",
            text(c("financed_tenant_count")),
            text(c("tenant_set_count")),
        ),
    )


@indicator("S3")
def s3_seed_fund() -> IndicatorFacts:
    """S3 自有种子资金或合作孵化资金."""
    return IndicatorFacts(
        "s3_raw",
        None,
        pl.format(
            "种子资金：{}",
            pl.when(c("seed_fund")).then(pl.lit("有")).when(~c("seed_fund")).then(pl.lit("无")),
        ),
    )


@indicator("S4")
def s4_tenant_density() -> IndicatorFacts:
    """S4 每千平方米在孵企业数."""
    return IndicatorFacts(
        "s4_raw",
        "incubation_area_m2",
        pl.format(
            "年末在孵企业 {} 家 ÷ (孵化面积 {} 平方米 ÷ 1000)",
            text(c("incubating_year_end_count")),
            text(c("incubation_area_m2")),
        ),
    )


@indicator("S5")
def s5_tech_recruited() -> IndicatorFacts:
    """S5 当年招引科技型企业数."""
    return IndicatorFacts(
        "s5_raw", None, pl.format("当年招引科技型企业 {} 家", text(c("tech_recruited_count")))
    )


@indicator("P1")
def p1_first_high_tech() -> IndicatorFacts:
    """P1 当年首次认定高新技术企业数."""
    return IndicatorFacts(
        "p1_raw", None, pl.format("首次认定高企 {} 家", text(c("first_high_tech_count")))
    )


@indicator("P2")
def p2_tech_sme_registered() -> IndicatorFacts:
    """P2 当年入库科技型中小企业数."""
    return IndicatorFacts(
        "p2_raw",
        None,
        pl.format("当年入库科技型中小企业 {} 家", text(c("tech_sme_registered_count"))),
    )


@indicator("P3")
def p3_graduations() -> IndicatorFacts:
    """P3 当年毕业企业数."""
    return IndicatorFacts(
        "p3_raw", None, pl.format("当年毕业企业 {} 家", text(c("graduation_count")))
    )


@indicator("P4")
def p4_invention_grants() -> IndicatorFacts:
    """P4 当年发明专利授权数."""
    return IndicatorFacts(
        "p4_raw", None, pl.format("发明专利授权 {} 件", text(c("invention_grant_count")))
    )


@indicator("P5")
def p5_patent_grants() -> IndicatorFacts:
    """P5 当年专利授权总数."""
    return IndicatorFacts(
        "p5_raw", None, pl.format("专利授权 {} 件", text(c("patent_grant_count")))
    )


@indicator("P6")
def p6_talents() -> IndicatorFacts:
    """P6 引进高层次人才数."""
    return IndicatorFacts("p6_raw", None, pl.format("高层次人才 {} 人", text(c("talents_sum"))))


@indicator("D1")
def d1_rd_intensity() -> IndicatorFacts:
    """D1 在孵企业研发投入强度."""
    return IndicatorFacts(
        "d1_raw",
        None,
        pl.format(
            "研发投入 {} 万元 ÷ 营业收入 {} 万元",
            text(c("rd_expense_sum_wan")),
            text(c("revenue_sum_wan")),
        ),
    )


@indicator("D2")
def d2_tax_paid() -> IndicatorFacts:
    """D2 在孵企业纳税总额."""
    return IndicatorFacts(
        "d2_raw", None, pl.format("纳税总额 {} 万元", text(c("tax_paid_sum_wan")))
    )


@indicator("D3")
def d3_area_use() -> IndicatorFacts:
    """D3 孵化面积使用率."""
    return IndicatorFacts(
        "d3_raw",
        "incubation_area_m2",
        pl.format(
            "年末在孵企业使用面积 {} 平方米 ÷ 孵化面积 {} 平方米",
            text(c("occupied_area_incubating_m2")),
            text(c("incubation_area_m2")),
        ),
    )


@indicator("B1")
def b1_evaluation_a() -> IndicatorFacts:
    """B1 国家级或省级绩效评价A等次 (bonus)."""
    return IndicatorFacts(
        "b1_raw",
        None,
        pl.format(
            "国家级或省级绩效评价A等次：{}",
            pl.when(c("has_grade_a_evaluation")).then(pl.lit("是")).otherwise(pl.lit("否")),
        ),
    )


@indicator("B2")
def b2_landed_graduations() -> IndicatorFacts:
    """B2 毕业企业区内落地 (bonus)."""
    return IndicatorFacts(
        "b2_raw", None, pl.format("毕业后区内落地企业 {} 家", text(c("landed_graduation_count")))
    )


INDICATOR_CODES = registered_codes("indicator")
"""S1…B2 in the order of the score sheet (registration order above)."""
