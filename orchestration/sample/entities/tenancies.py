"""Tenancies: enterprises entering and leaving each carrier over the years (a steady flow, mean
stay about three years with a long tail), the enterprises themselves (name, credit code,
industry, size, research intensity), and a few enterprises that are tenants of two carriers at
once (double claims).

The draws come from the world's one generator in a fixed order: reordering them changes the
sample."""

from __future__ import annotations

import numpy as np
import polars as pl

from orchestration.sample.entities.carriers import Carriers
from orchestration.sample.entities.draws import Ids, day, year_of
from orchestration.sample.entities.vocabulary import (
    ENTERPRISE_WORDS,
    INDUSTRIES,
    INDUSTRY_P,
    INDUSTRY_WORD,
)

MEAN_STAY = 3.0
"""Years an enterprise stays on average."""


def draw_tenancies(
    rng: np.random.Generator, ids: Ids, carriers: Carriers, first: int, last: int
) -> tuple[pl.DataFrame, list[str]]:
    """One row per tenancy (`e` the enterprise, `c` the carrier, entry and exit days, -1: still
    there), sorted by carrier and entry; and the credit codes of the double tenants."""
    stays = _stays(rng, carriers, first, last)
    n = stays["c"].size
    ind = rng.choice(len(INDUSTRIES), n, p=INDUSTRY_P)
    dormant = rng.random(n) < 0.07
    name = _enterprise_names(rng, ind)
    prefix = np.where(
        rng.random(n) < 0.85,
        "91321012",
        rng.choice(["91320100", "91321002", "91310115", "91320506"], n),
    )
    uscc = ids.take(n, prefix)
    attracted = _attracted_by(rng, carriers, stays["c"], stays["entry"], first)
    q = stays.pop("q")
    frame = pl.DataFrame(
        {
            "e": np.arange(n),
            "c": stays["c"],
            "entry": stays["entry"].astype(np.int32),
            "exit": stays["exit"].astype(np.int32),
            "exit_kind": stays["exit_kind"],
            "unreported": stays["unreported"],
            "q": q,
            "dormant": dormant,
            "industry": np.array(INDUSTRIES)[ind],
            "enterprise_name": name,
            "uscc": uscc,
            "attracted_by_town": attracted,
            "tech_recruit": rng.random(n) < np.clip(0.35 + 0.3 * q, 0, 0.9),
            "size": np.exp(rng.normal(np.log(180), 1.0, n)) * np.sqrt(q),
            "rd_ratio": np.where(dormant, 0.0, rng.uniform(0.015, 0.10, n) * np.sqrt(q)),
            "area_share": rng.uniform(0.6, 1.4, n),
            "primary": np.ones(n, dtype=bool),
        }
    )
    second = _second_tenancies(rng, frame, carriers, first)
    frame = pl.concat([frame, second]).sort("c", "entry", "e")
    return frame, sorted(second["uscc"].to_list())


def _stays(
    rng: np.random.Generator, carriers: Carriers, first: int, last: int
) -> dict[str, np.ndarray]:
    """Entries from ten years before the first year (or the carrier's founding) to the end,
    stays drawn per tenancy, and how each ended: exit kind (0 graduated, 1 moved out, 2 cleared
    out, 3 deregistered; -1 with exit -1 when still there). Tenancies over three years before the
    first year are dropped."""
    start = np.maximum(carriers.est, day(first - 10))
    end = day(last, 12, 31)
    span_years = (end - start) / 365.25
    tt = carriers.frame["tenants_target"].to_numpy()
    counts = rng.poisson(tt / MEAN_STAY * span_years)
    c = np.repeat(np.arange(carriers.n), counts)
    entry = start[c] + np.floor(rng.random(c.size) * (end - start[c] + 1)).astype(np.int64)
    q = carriers.q[c]
    stay = rng.gamma(4.0, MEAN_STAY / 4.0, c.size) * 365.25
    stuck = rng.random(c.size) < 0.04
    stay = np.where(stuck, stay * 2.2, stay)
    exit_ = entry + np.maximum(stay, 60).astype(np.int64)
    keep = exit_ >= day(first - 3)
    c, entry, exit_, q = c[keep], entry[keep], exit_[keep], q[keep]
    kind = _exit_kinds(rng, q)
    exit_kind = np.where(exit_ > end, -1, kind)
    exit_ = np.where(exit_ > end, -1, exit_)
    # A few deregistered companies stay on the books: no exit date, status deregistered (C3).
    unreported = (exit_kind == 3) & (year_of(np.maximum(exit_, 0)) >= first - 1)
    unreported &= rng.random(c.size) < 0.4
    return {
        "c": c,
        "entry": entry,
        "exit": exit_,
        "exit_kind": exit_kind,
        "unreported": unreported,
        "q": q,
    }


