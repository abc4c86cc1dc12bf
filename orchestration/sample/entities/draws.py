"""Small helpers of the simulation: days since 1970, splitting counts by shares, 万元 amounts as
integer hundredths, and unique organisation codes for every credit code the sample needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from orchestration.sample.identifiers import uscc_batch

EPOCH = dt.date(1970, 1, 1)


def day(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 (the simulation's dates are integers; polars casts them to Date)."""
    return (dt.date(year, month, day) - EPOCH).days


def year_of(days: np.ndarray) -> np.ndarray:
    """The calendar year of each day number."""
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def alloc(n: int, shares: Sequence[float]) -> np.ndarray:
    """Split n into counts by shares (largest remainder), at least one each when n allows."""
    raw = np.asarray(shares) * n
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    if n >= len(shares):
        while (counts == 0).any():
            counts[np.argmax(counts)] -= 1
            counts[np.argmin(counts)] += 1
    return counts


def money(values: np.ndarray) -> np.ndarray:
    """万元 amounts → integer hundredths of 万元 (exact decimal rendering, 2 decimals)."""
    return np.maximum(np.round(values * 100), 1).astype(np.int64)


ID_MULTIPLIER = 39_916_801
"""Multiplier coprime with 10^8: i → a·i + b mod 10^8 is a bijection."""


class Ids:
    """Unique organisation-code bodies for every credit code the sample needs."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._b = int(rng.integers(0, 10**8))
        self._next = 0

    def take(self, n: int, prefix: str | np.ndarray = "91321012") -> np.ndarray:
        """The next `n` credit codes (one organisation-code body each, never repeated)."""
        idx = np.arange(self._next, self._next + n, dtype=np.int64)
        self._next += n
        bodies = (idx * ID_MULTIPLIER + self._b) % 10**8
        return uscc_batch(prefix, bodies)
