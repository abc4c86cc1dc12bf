"""The office's adjustments at the warehouse's edge: resolve the report-row targets against
the raw layer, store the file with the run, and read back what a year was published with.
Reading and checking the file itself: `orchestration/ingest/adjustments_file.py`.

The rules that apply adjustments to a scored year are in `scoring/adjustments.py`; the report-row
kinds (`exclude_row`, `set_value`) are applied by staging from `raw._adjustments`, which the
run writes before dbt builds (`write_raw_adjustments`), for every loaded year.

A year's adjustments are the ones it was last published with (`results.adjustments`); a run of
the year with `--adjustments FILE` replaces them, a run without applies them again
(`stored_adjustments`), and so does a re-derivation of the year.
"""

from __future__ import annotations

import duckdb
import polars as pl

from orchestration.config import RAW_SCHEMA, RESULTS_SCHEMA
from orchestration.contract import datasets
from orchestration.ingest.adjustments_file import (
    COLUMNS,
    AdjustmentError,
    AdjustmentFile,
    clean,
    field_key,
    read_adjustments,
    row_target,
)
from orchestration.lock import table_exists
from scoring.adjustments import ROW_KINDS, conform_adjustments

__all__ = [
    "COLUMNS",
    "RAW_COLUMNS",
    "RAW_DDL",
    "RAW_TABLE",
    "AdjustmentError",
    "AdjustmentFile",
    "prepare_raw_adjustments",
    "read_adjustments",
    "resolve_row_targets",
    "stored_adjustments",
    "stored_sha256",
    "year_adjustments",
]

RAW_TABLE = "_adjustments"
RAW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("adjustment_id", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("source_row", "INTEGER"),
    ("column_name", "VARCHAR"),
    ("value", "VARCHAR"),
    ("reason", "VARCHAR"),
)
"""`raw._adjustments`: the report-row adjustments staging applies, for every loaded year
(models/staging, macros/incremental_staging.sql). Ingest creates it empty; the run fills it."""

RAW_DDL = ", ".join(f"{name} {kind}" for name, kind in RAW_COLUMNS)


# --------------------------------------------------------------------------------------------
# resolving report-row targets against raw


