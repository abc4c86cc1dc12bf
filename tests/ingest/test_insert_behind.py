"""Ingest inserts each batch of rows into raw while it reads the next file
(ingest/package.py `_InsertBehind`): the rows land in the order handed over, and an insert that
fails is the ingest's error, never lost in its thread. The real DuckDB."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from orchestration.ingest.package import _InsertBehind


@pytest.fixture
def con():
    with duckdb.connect(":memory:") as connection:
        connection.execute("create schema raw; create table raw.t (a integer, b varchar)")
        yield connection


def test_batches_land_in_the_order_handed_over(con) -> None:
    with _InsertBehind(con) as sink:
        for start in range(0, 50, 10):
            sink("t", pl.DataFrame({"a": list(range(start, start + 10)), "b": ["x"] * 10}))
    assert [a for (a,) in con.execute("select a from raw.t").fetchall()] == list(range(50))


def test_a_failed_insert_is_raised_by_the_ingest(con) -> None:
    frame = pl.DataFrame({"a": [1], "b": ["x"]})
    with pytest.raises(duckdb.CatalogException), _InsertBehind(con) as sink:
        sink("no_such_table", frame)  # fails in the insert thread
    with pytest.raises(duckdb.CatalogException), _InsertBehind(con) as sink:
        sink("no_such_table", frame)
        sink("t", frame)  # the next batch waits for the one before, and meets its error
    assert con.execute("select count(*) from raw.t").fetchone() == (0,)
