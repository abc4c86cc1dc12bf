"""One year's package, canonical: the ten datasets as typed, clean frames in the contract's
columns, as the batch should read them back (rendering makes them look handed in)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from orchestration.contract import datasets
from orchestration.sample.entities.claims import subsidy_claims
from orchestration.sample.entities.draws import day
from orchestration.sample.entities.recognitions import carrier_rows, evaluations, recognitions
from orchestration.sample.entities.vocabulary import EXIT_KINDS

if TYPE_CHECKING:
    from orchestration.sample.entities.world import World

GRADUATION_BASES = ["revenue", "acquired", "listed", "financed", "other"]
GRADUATION_BASIS_P = (0.55, 0.05, 0.03, 0.27, 0.10)
"""Basis of a graduation without a high-tech certificate (70 % of certified ones: high_tech)."""


def package(world: World, year: int) -> dict[str, pl.DataFrame]:
    """The ten datasets of year `year`'s package as typed, clean frames (before rendering)."""
    carriers, years = world.carriers, world.years
    tenants = _tenants(world, year)
    # Several carriers' tenant rows of the same enterprise: events are reported by each.
    holders = tenants.select("e", "carrier_id", "uscc", "enterprise_name")
    yearly = world.yearly[year]
    out = {
        "carriers": carrier_rows(carriers, year, world.first),
        "tenants": tenants,
        "patents": _patents(world, holders, year),
        "high_tech": _certificates(world, tenants, year),
        "graduations": _graduations(world, tenants, year),
        "financing": _financing(yearly["financing"], holders),
        "awards": yearly["awards"]
        .join(holders, on="e")
        .with_columns(pl.col("award_date").cast(pl.Date)),
        "evaluations": evaluations(carriers, year, world.first),
        "recognitions": recognitions(carriers, year, world.scale, years),
        "subsidy_claims": subsidy_claims(carriers, year, world.scale, years),
    }
    return {name: _contract_columns(name, frame) for name, frame in out.items()}


