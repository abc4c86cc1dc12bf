"""The ingest entry point: one year's report folder → raw.*, in one transaction.

The folder's entries are read in name order; workbooks are parsed ahead in worker threads and
merged in that order, so the files, findings and rows come out exactly as a one-at-a-time read
gives them; each batch of rows is inserted into raw while the next file is read
(`_InsertBehind`). After the reading, a stray file of another year is marked (`stray_year`) and the
summary written (`raw_tables`).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import duckdb
import polars as pl

from orchestration.ingest.raw_tables import clear_year, insert, write_summary
from orchestration.ingest.reader import PackageReader
from orchestration.ingest.stray_year import other_year_findings
from orchestration.ingest.summary import Finding, IngestSummary

FLUSH_ROWS = 250_000
"""Rows of one dataset ingest holds before inserting them into raw (memory stays flat)."""
READ_WORKERS = 2
"""Workbooks read at once: fastexcel and polars run outside the GIL, so two cores read two
workbooks (a district's ~60 workbooks: docs/benchmarks.md). CSV files are read one at a time:
they are the large ones, and memory stays flat."""


def ingest_package(
    con: duckdb.DuckDBPyConnection, year: int, reports_dir: Path, run_id: str
) -> IngestSummary:
    """Read one year's report folder into raw.*, replacing that year's rows in one transaction.

    All ten raw tables are created even when no file holds a dataset, so dbt sources exist.
    """
    reports_dir = Path(reports_dir)
    summary = IngestSummary(year=year, run_id=run_id)
    con.execute("BEGIN TRANSACTION")
    try:
        clear_year(con, year)
        with _InsertBehind(con) as sink:
            reader = PackageReader(summary, sink=sink)
            if not reports_dir.is_dir():
                summary.findings.append(_missing_package(reports_dir))
            else:
                _read_entries(reader, sorted(reports_dir.iterdir(), key=lambda p: p.name))
            reader.flush(0)
        summary.findings += [Finding(*found) for found in other_year_findings(con, year)]
        write_summary(con, summary)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary


class _InsertBehind:
    """The reader's sink: each batch of rows is inserted into raw.* in a thread of its own
    while the next file is read (DuckDB's insert and polars' parse run outside the GIL, and
    the reading's Python parts overlap the insert: national ingest ~2 s less). One insert at
    a time, in the order handed over, so raw holds the rows as a one-at-a-time ingest leaves
    them; a new batch waits for the one before, so at most one batch waits in memory. Leaving
    waits for the last one; an insert that failed raises there (or at the next batch)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="raw-insert")
        self._pending: Future[None] | None = None

    def __enter__(self) -> _InsertBehind:
        return self

    def __call__(self, name: str, frame: pl.DataFrame) -> None:
        self._wait()
        self._pending = self._pool.submit(insert, self._con, name, frame)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __exit__(self, exc_type: object, *_: object) -> None:
        try:
            if exc_type is None:  # else an error is on its way already: the insert only ends
                self._wait()
        finally:
            self._pool.shutdown(wait=True)


def _missing_package(reports_dir: Path) -> Finding:
    return Finding(
        None,
        str(reports_dir.name),
        None,
        None,
        None,
        "missing_package",
        "error",
        None,
        f"报送目录不存在：{reports_dir} / report folder does not exist: {reports_dir}",
    )


def _read_entries(reader: PackageReader, entries: list[Path]) -> None:
    """Read the entries in name order into `reader`. Workbooks are parsed ahead in worker
    threads, each into a reader of its own, and merged in name order, so the findings, files and
    rows come out exactly as a one-at-a-time read gives them."""
    with ThreadPoolExecutor(max_workers=READ_WORKERS, thread_name_prefix="ingest") as pool:
        ahead = {
            entry: pool.submit(_read_workbook_alone, entry, reader.summary)
            for entry in entries
            if _is_workbook(entry)
        }
        for entry in entries:
            if entry in ahead:
                reader.merge(entry, ahead.pop(entry).result())
            else:
                reader.read_entry(entry)
            reader.flush(FLUSH_ROWS)


def _is_workbook(entry: Path) -> bool:
    return (
        entry.suffix.lower() == ".xlsx"
        and not entry.name.startswith("~$")
        and not entry.is_symlink()
        and entry.is_file()
    )


def _read_workbook_alone(entry: Path, parent: IngestSummary) -> PackageReader:
    child = PackageReader(IngestSummary(year=parent.year, run_id=parent.run_id), sink=None)
    child.read_entry(entry)
    return child
