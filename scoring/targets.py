"""Town tasks (三(三)7 飞地) and district targets (二、总体目标), rules.md "Town tasks and
district targets". Each target T1–T9 is a registered rule (scoring/registry.py) with its
rulebook entry (`targets.items.<code>`: name and target figure)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from scoring.params import Params, Positive
from scoring.registry import rule, rules

if TYPE_CHECKING:
    from scoring.rulebook import Rulebook


def _enclave_pairs(frame: pl.DataFrame) -> pl.DataFrame:
    """(town, uscc, enterprise_name, via) for each enterprise: its carrier's town, and the
    attracted_by_town when it names another town (飞地); never twice for one town."""
    own = frame.select(
        pl.col("carrier_town").alias("town"), "uscc", "enterprise_name", pl.lit("").alias("via")
    )
    enclave = frame.filter(
        pl.col("attracted_by_town").is_not_null()
        & (pl.col("attracted_by_town") != pl.col("carrier_town"))
    ).select(
        pl.col("attracted_by_town").alias("town"),
        "uscc",
        "enterprise_name",
        pl.lit("飞地").alias("via"),
    )
    both = pl.concat([own, enclave]).filter(pl.col("town").is_not_null())
    # An enterprise in its own town's carrier counts there as "own", once.
    return both.sort("town", "uscc", "via").unique(
        ["town", "uscc"], keep="first", maintain_order=True
    )


def _count(pairs: pl.DataFrame, name: str) -> pl.DataFrame:
    label = pl.format(
        "{}（{}）{}",
        pl.col("enterprise_name"),
        pl.col("uscc"),
        pl.when(pl.col("via") != "").then(pl.lit("[飞地]")).otherwise(pl.lit("")),
    )
    return pairs.group_by("town").agg(
        pl.len().cast(pl.Int64).alias(name),
        label.sort().str.join("；").alias(f"{name}_basis_zh"),
    )


def town_tasks(
    tenants: pl.DataFrame, events: pl.DataFrame, carriers: pl.DataFrame, year: int
) -> pl.DataFrame:
    """Per town for year Y: the enterprises behind S5 (tech enterprises attracted), P2 (tech SMEs
    registered) and P1 (first high-tech certificates), with enclave attribution."""
    tenants_y = tenants.filter(pl.col("assessment_year") == year)
    s5 = tenants_y.filter(
        pl.col("is_in_tenant_set") & pl.col("is_entered_in_year") & pl.col("is_tech_enterprise")
    )
    p2 = tenants_y.filter(pl.col("is_in_tenant_set") & pl.col("is_tech_sme_registered_in_year"))
    firsts = events.filter(
        (pl.col("event_year") == year)
        & (pl.col("event_kind") == "high_tech_certificate")
        & pl.col("is_first_certificate").fill_null(False)
        & pl.col("attributed_carrier_id").is_not_null()
    ).select(pl.col("attributed_carrier_id").alias("carrier_id"), "uscc", "enterprise_name")
    # The certificate's carrier gives the own town; the tenant row there the enclave town.
    p1 = firsts.join(
        carriers.select("carrier_id", pl.col("town").alias("carrier_town")),
        on="carrier_id",
        how="left",
    ).join(
        tenants_y.select("carrier_id", "uscc", "attracted_by_town"),
        on=["carrier_id", "uscc"],
        how="left",
    )
    towns = (
        pl.concat(
            [
                carriers.select("town"),
                tenants_y.select(pl.col("attracted_by_town").alias("town")),
            ]
        )
        .drop_nulls()
        .unique()
    )
    out = towns
    for frame, name in (
        (s5, "tech_enterprises_attracted"),
        (p2, "tech_sme_registered"),
        (p1, "high_tech_cultivated"),
    ):
        out = out.join(_count(_enclave_pairs(frame), name), on="town", how="left").with_columns(
            pl.col(name).fill_null(0), pl.col(f"{name}_basis_zh").fill_null("")
        )
    return out.with_columns(assessment_year=pl.lit(year))


# --- district targets ------------------------------------------------------------------------


class Target(Params):
    """A district target's rulebook entry (`targets.items.<code>`)."""

    name_zh: str
    target: Positive


class TargetWindow:
    """What the target rules count: the marts narrowed to the window, from the rulebook's
    `targets.window_start` to 31 Dec Y."""

    def __init__(
        self,
        start: dt.date,
        year: int,
        carriers_all: pl.DataFrame,
        tenants: pl.DataFrame,
        events: pl.DataFrame,
        recognitions: pl.DataFrame,
    ) -> None:
        self.start, self.end, self.year = start, dt.date(year, 12, 31), year
        # The latest reported facts of each carrier up to Y (rules-readings T1).
        self.carriers = (
            carriers_all.filter(pl.col("assessment_year") <= year)
            .sort("assessment_year")
            .unique("carrier_id", keep="last", maintain_order=True)
        )
        self.carriers_y = carriers_all.filter(pl.col("assessment_year") == year)
        self.recognitions = recognitions.filter(
            pl.col("recognized_date").is_between(self.start, self.end)
        )
        self.tenants = tenants
        self.events = events

    def new_carriers(self) -> pl.DataFrame:
        return self.carriers.filter(pl.col("established_date").is_between(self.start, self.end))

    def recognised(self, types: list[str], levels: list[str]) -> tuple[float, str]:
        """Distinct carriers with a recognition in the window of one of `types` at `levels`."""
        hits = self.recognitions.filter(
            pl.col("recognized_type").is_in(types) & pl.col("recognized_level").is_in(levels)
        )
        ids = hits["carrier_id"].unique().sort().to_list()
        return float(len(ids)), "载体：" + "、".join(ids)