def resolve_row_targets(
    con: duckdb.DuckDBPyConnection,
    year: int,
    frame: pl.DataFrame,
    *,
    strict: bool,
    places: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Fill the row-level adjustments' `dataset, carrier_id, uscc, old_value, applied,
    effect_zh` from `raw.<dataset>` of `year`. An accepted adjustment whose row does not exist
    is an `AdjustmentError` when `strict` (the office's new file), else recorded as not applied
    (adjustments stored with an earlier publish, applied again)."""
    frame = conform_adjustments(frame)
    if frame.is_empty():
        return frame
    problems: list[str] = []
    updates: list[dict[str, object]] = []
    for row in frame.iter_rows(named=True):
        if row["kind"] not in ROW_KINDS:
            updates.append({})
            continue
        parsed = row_target(row["target"] or "")
        if parsed is None:  # only stored rows get here (the file was checked)
            updates.append({"applied": False, "effect_zh": "对象格式有误，未执行"})
            continue
        dataset, source_file, sheet, source_row = parsed
        ds = datasets()[dataset]
        column = field_key(dataset, row["field"]) if row["kind"] == "set_value" else None
        found = _raw_row(con, year, dataset, source_file, sheet, source_row)
        where = (
            f"{ds.sheet_zh} {source_file}{f' 工作表“{sheet}”' if sheet else ''} 第 {source_row} 行"
        )
        if found is None:
            if strict and row["status"] == "accepted":
                at = (places or {}).get(row["adjustment_id"], "")
                problems.append(
                    f"{at} 编号 {row['adjustment_id']} 【对象】{row['target']}：{year} 年报送材料中"
                    f"没有这一行（应为数据质量问题中列出的 数据集|文件|工作表|行号）/ "
                    f"id {row['adjustment_id']}: target row not found in the {year} package"
                )
            updates.append(
                {
                    "dataset": dataset,
                    "applied": False,
                    "effect_zh": f"对象不存在，未执行：{year} 年报送材料中没有 {where}",
                }
            )
            continue
        carrier = (found.get("carrier_id") or "").strip().upper() or None
        if row["kind"] == "exclude_row":
            key = "；".join(
                f"{ds.column(k).zh}={found.get(k)}" for k in ds.key if found.get(k) is not None
            )
            old_value = key or None
            effect = f"剔除 {where}：该行不参与评价，计为拒收行（数据质量问题 adjusted_exclude）"
        else:
            old_value = found.get(column)  # type: ignore[arg-type]
            effect = (
                f"更正 {where}【{ds.column(column).zh}】：由“{old_value or '空'}”改为"  # type: ignore[arg-type]
                f"“{row['value']}”，更正后的值按同样规则清洗校验"
            )
        updates.append(
            {
                "dataset": dataset,
                "carrier_id": carrier,
                "uscc": clean(found.get("uscc")),
                "old_value": old_value,
                "applied": True,
                "effect_zh": effect,
                "field": column or row["field"],
            }
        )
    if problems:
        raise AdjustmentError(
            "调整文件有误，未发布 / adjustments rejected, nothing published: " + "；".join(problems)
        )
    records = [row | update for row, update in zip(frame.to_dicts(), updates, strict=True)]
    return conform_adjustments(pl.DataFrame(records, schema=frame.schema, orient="row"))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _raw_row(
    con: duckdb.DuckDBPyConnection,
    year: int,
    dataset: str,
    source_file: str,
    sheet: str,
    source_row: int,
) -> dict[str, str | None] | None:
    cursor = con.execute(
        f"select * from {RAW_SCHEMA}.{_quote(dataset)} where _assessment_year = ? "
        "and _source_file = ? and coalesce(_sheet, '') = ? and _source_row = ? limit 1",
        [year, source_file, sheet, source_row],
    )
    rows = cursor.fetchall()
    if not rows:
        return None
    row = rows[0]
    names = [d[0] for d in cursor.description]
    return dict(zip(names, row, strict=True))


# --------------------------------------------------------------------------------------------
# stored with the run


def stored_adjustments(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame | None:
    """The adjustments year `year` was last published with (as the office's file gave them,
    unresolved), or None when it was never published with any (no row in results.adjustments).

    A re-derivation of the year scores with these: resolve them (`resolve_row_targets`,
    strict=False) and hand them to scoring as `ScoringInputs.adjustments`."""
    if not table_exists(con, RESULTS_SCHEMA, "adjustments"):
        return None
    frame = pl.from_arrow(
        con.sql(
            f"""
            select adjustment_id, kind, target, field, new_value as value, reason,
                   approved_by, approved_on, status, source, file_row
            from {RESULTS_SCHEMA}.adjustments
            where assessment_year = ?
            order by file_row nulls last, adjustment_id
            """,
            params=[year],
        ).to_arrow_table()
    )
    return conform_adjustments(frame) if frame.height else None


def stored_sha256(con: duckdb.DuckDBPyConnection, year: int) -> str | None:
    """The adjustments file digest of the year's last publish (None when it had none)."""
    row = con.execute(
        f"select adjustments_sha256 from {RESULTS_SCHEMA}.runs where assessment_year = ? "
        "and status = 'published' order by finished_at desc nulls last, run_id desc limit 1",
        [year],
    ).fetchall()
    return row[0][0] if row else None


def published_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years with a published run."""
    if not table_exists(con, RESULTS_SCHEMA, "runs"):
        return []
    rows = con.execute(
        f"select distinct assessment_year from {RESULTS_SCHEMA}.runs where status = 'published' "
        "order by 1"
    ).fetchall()
    return [int(r[0]) for r in rows]


def raw_rows(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    """The accepted, found report-row adjustments of a resolved frame, in raw._adjustments'
    shape."""
    schema = {n: pl.Int32 if t == "INTEGER" else pl.String for n, t in RAW_COLUMNS}
    records = []
    for row in conform_adjustments(frame).iter_rows(named=True):
        if row["kind"] not in ROW_KINDS or row["status"] != "accepted" or not row["applied"]:
            continue
        dataset, source_file, sheet, source_row = row_target(row["target"])  # type: ignore[misc]
        records.append(
            {
                "_assessment_year": year,
                "adjustment_id": row["adjustment_id"],
                "kind": row["kind"],
                "dataset": dataset,
                "source_file": source_file,
                "sheet": sheet,
                "source_row": source_row,
                "column_name": row["field"] if row["kind"] == "set_value" else None,
                "value": row["value"] if row["kind"] == "set_value" else None,
                "reason": row["reason"],
            }
        )
    return pl.DataFrame(records, schema=schema, orient="row")


def ensure_raw_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(f"create table if not exists {RAW_SCHEMA}.{RAW_TABLE} ({RAW_DDL})")


def write_raw_adjustments(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, run_id: str) -> None:
    """Replace `raw._adjustments` whole with `frame` (every loaded year's report-row
    adjustments), in one transaction; `_run_id` is the run that wrote it."""
    ensure_raw_table(con)
    frame = frame.with_columns(pl.lit(run_id, dtype=pl.String).alias("_run_id"))
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {RAW_SCHEMA}.{RAW_TABLE}")
        if frame.height:
            con.register("_adjustments_frame", frame.to_arrow())
            try:
                con.execute(
                    f"insert into {RAW_SCHEMA}.{RAW_TABLE} by name select * from _adjustments_frame"
                )
            finally:
                con.unregister("_adjustments_frame")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def year_adjustments(
    con: duckdb.DuckDBPyConnection, year: int, given: AdjustmentFile | None
) -> tuple[pl.DataFrame, bool]:
    """The resolved adjustments for a run of `year` and whether they are the stored ones:
    the file's (strict) when given, else those `year` was last published with (lenient)."""
    if given is not None:
        return resolve_row_targets(con, year, given.frame, strict=True, places=given.rows), False
    stored = stored_adjustments(con, year)
    if stored is None:
        return conform_adjustments(None), False
    return resolve_row_targets(con, year, stored, strict=False), True


def prepare_raw_adjustments(
    con: duckdb.DuckDBPyConnection, year: int, resolved: pl.DataFrame, run_id: str
) -> None:
    """Write `raw._adjustments` for every loaded year: `resolved` for `year`, the stored ones
    for every other published year (so staging re-parses no year it need not)."""
    frames = [raw_rows(resolved, year)]
    for other in published_years(con):
        if other == year:
            continue
        stored = stored_adjustments(con, other)
        if stored is not None:
            frames.append(raw_rows(resolve_row_targets(con, other, stored, strict=False), other))
    write_raw_adjustments(con, pl.concat(frames, how="vertical"), run_id)
