"""Builders of small, clean warehouses for the audit tests: every checked table, real DuckDB.

Each defect test starts from a clean warehouse (which the audit must pass) and breaks one thing.
The marts reconciliation is the dbt model itself (models/marts/marts_reconciliation.sql, a view),
compiled once by the real dbt and created over the tables written here.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from orchestration.contract import Column, datasets

YEAR = 2024
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def staging_name(col: Column) -> str:
    return f"{col.name}_wan" if col.type == "money" else col.name


def staging_dtype(col: Column) -> pl.DataType:
    if col.name == "award_rank" or col.type == "int":
        return pl.Int32()
    return {
        "date": pl.Date(),
        "decimal": pl.Float64(),
        "money": pl.Float64(),
        "bool": pl.Boolean(),
    }.get(col.type, pl.String())


def clean_value(dataset: str, col: Column, i: int) -> Any:
    """A value that every staging check accepts; row i varies the keys."""
    if col.name == "carrier_id":
        return f"C{i + 1:03d}" if dataset == "carriers" else "C001"
    if col.name in ("uscc", "claimant_uscc", "operator_uscc", "holder_uscc"):
        return f"91320500MA1X{i:06d}"
    if col.name in ("patent_no", "certificate_no", "competition", "investor"):
        return f"K{i:04d}"
    if col.name == "evaluation_year":
        return YEAR
    if col.name == "rent_year_index":
        return 1
    if col.name == "exit_date":
        return None
    if col.type == "enum":
        if col.name == "evaluation_level":
            return ["national", "provincial"][i % 2]
        return next(iter(col.values.values()))
    return {
        "date": dt.date(YEAR, 3, 1),
        "decimal": 1000.0,
        "money": 10.0,
        "bool": True,
        "int": 3,
    }.get(col.type, f"文本{i}")


def staging_frame(
    dataset: str, n: int = 2, year: int = YEAR, **overrides: list[Any]
) -> pl.DataFrame:
    """n clean staging rows of a dataset; `overrides` replace whole columns."""
    ds = datasets()[dataset]
    data: dict[str, list[Any]] = {
        "_assessment_year": [year] * n,
        "_run_id": ["run-test"] * n,
        "_source_file": [f"C001_{dataset}.xlsx"] * n,
        "_file_sha256": ["0" * 64] * n,
        "_sheet": [ds.sheet_zh] * n,
        "_source_row": [3 + i for i in range(n)],
        "_row_id": [f"{dataset}:C001_{dataset}.xlsx:{ds.sheet_zh}:{3 + i}" for i in range(n)],
    }
    schema: dict[str, pl.DataType] = {
        "_assessment_year": pl.Int32(),
        "_source_row": pl.Int32(),
    }
    for col in ds.columns:
        if dataset == "financing" and col.name == "amount_unit":
            continue
        name = staging_name(col)
        data[name] = [clean_value(dataset, col, i) for i in range(n)]
        schema[name] = staging_dtype(col)
    for name, values in overrides.items():
        data[name] = values
    return pl.DataFrame(data, schema_overrides=schema)


def raw_frame(dataset: str, n: int = 2, year: int = YEAR) -> pl.DataFrame:
    """n raw rows: every contract column as text, with the ingest's meta columns."""
    ds = datasets()[dataset]
    stg = staging_frame(dataset, n, year)
    data: dict[str, Any] = {
        c: stg[c] for c in ["_assessment_year", "_run_id", "_source_file", "_file_sha256"]
    }
    data["_sheet"] = stg["_sheet"]
    data["_source_row"] = stg["_source_row"]
    data["_extra"] = pl.Series([None] * n, dtype=pl.String)
    data["_row_error"] = pl.Series([None] * n, dtype=pl.String)
    for col in ds.columns:
        name = staging_name(col)
        data[col.name] = (
            stg[name].cast(pl.String)
            if name in stg.columns
            else pl.Series([None] * n, dtype=pl.String)
        )
    return pl.DataFrame(data)


CARRIER_INDICATOR_FACTS: dict[str, float] = {
    "tenant_set_count": 2,
    "incubating_year_end_count": 2,
    "financed_tenant_count": 1,
    "tech_recruited_count": 1,
    "first_high_tech_count": 1,
    "tech_sme_registered_count": 1,
    "graduation_count": 1,
    "invention_grant_count": 1,
    "patent_grant_count": 2,
    "talents_sum": 3,
    "landed_graduation_count": 1,
    "financing_total_wan": 150.0,
    "rd_expense_sum_wan": 20.0,
    "revenue_sum_wan": 200.0,
    "tax_paid_sum_wan": 30.0,
    "occupied_area_incubating_m2": 500.0,
}


