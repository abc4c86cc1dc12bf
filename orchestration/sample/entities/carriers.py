"""The district's carriers: type, town, quality, operator, areas, founding, level and seed fund,
with three carriers in fixed roles (a vetoed platform, a poor government-run incubator and an
incubator promoted during the years) so every sample has them.

The draws come from the world's one generator in a fixed order: reordering them changes the
sample."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from orchestration.sample.entities.draws import Ids, alloc, day, money
from orchestration.sample.entities.vocabulary import (
    CARRIER_TYPES,
    JIANGDU_TOWNS,
    NAME_WORDS,
    OFFSHORE_CITIES,
    OPERATOR_KINDS,
    TOWN_A,
    TOWN_B,
    TYPE_S4,
    TYPE_SHARE,
    TYPE_SUFFIX,
    TYPE_TENANTS,
)

LEVELS = ["national", "provincial", "municipal", "district"]
LEVEL_P = {
    0: (0.25, 0.40, 0.30, 0.05),
    1: (0.15, 0.45, 0.30, 0.10),
    2: (0.0, 0.35, 0.40, 0.25),
}
"""Share of each level for incubators, maker spaces and accelerators (the other types below)."""
OPERATOR_SUFFIX = ["", "投资发展集团有限公司", "科技发展有限公司", "孵化器管理有限公司"]


@dataclass
class Carriers:
    """The carriers over all years (one row each in `frame`) and the draws the tenants need."""

    frame: pl.DataFrame
    towns: np.ndarray
    roles: dict[str, int]
    """Row of the carrier in each fixed role: veto, gov_poor, r02_topup."""
    q: np.ndarray
    """Quality (≈ 1 typical): drives tenants, patents, financing and grades."""
    est: np.ndarray
    """Founding day (days since 1970)."""

    @property
    def n(self) -> int:
        return self.frame.height


def draw_carriers(
    rng: np.random.Generator, ids: Ids, scale: float, years: Sequence[int]
) -> Carriers:
    """About 60 carriers per unit of scale in 8 towns per unit of scale."""
    first = years[0]
    n = max(len(CARRIER_TYPES), round(60 * scale))
    n_towns = max(2, round(8 * scale))
    towns = town_names(n_towns)
    type_idx = np.repeat(np.arange(7), alloc(n, TYPE_SHARE))
    type_idx = type_idx[rng.permutation(n)]
    town = towns[rng.integers(0, n_towns, n)]
    town[: min(n, n_towns)] = towns[: min(n, n_towns)]  # every town has a carrier
    q = _quality(rng, type_idx)
    op_kind = rng.choice(4, n, p=(0.15, 0.25, 0.35, 0.25))
    op_kind[:4] = np.arange(4)
    roles = _place_roles(type_idx, op_kind, q)
    name_word = np.array(NAME_WORDS)[rng.integers(0, len(NAME_WORDS), n)]
    names = _carrier_names(rng, type_idx, name_word)
    tenants_target, inc_area, total_area = _areas(rng, type_idx, q, roles["veto"])
    est = _established(rng, n, years, roles)
    level, level_date = _levels(rng, type_idx, est, roles, first)
    seed_fund = rng.random(n) < (0.35 + 0.35 * np.minimum(q, 1.2))
    seed_fund[roles["gov_poor"]] = False
    seed_amount = np.where(seed_fund, rng.choice([100, 200, 300, 500, 1000, 2000], n), 0)
    columns = {
        "c": np.arange(n),
        "carrier_id": carrier_ids(n),
        "carrier_name": names,
        "carrier_type": np.array(CARRIER_TYPES)[type_idx],
        "level": level.astype(str),
        "level_date": np.where(level_date < 0, 0, level_date).astype(np.int32),
        "town": town,
        **_operators(ids, town, name_word, op_kind),
        "total_area_m2": total_area,
        "incubation_area_m2": inc_area,
        "established_date": est.astype(np.int32),
        "seed_fund": seed_fund,
        "seed_fund_amount": np.where(seed_fund, money(seed_amount.astype(float)), 0),
        "service_staff": (rng.poisson(4 + 4 * q) + 1).astype(np.int64),
        "q": q,
        "tenants_target": tenants_target,
    }
    return Carriers(_typed(pl.DataFrame(columns)), towns, roles, q, est)


def town_names(n_towns: int) -> np.ndarray:
    """Jiangdu's eight towns, then made-up names (a + b halves) for larger scales."""
    towns = list(JIANGDU_TOWNS[:n_towns])
    k = 0
    while len(towns) < n_towns:
        a, b = TOWN_A[k % len(TOWN_A)], TOWN_B[(k // len(TOWN_A)) % len(TOWN_B)]
        rep = k // (len(TOWN_A) * len(TOWN_B))
        towns.append(f"{a}{b}{'' if rep == 0 else rep + 1}镇")
        k += 1
    return np.array(towns)


def carrier_ids(n: int) -> np.ndarray:
    """C001, C002, … (wider when there are more than 999 carriers)."""
    width = max(3, len(str(n)))
    return np.array([f"C{i + 1:0{width}d}" for i in range(n)])


def _quality(rng: np.random.Generator, type_idx: np.ndarray) -> np.ndarray:
    """Carrier quality, standardised within each type so every scale (and seed) has the same
    spread of good and poor carriers: the sample's totals scale linearly."""
    z = rng.normal(0, 1, type_idx.size)
    for t in range(7):
        sel = type_idx == t
        if sel.sum() >= 3:
            z[sel] = (z[sel] - z[sel].mean()) / z[sel].std()
    return np.exp(-0.5 + 0.8 * z).clip(0.15, 2.5)


def _place_roles(type_idx: np.ndarray, op_kind: np.ndarray, q: np.ndarray) -> dict[str, int]:
    """The carriers in fixed roles: the first platform, the first two incubators. Sets their
    operator kind and quality in place."""
    veto = int(np.flatnonzero(type_idx == CARRIER_TYPES.index("platform"))[0])
    gov_poor, r02 = (int(i) for i in np.flatnonzero(type_idx == 0)[:2])
    op_kind[gov_poor] = 0
    q[gov_poor] = 0.12
    q[r02] = max(q[r02], 1.3)
    q[veto] = 0.5
    return {"veto": veto, "gov_poor": gov_poor, "r02_topup": r02}


def _carrier_names(
    rng: np.random.Generator, type_idx: np.ndarray, name_word: np.ndarray
) -> np.ndarray:
    """A name word and the type's suffix (offshore centres: 江都（city）离岸创新中心); repeats get
    a number (…2号)."""
    suffix = np.array(TYPE_SUFFIX)[type_idx]
    city = np.array(OFFSHORE_CITIES)[rng.integers(0, len(OFFSHORE_CITIES), type_idx.size)]
    names = np.where(
        type_idx == CARRIER_TYPES.index("offshore_center"),
        np.char.add(np.char.add("江都（", city), "）离岸创新中心"),
        np.char.add(name_word, suffix),
    )
    seen: dict[str, int] = {}
    unique = []
    for name in names.tolist():  # one pass over carriers (≤ 16k), not over rows
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name}{count + 1}号")
    return np.array(unique)


def _operators(
    ids: Ids, town: np.ndarray, name_word: np.ndarray, op_kind: np.ndarray
) -> dict[str, np.ndarray]:
    """Operator name, credit code and kind: a town's service centre when government-run."""
    company = np.char.add(np.char.add("扬州", name_word), np.array(OPERATOR_SUFFIX)[op_kind])
    name = np.where(op_kind == 0, np.char.add(town, "科技创新服务中心"), company)
    prefix = np.where(op_kind == 0, "12321012", "91321012")
    return {
        "operator_name": name,
        "operator_uscc": ids.take(town.size, prefix),
        "operator_kind": np.array(OPERATOR_KINDS)[op_kind],
    }


def _areas(
    rng: np.random.Generator, type_idx: np.ndarray, q: np.ndarray, veto: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Typical tenants at once, incubation area (around the type's S4 goalpost) and total area."""
    n = type_idx.size
    noise = np.exp(rng.normal(0, 0.3, n))
    tenants_target = (np.array(TYPE_TENANTS)[type_idx] * noise).clip(4, None)
    tenants_target[veto] = 0
    density = np.array(TYPE_S4)[type_idx] * rng.uniform(0.6, 1.5, n) * np.sqrt(q)
    inc_area = np.round(np.maximum(tenants_target, 5) * 1000 / density, -1)
    total_area = np.round(inc_area * rng.uniform(1.15, 1.8, n), -1)
    return tenants_target, inc_area, total_area


def _established(
    rng: np.random.Generator, n: int, years: Sequence[int], roles: dict[str, int]
) -> np.ndarray:
    """Founding day: since 2008, a few during the sample's years, fixed for the roles."""
    first, last = years[0], years[-1]
    est_year = rng.integers(2008, first, n)
    new = rng.random(n) < 0.08
    est_year = np.where(new, first + rng.integers(0, len(years), n), est_year)
    est_year[[roles["veto"], roles["gov_poor"], roles["r02_topup"]]] = [last - 1, 2012, 2015]
    return np.array([day(int(y)) for y in est_year]) + rng.integers(0, 300, n)


def _levels(
    rng: np.random.Generator,
    type_idx: np.ndarray,
    est: np.ndarray,
    roles: dict[str, int],
    first: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Recognition level and its date (-1: none), recognised before the first year."""
    n = type_idx.size
    level = np.full(n, "none", dtype=object)
    for t, p in LEVEL_P.items():
        sel = type_idx == t
        level[sel] = rng.choice(LEVELS, sel.sum(), p=p)
    other = type_idx >= 3
    level[other] = rng.choice(["municipal", "district", "none"], other.sum(), p=(0.3, 0.4, 0.3))
    level[roles["gov_poor"]] = "municipal"
    level[roles["r02_topup"]] = "municipal"
    level_date = np.where(level == "none", -1, est + rng.integers(300, 1500, n))
    return level, level_date.clip(None, day(first - 1, 12, 31))


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Day numbers to dates; no level date without a level, no seed amount without a fund."""
    return frame.with_columns(
        pl.when(pl.col("level") == "none")
        .then(None)
        .otherwise(pl.col("level_date").cast(pl.Date))
        .alias("level_date"),
        pl.col("established_date").cast(pl.Date),
        pl.when(pl.col("seed_fund"))
        .then(pl.col("seed_fund_amount"))
        .otherwise(None)
        .alias("seed_fund_amount"),
    )
