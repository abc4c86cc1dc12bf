"""A tiny raw layer written straight with DuckDB (not through ingest), for the mart tests.

Identifiers are made valid here (USCC check character, patent check digit) so the rows pass
staging; the algorithms are the ones contract/README.md names.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from orchestration.contract import datasets
from orchestration.ingest import FINDINGS_COLUMNS, adjustments_io, raw_columns

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(serial: int) -> str:
    """A valid 18-character USCC (GB 32100-2015) for a test enterprise number."""
    body = f"91321012MA{serial:07d}"
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


def patent_no(year: int, type_digit: int, serial: int) -> str:
    """A valid 12-digit patent application number with its check character, e.g. 202310000001.1."""
    digits = f"{year:04d}{type_digit}{serial:07d}"
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    check = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return f"{digits}.{'X' if check == 10 else check}"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def write_raw_year(
    warehouse: Path,
    year: int,
    files: Mapping[str, Mapping[str, Iterable[Mapping[str, object]]]],
    findings: Iterable[Mapping[str, object]] = (),
) -> None:
    """Replace year `year` in all ten raw tables (and raw._ingest_findings), as ingest does:
    under a run id of its own (staging restages a year whose run id changed).

    `files` maps a source file name to {dataset: [row dicts of contract columns as text]}; the
    sheet is the dataset's Chinese sheet name and rows are numbered from 2 (header on row 1).
    Other years' rows stay.
    """
    run_id = f"run-{year}-{uuid.uuid4().hex[:8]}"
    with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
        con.execute("create schema if not exists raw")
        for name, ds in datasets().items():
            cols = raw_columns(ds)
            ddl = ", ".join(f"{_quote(c)} {t}" for c, t in cols)
            con.execute(f"create table if not exists raw.{_quote(name)} ({ddl})")
            con.execute(f"delete from raw.{_quote(name)} where _assessment_year = ?", [year])
            records = []
            for file_name, by_dataset in files.items():
                for index, row in enumerate(by_dataset.get(name, ())):
                    unknown = set(row) - {c for c, _ in cols}
                    if unknown:
                        raise KeyError(f"raw.{name} has no columns {sorted(unknown)}")
                    record = {
                        "_assessment_year": year,
                        "_run_id": run_id,
                        "_source_file": file_name,
                        "_file_sha256": "0" * 64,
                        "_sheet": ds.sheet_zh,
                        "_source_row": index + 2,
                        **row,
                    }
                    records.append([record.get(c) for c, _ in cols])
            if records:
                marks = ", ".join("?" for _ in cols)
                con.executemany(f"insert into raw.{_quote(name)} values ({marks})", records)
        con.execute(f"create table if not exists raw._adjustments ({adjustments_io.RAW_DDL})")
        ddl = ", ".join(f"{_quote(c)} {t}" for c, t in FINDINGS_COLUMNS)
        con.execute(f"create table if not exists raw._ingest_findings ({ddl})")
        con.execute("delete from raw._ingest_findings where _assessment_year = ?", [year])
        for finding in findings:
            record = {"_assessment_year": year, "_run_id": run_id, **finding}
            marks = ", ".join("?" for _ in FINDINGS_COLUMNS)
            con.execute(
                f"insert into raw._ingest_findings values ({marks})",
                [record.get(c) for c, _ in FINDINGS_COLUMNS],
            )


def query(warehouse: Path, sql: str, params: list[object] | None = None) -> list[dict]:
    """Rows of a query as dicts (read-only connection, closed on return)."""
    with duckdb.connect(str(warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
