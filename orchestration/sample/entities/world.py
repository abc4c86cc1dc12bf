"""The simulated district over all years: carriers, tenancies, patents, certificates and each
year's events, drawn once from the seed; every year's package is a view of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from orchestration.sample.entities.carriers import draw_carriers
from orchestration.sample.entities.draws import Ids
from orchestration.sample.entities.package import package
from orchestration.sample.entities.patents import (
    draw_certificates,
    draw_patents,
    with_old_form_patents,
)
from orchestration.sample.entities.tenancies import draw_tenancies
from orchestration.sample.entities.yearly import year_events


class World:
    """The district's facts over all years, canonical (typed, clean); packages are views of it.

    The draws run in a fixed order from one generator (`[seed, 1]`; credit codes from
    `[seed, 2]`): the same arguments give the same district."""

    def __init__(self, scale: float, years: Sequence[int], seed: int) -> None:
        self.scale = scale
        self.years = tuple(sorted(years))
        self.first, self.last = self.years[0], self.years[-1]
        rng = np.random.default_rng([seed, 1])
        ids = Ids(np.random.default_rng([seed, 2]))
        self.carriers = draw_carriers(rng, ids, scale, self.years)
        self.tenancies, double_tenants = draw_tenancies(
            rng, ids, self.carriers, self.first, self.last
        )
        primary = self.tenancies.filter(pl.col("primary"))
        patents = draw_patents(rng, primary, self.last)
        self.patents, old_form = with_old_form_patents(rng, patents, scale)
        self.certificates = draw_certificates(rng, primary, self.first, self.last)
        self.yearly = {
            year: year_events(rng, self.tenancies, year)
            for year in range(self.first - 2, self.last + 1)
        }
        self.scenarios: dict[str, Any] = {
            "double_tenants": double_tenants,
            "old_form_patents": old_form,
        }

    def package(self, year: int) -> dict[str, pl.DataFrame]:
        """The ten datasets of year `year`'s package as typed, clean frames (before rendering)."""
        return package(self, year)
