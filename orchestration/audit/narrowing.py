"""The GX-to-SQL pre-filter: for national-scale tables, the rows read are first narrowed in
DuckDB to those that could violate a row-level expectation of the suite (a superset, derived
from the same suite file). GX still decides pass or fail on what is read.

Reads: a suite file's content (no GX). Writes: nothing; returns the SQL (`Narrowing`), with
every value bound as a `$pN` parameter and every identifier quoted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from orchestration.audit.suites import SOURCE_COLUMNS, SuiteDoc, columns_of, suite_parameters

TABLE_LEVEL_PREFIX = "expect_table_"

UNIQUENESS_TYPES = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")


def _q(identifier: str) -> str:
    """A quoted SQL identifier; values never go into SQL text, only parameters."""
    return '"' + identifier.replace('"', '""') + '"'


def _relation(table: str) -> str:
    """`schema.table` as a quoted relation."""
    return ".".join(_q(part) for part in table.split("."))


def row_order(columns: list[str], first: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The order the audit reads a table's rows in: `first` (a suite's own order), then source
    order, ties broken by every column read. A check that fails more rows than it lists lists
    the same ones whatever order the table stores them in (a view, or a mart built in
    parallel, has no row order of its own, and a mart's rows have no source row)."""
    order = [c for c in first if c in columns]
    order += [c for c in SOURCE_COLUMNS if c in columns and c not in order]
    return order + [c for c in columns if c not in order]