def indicators_frame(year: int = YEAR) -> pl.DataFrame:
    """One carrier's indicators, consistent with `events_frame` and `tenant_facts_frame`."""
    row: dict[str, Any] = {
        "assessment_year": year,
        "carrier_id": "C001",
        "carrier_name": "某孵化器",
        "carrier_type": "incubator",
        "incubation_area_m2": 1000.0,
        **CARRIER_INDICATOR_FACTS,
    }
    codes = ("s1", "s2", "s3", "s4", "s5", "p1", "p2", "p3", "p4", "p5", "p6")
    for code in (*codes, "d1", "d2", "d3", "b1", "b2"):
        row[f"{code}_raw"] = 0.5 if code in ("s2", "d3") else 1.0
    return pl.DataFrame([row], schema_overrides={"assessment_year": pl.Int32()})


def events_frame(year: int = YEAR) -> pl.DataFrame:
    rows = [
        ("financing", "F1", "U1", 100.0, None, None),
        ("financing", "F2", "U2", 50.0, None, None),
        ("patent_grant", "202310123456.6", "U1", None, "invention", None),
        ("patent_grant", "202320123456.1", "U2", None, "utility_model", None),
        ("graduation", "C001|U2", "U2", None, None, None),
        ("high_tech_certificate", "GR202432001234", "U1", None, None, True),
    ]
    return pl.DataFrame(
        [
            {
                "event_year": year,
                "event_kind": kind,
                "event_key": key,
                "uscc": uscc,
                "attributed_carrier_id": "C001",
                "attribution_status": "single",
                "amount_wan": amount,
                "patent_type": ptype,
                "is_first_certificate": first,
            }
            for kind, key, uscc, amount, ptype, first in rows
        ],
        schema_overrides={
            "event_year": pl.Int32(),
            "amount_wan": pl.Float64(),
            "patent_type": pl.String(),
            "is_first_certificate": pl.Boolean(),
        },
    )


def tenant_facts_frame(year: int = YEAR) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "assessment_year": [year, year],
            "carrier_id": ["C001", "C001"],
            "uscc": ["91320500MA1X000000", "91320500MA1X000001"],
            "is_in_tenant_set": [True, True],
            "talents": [1, 2],
            "months_in_incubation": [12, 30],
        },
        schema_overrides={"assessment_year": pl.Int32()},
    )


def claims_frame(year: int = YEAR) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "assessment_year": [year, year],
            "carrier_id": ["C001", "C002"],
            "claim_kind": ["renovation", "rd_equipment"],
            "claimant_name": ["甲", "乙"],
            "claimant_uscc": ["91320500MA1X000000", "91320500MA1X000001"],
            "amount_audited_wan": [100.0, 400.0],
            "amount_previous_wan": [None, None],
            "_row_id": ["a", "b"],
        },
        schema_overrides={"assessment_year": pl.Int32(), "amount_previous_wan": pl.Float64()},
    )


CARRIERS_TABLE = "intermediate.int_carriers_named"
"""What the stg_carriers suite reads: stg_carriers without the name conflicts."""


def put_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Create (or replace) schema.table from a polars frame."""
    schema = table.split(".")[0]
    con.execute(f'create schema if not exists "{schema}"')
    con.register("_incoming", frame.to_arrow())
    try:
        con.execute(f"create or replace table {table} as select * from _incoming")
    finally:
        con.unregister("_incoming")


def build_clean_warehouse(con: duckdb.DuckDBPyConnection, year: int = YEAR) -> None:
    for name in datasets():
        put_table(con, f"raw.{name}", raw_frame(name, year=year))
        put_table(con, f"staging.stg_{name}", staging_frame(name, year=year))
    # the carriers suite reads the rows past the check across rows (models/intermediate)
    put_table(con, CARRIERS_TABLE, staging_frame("carriers", year=year))
    put_table(con, "marts.carrier_year_indicators", indicators_frame(year))
    put_table(con, "marts.attributed_events", events_frame(year))
    put_table(con, "marts.tenant_year_facts", tenant_facts_frame(year))
    put_table(con, "marts.subsidy_claims", claims_frame(year))
    con.execute(f"create or replace view marts.marts_reconciliation as {reconciliation_sql()}")


@functools.cache
def reconciliation_sql() -> str:
    """models/marts/marts_reconciliation.sql as the real dbt compiles it (once per session),
    its relations without the catalog: the test warehouses' files have other names."""
    from tests.parsed_dbt import run_dbt_parsed

    with tempfile.TemporaryDirectory() as tmp:
        result = run_dbt_parsed(
            ["compile", "--select", "marts_reconciliation", "--indirect-selection", "empty"],
            Path(tmp) / "compiled.duckdb",
            Path(tmp) / "target",
        )
    (sql,) = result.compiled_sql
    assert '"compiled"."marts"."carrier_year_indicators"' in sql
    return sql.replace('"compiled".', "")
