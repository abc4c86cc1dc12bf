"""The large models read their big inputs in place, not through a whole copy (issue 21).

DuckDB materialises a CTE that a query reads more than once: every column of every row, before
the first read. At national scale that copy pushed int_patents_deduplicated and
int_events_attributed over the memory cap into spilling (docs/benchmarks.md), so those CTEs are
written `not materialized`. DuckDB decides from the query's shape, not the data's size, so the
plan of the sample's compiled SQL, asked of the real DuckDB, shows whether the copy is back."""

from __future__ import annotations

import re

import duckdb
import pytest

from orchestration.config import dbt_target_dir
from orchestration.contract import datasets

pytestmark = pytest.mark.slow

GROUPED = ("financing", "graduations", "patents", "tenants")
"""The datasets de-duplicated in two models (macros/dedup_specs.sql: grouped_datasets)."""

READ_IN_PLACE = {
    **{f"intermediate/int_{name}_deduplicated": {"staged", "keyed"} for name in datasets()},
    **{f"intermediate/int_{name}_duplicate_groups": {"staged", "keyed"} for name in GROUPED},
    "intermediate/int_events_attributed": {"events"},
    # staging reads raw again per looked-up column, only the changed years' row groups
    # (macros/incremental_staging.sql); a copy of every column would cost more
    **{f"staging/checked/stg_{name}__checked": {f"raw_{name}", "raw_rows"} for name in datasets()},
    "marts/carrier_year_indicators": {"events"},
}
"""Each model (its path under models/) and the CTEs it must not materialise."""


def materialised_ctes(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    """The names of the CTEs DuckDB's physical plan for `sql` materialises."""
    plan = "\n".join(row[1] for row in con.execute(f"explain {sql}").fetchall())
    return set(re.findall(r"CTE Name: (\w+)", plan))


def compiled_materialised_ctes(published, model: str) -> set[str]:
    """`materialised_ctes` of a model (its path under models/) as the published run compiled it."""
    compiled = (
        dbt_target_dir(published.warehouse) / "compiled/carrier_assess/models" / f"{model}.sql"
    )
    with duckdb.connect(str(published.warehouse), read_only=True) as con:
        return materialised_ctes(con, compiled.read_text(encoding="utf-8"))


@pytest.mark.parametrize("model", sorted(READ_IN_PLACE))
def test_a_large_models_big_inputs_are_not_copied_whole(published_district, model):
    copied = compiled_materialised_ctes(published_district, model) & READ_IN_PLACE[model]
    assert not copied, f"{model} materialises {sorted(copied)}"


def test_the_attributions_spans_are_aggregated_once(published_district):
    """The attribution reads the tenancy spans twice; the view's aggregate over every tenant row
    runs once: its CTE is materialised, four narrow columns (national: 1.04 M spans, ~1 CPU s;
    docs/benchmarks.md, issue 21)."""
    materialised = compiled_materialised_ctes(
        published_district, "intermediate/int_events_attributed"
    )
    assert "spans" in materialised


def test_the_check_sees_a_materialised_cte(published_district):
    """The plan check itself: a CTE read twice without `not materialized` is reported."""
    sql = (
        "with staged as (select * from marts.carrier_year_indicators) "
        "select count(*) from staged union all select count(*) from staged"
    )
    with duckdb.connect(str(published_district.warehouse), read_only=True) as con:
        assert materialised_ctes(con, sql) == {"staged"}


@pytest.mark.parametrize("dataset", GROUPED)
def test_the_many_rows_are_flagged_where_they_are_read_not_written_again(
    published_district, dataset
):
    """National, writing the rows of both years again, flagged, cost more than flagging them in
    the few models that read them: int_<dataset>_deduplicated is a view, and only the keys
    reported more than once are a table (docs/benchmarks.md; patents first, then the others)."""
    spec = {
        "financing": "uscc, financing_date, amount_wan, financing_kind, investor",
        "graduations": "carrier_id, uscc",
        "patents": "patent_no",
        "tenants": "_assessment_year, carrier_id, uscc",
    }[dataset]
    with duckdb.connect(str(published_district.warehouse), read_only=True) as con:
        views = {
            row[0]
            for row in con.execute(
                "select view_name from duckdb_views() where schema_name = 'intermediate'"
            ).fetchall()
        }
        groups, shared = con.execute(
            f"select (select count(*) from intermediate.int_{dataset}_duplicate_groups), "
            f"(select count(*) from (select {spec} from staging.stg_{dataset} "
            "group by all having count(*) > 1))"
        ).fetchone()
    assert f"int_{dataset}_deduplicated" in views
    assert groups == shared
    if dataset == "patents":  # the sample's other datasets may have no key reported twice
        assert groups > 0


def test_only_the_events_of_an_enterprise_with_several_spans_are_range_joined(published_district):
    """99 % of the enterprises have one tenancy span: their events are attributed by a hash join
    on uscc; only the events of the others, set apart first (`shared_uscc_events`, which DuckDB
    must materialise, or it range-joins every event before filtering), meet the range join and
    the two aggregates (national 8.4 s -> 5.3 s: docs/benchmarks.md, issue 21)."""
    model = "intermediate/int_events_attributed"
    assert "shared_uscc_events" in compiled_materialised_ctes(published_district, model)
