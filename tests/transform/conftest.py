"""Fixtures for the dbt staging tests: a tiny raw layer written straight with DuckDB (not through
ingest), dbt run in-process against it with a private target folder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from orchestration.contract import datasets
from orchestration.ingest import adjustments_io

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

META_COLUMNS = {
    "_assessment_year": "INTEGER",
    "_run_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_sheet": "VARCHAR",
    "_source_row": "INTEGER",
    "_extra": "VARCHAR",
    "_row_error": "VARCHAR",
}


def raw_columns(dataset: str) -> dict[str, str]:
    """The raw table's columns and types, as docs/architecture.md Layer 1 describes them."""
    cols = dict(META_COLUMNS)
    for col in datasets()[dataset].columns:
        cols[col.name] = "VARCHAR"
    for col in datasets()[dataset].columns:
        if col.type == "money":
            cols[f"{col.name}__header_unit"] = "VARCHAR"
    return cols


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def write_raw(
    warehouse: Path,
    rows: Mapping[str, Iterable[Mapping[str, object]]],
    *,
    year: int = 2024,
    adjustments: Iterable[Mapping[str, object]] = (),
) -> dict[str, int]:
    """Create all ten raw tables (empty unless given rows) and insert `rows` per dataset, and
    raw._adjustments with `adjustments` (the office's report-row adjustments, none by default).

    Each row is a dict of contract columns (as text) and optional metadata; missing metadata
    gets defaults: the year, run `test-run`, file `<dataset>.csv`, sheet '', row = position + 2.
    Returns the number of rows written per dataset.
    """
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
        con.execute("create schema if not exists raw")
        for name in datasets():
            cols = raw_columns(name)
            ddl = ", ".join(f"{_quote(c)} {t}" for c, t in cols.items())
            con.execute(f"create or replace table raw.{_quote(name)} ({ddl})")
            given = list(rows.get(name, ()))
            unknown = {k for row in given for k in row} - set(cols)
            if unknown:
                raise KeyError(f"raw.{name} has no columns {sorted(unknown)}")
            records = []
            for index, row in enumerate(given):
                record = {
                    "_assessment_year": year,
                    "_run_id": "test-run",
                    "_source_file": f"{name}.csv",
                    "_file_sha256": "0" * 64,
                    "_sheet": "",
                    "_source_row": index + 2,
                    "_extra": None,
                    "_row_error": None,
                }
                record.update(row)
                records.append([record.get(c) for c in cols])
            if records:
                placeholders = ", ".join("?" for _ in cols)
                con.executemany(f"insert into raw.{_quote(name)} values ({placeholders})", records)
            counts[name] = len(records)
        con.execute(f"create or replace table raw._adjustments ({adjustments_io.RAW_DDL})")
        for adjustment in adjustments:
            record = {"_assessment_year": year, "_run_id": "test-run", **adjustment}
            names = [c for c, _ in adjustments_io.RAW_COLUMNS]
            con.execute(
                f"insert into raw._adjustments values ({', '.join('?' for _ in names)})",
                [record.get(c) for c in names],
            )
    return counts
