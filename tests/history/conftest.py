"""The tiny three-year district run through the real batch, and how to compare results."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.lock import DUCKDB_CONFIG
from orchestration.pipeline import RunOptions, RunOutcome, run_year
from orchestration.progress import Progress
from orchestration.publish.tables import RESULT_TABLES
from tests.history.package import YEARS, write_all

COMPARED = [t for t in RESULT_TABLES if t not in ("runs", "run_changes")]
"""The invariant leaves the record of runs aside: `runs`, and `run_changes` (each publish's
differences from the previous publish of its year, so by definition one per sequence)."""
VOLATILE = {"run_id", "started_at", "finished_at"}


class Place:
    """A warehouse and out folder of its own over the shared packages."""

    def __init__(self, reports: Path, root: Path) -> None:
        self.reports = reports
        self.root = root
        self.warehouse = root / "warehouse" / "carriers.duckdb"
        self.out = root / "out"

    def run(self, year: int, reports: Path | None = None, **kw) -> RunOutcome:
        options = RunOptions(
            year=year,
            reports=reports or self.reports / str(year),
            warehouse=self.warehouse,
            out=self.out / str(year),
            **kw,
        )
        return run_year(options, Progress("quiet"))

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
            return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())

    def results(self) -> dict[str, pl.DataFrame]:
        """Every result table but runs, without the columns that differ between runs."""
        out = {}
        with duckdb.connect(str(self.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
            for name in COMPARED:
                frame = pl.from_arrow(con.sql(f"select * from results.{name}").to_arrow_table())
                keep = [c for c in frame.columns if c not in VOLATILE]
                out[name] = frame.select(keep).sort(keep, nulls_last=True)
        return out


@pytest.fixture(scope="session")
def packages(tmp_path_factory) -> Path:
    return write_all(tmp_path_factory.mktemp("history") / "reports")


@pytest.fixture(scope="session")
def in_order(packages, tmp_path_factory) -> Place:
    """The reference: each year once, in year order, on a fresh warehouse."""
    place = Place(packages, tmp_path_factory.mktemp("in_order"))
    for year in YEARS:
        outcome = place.run(year)
        assert outcome.code == 0, outcome.message
    return place
