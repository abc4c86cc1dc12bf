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
    """The frame's key (numbered within duplicates) and the compared columns as text."""
    text = frame.select(
        ROW_KEYS[table].alias("_key"),
        *[pl.col(c).cast(pl.String).alias(c) for c in columns],
    ).sort(["_key", *columns], nulls_last=True)
    return text.with_columns(
        pl.when(pl.int_range(pl.len()).over("_key") == 0)
        .then(pl.col("_key"))
        .otherwise(pl.format("{}#{}", pl.col("_key"), pl.int_range(pl.len()).over("_key") + 1))
        .alias("_key")
    )


def diff_table(
    table: str, old: pl.DataFrame, new: pl.DataFrame, previous_run_id: str
) -> pl.DataFrame:
    """The run_changes rows of one table."""
    columns = [c for c in new.columns if c in old.columns and c not in IGNORED]
    before = _as_text(old, columns, table)
    after = _as_text(new, columns, table)
    rows: list[dict[str, str | None]] = []
    old_by_key = {r["_key"]: r for r in before.iter_rows(named=True)}
    new_by_key = {r["_key"]: r for r in after.iter_rows(named=True)}
    headline = [c for c in HEADLINE[table] if c in columns]
    for key in sorted(old_by_key.keys() | new_by_key.keys()):
        was, now = old_by_key.get(key), new_by_key.get(key)
        if was is None or now is None:
            change = "added" if was is None else "removed"
            for column in headline:
                rows.append(
                    {
                        "row_key": key,
                        "change": change,
                        "column_name": column,
                        "old_value": was[column] if was else None,
                        "new_value": now[column] if now else None,
                    }
                )
            continue
        for column in columns:
            if was[column] != now[column]:
                rows.append(
                    {
                        "row_key": key,
                        "change": "changed",
                        "column_name": column,
                        "old_value": was[column],
                        "new_value": now[column],
                    }
                )
    if not rows:
        return empty()
    return pl.DataFrame(
        [{"previous_run_id": previous_run_id, "table_name": table, **r} for r in rows],
        schema=COLUMNS,
        orient="row",
    )


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
