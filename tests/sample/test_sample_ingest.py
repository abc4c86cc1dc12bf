"""The sample read back by the real ingest and the real dbt staging models: every planted defect
is rejected where the manifest says, and nothing else is an error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.contract import datasets
from orchestration.ingest import ingest_package
from orchestration.sample import SampleManifest
from tests.parsed_dbt import run_dbt_parsed

pytestmark = pytest.mark.slow

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

CHECK_OF_KIND = {
    "uscc_check": "uscc_check_failed",
    "invalid_date": "unreadable_date",
    "negative_amount": "negative_amount",
    "negative_area": "negative_area",
    "unreadable_number": "unreadable_amount",
    "missing_required": "required_missing",
    "patent_check": "patent_no_check_failed",
    "patent_type_mismatch": "patent_type_mismatch",
    "certificate_year_mismatch": "certificate_year_mismatch",
}
"""The staging check that rejects each kind of planted defect."""


@pytest.fixture(scope="module")
def ingested(sample: SampleManifest, sample_root: Path, tmp_path_factory):
    """2024 ingested into a private warehouse, then dbt's staging models run on it."""
    tmp = tmp_path_factory.mktemp("sample_ingest")
    wh = tmp / "warehouse.duckdb"
    with duckdb.connect(str(wh), config=DUCKDB_CONFIG) as con:
        summary = ingest_package(con, 2024, sample_root / "2024", "sample-test")
    run_dbt_parsed(["run", "--select", "staging"], wh, tmp / "target")
    with duckdb.connect(str(wh), config=DUCKDB_CONFIG) as con:
        rejected = con.sql(
            " union all ".join(
                f"select dataset, _source_file, _sheet, _source_row, column_name, check_name, "
                f"value_as_written from staging.stg_{name}__rejected"
                for name in datasets()
            )
        ).fetchall()
    return summary, rejected


def test_ingest_reads_every_file_with_only_the_planted_warnings(
    sample: SampleManifest, ingested
) -> None:
    summary, _ = ingested
    ym = sample.years[2024]
    assert summary.files_by_status == {"loaded": 61, "duplicate": 1, "unreadable": 0, "ignored": 0}
    assert summary.findings_by_severity["error"] == 0
    warnings = sorted(f.check_name for f in summary.findings)
    assert warnings == ["duplicate_file", "ignored_sheet", "unknown_column"]
    assert summary.rows_by_dataset == ym.rows


def _rejected_rows(rejected) -> dict[tuple, set[str]]:
    got: dict[tuple, set[str]] = {}
    for dataset, file, sheet, row, _col, check, _value in rejected:
        got.setdefault((dataset, file, sheet, row), set()).add(check)
    return got


def _planted(sample: SampleManifest) -> dict[tuple, str]:
    return {
        (d.dataset, d.file, d.sheet, d.row): CHECK_OF_KIND[d.kind]
        for d in sample.years[2024].defects
    }


def test_every_planted_defect_is_rejected_where_the_manifest_says(
    sample: SampleManifest, ingested
) -> None:
    got = _rejected_rows(ingested[1])
    missing = {k: v for k, v in _planted(sample).items() if v not in got.get(k, set())}
    assert missing == {}


def test_nothing_but_the_planted_rows_is_rejected(sample: SampleManifest, ingested) -> None:
    got = _rejected_rows(ingested[1])
    unexpected = {k: v for k, v in got.items() if k not in _planted(sample)}
    assert unexpected == {}, f"{len(unexpected)} rows rejected that were not planted"