def _exit_kinds(rng: np.random.Generator, q: np.ndarray) -> np.ndarray:
    """Good carriers graduate more of their tenants; the rest move out, are cleared out or
    deregister (1.4 : 0.8 : 0.8)."""
    p_grad = np.clip(0.7 + 0.22 * q, 0.3, 0.92)
    u = rng.random(q.size)
    rest = (1 - p_grad) / 3
    return np.where(
        u < p_grad,
        0,
        np.where(u < p_grad + rest * 1.4, 1, np.where(u < p_grad + rest * 2.2, 2, 3)),
    )


def _enterprise_names(rng: np.random.Generator, ind: np.ndarray) -> np.ndarray:
    """扬州 (or 江苏) + two words + the industry's word + 有限公司."""
    n = ind.size
    words = np.array(ENTERPRISE_WORDS)
    w1 = words[rng.integers(0, len(words), n)]
    w2 = words[rng.integers(0, len(words), n)]
    inds = np.array(INDUSTRY_WORD)[ind]
    city = np.where(rng.random(n) < 0.85, "扬州", "江苏")
    return np.char.add(np.char.add(np.char.add(city, w1), np.char.add(w2, inds)), "有限公司")


def _attracted_by(
    rng: np.random.Generator, carriers: Carriers, c: np.ndarray, entry: np.ndarray, first: int
) -> np.ndarray:
    """The town whose committee recruited the tenant ("": not stated): sometimes another town
    than the carrier's (飞地 / enclave attribution)."""
    n = c.size
    carrier_town = carriers.frame["town"].to_numpy()[c]
    other_town = carriers.towns[rng.integers(0, len(carriers.towns), n)]
    enclave = (year_of(entry) >= first - 1) & (rng.random(n) < 0.06) & (other_town != carrier_town)
    return np.where(enclave, other_town, np.where(rng.random(n) < 0.3, carrier_town, ""))


def _second_tenancies(
    rng: np.random.Generator, t: pl.DataFrame, carriers: Carriers, first: int
) -> pl.DataFrame:
    """About 1.2 % of the enterprises alive in the years are also tenants of a second carrier
    (never one in a fixed role): the same enterprise, a nearby entry, not graduating there."""
    n_carriers = carriers.n
    roles = list(carriers.roles.values())
    c = t["c"].to_numpy()
    entry = t["entry"].to_numpy().astype(np.int64)
    exit_ = t["exit"].to_numpy().astype(np.int64)
    alive_any = (exit_ < 0) | (exit_ >= day(first))
    special = np.isin(c, roles)
    cand = np.flatnonzero(alive_any & ~special & ~t["dormant"].to_numpy() & (entry < day(first)))
    n_dbl = max(3, int(0.012 * cand.size))
    dbl = np.sort(rng.choice(cand, min(n_dbl, cand.size), replace=False))
    other_c = rng.integers(0, n_carriers, dbl.size)
    bad = (other_c == c[dbl]) | np.isin(other_c, roles)
    other_c = np.where(bad, (other_c + 1 + c[dbl]) % n_carriers, other_c)
    other_c = np.where(np.isin(other_c, roles), c[dbl], other_c)
    ok = other_c != c[dbl]
    dbl, other_c = dbl[ok], other_c[ok]
    return (
        t[dbl]
        .with_columns(
            pl.Series("c", other_c),
            (pl.col("entry") + pl.Series(rng.integers(-200, 200, dbl.size)))
            .clip(pl.Series(carriers.est[other_c].astype(np.int32)))
            .cast(pl.Int32)
            .alias("entry"),
            pl.when(pl.col("exit_kind") == 0)
            .then(1)
            .otherwise(pl.col("exit_kind"))
            .alias("exit_kind"),
            pl.lit(False).alias("primary"),
        )
        .filter((pl.col("exit") < 0) | (pl.col("entry") < pl.col("exit")))
    )
