"""`results.run_changes`: what a publish of year Y changed against the previous publish of Y.

Contract ("What changed since the last publish"): one row per difference, `previous_run_id,
table_name, row_key, change (added / removed / changed), column_name, old_value, new_value`
(values as text), for six tables keyed as below. A first publish and a rerun that changes
nothing add no row. A changed row gives one row per changed column; an added or removed row
gives one row per headline column (the grade and total of a carrier, the amount of a reward
line, ...) with the other side NULL. Two rows of one table sharing a key (rare: two reward lines
of one rule, payee and carrier) are told apart as `<key>#2`, `<key>#3` in a stable order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl

from orchestration.config import RESULTS_SCHEMA
from orchestration.lock import table_exists
from scoring.adjustments import reward_line_key


def _joined(*columns: str) -> pl.Expr:
    return pl.concat_str([pl.col(c).cast(pl.String).fill_null("") for c in columns], separator="|")


ROW_KEYS: dict[str, pl.Expr] = {
    "carrier_scores": _joined("carrier_id"),
    "rewards": reward_line_key(),
    "carrier_actions": _joined("carrier_id", "action"),
    "tenant_clearout": _joined("carrier_id", "uscc"),
    "town_tasks": _joined("town"),
    "targets_progress": _joined("target_code"),
}
"""The tables compared and the key of a row in each (contract)."""

HEADLINE: dict[str, tuple[str, ...]] = {
    "carrier_scores": ("total_score", "grade", "rank_in_type"),
    "rewards": ("amount",),
    "carrier_actions": ("action",),
    "tenant_clearout": ("reason_codes",),
    "town_tasks": ("tech_enterprises_attracted", "tech_sme_registered", "high_tech_cultivated"),
    "targets_progress": ("actual_value", "progress_ratio"),
}
"""The columns an added or removed row is shown by."""

IGNORED = frozenset({"assessment_year", "run_id"})

COLUMNS: dict[str, pl.DataType] = {
    "previous_run_id": pl.String,
    "table_name": pl.String,
    "row_key": pl.String,
    "change": pl.String,
    "column_name": pl.String,
    "old_value": pl.String,
    "new_value": pl.String,
}


@dataclass(frozen=True)
class PreviousPublish:
    run_id: str
    tables: dict[str, pl.DataFrame]


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def previous_publish(con: duckdb.DuckDBPyConnection, year: int) -> PreviousPublish | None:
    """The result rows of year Y as last published, or None when Y was never published."""
    if not table_exists(con, RESULTS_SCHEMA, "runs"):
        return None
    row = con.execute(
        f"select run_id from {RESULTS_SCHEMA}.runs where assessment_year = ? "
        "and status = 'published' order by finished_at desc nulls last, run_id desc limit 1",
        [year],
    ).fetchall()
    if not row:
        return None
    existing = {
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ?",
            [RESULTS_SCHEMA],
        ).fetchall()
    }
    tables = {
        name: pl.from_arrow(
            con.sql(
                f"select * from {RESULTS_SCHEMA}.{_quote(name)} where assessment_year = ?",
                params=[year],
            ).to_arrow_table()
        )
        for name in ROW_KEYS
        if name in existing
    }
    return PreviousPublish(str(row[0][0]), tables)


def _as_text(frame: pl.DataFrame, columns: list[str], table: str) -> pl.DataFrame:
    """The frame's key and the compared columns as text. Rows sharing a key are told apart as
    `<key>#2`, `<key>#3` in the order of all their values (nulls last); only those rows are
    sorted (most tables have none)."""
    text = frame.select(
        ROW_KEYS[table].alias("_key"),
        *[pl.col(c).cast(pl.String).alias(c) for c in columns],
    )
    shared = text.get_column("_key").is_duplicated()
    if not shared.any():
        return text
    numbered = (
        text.filter(shared)
        .sort(["_key", *columns], nulls_last=True)
        .with_columns(
            pl.when(pl.int_range(pl.len()).over("_key") == 0)
            .then(pl.col("_key"))
            .otherwise(pl.format("{}#{}", pl.col("_key"), pl.int_range(pl.len()).over("_key") + 1))
            .alias("_key")
        )
    )
    return pl.concat([text.filter(~shared), numbered], how="vertical")


def diff_table(
    table: str, old: pl.DataFrame, new: pl.DataFrame, previous_run_id: str
) -> pl.DataFrame:
    """The run_changes rows of one table: the two sides joined on the row key, then one frame
    per compared column, in key order and, within a key, in column order (the headline columns
    for an added or removed row). Whole columns, no Python loop over the rows (a national
    rerun compares ~190,000 rows: 2.3 s by row, issue 21)."""
    columns = [c for c in new.columns if c in old.columns and c not in IGNORED]
    headline = [c for c in HEADLINE[table] if c in columns]
    before = _as_text(old, columns, table).select(
        "_key", pl.lit(True).alias("_was"), *[pl.col(c).alias(f"old:{c}") for c in columns]
    )
    after = _as_text(new, columns, table).select(
        "_key", pl.lit(True).alias("_now"), *[pl.col(c).alias(f"new:{c}") for c in columns]
    )
    joined = before.join(after, on="_key", how="full", coalesce=True)
    was, now = pl.col("_was").fill_null(False), pl.col("_now").fill_null(False)
    change = pl.when(~was).then(pl.lit("added")).when(~now).then(pl.lit("removed"))
    parts = [
        joined.filter((was & now) & pl.col(f"old:{c}").ne_missing(pl.col(f"new:{c}"))).select(
            pl.col("_key"), pl.lit("changed").alias("change"), *_column_values(c, position)
        )
        for position, c in enumerate(columns)
    ]
    parts += [
        joined.filter(~(was & now)).select(
            pl.col("_key"), change.otherwise(None).alias("change"), *_column_values(c, position)
        )
        for position, c in enumerate(headline)
    ]
    rows = pl.concat(parts, how="vertical") if parts else pl.DataFrame()
    if rows.is_empty():
        return empty()
    return rows.sort("_key", "_position").select(
        pl.lit(previous_run_id, pl.String).alias("previous_run_id"),
        pl.lit(table, pl.String).alias("table_name"),
        pl.col("_key").alias("row_key"),
        pl.col("change"),
        pl.col("column_name"),
        pl.col("old_value"),
        pl.col("new_value"),
    )


def _column_values(column: str, position: int) -> list[pl.Expr]:
    """A compared column's name, place and two sides, as a run_changes row holds them."""
    return [
        pl.lit(column, pl.String).alias("column_name"),
        pl.lit(position, pl.Int32).alias("_position"),
        pl.col(f"old:{column}").cast(pl.String).alias("old_value"),
        pl.col(f"new:{column}").cast(pl.String).alias("new_value"),
    ]


def run_changes(
    previous: PreviousPublish | None, tables: Mapping[str, pl.DataFrame]
) -> pl.DataFrame:
    """Every difference between the year's new result tables and its previous publish (none
    for a first publish)."""
    if previous is None:
        return empty()
    parts = [
        diff_table(name, previous.tables[name], tables[name], previous.run_id)
        for name in ROW_KEYS
        if name in previous.tables and name in tables
    ]
    return pl.concat(parts, how="vertical") if parts else empty()


def changes_since_last_publish(
    con: duckdb.DuckDBPyConnection, year: int, tables: Mapping[str, pl.DataFrame]
) -> pl.DataFrame:
    """`run_changes` of year Y's new tables against what is published now (call before the
    publish replaces them; re-derivations use it too)."""
    return run_changes(previous_publish(con, year), tables)
