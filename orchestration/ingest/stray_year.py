"""A stray file of another year inside the year's package (read, inside ingest's transaction).

A file whose dated events fall mostly in another year (a carrier handed in last year's
workbook) gets a `file_year_mismatch` warning naming that year, and its rows that repeat a
carrier's, tenant's or claim's key another file of the package reports are rejected through
`_row_error` (`other_year_file`: the year's own file speaks for them). Its other rows are kept
and the rules place their events in their own year. (The run-level check of a whole package
handed to the wrong year is `orchestration/audit/yearcheck.py`, on staging.)
"""

from __future__ import annotations

from collections import Counter

import duckdb
import polars as pl

from orchestration.config import RAW_SCHEMA

EVENT_DATES = {
    "financing": "financing_date",
    "patents": "grant_date",
    "high_tech": "issue_date",
    "graduations": "graduation_date",
    "awards": "award_date",
    "recognitions": "recognized_date",
}
"""The date of each event dataset that places the event in its year (rules.md)."""

PER_YEAR_KEYS = {
    "carriers": ("carrier_id",),
    "tenants": ("carrier_id", "uscc"),
    "subsidy_claims": ("carrier_id", "claim_kind", "claimant_uscc"),
}
"""Datasets a package lists afresh every year: a stray file's row repeating one of these keys
reported by another file is not used (the year's own file speaks for it)."""

MIN_DATED_EVENTS = 3
"""A file is judged by its events' years only when it holds this many dated events."""


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def other_year_findings(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple]:
    """Inside ingest's transaction: mark the stray files' rows (`mark_other_year_files`) and
    return a `file_year_mismatch` warning (as `Finding` fields) for each stray file."""
    return [
        _mismatch_finding(year, file, other, n, total, rejected)
        for file, other, n, total, rejected in mark_other_year_files(con, year)
    ]


def _mismatch_finding(
    year: int, file: str, other: int, n: int, total: int, rejected: dict[str, int]
) -> tuple:
    """The `file_year_mismatch` warning of one stray file, as `Finding` fields."""
    dropped = "、".join(f"{ds} {k} 行" for ds, k in sorted(rejected.items()))
    dropped_en = ", ".join(f"{k} {ds} rows" for ds, k in sorted(rejected.items()))
    zh = (
        f"文件“{file}”中 {total} 个有日期的事件有 {n} 个在 {other} 年，不在本年度 "
        f"{year} 年：疑为 {other} 年的报表误交。其事件按各自年份计算（不计入 "
        f"{year} 年）" + (f"；与其他文件重复报送的 {dropped} 未采用" if dropped else "")
    )
    en = (
        f"file '{file}': {n} of its {total} dated events fall in {other}, not in "
        f"{year}: probably the {other} report handed in by mistake. Its events "
        f"count in their own year (not in {year})"
        + (f"; {dropped_en} repeating another file's are not used" if dropped else "")
    )
    return (
        None,
        file,
        None,
        None,
        None,
        "file_year_mismatch",
        "warning",
        str(other),
        f"{zh} / {en}",
    )


def other_year_files(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, tuple[int, int, int]]:
    """Files of the year's package whose dated events fall mostly in one other year:
    file → (that year, events in it, dated events)."""
    parts = [
        f"select _source_file as f, try_cast(regexp_extract(trim({_q(col)}), "
        f"'^((19|20)[0-9][0-9])', 1) as integer) as y "
        f"from {_q(RAW_SCHEMA)}.{_q(ds)} where _assessment_year = ? and _row_error is null"
        for ds, col in EVENT_DATES.items()
    ]
    rows = con.execute(
        "with e as (" + " union all ".join(parts) + ") "
        "select f, y, count(*) from e where y is not null group by all",
        [year] * len(parts),
    ).fetchall()
    per_file: dict[str, Counter[int]] = {}
    for file, event_year, n in rows:
        per_file.setdefault(file, Counter())[event_year] += n
    found: dict[str, tuple[int, int, int]] = {}
    for file, years in per_file.items():
        total = sum(years.values())
        top, n = years.most_common(1)[0]
        if total >= MIN_DATED_EVENTS and top != year and n * 2 > total and years[year] * 5 < total:
            found[file] = (top, n, total)
    return found


def mark_other_year_files(
    con: duckdb.DuckDBPyConnection, year: int
) -> list[tuple[str, int, int, int, dict[str, int]]]:
    """Inside ingest's transaction: find the stray files, reject their rows that repeat a key
    another file reports (`_row_error`), and return (file, other year, events in it, dated
    events, rows rejected per dataset) for the findings."""
    stray = other_year_files(con, year)
    if len(stray) == 0:
        return []
    frame = pl.DataFrame(
        {"f": list(stray), "y": [v[0] for v in stray.values()]},
        schema={"f": pl.String, "y": pl.Int32},
    )
    con.register("_stray_files", frame.to_arrow())
    try:
        rejected: dict[str, dict[str, int]] = {f: {} for f in stray}
        for ds, key in PER_YEAR_KEYS.items():
            for (file,) in con.execute(_reject_repeated_keys_sql(ds, key), [year, year]).fetchall():
                rejected[file][ds] = rejected[file].get(ds, 0) + 1
        return [
            (file, other, n, total, rejected[file])
            for file, (other, n, total) in sorted(stray.items())
        ]
    finally:
        con.unregister("_stray_files")


def _reject_repeated_keys_sql(ds: str, key: tuple[str, ...]) -> str:
    """The UPDATE that sets `_row_error` on the rows of raw.<ds> in a stray file (the view
    `_stray_files`) whose key another file of the package reports; it returns their files.
    Two parameters: the year, twice."""
    table = f"{_q(RAW_SCHEMA)}.{_q(ds)}"

    def norm(alias: str) -> str:
        return " || '|' || ".join(f"coalesce(upper(trim({alias}.{_q(k)})), '')" for k in key)

    return (
        f"update {table} as t set _row_error = json_object("
        "'column_name', '_row', 'check_name', 'other_year_file', "
        "'value_as_written', s.f, 'message', "
        "'此行所在文件的事件多属 ' || s.y || ' 年（疑为往年报表误交），同一对象已在“' "
        "|| o.files || '”中报送，此行未采用 / the events of this row''s file fall "
        "mostly in ' || s.y || ' (probably an earlier year''s report handed in by "
        "mistake); the same record is reported in ' || o.files || ', so this row is "
        "not used') "
        f"from (select {norm('r')} as k, string_agg(distinct r._source_file, '、' "
        f"order by r._source_file) as files from {table} as r "
        "where r._assessment_year = ? and r._source_file not in "
        "(select f from _stray_files) group by 1) as o, _stray_files as s "
        f"where t._assessment_year = ? and t._row_error is null "
        f"and t._source_file = s.f and {norm('t')} = o.k "
        "returning t._source_file"
    )
