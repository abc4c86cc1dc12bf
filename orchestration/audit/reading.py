"""The reading half: what each suite needs, read without Great Expectations.

Reads: the warehouse tables the suite files name (raw, staging, marts; DuckDB, one year) and
the scoring result frames (read the same way, as views of an in-memory DuckDB). Writes:
nothing; returns `AuditFrames` for the validating half. A missing or unreadable table becomes
an error finding here: the run must stop, not skip the check. This runs in the batch's main
process, which never imports GX or pandas: rows are handed over as Arrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from orchestration.audit.findings import MAX_FINDINGS_PER_EXPECTATION, structural_finding
from orchestration.audit.frames import AuditFrames, SuiteFrame
from orchestration.audit.narrowing import _q, _relation, prefilter_sql, row_order
from orchestration.audit.suites import (
    RESULT_SUITES,
    SOURCE_COLUMNS,
    SuiteDoc,
    load_suite_doc,
    suite_columns,
    warehouse_suites,
)

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

FULL_READ_MAX_ROWS = 200_000
"""Tables up to this many rows for the year go to GX whole; larger ones are pre-narrowed."""

DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "stg_tenants": {
        "carrier_exists": (
            "exists (select 1 from staging.stg_carriers as c "
            "where c.carrier_id = t.carrier_id and c._assessment_year = t._assessment_year)"
        ),
    },
}
"""Columns computed in DuckDB next to a table's own, for checks that need another table."""


