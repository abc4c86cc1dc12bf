"""Fixtures for the ingest tests: a report folder, a real DuckDB warehouse, workbook builders."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.ingest import IngestSummary, ingest_package

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """An empty report folder for one year."""
    folder = tmp_path / "reports" / "2024"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def run_ingest(warehouse: Path) -> Callable[..., IngestSummary]:
    """Ingest a folder into the test warehouse and return the summary."""

    def run(folder: Path, year: int = 2024, run_id: str = "run-test") -> IngestSummary:
        with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
            return ingest_package(con, year, folder, run_id)

    return run


@pytest.fixture
def query(warehouse: Path) -> Callable[..., list[tuple[Any, ...]]]:
    """Run a read query on the test warehouse (parameters, never pasted values)."""

    def run(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
            return con.execute(sql, params or []).fetchall()

    return run