def _contract_columns(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The dataset's contract columns in order (null where the simulation has no value)."""
    return frame.select(
        *[
            (pl.col(col.name) if col.name in frame.columns else pl.lit(None)).alias(col.name)
            for col in datasets()[name].columns
        ]
    )


def _exited(year: int) -> pl.Expr:
    return (pl.col("exit") >= 0) & (pl.col("exit") <= day(year, 12, 31))


def _tenants(world: World, year: int) -> pl.DataFrame:
    """Tenancies alive in the year (and deregistered ones still on the books), outside the
    vetoed carrier, with the year's figures and tech-SME registration (this year's or last)."""
    y0, y1 = day(year), day(year, 12, 31)
    car = world.carriers.frame.select(pl.col("c"), pl.col("carrier_id"), pl.col("town"))
    rows = world.tenancies.filter(pl.col("entry") <= y1).filter(
        (pl.col("exit") < 0) | (pl.col("exit") >= y0) | pl.col("unreported")
    )
    rows = rows.filter(pl.col("c") != world.carriers.roles["veto"])
    yearly = world.yearly[year]
    sme_now = yearly["sme"].rename({"reg_date": "d_now", "reg_no": "n_now"})
    sme_prev = world.yearly[year - 1]["sme"].rename({"reg_date": "d_prev", "reg_no": "n_prev"})
    tenants = (
        rows.join(car, on="c")
        .join(sme_now, on="e", how="left")
        .join(sme_prev, on="e", how="left")
        .join(yearly["figures"], on="e", how="left")
        .with_columns(*_tenant_columns(year))
    )
    inc = world.carriers.frame.select("c", "incubation_area_m2", "tenants_target")
    occupied = (
        pl.col("incubation_area_m2")
        / pl.col("tenants_target").clip(1, None)
        * pl.col("area_share")
        * (0.55 + 0.3 * pl.col("q").clip(0, 1.3))
    )
    return tenants.join(inc, on="c").with_columns(occupied.round(0).alias("occupied_area_m2"))


def _tenant_columns(year: int) -> list[pl.Expr]:
    """The tenant row's reported columns from the simulation's: dates, status, blanks."""
    y0 = day(year)
    exited = _exited(year)
    status = (
        pl.when(exited & pl.col("unreported"))
        .then(pl.lit("deregistered"))
        .when(exited)
        .then(pl.col("exit_kind").replace_strict(list(range(4)), list(EXIT_KINDS), default=None))
        .otherwise(pl.lit("incubating"))
    )
    return [
        pl.col("entry").cast(pl.Date).alias("entry_date"),
        pl.when(exited & ~pl.col("unreported"))
        .then(pl.col("exit").cast(pl.Date))
        .otherwise(None)
        .alias("exit_date"),
        status.alias("tenant_status"),
        pl.coalesce("n_now", "n_prev").alias("tech_sme_reg_no"),
        pl.coalesce("d_now", "d_prev").cast(pl.Date).alias("tech_sme_reg_date"),
        pl.when(pl.col("miss") < 0.04).then(None).otherwise(pl.col("revenue")).alias("revenue"),
        pl.when(pl.col("dormant") & (pl.col("miss") > 0.5))
        .then(None)
        .otherwise(pl.col("rd_expense"))
        .alias("rd_expense"),
        pl.when(pl.col("attracted_by_town") == "")
        .then(None)
        .otherwise(pl.col("attracted_by_town"))
        .alias("attracted_by_town"),
        pl.when(pl.col("entry") >= y0 - 365)
        .then(pl.col("tech_recruit"))
        .otherwise(None)
        .alias("tech_recruit_certified"),
    ]


def _patents(world: World, holders: pl.DataFrame, year: int) -> pl.DataFrame:
    """Patents applied for by the year's end and not rejected by then, with their status."""
    y1 = day(year, 12, 31)
    granted = (pl.col("grant") >= 0) & (pl.col("grant") <= y1)
    return (
        world.patents.filter(pl.col("application_date") <= y1)
        .filter((pl.col("reject") < 0) | (pl.col("reject") > y1))
        .join(holders, on="e")
        .with_columns(
            pl.col("application_date").cast(pl.Date),
            pl.when(granted)
            .then(pl.col("grant").cast(pl.Date))
            .otherwise(None)
            .alias("grant_date"),
            pl.when((pl.col("lapse") >= 0) & (pl.col("lapse") <= y1))
            .then(pl.lit("lapsed"))
            .when(granted)
            .then(pl.lit("valid"))
            .otherwise(pl.lit("pending"))
            .alias("legal_status"),
        )
    )


def _certificates(world: World, tenants: pl.DataFrame, year: int) -> pl.DataFrame:
    """Certificates valid in the year (issued in the last three years), issued while a tenant."""
    y1 = day(year, 12, 31)
    stays = tenants.select("e", "carrier_id", "uscc", "enterprise_name", "entry", "exit")
    return (
        world.certificates.filter(
            (pl.col("issue_date") >= day(year - 3)) & (pl.col("issue_date") <= y1)
        )
        .join(stays, on="e")
        .filter(
            (pl.col("issue_date") >= pl.col("entry"))
            & ((pl.col("exit") < 0) | (pl.col("issue_date") <= pl.col("exit")))
        )
        .with_columns(pl.col("issue_date").cast(pl.Date))
    )


def _graduations(world: World, tenants: pl.DataFrame, year: int) -> pl.DataFrame:
    """The year's graduations: basis (high_tech for most certified enterprises), and whether
    and where the graduate stayed in the district."""
    grads = tenants.filter(
        _exited(year) & (pl.col("exit_kind") == 0) & ~pl.col("unreported")
    ).with_columns(pl.col("exit_date").alias("graduation_date"))
    gn = grads.height
    towns = world.carriers.towns
    rng = np.random.default_rng([year, 77, world.carriers.n])
    has_cert = grads["e"].is_in(world.certificates["e"].implode()).to_numpy()
    basis = np.where(
        has_cert & (rng.random(gn) < 0.7),
        "high_tech",
        rng.choice(GRADUATION_BASES, gn, p=GRADUATION_BASIS_P),
    )
    landed = rng.random(gn) < 0.6
    park = np.where(landed, towns[rng.integers(0, len(towns), gn)], "")
    return grads.with_columns(
        pl.Series("graduation_basis", basis),
        pl.Series("landed_in_district", landed),
        pl.Series("landed_park", park).replace("", None),
    )


def _financing(financing: pl.DataFrame, holders: pl.DataFrame) -> pl.DataFrame:
    return financing.join(holders, on="e").with_columns(
        pl.col("financing_date").cast(pl.Date),
        pl.when(pl.col("round") == "").then(None).otherwise(pl.col("round")).alias("round"),
        pl.lit(None, pl.String).alias("amount_unit"),
    )
