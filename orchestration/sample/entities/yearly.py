"""Each year's enterprise events: tech-SME registrations, financing, competition awards and the
tenants' figures (revenue, research spending, tax, employees, talents).

Each year draws from its own generator, seeded from the world's generator in year order."""

from __future__ import annotations

import numpy as np
import polars as pl

from orchestration.sample.entities.draws import day, money, year_of
from orchestration.sample.entities.vocabulary import (
    COMPETITIONS,
    FIN_KINDS,
    FIN_MEDIAN,
    FIN_P,
    INVESTORS,
    ROUNDS,
)


def window(tenancies: pl.DataFrame, year: int) -> pl.DataFrame:
    """Primary tenancies alive in `year`, with the part of the year they were tenants (w0..w1)."""
    y0, y1 = day(year), day(year, 12, 31)
    return (
        tenancies.filter(pl.col("primary"), pl.col("entry") <= y1)
        .filter((pl.col("exit") < 0) | (pl.col("exit") >= y0))
        .with_columns(
            pl.max_horizontal(pl.col("entry"), pl.lit(y0)).alias("w0"),
            pl.when(pl.col("exit") < 0)
            .then(pl.lit(y1))
            .otherwise(pl.min_horizontal(pl.col("exit"), pl.lit(y1)))
            .alias("w1"),
        )
    )


class _Tenants:
    """The tenants of one year and the year's generator; `dates` draws a day of their tenancy."""

    def __init__(self, rng: np.random.Generator, w: pl.DataFrame) -> None:
        self.rng = rng
        self.w = w
        self.n = w.height
        self.e = w["e"].to_numpy()
        self.q = w["q"].to_numpy()
        self.dormant = w["dormant"].to_numpy()
        self.w0 = w["w0"].to_numpy().astype(np.int64)
        self.w1 = w["w1"].to_numpy().astype(np.int64)

    def dates(self, idx: np.ndarray) -> np.ndarray:
        w0, w1 = self.w0[idx], self.w1[idx]
        return w0 + np.floor(self.rng.random(idx.size) * (w1 - w0 + 1)).astype(np.int64)


def year_events(
    world_rng: np.random.Generator, tenancies: pl.DataFrame, year: int
) -> dict[str, pl.DataFrame]:
    """The year's `sme` registrations, `financing`, `awards` and `figures`, keyed by `e`."""
    rng = np.random.default_rng([int(world_rng.integers(0, 2**31)), year])
    ts = _Tenants(rng, window(tenancies, year))
    return {
        "sme": _tech_sme(ts, year),
        "financing": _financing(ts),
        "awards": _awards(ts),
        "figures": _figures(ts, year),
    }


def _tech_sme(ts: _Tenants, year: int) -> pl.DataFrame:
    """Tech-SME registrations of the year (number `<year>32101204nnnnnn`)."""
    rng, q = ts.rng, ts.q
    reg = (~ts.dormant) & (rng.random(ts.n) < np.clip(0.22 * q + 0.05, 0, 0.7))
    reg_date = np.where(reg, ts.dates(np.arange(ts.n)), -1)
    sme = pl.DataFrame({"e": ts.e, "reg_date": reg_date.astype(np.int32)}).filter(
        pl.col("reg_date") >= 0
    )
    serial = rng.integers(1000, 999_999, sme.height)
    reg_no = np.char.add(f"{year}32101204", np.char.zfill(serial.astype(str), 6))
    return sme.with_columns(pl.Series("reg_no", reg_no))


def _financing(ts: _Tenants) -> pl.DataFrame:
    """Financing events: kind, amount around the kind's median (万元 hundredths), investor and
    round (equity only); the same event twice is kept once."""
    rng, q = ts.rng, ts.q
    k = rng.poisson(np.where(ts.dormant, 0.0, 0.8 * q * np.exp(rng.normal(0, 0.4, ts.n))))
    fi = np.repeat(np.arange(ts.n), k)
    kind = rng.choice(len(FIN_KINDS), fi.size, p=FIN_P)
    amount = np.array(FIN_MEDIAN)[kind] * np.exp(rng.normal(0, 0.8, fi.size)) * np.sqrt(q[fi])
    amount = np.where(amount > 50, np.round(amount, 0), np.round(amount, 1))
    inv_choice = rng.integers(0, 100, fi.size)
    investor = _investors(kind, inv_choice)
    rnd = np.where(kind == 0, np.array(ROUNDS)[rng.integers(0, len(ROUNDS), fi.size)], "")
    fin = pl.DataFrame(
        {
            "e": ts.e[fi],
            "financing_date": ts.dates(fi).astype(np.int32),
            "amount": money(amount),
            "financing_kind": np.array(FIN_KINDS)[kind],
            "investor": investor,
            "round": rnd,
        }
    )
    key = ["e", "financing_date", "amount", "financing_kind", "investor"]
    return fin.unique(key, maintain_order=True)


def _investors(kind: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """The investor of each event: one of its kind's, by `choice`."""
    if kind.size < 20_000:
        return np.array(
            [
                INVESTORS[FIN_KINDS[kd]][ic % len(INVESTORS[FIN_KINDS[kd]])]
                for kd, ic in zip(kind, choice, strict=True)
            ]
        )
    out = np.empty(kind.size, dtype=object)
    for kd, name in enumerate(FIN_KINDS):
        sel = kind == kd
        opts = np.array(INVESTORS[name])
        out[sel] = opts[choice[sel] % len(opts)]
    return out.astype(str)


def _awards(ts: _Tenants) -> pl.DataFrame:
    """Competition awards (rank 9: an excellence award)."""
    rng = ts.rng
    k = rng.poisson(np.where(ts.dormant, 0.0, 0.085 * ts.q))
    ai = np.repeat(np.arange(ts.n), k)
    comp = rng.integers(0, len(COMPETITIONS), ai.size)
    rank = rng.choice([1, 2, 3, 9], ai.size, p=(0.12, 0.22, 0.33, 0.33))
    awards = pl.DataFrame(
        {
            "e": ts.e[ai],
            "competition": np.array([c[0] for c in COMPETITIONS])[comp],
            "award_level": np.array([c[1] for c in COMPETITIONS])[comp],
            "award_rank": rank.astype(str),
            "award_date": ts.dates(ai).astype(np.int32),
        }
    )
    return awards.unique(["e", "competition", "award_level", "award_date"], maintain_order=True)


def _figures(ts: _Tenants, year: int) -> pl.DataFrame:
    """Revenue growing 12 % a year of tenancy, research spending, tax, employees, talents, and
    `miss` (a uniform draw that decides which figures a tenant leaves blank)."""
    rng, q, n = ts.rng, ts.q, ts.n
    growth = 1.12 ** np.clip((year - year_of(ts.w["entry"].to_numpy())), 0, 10)
    revenue = ts.w["size"].to_numpy() * growth * np.exp(rng.normal(0, 0.25, n))
    revenue = np.where(ts.dormant, revenue * 0.2, revenue)
    rd = revenue * ts.w["rd_ratio"].to_numpy()
    return pl.DataFrame(
        {
            "e": ts.e,
            "revenue": money(revenue),
            "rd_expense": np.where(ts.dormant | (rd < 0.05), 0, money(rd)),
            "tax_paid": money(revenue * rng.uniform(0.02, 0.07, n)),
            "employees": (rng.poisson(6 + 10 * np.sqrt(q)) + 1).astype(np.int64),
            "talents": rng.poisson(0.12 * q).astype(np.int64),
            "miss": rng.random(n),
        }
    )
