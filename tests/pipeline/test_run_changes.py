"""`results.run_changes` by whole columns (orchestration/score/run_changes.py, issue 21) gives
exactly the rows the contract's reading gave row by row: the reference below is the earlier
Python loop and key numbering, kept here as the oracle, run on random publishes of every
compared table (keys repeat, values are missing, rows are added, removed and changed)."""

from __future__ import annotations

import random

import polars as pl
import pytest

from orchestration.score.run_changes import (
    COLUMNS,
    HEADLINE,
    IGNORED,
    ROW_KEYS,
    PreviousPublish,
    diff_table,
    run_changes,
)


def reference_text(frame: pl.DataFrame, columns: list[str], table: str) -> pl.DataFrame:
    """The frame's key, numbered within duplicates in the order of all values, as text."""
    text = frame.select(
        ROW_KEYS[table].alias("_key"), *[pl.col(c).cast(pl.String).alias(c) for c in columns]
    ).sort(["_key", *columns], nulls_last=True)
    number = pl.int_range(pl.len()).over("_key")
    return text.with_columns(
        pl.when(number == 0).then(pl.col("_key")).otherwise(pl.format("{}#{}", "_key", number + 1))
    )


def reference_diff(table: str, old: pl.DataFrame, new: pl.DataFrame, run: str) -> pl.DataFrame:
    """The row-by-row reading: keys in sorted order; a changed row gives one row per changed
    column in column order; an added or removed one its headline columns."""
    columns = [c for c in new.columns if c in old.columns and c not in IGNORED]
    old_by_key = {r["_key"]: r for r in reference_text(old, columns, table).iter_rows(named=True)}
    new_by_key = {r["_key"]: r for r in reference_text(new, columns, table).iter_rows(named=True)}
    headline = [c for c in HEADLINE[table] if c in columns]
    rows = []
    for key in sorted(old_by_key.keys() | new_by_key.keys()):
        was, now = old_by_key.get(key), new_by_key.get(key)
        if was is None or now is None:
            change = "added" if was is None else "removed"
            for column in headline:
                old_value = was[column] if was else None
                new_value = now[column] if now else None
                rows.append((run, table, key, change, column, old_value, new_value))
            continue
        rows += [
            (run, table, key, "changed", c, was[c], now[c]) for c in columns if was[c] != now[c]
        ]
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


COLUMNS_OF = {
    "carrier_scores": {"carrier_id": pl.String, "total_score": pl.Float64, "grade": pl.String,
                       "rank_in_type": pl.Int32, "note": pl.String},
    "rewards": {"rule_code": pl.String, "payee_uscc": pl.String, "payee_name": pl.String,
                "carrier_id": pl.String, "amount": pl.Decimal(18, 2), "basis": pl.String},
    "carrier_actions": {"carrier_id": pl.String, "action": pl.String, "reason": pl.String},
    "tenant_clearout": {"carrier_id": pl.String, "uscc": pl.String, "reason_codes": pl.String},
    "town_tasks": {"town": pl.String, "tech_enterprises_attracted": pl.Int64,
                   "tech_sme_registered": pl.Int64, "high_tech_cultivated": pl.Int64},
    "targets_progress": {"target_code": pl.String, "actual_value": pl.Float64,
                         "progress_ratio": pl.Float64},
}  # fmt: skip


def _value(rng: random.Random, dtype: pl.DataType, column: str) -> object:
    if rng.random() < 0.15 and column not in ("carrier_id", "rule_code"):
        return None
    if dtype == pl.String:
        return rng.choice(["A", "B", "C", "甲", "乙", "", "C0001", "C0002", "C0010"])
    if dtype == pl.Float64:
        return rng.choice([0.0, 1.5, 2.25, 80.0])
    if isinstance(dtype, pl.Decimal):
        from decimal import Decimal

        return rng.choice([Decimal("1.50"), Decimal("2.00"), Decimal("0.00")])
    return rng.choice([0, 1, 2, 7])


def _publish(rng: random.Random, table: str, rows: int) -> pl.DataFrame:
    schema = {**COLUMNS_OF[table], "assessment_year": pl.Int32, "run_id": pl.String}
    data = [
        {c: (2024 if c == "assessment_year" else f"r{rng.random()}" if c == "run_id"
             else _value(rng, t, c)) for c, t in schema.items()}
        for _ in range(rows)
    ]  # fmt: skip
    return pl.DataFrame(data, schema=schema, orient="row")


def _edited(rng: random.Random, table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Some rows kept, some changed in a column or two, some removed, some added."""
    kept = frame.filter(
        pl.Series([rng.random() > 0.2 for _ in range(frame.height)], dtype=pl.Boolean)
    )
    changed = kept.with_columns(
        pl.when(pl.Series([rng.random() < 0.3 for _ in range(kept.height)], dtype=pl.Boolean))
        .then(pl.col(c).shuffle(seed=rng.randrange(1 << 30)))
        .otherwise(pl.col(c))
        .alias(c)
        for c in list(COLUMNS_OF[table])[1:]
    )
    return pl.concat([changed, _publish(rng, table, rng.randrange(0, 6))], how="vertical")


@pytest.mark.parametrize("table", list(ROW_KEYS))
@pytest.mark.parametrize("seed", range(8))
def test_the_column_diff_is_the_row_by_row_reading(table: str, seed: int) -> None:
    rng = random.Random(f"{table}-{seed}")
    old = _publish(rng, table, rng.randrange(0, 40))  # keys repeat: numbered `#2`, `#3`
    new = _edited(rng, table, old)
    got = diff_table(table, old, new, "RUN-1")
    want = reference_diff(table, old, new, "RUN-1")
    assert got.schema == want.schema
    assert got.to_dicts() == want.to_dicts()


def test_a_rerun_that_changes_nothing_and_a_first_publish_add_no_row() -> None:
    rng = random.Random(1)
    tables = {t: _publish(rng, t, 12) for t in ROW_KEYS}
    previous = PreviousPublish("RUN-0", tables)
    assert run_changes(previous, tables).is_empty()
    assert run_changes(None, tables).is_empty()
    emptied = {t: frame.clear() for t, frame in tables.items()}
    removed = run_changes(previous, emptied)
    assert set(removed["change"]) == {"removed"} and removed.schema == pl.Schema(COLUMNS)