def _resolve(value: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return params[value["$PARAMETER"]]
    return value


def _sql_value(value: Any) -> Any:
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return value


@dataclass(frozen=True)
class Narrowing:
    """The DuckDB side of a pre-narrowed check: candidate rows, and exact counts per check."""

    sql: str
    params: dict[str, Any]
    counts_sql: str
    checks: tuple[str, ...]


@dataclass(frozen=True)
class _Predicate:
    """One expectation as SQL: the rows that could fail it, and the order that keeps its capped
    rows whole (None: never capped, every candidate row is kept)."""

    sql: str
    order: str | None
    window: str | None = None
    key: str | None = None
    """A uniqueness check's key columns: its count is the rows of the keys held more than once."""


def _predicate(
    exp_type: str,
    kw: Mapping[str, Any],
    bind: Callable[[Any], str],
    gx_params: Mapping[str, Any],
    window: str,
) -> _Predicate | None:
    """The SQL predicate selecting every row that could fail one row-level expectation (a
    superset); None when there is nothing to select. A uniqueness check counts its key in a
    window column named `window`. An untranslated type selects every row."""
    if exp_type == "expect_column_values_to_not_be_null":
        return _Predicate(f"{_q(kw['column'])} is null", "__rid")
    if exp_type == "expect_column_values_to_be_in_set":
        col = _q(kw["column"])
        values = [str(v).lower() if isinstance(v, bool) else str(v) for v in kw["value_set"]]
        listed = ", ".join(bind(v) for v in values) or "null"
        return _Predicate(
            f"({col} is not null and cast({col} as varchar) not in ({listed}))", "__rid"
        )
    if exp_type == "expect_column_values_to_be_between":
        return _between(kw, bind, gx_params)
    if exp_type == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = _q(kw["column_A"]), _q(kw["column_B"])
        op = ">=" if kw.get("or_equal") else ">"
        if kw.get("ignore_row_if") == "either_value_is_missing":
            pair = f"({a} is not null and {b} is not null and not ({a} {op} {b}))"
        else:
            pair = f"({a} is null or {b} is null or not ({a} {op} {b}))"
        return _Predicate(pair, "__rid")
    if exp_type in UNIQUENESS_TYPES:
        cols = ", ".join(_q(c) for c in columns_of(exp_type, kw))
        over = f"count(*) over (partition by {cols}) as {window}"
        return _Predicate(f"{window} > 1", f"{cols}, __rid", over, cols)
    return _Predicate("true", None)


def _between(
    kw: Mapping[str, Any], bind: Callable[[Any], str], gx_params: Mapping[str, Any]
) -> _Predicate | None:
    col = _q(kw["column"])
    lo = _resolve(kw.get("min_value"), gx_params)
    hi = _resolve(kw.get("max_value"), gx_params)
    parts = []
    if lo is not None:
        op = ">" if kw.get("strict_min") else ">="
        parts.append(f"not ({col} {op} {bind(lo)})")
    if hi is not None:
        op = "<" if kw.get("strict_max") else "<="
        parts.append(f"not ({col} {op} {bind(hi)})")
    if not parts:
        return None
    return _Predicate(f"({col} is not null and ({' or '.join(parts)}))", "__rid")


def prefilter_sql(
    suite: SuiteDoc,
    relation: str,
    year_column: str,
    columns: list[str],
    derived: Mapping[str, str],
    year: int,
    cap: int | None = None,
) -> Narrowing | None:
    """SQL selecting every row that could fail a row-level expectation of the suite (a superset).

    With `cap`, each exact predicate keeps at most cap + 1 rows (ordered by source row, or by
    key for uniqueness, so duplicate groups stay whole): a national table where every row fails
    must not send millions of rows through GX only to list 1,000; the exact count per check
    comes from `counts_sql` and feeds the summary row. Untranslated checks are never capped.

    None when the suite cannot be narrowed (a table-level expectation, `mostly`, a column the
    table lacks): then the table goes to GX whole. Untranslated row-level types select every
    row, so the narrowing never misses one.
    """
    params: dict[str, Any] = {"year": year}
    gx_params = suite_parameters(year)

    def bind(value: Any) -> str:
        key = f"p{len(params)}"
        params[key] = _sql_value(value)
        return f"${key}"

    available = set(columns) | set(derived)
    picked: list[_Predicate] = []
    checks: list[str] = []
    for exp in suite["expectations"]:
        exp_type, kw = exp["type"], exp["kwargs"]
        if exp_type.startswith(TABLE_LEVEL_PREFIX) or kw.get("mostly") not in (None, 1, 1.0):
            return None
        if not set(columns_of(exp_type, kw)) <= available:
            return None  # GX reports the missing column as a check that could not run
        windows = sum(p.window is not None for p in picked)
        predicate = _predicate(exp_type, kw, bind, gx_params, f"__w{windows}")
        if predicate is not None:
            picked.append(predicate)
            checks.append(exp["meta"]["check_name"])
    sql, counts_sql = _narrowing_sql(relation, year_column, columns, derived, picked, cap)
    return Narrowing(sql, params, counts_sql, tuple(checks))


def _narrowing_sql(
    relation: str,
    year_column: str,
    columns: list[str],
    derived: Mapping[str, str],
    picked: list[_Predicate],
    cap: int | None,
) -> tuple[str, str]:
    """The candidate rows' SQL and the exact counts' SQL over the year's rows of `relation`,
    numbered (`__rid`) in source order, then by the columns read."""
    select_cols = [_q(c) for c in columns]
    derived_sql = [f"{expr} as {_q(name)}" for name, expr in derived.items()]
    out_cols = ", ".join(select_cols + [_q(n) for n in derived])
    window_sql = "".join(f", {p.window}" for p in picked if p.window)
    source_order = ", ".join(_q(c) for c in row_order(columns))
    rid = f"row_number() over (order by {source_order})" if source_order else "row_number() over ()"
    head = (
        f"with base as materialized (select {', '.join(select_cols + derived_sql)}, "
        f"{rid} as __rid from {relation} as t where t.{_q(year_column)} = $year), "
        f"flagged as materialized (select *{window_sql} from base)"
    )
    predicates = [p.sql for p in picked]
    if not predicates:
        picks = "select __rid from flagged where false"
    elif cap is None:
        picks = f"select __rid from flagged where {' or '.join(predicates)}"
    else:
        picks = " union ".join(
            f"(select __rid from flagged where {p.sql} order by {p.order} limit {int(cap) + 1})"
            if p.order
            else f"(select __rid from flagged where {p.sql})"
            for p in picked
        )
    sql = (
        f"{head}, picked as ({picks}) "
        f"select {out_cols} from flagged where __rid in (select __rid from picked) order by __rid"
    )
    return sql, _counts_sql(relation, year_column, select_cols + derived_sql, picked)


def _counts_sql(
    relation: str, year_column: str, selected: list[str], picked: list[_Predicate]
) -> str:
    """The exact failing-row count per check over the year's rows: the candidates' numbering
    and windows are not needed for counting, so a uniqueness check counts the rows of its keys
    held more than once by a grouped aggregate (national `stg_patents` 0.72 -> 0.4 s;
    docs/benchmarks.md, issue 21, tenth pass)."""
    counts = [
        f"(select coalesce(sum(__n), 0) from (select count(*) as __n from base "
        f"group by {p.key} having count(*) > 1))"
        if p.key
        else f"count(*) filter (where {p.sql})"
        for p in picked
    ]
    return (
        f"with base as (select {', '.join(selected)} from {relation} as t "
        f"where t.{_q(year_column)} = $year) select {', '.join(counts) or 'count(*)'} from base"
    )
