"""Each kind of pre-scoring check catches a small defective table with the right severity and row
reference, and passes the clean one. Real DuckDB tables, real GX."""

from __future__ import annotations

import polars as pl
import pytest

from orchestration.audit import FINDING_SCHEMA, audit_warehouse, warehouse_suites

pytestmark = pytest.mark.slow


def hits(result, check_name: str) -> pl.DataFrame:
    return result.findings.filter(pl.col("check_name") == check_name)


def test_a_clean_year_passes_every_warehouse_suite(b, con) -> None:
    result = audit_warehouse(con, b.YEAR)
    assert result.findings.height == 0, result.findings
    assert result.findings.schema == pl.Schema(FINDING_SCHEMA)
    assert not result.blocks_publishing
    assert (result.error_count, result.warning_count) == (0, 0)


# ---------------------------------------------------------------- raw


def test_raw_required_column_missing_is_an_error(b, con) -> None:
    b.put_table(con, "raw.patents", b.raw_frame("patents").drop("patent_no"))
    result = audit_warehouse(con, b.YEAR, suites=["raw_patents"])
    found = hits(result, "raw.patents.required_columns")
    assert found.height == 1
    assert found["severity"][0] == "error"
    assert found["column_name"][0] == "patent_no"
    assert result.blocks_publishing


@pytest.mark.parametrize("dataset", ["carriers", "tenants"])
def test_no_carriers_or_tenants_for_the_year_is_an_error(b, con, dataset) -> None:
    # rows of another year do not count for this one
    b.put_table(con, f"raw.{dataset}", b.raw_frame(dataset, year=b.YEAR - 1))
    result = audit_warehouse(con, b.YEAR, suites=[f"raw_{dataset}"])
    found = hits(result, f"raw.{dataset}.present")
    assert found["severity"].to_list() == ["error"]
    assert audit_warehouse(con, b.YEAR - 1, suites=[f"raw_{dataset}"]).findings.height == 0


def test_an_empty_optional_dataset_is_fine(b, con, sql) -> None:
    sql("delete from raw.awards")
    assert audit_warehouse(con, b.YEAR, suites=["raw_awards"]).findings.height == 0


def test_a_missing_table_is_an_error_not_a_skipped_check(b, con, sql) -> None:
    sql("drop table staging.stg_patents")
    result = audit_warehouse(con, b.YEAR, suites=["stg_patents"])
    assert result.findings["check_name"].to_list() == ["stg_patents.table_missing"]
    assert result.blocks_publishing


# ---------------------------------------------------------------- staging


def test_duplicate_carrier_id_in_a_year_is_an_error_naming_both_rows(b, con) -> None:
    frame = b.staging_frame("carriers", 3, carrier_id=["C001", "C002", "C001"])
    b.put_table(con, b.CARRIERS_TABLE, frame)
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["stg_carriers"]),
        "stg_carriers.carrier_id.duplicate_in_year",
    )
    assert sorted(found["source_row"].to_list()) == [3, 5]
    assert set(found["severity"]) == {"error"}
    assert set(found["source_file"]) == {"C001_carriers.xlsx"}
    assert set(found["sheet"]) == {"载体信息"}
    assert set(found["value_as_written"]) == {"C001"}


def test_the_same_carrier_in_two_years_is_not_a_duplicate(b, con) -> None:
    frame = pl.concat([b.staging_frame("carriers"), b.staging_frame("carriers", year=b.YEAR - 1)])
    b.put_table(con, b.CARRIERS_TABLE, frame)
    assert audit_warehouse(con, b.YEAR, suites=["stg_carriers"]).findings.height == 0


def test_key_not_null_is_an_error(b, con) -> None:
    b.put_table(con, "staging.stg_patents", b.staging_frame("patents", patent_no=[None, "K0001"]))
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["stg_patents"]), "stg_patents.patent_no.not_null"
    )
    assert found.select("source_row", "severity", "carrier_id").rows() == [(3, "error", "C001")]
    assert found["message"][0] == "专利号为空 / patent_no is empty"


def test_staging_row_id_must_be_unique(b, con) -> None:
    frame = b.staging_frame("awards", _row_id=["same", "same"])
    b.put_table(con, "staging.stg_awards", frame)
    found = hits(audit_warehouse(con, b.YEAR, suites=["stg_awards"]), "stg_awards._row_id.unique")
    assert found.height == 2 and set(found["severity"]) == {"error"}


