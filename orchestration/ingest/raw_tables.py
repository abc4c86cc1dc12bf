"""The raw layer's tables in DuckDB: their columns, the year's rows cleared, frames inserted.

raw.<dataset> holds every cell as text beside its lineage (`META_COLUMNS`: the year, the run,
the file, its SHA-256, the sheet, the row, `_extra`, `_row_error`); raw._ingest_files,
raw._ingest_sheets and raw._ingest_findings hold the summary of what was read
(docs/architecture.md, "Layer 1").
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from orchestration.config import RAW_SCHEMA
from orchestration.contract import Dataset, datasets
from orchestration.ingest import adjustments_io
from orchestration.ingest.summary import IngestSummary

META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_file_sha256", "VARCHAR"),
    ("_sheet", "VARCHAR"),
    ("_source_row", "INTEGER"),
    ("_extra", "VARCHAR"),
    ("_row_error", "VARCHAR"),
)
FILES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("file_sha256", "VARCHAR"),
    ("file_size_bytes", "BIGINT"),
    ("status", "VARCHAR"),
    ("duplicate_of", "VARCHAR"),
    ("message", "VARCHAR"),
)
SHEETS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("header_row", "INTEGER"),
    ("rows_read", "BIGINT"),
    ("status", "VARCHAR"),
)
FINDINGS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("source_row", "INTEGER"),
    ("column_name", "VARCHAR"),
    ("check_name", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("value_as_written", "VARCHAR"),
    ("message", "VARCHAR"),
)


def _q(identifier: str) -> str:
    """A quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def raw_columns(ds: Dataset) -> list[tuple[str, str]]:
    """The columns of raw.<dataset>, in order (docs/architecture.md, Layer 1)."""
    cols = list(META_COLUMNS)
    cols += [(c.name, "VARCHAR") for c in ds.columns]
    cols += [(f"{c.name}__header_unit", "VARCHAR") for c in ds.columns if c.type == "money"]
    return cols


def _ensure_table(con: duckdb.DuckDBPyConnection, table: str, cols: list[tuple[str, str]]) -> None:
    target = f"{_q(RAW_SCHEMA)}.{_q(table)}"
    body = ", ".join(f"{_q(n)} {t}" for n, t in cols)
    con.execute(f"CREATE TABLE IF NOT EXISTS {target} ({body})")
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ?",
            [RAW_SCHEMA, table],
        ).fetchall()
    }
    for n, t in cols:
        if n not in have:
            con.execute(f"ALTER TABLE {target} ADD COLUMN {_q(n)} {t}")


def insert(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, view: str = "_ingest_frame"
) -> None:
    """Append a frame to raw.<table>, its columns matched by name.

    Handed to DuckDB as Arrow string views, polars' own layout of text (no copy; the default,
    the older large strings, copies every cell: national ~0.25 s per million rows; the same
    rows in raw either way)."""
    if frame.height == 0:
        return
    con.register(view, frame.to_arrow(compat_level=pl.CompatLevel.newest()))
    try:
        con.execute(f"INSERT INTO {_q(RAW_SCHEMA)}.{_q(table)} BY NAME SELECT * FROM {_q(view)}")
    finally:
        con.unregister(view)


def _records_frame(rows: list[dict[str, Any]], cols: tuple[tuple[str, str], ...]) -> pl.DataFrame:
    schema = {n: {"INTEGER": pl.Int32, "BIGINT": pl.Int64}.get(t, pl.String) for n, t in cols}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def clear_year(con: duckdb.DuckDBPyConnection, year: int) -> None:
    """Create the raw tables as needed and delete the year's rows (inside ingest's transaction:
    the year is replaced whole or not at all)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(RAW_SCHEMA)}")
    tables = [(name, raw_columns(ds)) for name, ds in datasets().items()]
    tables += [
        ("_ingest_files", list(FILES_COLUMNS)),
        ("_ingest_sheets", list(SHEETS_COLUMNS)),
        ("_ingest_findings", list(FINDINGS_COLUMNS)),
    ]
    for table, cols in tables:
        _ensure_table(con, table, cols)
        con.execute(f"DELETE FROM {_q(RAW_SCHEMA)}.{_q(table)} WHERE _assessment_year = ?", [year])
    # The office's report-row adjustments: staging reads it, the run fills it (adjustments_io).
    _ensure_table(con, adjustments_io.RAW_TABLE, list(adjustments_io.RAW_COLUMNS))


def write_summary(con: duckdb.DuckDBPyConnection, summary: IngestSummary) -> None:
    """The package's files, sheets and findings (the ingest's own tables)."""
    meta = {"_assessment_year": summary.year, "_run_id": summary.run_id}
    files = _records_frame(
        [meta | {k: v for k, v in vars(f).items()} for f in summary.files], FILES_COLUMNS
    )
    sheets = _records_frame([meta | vars(s) for s in summary.sheets], SHEETS_COLUMNS)
    findings = _records_frame([meta | vars(f) for f in summary.findings], FINDINGS_COLUMNS)
    insert(con, "_ingest_files", files)
    insert(con, "_ingest_sheets", sheets)
    insert(con, "_ingest_findings", findings)
