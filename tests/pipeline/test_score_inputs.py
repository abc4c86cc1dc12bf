"""Scoring reads only the mart rows a rule reads (`orchestration.score.MART_FILTERS`, issue 21:
the national year's main process held every patent and financing event of both years): the
results equal those scored from the marts read whole (every row of every year up to Y)."""

from __future__ import annotations

import dataclasses

import duckdb
import polars as pl

from orchestration import score
from orchestration.lock import DUCKDB_CONFIG
from scoring.engine import score_year
from scoring.rulebook import load_rulebook

YEAR = "assessment_year"
YEAR_COLUMNS = {"attributed_events": "event_year", "enterprise_activity": "activity_year"}


def test_the_narrowed_marts_score_as_the_whole_marts(published_district) -> None:
    with duckdb.connect(
        str(published_district.warehouse), read_only=True, config=DUCKDB_CONFIG
    ) as con:
        narrowed = score.load_inputs(con, 2024)
        whole = {
            mart: score.read_frame(
                con,
                f"select * from marts.{mart} where {YEAR_COLUMNS.get(mart, YEAR)} <= ?",
                [2024],
            )
            for mart in score.MART_FILTERS
        }
    # the narrowing is real: earlier tenants and most events are not read
    assert narrowed.attributed_events.height < whole["attributed_events"].height
    assert narrowed.tenant_year_facts.height < whole["tenant_year_facts"].height
    assert narrowed.enterprise_activity.height < whole["enterprise_activity"].height
    rulebook = load_rulebook(2024)
    got = score_year(rulebook, 2024, narrowed)
    expected = score_year(rulebook, 2024, dataclasses.replace(narrowed, **whole))
    assert got.keys() == expected.keys()
    for name, frame in expected.items():
        assert got[name].equals(frame), name


def test_a_query_read_in_batches_is_the_query_read_whole(monkeypatch) -> None:
    con = duckdb.connect()
    sql = (
        "select range as i, 'x' || range as s, date '2024-01-01' + cast(range as integer) as d, "
        "cast(range as decimal(18, 4)) as m from range(5000)"
    )
    whole = pl.from_arrow(con.sql(sql).to_arrow_table())
    monkeypatch.setattr(score, "READ_BATCH_ROWS", 7)  # DuckDB rounds up: a few batches
    batched = score.read_frame(con, sql)
    assert batched.equals(whole) and batched.schema == whole.schema
    empty = score.read_frame(con, sql + " where false")
    assert empty.height == 0 and empty.schema == whole.schema