def test_enum_code_outside_its_set_is_an_error(b, con) -> None:
    b.put_table(
        con, "staging.stg_tenants", b.staging_frame("tenants", tenant_status=["incubating", "在孵"])
    )
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["stg_tenants"]), "stg_tenants.tenant_status.in_set"
    )
    assert found.select("source_row", "value_as_written", "severity").rows() == [
        (4, "在孵", "error")
    ]


def test_negative_amount_is_an_error(b, con) -> None:
    b.put_table(con, "staging.stg_tenants", b.staging_frame("tenants", revenue_wan=[-1.5, 3.0]))
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["stg_tenants"]), "stg_tenants.revenue_wan.non_negative"
    )
    assert found.select("source_row", "value_as_written", "severity").rows() == [
        (3, "-1.5", "error")
    ]


def test_zero_incubation_area_is_an_error(b, con) -> None:
    b.put_table(con, b.CARRIERS_TABLE, b.staging_frame("carriers", incubation_area_m2=[0.0, 5.0]))
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["stg_carriers"]),
        "stg_carriers.incubation_area_m2.positive",
    )
    assert found.select("source_row", "value_as_written", "carrier_id").rows() == [(3, "0", "C001")]


@pytest.mark.parametrize(
    ("written", "flagged"),
    [
        ("2025-01-01", True),  # after 31 Dec of the year
        ("2024-12-31", False),
        ("1989-12-31", True),  # before 1990
        ("1990-01-01", False),
    ],
)
def test_implausible_dates_are_warnings(b, con, written, flagged) -> None:
    import datetime as dt

    day = dt.date.fromisoformat(written)
    b.put_table(con, "staging.stg_patents", b.staging_frame("patents", grant_date=[day, None]))
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["stg_patents"]),
        "stg_patents.grant_date.plausible_date",
    )
    if flagged:
        assert found.select("source_row", "value_as_written", "severity").rows() == [
            (3, written, "warning")
        ]
    else:
        assert found.height == 0


def test_entry_after_exit_is_a_warning(b, con) -> None:
    import datetime as dt

    frame = b.staging_frame(
        "tenants",
        3,
        entry_date=[dt.date(2023, 5, 1), dt.date(2023, 5, 1), dt.date(2023, 5, 1)],
        exit_date=[dt.date(2023, 4, 30), dt.date(2023, 5, 1), None],
    )
    b.put_table(con, "staging.stg_tenants", frame)
    result = audit_warehouse(con, b.YEAR, suites=["stg_tenants"])
    found = hits(result, "stg_tenants.entry_after_exit")
    assert found.select("source_row", "severity").rows() == [(3, "warning")]
    assert found["value_as_written"][0] == "exit_date=2023-04-30; entry_date=2023-05-01"
    assert not result.blocks_publishing


def test_tenant_of_an_unknown_carrier_is_a_warning(b, con) -> None:
    b.put_table(con, "staging.stg_tenants", b.staging_frame("tenants", carrier_id=["C001", "C404"]))
    found = hits(audit_warehouse(con, b.YEAR, suites=["stg_tenants"]), "stg_tenants.carrier_exists")
    assert found.select("source_row", "carrier_id", "severity").rows() == [(4, "C404", "warning")]


def test_financing_written_in_yuan_under_a_wan_header_is_a_warning(b, con) -> None:
    b.put_table(
        con, "staging.stg_financing", b.staging_frame("financing", amount_wan=[5_000_000.0, 500.0])
    )
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["stg_financing"]),
        "stg_financing.amount_wan.implausibly_large",
    )
    assert found.select("source_row", "value_as_written", "severity").rows() == [
        (3, "5000000", "warning")
    ]


# ---------------------------------------------------------------- marts


def test_two_indicator_rows_for_a_carrier_and_year_is_an_error(b, con, sql) -> None:
    sql("insert into marts.carrier_year_indicators select * from marts.carrier_year_indicators")
    result = audit_warehouse(con, b.YEAR, suites=["carrier_year_indicators"])
    found = hits(result, "carrier_year_indicators.one_row_per_carrier_year")
    assert found.height == 2
    assert set(found["carrier_id"]) == {"C001"} and set(found["severity"]) == {"error"}


