"""The intermediate and mart models built by the real dbt over a small two-year raw layer.

One module-scoped warehouse: raw rows written with SQL (tests/marts/district.py), then
`dbt build` through orchestration.transform.run_dbt with a private target path.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from scoring.clearout import c2_could_apply
from scoring.rulebook import load_rulebook
from tests.marts.builders import query, write_raw_year
from tests.marts.district import (
    FINDING_2024,
    PA_INV,
    PA_UTIL,
    PB_DESIGN,
    PB_OLD,
    UA,
    UD,
    UF,
    year_2023,
    year_2024,
)
from tests.parsed_dbt import run_dbt_parsed

pytestmark = pytest.mark.slow

MARTS = (
    "carrier_year_indicators",
    "tenant_year_facts",
    "attributed_events",
    "subsidy_claims",
    "carrier_recognitions",
    "carrier_evaluations",
    "data_quality_issues",
    "dataset_counts",
)
YEAR_COLUMN = {"attributed_events": "event_year"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The two-year warehouse after a full `dbt build` (models and all dbt tests)."""
    root = tmp_path_factory.mktemp("marts")
    warehouse = root / "carriers.duckdb"
    write_raw_year(warehouse, 2023, year_2023())
    write_raw_year(warehouse, 2024, year_2024(), findings=[FINDING_2024])
    result = run_dbt_parsed(["build"], warehouse, root / "target")
    assert result.success
    return warehouse, root / "target"


def indicators(warehouse: Path, year: int, carrier_id: str) -> dict:
    rows = query(
        warehouse,
        "select * from marts.carrier_year_indicators where assessment_year = ? and carrier_id = ?",
        [year, carrier_id],
    )
    assert len(rows) == 1
    return rows[0]


