"""A small sample district run through the real batch (dbt, DuckDB, Great Expectations)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.lock import DUCKDB_CONFIG
from orchestration.pipeline import RunOptions, RunOutcome, run_year
from orchestration.progress import Progress
from orchestration.publish.tables import RESULT_TABLES, current_version

SCALE = 0.2
"""About a dozen carriers: every kind of row, small enough for many runs."""

VOLATILE = {"run_id", "started_at", "finished_at"}
"""Columns that differ between two runs of the same inputs by design."""


@dataclass
class District:
    root: Path
    reports: Path
    warehouse: Path
    out: Path

    def options(self, year: int, **kw) -> RunOptions:
        return RunOptions(
            year=year,
            reports=self.reports / str(year),
            warehouse=self.warehouse,
            out=self.out / str(year),
            **kw,
        )

    def run(self, year: int, **kw) -> RunOutcome:
        return run_year(self.options(year, **kw), Progress("quiet"))

    def run_process(self, year: int, env: dict[str, str] | None = None, timeout: int = 300):
        """The CLI in a separate process (for kill -9 and lock tests)."""
        exe = Path(sys.executable).with_name("carrier-assess")
        args = [
            str(exe),
            "run",
            "--quiet",
            "--year",
            str(year),
            "--reports",
            str(self.reports / str(year)),
            "--warehouse",
            str(self.warehouse),
            "--out",
            str(self.out / str(year)),
        ]
        return subprocess.run(
            args,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def results(self) -> dict[str, pl.DataFrame]:
        """Every published row of every result table (from the warehouse)."""
        with duckdb.connect(str(self.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
            return {
                name: pl.from_arrow(
                    con.sql(f"select * from results.{name} order by all").to_arrow_table()
                )
                for name in RESULT_TABLES
            }

    def published_state(self) -> dict[str, object]:
        """What a reader can see: the result tables, the year folders, the read-only copy."""
        state: dict[str, object] = {"tables": self.results()}
        for year in (2023, 2024):
            state[f"out{year}"] = current_version(self.out / str(year))
        copy = self.warehouse.with_name("carriers.published.duckdb")
        state["copy"] = copy.read_bytes() if copy.exists() else None
        return state


def stable(frame: pl.DataFrame) -> pl.DataFrame:
    """A result table without the columns that differ between runs, in a canonical order."""
    keep = [c for c in frame.columns if c not in VOLATILE]
    return frame.select(keep).sort(keep, nulls_last=True)


def _build(root: Path) -> District:
    from orchestration.sample import generate_sample

    district = District(
        root=root,
        reports=root / "reports",
        warehouse=root / "warehouse" / "carriers.duckdb",
        out=root / "out",
    )
    generate_sample(district.reports, years=(2023, 2024), scale=SCALE)
    for year in (2023, 2024):
        outcome = district.run(year)
        assert outcome.code == 0, outcome.message
    return district


@pytest.fixture(scope="session")
def published_district(tmp_path_factory) -> District:
    """2023 and 2024 published once per session. Tests that change it use `district`."""
    return _build(tmp_path_factory.mktemp("district"))


@pytest.fixture
def district(published_district, tmp_path) -> District:
    """A private copy of the published district, free to break."""
    root = tmp_path / "district"
    shutil.copytree(published_district.root, root, symlinks=True)
    return District(
        root=root,
        reports=root / "reports",
        warehouse=root / "warehouse" / "carriers.duckdb",
        out=root / "out",
    )
