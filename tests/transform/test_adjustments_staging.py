"""The office's report-row adjustments in staging (macros/incremental_staging.sql): set_value
replaces the cell before the checks, exclude_row rejects the row as adjusted_exclude, raw keeps
what was handed in, and a year whose adjustments change is parsed again although its package
did not. The real dbt and DuckDB on a tiny raw layer."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from orchestration import transform
from orchestration.ingest import FINDINGS_COLUMNS, adjustments_io

_spec = importlib.util.spec_from_file_location(
    "transform_fixtures", Path(__file__).with_name("conftest.py")
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
write_raw = _fixtures.write_raw
DUCKDB_CONFIG = _fixtures.DUCKDB_CONFIG

pytestmark = pytest.mark.slow

PATENT = {
    "carrier_id": "C001",
    "enterprise_name": "甲公司",
    "uscc": "91320500MA1XY1123E",
    "patent_no": "ZL 2023 1 0123456.6",
    "patent_type": "发明",
    "application_date": "2023-01-10",
    "grant_date": "2024-03-05",
}
ROWS = {
    "patents": [
        PATENT,  # row 2
        PATENT | {"patent_no": "202310123456.5"},  # row 3: check character wrong
        PATENT | {"patent_no": "202320123456.1", "patent_type": "实用新型"},  # row 4
    ]
}


def adjustment(adj_id: str, kind: str, row: int, column=None, value=None) -> dict:
    return {
        "adjustment_id": adj_id,
        "kind": kind,
        "dataset": "patents",
        "source_file": "patents.csv",
        "sheet": "",
        "source_row": row,
        "column_name": column,
        "value": value,
        "reason": "复核",
    }


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        return con.execute(sql).fetchall()


def test_row_adjustments_apply_before_cleaning_and_a_changed_set_restages(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    target = tmp_path / "target"
    write_raw(
        warehouse,
        ROWS,
        adjustments=[
            adjustment("X1", "exclude_row", 2),
            adjustment("V1", "set_value", 3, "patent_no", "202310123456.6"),
            adjustment("V2", "set_value", 4, "patent_no", "2023201234561"),
        ],
    )
    with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:  # what ingest also writes
        ddl = ", ".join(f"{name} {kind}" for name, kind in FINDINGS_COLUMNS)
        con.execute(f"create table raw._ingest_findings ({ddl})")
    transform.build_models(warehouse, target_path=target)
    kept = rows(warehouse, "select _source_row, patent_no from staging.stg_patents order by 1")
    assert kept == [(3, "202310123456.6"), (4, "202320123456.1")]  # corrected, then parsed
    rejected = rows(
        warehouse,
        "select _source_row, check_name, message from staging.stg_patents__rejected",
    )
    assert len(rejected) == 1 and rejected[0][:2] == (2, "adjusted_exclude")
    assert "X1" in rejected[0][2] and "复核" in rejected[0][2]
    severity = rows(
        warehouse,
        "select severity from marts.data_quality_issues where check_name = 'adjusted_exclude'",
    )
    assert severity == [("warning",)]
    counts = rows(
        warehouse,
        "select rows_read, rows_kept, rows_rejected, rows_duplicate from marts.dataset_counts "
        "where dataset = 'patents'",
    )
    assert counts == [(3, 2, 1, 0)]  # read = kept + rejected + duplicate, X1's row rejected
    raw = rows(warehouse, "select patent_no from raw.patents order by _source_row")
    assert [r[0] for r in raw] == [PATENT["patent_no"], "202310123456.5", "202320123456.1"]

    # the office withdraws X1 and V1: same package, same run id; the year is parsed again
    with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
        con.execute(f"delete from raw.{adjustments_io.RAW_TABLE} where adjustment_id <> 'V2'")
    second = transform.build_models(warehouse, target_path=target)
    assert "--full-refresh" not in second.args
    kept = rows(warehouse, "select _source_row from staging.stg_patents order by 1")
    assert kept == [(2,), (4,)]
    rejected = rows(warehouse, "select _source_row, check_name from staging.stg_patents__rejected")
    assert rejected == [(3, "patent_no_check_failed")]