def test_c001_2024_every_indicator_by_hand(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    row = indicators(warehouse, 2024, "C001")
    # Tenant set 2024 (entry <= 2024-12-31, no exit or exit >= 2024-01-01): A, B, C, D
    # (exit 2024-06-30), F; not E (exit 2023-12-31), not the rejected row.          -> 5
    assert row["tenant_set_count"] == 5
    # Incubating at year end: A, B, C, F (D graduated and left on 2024-06-30).      -> 4
    assert row["incubating_year_end_count"] == 4
    # S1: financing dated 2024 attributed to C001: A 100 (also reported by C002, counted
    # once) + B 50; D's 2024-08-01 is after D's exit (none); F's goes to C002.       -> 150
    assert float(row["financing_total_wan"]) == 150.0
    assert row["s1_raw"] == 150.0
    # S2: tenant set members financed: A, B -> 2 / 5                                 -> 0.4
    assert row["financed_tenant_count"] == 2
    assert row["s2_raw"] == pytest.approx(0.4)
    # S3: seed fund 是                                                                -> 1
    assert row["s3_raw"] == 1.0
    # S4: 4 incubating / (2000 m² / 1000)                                             -> 2.0
    assert row["s4_raw"] == pytest.approx(2.0)
    # S5: entered in 2024 and tech: B (certified); C entered but is not tech.        -> 1
    assert row["tech_recruited_count"] == 1 and row["s5_raw"] == 1.0
    # P1: first certificates 2024 attributed to C001: B's; A's "first" 2024 certificate
    # is not (A holds a 2021 one from the 2023 package); F's goes to C002.           -> 1
    assert row["first_high_tech_count"] == 1 and row["p1_raw"] == 1.0
    # P2: tech-SME registration dated 2024 in the tenant set: A.                      -> 1
    assert row["tech_sme_registered_count"] == 1 and row["p2_raw"] == 1.0
    # P3: graduations 2024: D (2024-06-30).                                          -> 1
    assert row["graduation_count"] == 1 and row["p3_raw"] == 1.0
    # P4: invention grants 2024: A's (reported twice, once) and D's, granted on D's exit
    # date (the span's end is inclusive).                                             -> 2
    assert row["invention_grant_count"] == 2 and row["p4_raw"] == 2.0
    # P5: all grants 2024: those 2 + A's utility model; C's is pending.               -> 3
    assert row["patent_grant_count"] == 3 and row["p5_raw"] == 3.0
    # P6: talents over the tenant set: A 2 + B 1 + C (blank) + D 3 + F 0 (E's 9 is out). -> 6
    assert row["talents_sum"] == 6 and row["p6_raw"] == 6.0
    # D1: R&D 80 + 20 + 100 + 30 = 230 over revenue 1000 + 500 + 2000 + 300 = 3800.
    assert float(row["rd_expense_sum_wan"]) == 230.0
    assert float(row["revenue_sum_wan"]) == 3800.0
    assert row["d1_raw"] == pytest.approx(230 / 3800)
    # D2: tax 50 + 10 + 5 + 40 + 6                                                    -> 111
    assert float(row["tax_paid_sum_wan"]) == 111.0 and row["d2_raw"] == 111.0
    # D3: occupied area of the incubating: 300 + 200 + 100 + 50 = 650 over 2000      -> 0.325
    assert row["occupied_area_incubating_m2"] == 650.0
    assert row["d3_raw"] == pytest.approx(0.325)
    # B1: national evaluation 2024 grade A in the 2024 package                        -> 1
    assert row["b1_raw"] == 1.0
    # B2: D's graduation landed in the district                                       -> 1
    assert row["landed_graduation_count"] == 1 and row["b2_raw"] == 1.0
    assert row["has_tenant_rows"] is True
    assert row["carrier_type"] == "incubator"


def test_double_claim_goes_to_latest_entry_and_is_reported(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    c002 = indicators(warehouse, 2024, "C002")
    # F entered C001 on 2023-01-01 and C002 on 2024-03-01: F's certificate and financing
    # go to C002; F entered C002 in 2024 and holds a certificate, so C002's S5 counts it.
    assert float(c002["financing_total_wan"]) == 200.0
    assert c002["first_high_tech_count"] == 1
    assert c002["tech_recruited_count"] == 1
    events = query(
        warehouse,
        "select event_kind, attributed_carrier_id, attribution_status, reported_by "
        "from marts.attributed_events where uscc = ? and event_year = 2024 order by event_kind",
        [UF],
    )
    got = [(e["event_kind"], e["attributed_carrier_id"], e["attribution_status"]) for e in events]
    assert got == [
        ("financing", "C002", "multiple"),
        ("high_tech_certificate", "C002", "multiple"),
    ]
    warnings = query(
        warehouse,
        "select check_name, dataset, severity, message from marts.data_quality_issues "
        "where assessment_year = 2024 and check_name = 'attribution_multiple' order by dataset",
    )
    assert [(w["dataset"], w["severity"]) for w in warnings] == [
        ("financing", "warning"),
        ("high_tech", "warning"),
    ]
    assert all("C001,C002" in w["message"] and " / " in w["message"] for w in warnings)


def test_unattributed_event_counts_nowhere_with_a_warning(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    event = query(
        warehouse,
        "select * from marts.attributed_events where uscc = ? and event_kind = 'financing'",
        [UD],
    )
    assert len(event) == 1
    assert event[0]["attribution_status"] == "none"
    assert event[0]["attributed_carrier_id"] is None
    issues = query(
        warehouse,
        "select * from marts.data_quality_issues where check_name = 'attribution_none' "
        "and value_as_written = ? and assessment_year = 2024",
        [UD],
    )
    assert len(issues) == 1 and issues[0]["source_file"] == "C001.xlsx"


def test_only_events_of_loaded_years_but_every_graduation(built: tuple[Path, Path]) -> None:
    """An event dated outside the loaded years (2023, 2024) counts nowhere and is no event:
    B's 2022 patent grant and A's 2021 certificate, both kept rows. A graduation is, whatever
    its year: the targets count the graduations of their whole window (T7)."""
    warehouse, _ = built
    kept = query(
        warehouse,
        "select patent_no as key from intermediate.int_patents_deduplicated "
        "where is_kept and patent_no = ? union all "
        "select certificate_no from intermediate.int_high_tech_deduplicated "
        "where is_kept and certificate_no = 'GR202132000011'",
        [PB_OLD],
    )
    assert len(kept) == 2
    events = query(
        warehouse,
        "select event_kind, event_year, attributed_carrier_id from marts.attributed_events "
        "where event_year not in (2023, 2024) order by event_kind",
    )
    assert events == [
        {"event_kind": "graduation", "event_year": 2022, "attributed_carrier_id": "C001"}
    ]
    # The 2023 indicators count 2023's events only.
    assert indicators(warehouse, 2023, "C001")["graduation_count"] == 0


def test_same_fact_reported_twice_counts_once(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    patents = query(
        warehouse,
        "select reported_by, source_row_ids from marts.attributed_events where event_key = ?",
        [PA_INV],
    )
    assert len(patents) == 1
    assert len(patents[0]["source_row_ids"].split(",")) == 2
    # A's 2024-04-01 financing, by C001 and C002: one event reported by both.
    financing = query(
        warehouse,
        "select reported_by from marts.attributed_events where uscc = ? "
        "and event_kind = 'financing' and event_date = date '2024-04-01'",
        [UA],
    )
    assert [f["reported_by"] for f in financing] == ["C001,C002"]
    # A's 2023 financing, in the 2023 and the 2024 package: one event, counted in 2023.
    assert float(indicators(warehouse, 2023, "C001")["financing_total_wan"]) == 20.0


def test_a_fact_reported_again_with_other_values_in_the_same_year_is_a_conflict(
    built: tuple[Path, Path],
) -> None:
    """C002 reports C001's utility model with another grant date: a duplicate_conflict warning on
    C002's row. Patent conflicts are looked for only in the groups flagged has_conflict
    (macros/flag_duplicates.sql), so the flag must be true exactly there: PA_INV is reported
    twice alike, PB_DESIGN once (no group). A group whose rows differ only across years (a later
    package updating a fact) is no conflict: the unit test of int_patents_duplicate_groups."""
    warehouse, _ = built
    conflicts = query(
        warehouse,
        "select assessment_year, carrier_id, source_file, value_as_written "
        "from marts.data_quality_issues "
        "where dataset = 'patents' and check_name = 'duplicate_conflict'",
    )
    assert conflicts == [
        {
            "assessment_year": 2024,
            "carrier_id": "C002",
            "source_file": "C002.xlsx",
            "value_as_written": PA_UTIL,
        }
    ]
    groups = query(
        warehouse,
        "select dedup_key, has_conflict from intermediate.int_patents_duplicate_groups",
    )
    assert {g["dedup_key"]: g["has_conflict"] for g in groups} == {
        PA_INV: False,
        PA_UTIL: True,
    }
    assert PB_DESIGN not in {g["dedup_key"] for g in groups}


def test_dataset_counts_reconcile_with_raw(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    counts = {
        (r["assessment_year"], r["dataset"], r["source_file"]): (
            r["rows_read"],
            r["rows_kept"],
            r["rows_rejected"],
            r["rows_duplicate"],
        )
        for r in query(warehouse, "select * from marts.dataset_counts")
    }
    raw = query(
        warehouse,
        "select _assessment_year as y, _source_file as f, count(*) as n from raw.financing "
        "group by all",
    )
    for r in raw:
        assert counts[(r["y"], "financing", r["f"])][0] == r["n"]
    # read, kept, rejected, duplicate
    assert counts[(2024, "financing", "C001.xlsx")] == (4, 4, 0, 0)
    assert counts[(2024, "financing", "C002.xlsx")] == (2, 1, 0, 1)
    assert counts[(2023, "financing", "C001.xlsx")] == (1, 0, 0, 1)
    assert counts[(2024, "patents", "C001.xlsx")] == (5, 4, 0, 1)
    assert counts[(2024, "tenants", "C001.xlsx")] == (7, 6, 1, 0)
    assert all(read == kept + rej + dup for read, kept, rej, dup in counts.values())


def test_data_quality_issues_union(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    rows = query(
        warehouse,
        "select check_name, severity, dataset, carrier_id from marts.data_quality_issues "
        "where assessment_year = 2024",
    )
    checks = {r["check_name"] for r in rows}
    assert "file_ignored" in checks  # from raw._ingest_findings
    assert any(r["dataset"] == "tenants" and r["severity"] == "error" for r in rows)  # reject
    unknown = [r for r in rows if r["check_name"] == "tenant_carrier_unknown"]
    assert [(u["carrier_id"], u["severity"]) for u in unknown] == [("C009", "warning")]


def test_tenant_year_facts_clearout_facts(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    facts = query(
        warehouse,
        "select * from marts.tenant_year_facts "
        "where assessment_year = 2024 and carrier_id = 'C001' and uscc = ?",
        [UA],
    )[0]
    # Entry 2020-01-15 -> 59 months at the end of 2024.
    assert facts["months_in_incubation"] == 59
    assert facts["is_rd_expense_zero_or_missing"] is False
    assert facts["is_tech_enterprise"] is True


def test_enterprise_activity_holds_c2_facts_by_year(built: tuple[Path, Path]) -> None:
    """C2 counts these within the rulebook's windows (scoring/clearout.py). Each activity is one
    row, though A's invention and its 2023 financing are reported twice and its utility model by
    two carriers: the model adds the kept rows without a distinct (its premise, also a dbt
    test: tests/dbt/marts/enterprise_activity_one_row_per_activity.sql)."""
    warehouse, _ = built
    rows = query(
        warehouse,
        "select activity_kind, activity_key, activity_year from marts.enterprise_activity "
        "where uscc = ? order by all",
        [UA],
    )
    assert len({tuple(r.values()) for r in rows}) == len(rows)

    def in_window(kind: str, first: int) -> set[str]:
        return {
            r["activity_key"]
            for r in rows
            if r["activity_kind"] == kind and first <= r["activity_year"] <= 2024
        }

    # A's patents applied or granted in 2023-2024: the invention and the utility model.
    assert len(in_window("patent", 2023)) == 2
    # A's certificates issued 2022-2024: the 2024 one only (2021 is outside the window).
    assert len(in_window("certificate", 2022)) == 1
    # A's financing in 2023-2024: 2023-05-01 and 2024-04-01.
    assert len(in_window("financing", 2023)) == 2
    assert in_window("tech_sme_registration", 2023)


def test_enterprise_activity_holds_only_the_enterprises_c2_could_flag(
    built: tuple[Path, Path],
) -> None:
    """An enterprise none of whose tenant rows C2 could flag (scoring's own test on the row,
    any months) has no activity rows, though it has kept patents or financing; one that C2
    could flag has them."""
    warehouse, _ = built
    facts = pl.DataFrame(query(warehouse, "select * from marts.tenant_year_facts"))
    rule = load_rulebook(2024).clearout.C2.model_copy(update={"min_months": 0})
    could = facts.group_by("uscc").agg(c2_could_apply(rule).any().alias("could"))
    active = {
        r["uscc"]
        for r in query(
            warehouse,
            "select uscc from intermediate.int_patents_deduplicated where is_kept "
            "union select uscc from intermediate.int_financing_deduplicated where is_kept",
        )
    }
    flaggable = set(could.filter("could")["uscc"]) & active
    never = set(could.filter(~pl.col("could"))["uscc"]) & active
    assert flaggable and never  # the fixture has both kinds
    in_mart = {r["uscc"] for r in query(warehouse, "select uscc from marts.enterprise_activity")}
    assert flaggable <= in_mart
    assert not never & in_mart


def snapshot_of_year(warehouse: Path, year: int) -> dict[str, list[tuple]]:
    """Every mart's rows of one year, sorted, for before/after comparisons."""
    out = {}
    for mart in MARTS:
        column = YEAR_COLUMN.get(mart, "assessment_year")
        rows = query(warehouse, f'select * from marts."{mart}" where "{column}" = ?', [year])
        out[mart] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    return out


def test_reloading_2024_changes_2024_only(built: tuple[Path, Path]) -> None:
    warehouse, target = built
    before_2023 = snapshot_of_year(warehouse, 2023)
    before_2024 = snapshot_of_year(warehouse, 2024)
    assert before_2023["carrier_year_indicators"] and before_2023["attributed_events"]
    # Reload 2024 with B's financing 50 -> 80, as the ingest would (year's rows replaced).
    write_raw_year(warehouse, 2024, year_2024(b_financing="80"), findings=[FINDING_2024])
    run_dbt_parsed(["run"], warehouse, target)
    assert snapshot_of_year(warehouse, 2023) == before_2023
    after_2024 = snapshot_of_year(warehouse, 2024)
    assert after_2024 != before_2024
    assert float(indicators(warehouse, 2024, "C001")["financing_total_wan"]) == 180.0
    # Put the original rows back so the module's other tests see the same warehouse.
    write_raw_year(warehouse, 2024, year_2024(), findings=[FINDING_2024])
    run_dbt_parsed(["run"], warehouse, target)
    assert snapshot_of_year(warehouse, 2024) == before_2024
