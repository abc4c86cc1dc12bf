"""Town tasks (三(三)7 飞地) and district targets (二、总体目标), rules.md "Town tasks and
district targets"."""

from __future__ import annotations

import datetime as dt

import polars as pl

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


def _recognition_count(
    recs: pl.DataFrame, types: list[str], levels: list[str]
) -> tuple[float, str]:
    hits = recs.filter(
        pl.col("recognized_type").is_in(types) & pl.col("recognized_level").is_in(levels)
    )
    ids = hits["carrier_id"].unique().sort().to_list()
    return float(len(ids)), "载体：" + "、".join(ids)


def district_targets(
    rulebook: Rulebook,
    year: int,
    carriers_all: pl.DataFrame,
    tenants: pl.DataFrame,
    events: pl.DataFrame,
    recognitions: pl.DataFrame,
) -> pl.DataFrame:
    """T1–T9 (rules.md "District targets", plan 二), counted from the rulebook's
    `targets.window_start` to 31 Dec Y."""
    start = rulebook.targets.window_start
    end = dt.date(year, 12, 31)
    # The latest reported facts of each carrier up to Y (rules-readings T1).
    carriers = (
        carriers_all.filter(pl.col("assessment_year") <= year)
        .sort("assessment_year")
        .unique("carrier_id", keep="last", maintain_order=True)
    )
    carriers_y = carriers_all.filter(pl.col("assessment_year") == year)
    new = carriers.filter(pl.col("established_date").is_between(start, end))
    new_inc = new.filter(pl.col("carrier_type") == "incubator")
    recs = recognitions.filter(pl.col("recognized_date").is_between(start, end))
    tenants_upto = tenants.filter(pl.col("assessment_year") <= year)
    sme = tenants_upto.filter(pl.col("tech_sme_reg_date").is_between(start, end))
    grads = events.filter(
        (pl.col("event_kind") == "graduation") & pl.col("event_date").is_between(start, end)
    )
    park = tenants.filter(
        (pl.col("assessment_year") == year)
        & (pl.col("carrier_type") == "industrial_park")
        & pl.col("is_incubating_at_year_end")
        & pl.col("is_tech_enterprise")
    )
    seed_pool = carriers_y.filter(
        (
            (pl.col("carrier_type") == "incubator")
            & pl.col("level").is_in(["national", "provincial"])
        )
        | (pl.col("carrier_type") == "complex")
    )
    seed_yes = seed_pool.filter(pl.col("seed_fund").fill_null(False))

    def area(frame: pl.DataFrame) -> float:
        return float(frame["total_area_m2"].fill_null(0).sum())

    t3, t3_basis = _recognition_count(
        recs, ["incubator", "maker_space"], ["provincial", "national"]
    )
    t4, t4_basis = _recognition_count(recs, ["listed_platform"], ["provincial"])
    t5, t5_basis = _recognition_count(recs, ["filed_platform"], ["municipal"])
    actual: dict[str, tuple[float | None, str]] = {
        "T1": (area(new), "新建载体：" + "、".join(sorted(new["carrier_id"].to_list()))),
        "T2": (area(new_inc), "新建孵化器：" + "、".join(sorted(new_inc["carrier_id"].to_list()))),
        "T3": (t3, t3_basis),
        "T4": (t4, t4_basis),
        "T5": (t5, t5_basis),
        "T6": (float(sme["uscc"].n_unique()), f"入库科技型中小企业 {sme['uscc'].n_unique()} 家"),
        "T7": (float(grads["uscc"].n_unique()), f"毕业企业 {grads['uscc'].n_unique()} 家"),
        "T8": (
            float(park["uscc"].n_unique()),
            f"产业园区年末在孵科技型企业 {park['uscc'].n_unique()} 家",
        ),
        "T9": (
            len(seed_yes) / len(seed_pool) if len(seed_pool) else None,
            f"有种子资金 {len(seed_yes)} 家 ÷ 省级以上孵化器和综合体 {len(seed_pool)} 家"
            + ("（分母为零 / division by zero）" if not len(seed_pool) else ""),
        ),
    }
    rows = []
    for code, target in rulebook.targets.items.items():
        value, basis = actual[code]
        goal = float(target.target)
        rows.append(
            {
                "target_code": code,
                "target_zh": target.name_zh,
                "window_start": start,
                "window_end": end,
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
