"""What the authorities decide about carriers each year: the carriers' rows as reported that
year (the promoted incubator's level moves), the provincial and national evaluation grades, and
the year's recognitions (new levels, platforms, service bodies).

Each draws from its own generator seeded by the year: a year's decisions do not depend on the
other years."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from orchestration.sample.entities.carriers import Carriers
from orchestration.sample.entities.draws import ID_MULTIPLIER
from orchestration.sample.entities.vocabulary import NAME_WORDS
from orchestration.sample.identifiers import uscc_batch

RECOGNITION_PLAN = [
    # (types of carrier, recognized_type, level, count per unit of scale, holder is service body)
    (("incubator",), "incubator", "provincial", 2, False),
    (("incubator",), "incubator", "municipal", 2, False),
    (("maker_space",), "maker_space", "national", 1, False),
    (("maker_space",), "maker_space", "provincial", 2, False),
    (("accelerator",), "accelerator", "provincial", 1, False),
    (("platform",), "listed_platform", "provincial", 2, False),
    (("platform", "complex"), "filed_platform", "municipal", 3, False),
    (("complex", "incubator"), "public_service_platform", "provincial", 1, True),
    (("complex", "industrial_park"), "service_top100", "provincial", 1, True),
]


def carrier_rows(carriers: Carriers, year: int, first: int) -> pl.DataFrame:
    """The carriers as reported for `year`: the promoted incubator (role r02_topup) is
    provincial in the first year and national after."""
    r02 = pl.col("c") == carriers.roles["r02_topup"]
    if first < year:
        level, since = "national", dt.date(year, 6, 18)
    else:
        level, since = "provincial", dt.date(year, 5, 20)
    return carriers.frame.with_columns(
        pl.when(r02).then(pl.lit(level)).otherwise(pl.col("level")).alias("level"),
        pl.when(r02).then(pl.lit(since)).otherwise(pl.col("level_date")).alias("level_date"),
    )


def evaluations(carriers: Carriers, year: int, first: int) -> pl.DataFrame:
    """Provincial (and, for national carriers, national) grades A-D of the provincial and
    national incubators, maker spaces and accelerators, by quality with some noise."""
    rng = np.random.default_rng([year, 11, carriers.n])
    frame = carrier_rows(carriers, year, first).filter(
        pl.col("carrier_type").is_in(["incubator", "maker_space", "accelerator"])
        & pl.col("level").is_in(["national", "provincial"])
    )
    q = frame["q"].to_numpy() * np.exp(rng.normal(0, 0.2, frame.height))
    grade = np.select([q > 1.15, q > 0.8, q > 0.45], ["A", "B", "C"], "D")
    prov = frame.select("carrier_id").with_columns(
        pl.lit("provincial").alias("evaluation_level"),
        pl.lit(year).alias("evaluation_year"),
        pl.Series("grade", grade),
    )
    q2 = frame["q"].to_numpy() * np.exp(rng.normal(0, 0.2, frame.height))
    grade2 = np.select([q2 > 1.2, q2 > 0.85, q2 > 0.5], ["A", "B", "C"], "D")
    nat = (
        frame.select("carrier_id", "level")
        .with_columns(
            pl.lit("national").alias("evaluation_level"),
            pl.lit(year).alias("evaluation_year"),
            pl.Series("grade", grade2),
        )
        .filter(pl.col("level") == "national")
        .drop("level")
    )
    return pl.concat([prov, nat]).sort("carrier_id", "evaluation_level")


def pick_carriers(
    carriers: Carriers, types: Sequence[str], k: int, salt: int, exclude: Sequence[int] = ()
) -> list[int]:
    """Up to `k` carriers of `types` (never one in a fixed role), the same for the same salt."""
    skip = set(exclude) | set(carriers.roles.values())
    of_type = np.isin(carriers.frame["carrier_type"].to_numpy(), list(types))
    cand = [i for i in np.flatnonzero(of_type) if i not in skip]
    rng = np.random.default_rng([salt, carriers.n])
    if not cand:
        return []
    return [int(x) for x in rng.choice(cand, min(k, len(cand)), replace=False)]


def recognitions(carriers: Carriers, year: int, scale: float, years: Sequence[int]) -> pl.DataFrame:
    """About 15 a year at scale 1: new provincial/national carriers, platforms, and service
    bodies (RECOGNITION_PLAN), and the promoted incubator's own recognition."""
    s = max(1, round(scale))
    idx = years.index(year) if year in years else 0
    recs: list[dict[str, Any]] = []
    for j, (types, rtype, level, count, service) in enumerate(RECOGNITION_PLAN):
        for c in pick_carriers(carriers, types, count * s, salt=1000 * year + j):
            recs.append(
                {"c": c, "recognized_type": rtype, "recognized_level": level, "service": service}
            )
    recs.append(
        {
            "c": carriers.roles["r02_topup"],
            "recognized_type": "incubator",
            "recognized_level": "national" if idx > 0 else "provincial",
            "service": False,
        }
    )
    frame = _recognition_frame(carriers, recs, year)
    return frame.unique(["carrier_id", "recognized_type", "recognized_level"], maintain_order=True)


def _recognition_frame(carriers: Carriers, recs: list[dict[str, Any]], year: int) -> pl.DataFrame:
    """The recognitions as rows: date, document number, and the service body holding it."""
    rng = np.random.default_rng([year, 5, carriers.n])
    n = len(recs)
    ids = carriers.frame["carrier_id"].to_list()
    holders_uscc = service_bodies(n, year)
    days = rng.integers(60, 330, n)
    numbers = rng.integers(10, 300, n)
    return pl.DataFrame(
        {
            "carrier_id": [ids[r["c"]] for r in recs],
            "recognized_type": [r["recognized_type"] for r in recs],
            "recognized_level": [r["recognized_level"] for r in recs],
            "recognized_date": [dt.date(year, 1, 1) + dt.timedelta(days=int(d)) for d in days],
            "document_no": [
                f"{'扬科发' if r['recognized_level'] == 'municipal' else '苏科高发'}"
                f"〔{year}〕{int(x)}号"
                for r, x in zip(recs, numbers, strict=True)
            ],
            "holder_name": [
                f"扬州{NAME_WORDS[i % len(NAME_WORDS)]}科技服务有限公司" if r["service"] else None
                for i, r in enumerate(recs)
            ],
            "holder_uscc": [holders_uscc[i] if r["service"] else None for i, r in enumerate(recs)],
        },
        schema_overrides={"holder_name": pl.String, "holder_uscc": pl.String},
    )


def service_bodies(n: int, year: int) -> list[str]:
    """Credit codes of service bodies hosted by carriers (stable per position and year)."""
    rng = np.random.default_rng([year, 9])
    bodies = (np.arange(n) * ID_MULTIPLIER + 7_654_321 + int(rng.integers(0, 10**7))) % 10**8
    return uscc_batch("91321012", bodies).tolist()
