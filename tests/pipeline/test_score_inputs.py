"""Scoring reads only the mart rows a rule reads (`orchestration.score.MART_FILTERS`, issue 21:
the national year's main process held every patent and financing event of both years): the
results equal those scored from the marts read whole (every row of every year up to Y)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import duckdb
import polars as pl

from orchestration import score
from orchestration.config import PROJECT_DIR
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
    rulebook = load_rulebook(2024)
    got = score_year(rulebook, 2024, narrowed)
    expected = score_year(rulebook, 2024, dataclasses.replace(narrowed, **whole))
    assert got.keys() == expected.keys()
    for name, frame in expected.items():
        assert got[name].equals(frame), name


def test_the_activity_of_a_tenant_c2_could_flag_is_read(published_district, tmp_path: Path) -> None:
    """A tenant C2 flagged is not flagged once it has a patent in Y: the narrowed marts hold
    the activities of every tenant C2 could flag (the district sample has none with one)."""
    warehouse = tmp_path / "carriers.duckdb"
    shutil.copy(published_district.warehouse, warehouse)
    with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
        (uscc,) = con.execute(
            "select uscc from results.tenant_clearout "
            "where assessment_year = 2024 and reason_codes = 'C2' order by uscc limit 1"
        ).fetchone()
        con.execute(
            "insert into marts.enterprise_activity by name "
            "select ? as uscc, 'patent' as activity_kind, 'ZL-TEST' as activity_key, "
            "2024 as activity_year",
            [uscc],
        )
        narrowed = score.load_inputs(con, 2024)
        whole = score.read_frame(
            con, "select * from marts.enterprise_activity where activity_year <= 2024"
        )
    rulebook = load_rulebook(2024)
    got = score_year(rulebook, 2024, narrowed)["tenant_clearout"]
    expected = score_year(rulebook, 2024, dataclasses.replace(narrowed, enterprise_activity=whole))[
        "tenant_clearout"
    ]
    assert got.equals(expected)
    assert uscc not in got.filter(pl.col("reason_codes").str.contains("C2"))["uscc"].to_list()


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


def test_scoring_reads_no_event_of_an_earlier_year_but_graduations() -> None:
    """`attributed_events` holds an event dated outside the loaded years only when it is a
    graduation (models/intermediate/int_events_unioned.sql): an earlier year may not be loaded,
    so scoring may read no other kind of event of an earlier year. A rule that needs one must
    widen that model as well as `MART_FILTERS` (then widen this test)."""
    macro = (PROJECT_DIR / "macros" / "event_kinds.sql").read_text(encoding="utf-8")
    kinds = re.findall(r"'kind': '(\w+)'", macro)
    assert "graduation" in kinds and len(kinds) == 5
    with duckdb.connect() as con:
        con.execute(
            "create table attributed_events as select * from "
            "range(2015, 2025) as years(event_year), unnest(?) as kinds(event_kind)",
            [kinds],
        )
        read = con.execute(
            "select distinct event_kind from attributed_events "
            f"where event_year < $year and ({score.MART_FILTERS['attributed_events']})",
            {"year": 2024},
        ).fetchall()
    assert {kind for (kind,) in read} == {"graduation"}