def read_warehouse(
    con: duckdb.DuckDBPyConnection,
    year: int,
    *,
    suites: list[str] | None = None,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditFrames:
    """The frames of the warehouse suites (default: all, raw, staging, marts) for the year."""
    reads = [
        read_suite(
            con,
            load_suite_doc(name),
            year,
            full_read_max_rows=full_read_max_rows,
            max_findings=max_findings,
        )
        for name in suites or warehouse_suites()
    ]
    return AuditFrames(year, max_findings, reads)


def read_suite(
    con: duckdb.DuckDBPyConnection,
    suite: SuiteDoc,
    year: int,
    *,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> SuiteFrame:
    """What one warehouse suite needs, read from DuckDB (no GX).

    A table that is missing or cannot be read is itself an error finding (the run must stop,
    not skip the check).
    """
    import duckdb

    name = suite["name"]
    meta = suite["meta"]
    dataset = meta.get("dataset") or name
    try:
        available = _table_columns(con, meta["table"])
        if available is None:
            finding = structural_finding(
                name,
                dataset,
                year,
                "table_missing",
                f"表{meta['table']}不存在，无法检查",
                f"table {meta['table']} does not exist, so it cannot be checked",
                meta["table"],
            )
            return SuiteFrame(suite, finding=finding)
        frame, failing = _read_frame(con, suite, year, available, full_read_max_rows, max_findings)
        return SuiteFrame(suite, frame, failing)
    except duckdb.Error as exc:
        finding = structural_finding(
            name,
            dataset,
            year,
            "unreadable",
            f"{meta['table']}无法读取，检查未执行",
            f"{meta['table']} could not be read, so the check did not run",
            str(exc).splitlines()[0],
        )
        return SuiteFrame(suite, finding=finding)


def read_results(
    frames: Mapping[str, pl.DataFrame],
    year: int,
    *,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditFrames:
    """The scoring result frames as the results suites read them (no GX): through
    `read_suite`, as the warehouse suites are, from the frames seen as the tables the suites
    name (`results.<table>`, views in an in-memory DuckDB). A large frame is narrowed to the
    rows that could fail, with the exact failing counts (national `score_details`, 256,000
    rows: GX 0.7 s -> 0.03 s; docs/benchmarks.md, issue 21).

    A missing result frame is an error: publishing half the results is worse than none.
    """
    import duckdb

    from orchestration.lock import DUCKDB_CONFIG

    reads: list[SuiteFrame] = []
    with duckdb.connect(":memory:", config=DUCKDB_CONFIG) as con:
        for name in RESULT_SUITES:
            suite = load_suite_doc(name)
            frame = frames.get(name)
            if frame is None:
                finding = structural_finding(
                    name,
                    name,
                    year,
                    "table_missing",
                    f"评分结果缺少{name}表",
                    f"the scoring result lacks {name}",
                    None,
                )
                reads.append(SuiteFrame(suite, finding=finding))
                continue
            year_column = suite["meta"]["year_column"]
            if year_column not in frame.columns:  # a year's frame: every row is of the year
                frame = frame.with_columns(pl.lit(year).alias(year_column))
            con.register(f"_frame_{name}", frame)
            # the schema the suite names its table in (`results.<table>`)
            con.execute(f"create schema if not exists {_q(suite['meta']['table'].split('.')[0])}")
            con.execute(
                f"create view {_relation(suite['meta']['table'])} "
                f"as select * from {_q(f'_frame_{name}')}"
            )
            reads.append(
                read_suite(
                    con,
                    suite,
                    year,
                    full_read_max_rows=full_read_max_rows,
                    max_findings=max_findings,
                )
            )
    return AuditFrames(year, max_findings, reads)


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str] | None:
    schema, name = table.split(".", 1)
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows] or None


def _wanted_columns(suite: SuiteDoc) -> list[str]:
    """The columns read for a suite: the year, the row reference, the carrier, the columns
    its checks look at, and those its findings show (`value_columns`, `column_name_from`)."""
    meta = suite["meta"]
    shown = [*meta.get("value_columns", []), meta.get("column_name_from")]
    return [
        meta["year_column"],
        *SOURCE_COLUMNS,
        "carrier_id",
        *suite_columns(suite),
        *(c for c in shown if c),
    ]


def _read_frame(
    con: duckdb.DuckDBPyConnection,
    suite: SuiteDoc,
    year: int,
    available: list[str],
    full_read_max_rows: int,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> tuple[pa.Table, dict[str, int] | None]:
    """The rows and columns of the suite's table that GX needs for the year, and, when the
    rows were narrowed in DuckDB, the exact failing-row count per check."""
    meta = suite["meta"]
    year_column = meta["year_column"]
    relation = _relation(meta["table"])
    if meta.get("read") == "head":
        # Only table-level checks (column set, non-empty): one row answers both.
        sql = f"select * from {relation} where {_q(year_column)} = $year limit 1"
        return fetch(con, sql, {"year": year}), None
    derived = DERIVED_COLUMNS.get(suite["name"], {})
    columns = [c for c in dict.fromkeys(_wanted_columns(suite)) if c in available]
    narrowed = None
    if (
        meta.get("read") != "all"
        and _year_rows(con, relation, year_column, year) > full_read_max_rows
    ):
        narrowed = prefilter_sql(
            suite, relation, year_column, columns, derived, year, cap=max_findings
        )
    if narrowed is not None:
        counts = con.execute(narrowed.counts_sql, narrowed.params).fetchall()[0]
        values = (int(c) for c in counts[: len(narrowed.checks)])
        failing = dict(zip(narrowed.checks, values, strict=True))
        sql = narrowed.sql
        if not any(failing.values()):
            # No row fails any check: the candidates, a subset of the failing rows, are none.
            # The same columns, with no rows, without reading the table a second time
            # (national stg_patents: 1.7 s of the audit step).
            sql = f"select * from ({sql}) limit 0"
        return fetch(con, sql, narrowed.params), failing
    derived_sql = "".join(f", {expr} as {_q(name)}" for name, expr in derived.items())
    sql = (
        f"select {', '.join(f't.{_q(c)}' for c in columns)}{derived_sql} from {relation} as t "
        f"where t.{_q(year_column)} = $year"
    )
    order = row_order(columns, first=meta.get("order_by", []))
    sql += " order by " + ", ".join(f"t.{_q(c)}" for c in order)
    return fetch(con, sql, {"year": year}), None


def _year_rows(con: duckdb.DuckDBPyConnection, relation: str, year_column: str, year: int) -> int:
    sql = f"select count(*) from {relation} where {_q(year_column)} = $year"
    return con.execute(sql, {"year": year}).fetchall()[0][0]


def fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> pa.Table:
    """A query's rows as Arrow: the main process never imports pandas (~0.2 s); the worker
    turns them into the frame GX validates (`validation._to_pandas`). DuckDB 2 wants no
    unfinished result on the connection here: the one-row queries before it fetch all rows."""
    return con.sql(sql, params=dict(params)).to_arrow_table()