TargetValue = tuple[float | None, str]
"""A target's actual value (NULL when its denominator is zero) and the facts behind it."""


def target(code: str):
    """Register a target's function (every target takes `Target` parameters)."""
    return rule(code, "target", article="二", params=Target)


def _area(frame: pl.DataFrame) -> float:
    return float(frame["total_area_m2"].fill_null(0).sum())


@target("T1")
def t1_new_carrier_area(w: TargetWindow) -> TargetValue:
    """T1 新增科创载体面积: total_area_m2 of the carriers established in the window."""
    new = w.new_carriers()
    return _area(new), "新建载体：" + "、".join(sorted(new["carrier_id"].to_list()))


@target("T2")
def t2_new_incubator_area(w: TargetWindow) -> TargetValue:
    """T2 其中新增孵化器面积: the same, incubators only."""
    new_inc = w.new_carriers().filter(pl.col("carrier_type") == "incubator")
    return _area(new_inc), "新建孵化器：" + "、".join(sorted(new_inc["carrier_id"].to_list()))


@target("T3")
def t3_new_recognitions(w: TargetWindow) -> TargetValue:
    """T3 新增省级以上科技企业孵化器、众创空间: distinct carriers recognised in the window,
    provincial or national, as incubator or maker space."""
    return w.recognised(["incubator", "maker_space"], ["provincial", "national"])


@target("T4")
def t4_listed_platforms(w: TargetWindow) -> TargetValue:
    """T4 省级列统科创平台: distinct carriers recognised in the window as provincial listed
    platform."""
    return w.recognised(["listed_platform"], ["provincial"])


@target("T5")
def t5_filed_platforms(w: TargetWindow) -> TargetValue:
    """T5 市级备案科创平台: distinct carriers recognised in the window as municipal filed
    platform."""
    return w.recognised(["filed_platform"], ["municipal"])


@target("T6")
def t6_tech_smes(w: TargetWindow) -> TargetValue:
    """T6 累计培育科技型中小企业: distinct tenants with a tech-SME registration date in the
    window."""
    tenants = w.tenants.filter(pl.col("assessment_year") <= w.year)
    sme = tenants.filter(pl.col("tech_sme_reg_date").is_between(w.start, w.end))
    n = sme["uscc"].n_unique()
    return float(n), f"入库科技型中小企业 {n} 家"


@target("T7")
def t7_graduations(w: TargetWindow) -> TargetValue:
    """T7 累计毕业企业: distinct enterprises graduated in the window."""
    grads = w.events.filter(
        (pl.col("event_kind") == "graduation") & pl.col("event_date").is_between(w.start, w.end)
    )
    n = grads["uscc"].n_unique()
    return float(n), f"毕业企业 {n} 家"


@target("T8")
def t8_park_tech_enterprises(w: TargetWindow) -> TargetValue:
    """T8 产业园区入驻科技型企业: tenants of industrial parks incubating at the end of Y that pass
    S5's tech-enterprise test (whatever their entry date)."""
    park = w.tenants.filter(
        (pl.col("assessment_year") == w.year)
        & (pl.col("carrier_type") == "industrial_park")
        & pl.col("is_incubating_at_year_end")
        & pl.col("is_tech_enterprise")
    )
    n = park["uscc"].n_unique()
    return float(n), f"产业园区年末在孵科技型企业 {n} 家"


@target("T9")
def t9_seed_fund_coverage(w: TargetWindow) -> TargetValue:
    """T9 省级以上孵化器和科技产业综合体种子资金覆盖率: the share of provincial-or-national
    incubators and of complexes with seed_fund (NULL when there are none)."""
    seed_pool = w.carriers_y.filter(
        (
            (pl.col("carrier_type") == "incubator")
            & pl.col("level").is_in(["national", "provincial"])
        )
        | (pl.col("carrier_type") == "complex")
    )
    seed_yes = seed_pool.filter(pl.col("seed_fund").fill_null(False))
    return (
        len(seed_yes) / len(seed_pool) if len(seed_pool) else None,
        f"有种子资金 {len(seed_yes)} 家 ÷ 省级以上孵化器和综合体 {len(seed_pool)} 家"
        + ("（分母为零 / division by zero）" if not len(seed_pool) else ""),
    )


def district_targets(
    rulebook: Rulebook,
    year: int,
    carriers_all: pl.DataFrame,
    tenants: pl.DataFrame,
    events: pl.DataFrame,
    recognitions: pl.DataFrame,
) -> pl.DataFrame:
    """The registered targets T1–T9 (rules.md "District targets", plan 二), counted from the
    rulebook's `targets.window_start` to 31 Dec Y."""
    window = TargetWindow(
        rulebook.targets.window_start, year, carriers_all, tenants, events, recognitions
    )
    rows = []
    for registered in rules("target"):
        value, basis = registered.fn(window)
        entry = rulebook.targets.items[registered.code]
        goal = float(entry.target)
        rows.append(
            {
                "target_code": registered.code,
                "target_zh": entry.name_zh,
                "window_start": window.start,
                "window_end": window.end,
                "target_value": goal,
                "actual_value": value,
                "progress_ratio": None if value is None else value / goal,
                "basis_zh": basis,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "target_code": pl.String,
            "target_zh": pl.String,
            "window_start": pl.Date,
            "window_end": pl.Date,
            "target_value": pl.Float64,
            "actual_value": pl.Float64,
            "progress_ratio": pl.Float64,
            "basis_zh": pl.String,
        },
    ).with_columns(assessment_year=pl.lit(year))