def test_negative_indicator_value_is_an_error(b, con, sql) -> None:
    sql("update marts.carrier_year_indicators set p6_raw = -1, graduation_count = -2")
    result = audit_warehouse(con, b.YEAR, suites=["carrier_year_indicators"])
    assert set(result.findings["check_name"]) == {
        "carrier_year_indicators.p6_raw.non_negative",
        "carrier_year_indicators.graduation_count.non_negative",
    }
    assert set(result.findings["severity"]) == {"error"}


def test_occupied_area_over_incubation_area_is_a_warning(b, con, sql) -> None:
    sql("update marts.carrier_year_indicators set occupied_area_incubating_m2 = 1200")
    result = audit_warehouse(con, b.YEAR, suites=["carrier_year_indicators"])
    found = hits(result, "carrier_year_indicators.occupied_over_incubation_area")
    assert found.select("carrier_id", "severity").rows() == [("C001", "warning")]


def test_double_claim_is_a_warning(b, con, sql) -> None:
    sql(
        "update marts.subsidy_claims set claim_kind = 'renovation', "
        "claimant_uscc = '91320500MA1X000000'"
    )
    result = audit_warehouse(con, b.YEAR, suites=["subsidy_claims"])
    found = hits(result, "subsidy_claims.double_claim")
    assert sorted(found["carrier_id"].to_list()) == ["C001", "C002"]
    assert set(found["severity"]) == {"warning"}
    assert not result.blocks_publishing


def test_an_event_twice_in_the_events_mart_is_an_error(b, con, sql) -> None:
    sql("insert into marts.attributed_events select * from marts.attributed_events limit 1")
    found = hits(
        audit_warehouse(con, b.YEAR, suites=["attributed_events"]),
        "attributed_events.one_row_per_event",
    )
    assert found.height == 2 and set(found["severity"]) == {"error"}


@pytest.mark.parametrize(
    ("statement", "measure"),
    [
        (
            "update marts.carrier_year_indicators set financing_total_wan = 149",
            "financing_total_wan",
        ),
        ("update marts.attributed_events set patent_type = 'design'", "invention_grant_count"),
        ("update marts.tenant_year_facts set talents = 5", "talents_sum"),
        ("delete from marts.attributed_events where event_kind = 'graduation'", "graduation_count"),
        (
            "update marts.tenant_year_facts set is_in_tenant_set = false where talents = 1",
            "tenant_set_count",
        ),
    ],
)
def test_indicator_totals_that_do_not_reconcile_are_errors(b, con, sql, statement, measure) -> None:
    assert audit_warehouse(con, b.YEAR, suites=["marts_reconciliation"]).findings.height == 0
    sql(statement)
    result = audit_warehouse(con, b.YEAR, suites=["marts_reconciliation"])
    found = hits(result, "marts_reconciliation.totals_reconcile")
    assert measure in found["column_name"].to_list()
    assert set(found["carrier_id"]) == {"C001"}
    assert set(found["severity"]) == {"error"}
    assert result.blocks_publishing


def test_tenant_facts_reconcile_with_staging(b, con, sql) -> None:
    sql("delete from marts.tenant_year_facts where talents = 2")
    sql("update marts.carrier_year_indicators set tenant_set_count = 1, talents_sum = 1")
    found = audit_warehouse(con, b.YEAR, suites=["marts_reconciliation"]).findings
    assert found.height == 1
    assert found["carrier_id"][0] is None
    # one tenant fewer in the mart than in staging
    assert found.select("column_name", "value_as_written").rows() == [
        ("tenant_rows_vs_staging", "expected=2; actual=1; difference=-1")
    ]


def test_reconciliation_that_cannot_run_is_an_error(b, con, sql) -> None:
    sql("drop table marts.attributed_events")
    result = audit_warehouse(con, b.YEAR, suites=["marts_reconciliation"])
    assert result.findings["check_name"].to_list() == ["marts_reconciliation.unreadable"]
    assert result.blocks_publishing


def test_warehouse_suites_run_in_layer_order() -> None:
    names = warehouse_suites()
    assert names.index("raw_carriers") < names.index("stg_carriers")
    assert names.index("stg_carriers") < names.index("carrier_year_indicators")
