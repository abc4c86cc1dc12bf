"""Incremental staging (macros/incremental_staging.sql, transform.build_models): a year's raw rows
are parsed in the run that ingested them and kept afterwards; a re-ingested year is restaged, a
year whose rows are gone leaves staging, and changed dbt code rebuilds everything. The real
ingest, dbt and DuckDB on a small sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration import transform
from orchestration.ingest import ingest_package
from orchestration.lock import connect
from orchestration.sample import generate_sample
from orchestration.transform.fingerprint import FINGERPRINT_TABLE

pytestmark = pytest.mark.slow

CHECKED = [f"stg_{name}__checked" for name in ("carriers", "tenants", "patents", "financing")]


def _ingest(warehouse: Path, reports: Path, year: int, run_id: str) -> None:
    with connect(warehouse) as con:
        ingest_package(con, year, reports / str(year), run_id)


def _rows(warehouse: Path, table: str) -> list[str]:
    """A staged table's rows, run id aside (it differs between the runs compared), sorted."""
    with connect(warehouse, read_only=True) as con:
        cols = [c[0] for c in con.execute(f"describe {table}").fetchall() if c[0] != "_run_id"]
        sql = f"select {', '.join(cols)} from {table}"
        return sorted(map(repr, con.execute(sql).fetchall()))


def _run_ids(warehouse: Path, table: str) -> dict[int, set[str]]:
    with connect(warehouse, read_only=True) as con:
        rows = con.execute(f"select distinct _assessment_year, _run_id from {table}").fetchall()
    out: dict[int, set[str]] = {}
    for year, run_id in rows:
        out.setdefault(year, set()).add(run_id)
    return out


def _build(warehouse: Path, target: Path) -> transform.DbtRunResult:
    """The batch's build, given the parsed project as the batch loads it (here from the suite's
    shared cache: tests/conftest.py)."""
    manifest = transform.load_or_parse_manifest(warehouse, target)
    return transform.build_models(warehouse, target_path=target, manifest=manifest)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("incremental")
    generate_sample(root / "reports", years=(2023, 2024), scale=0.2)
    return root, root / "reports"


def test_incremental_build_equals_full_build_and_keeps_earlier_years(two_years, tmp_path):
    root, reports = two_years
    target = tmp_path / "target"
    incremental = tmp_path / "incremental.duckdb"
    _ingest(incremental, reports, 2023, "run-2023")
    first = _build(incremental, target)
    assert "--full-refresh" in first.args  # nothing recorded yet: a full build
    _ingest(incremental, reports, 2024, "run-2024")
    second = _build(incremental, target)
    assert "--full-refresh" not in second.args
    # 2023 was not parsed again: its staged rows still carry the first run's id.
    assert _run_ids(incremental, "staging.stg_patents__checked") == {
        2023: {"run-2023"},
        2024: {"run-2024"},
    }

    full = tmp_path / "full.duckdb"
    _ingest(full, reports, 2023, "other-2023")
    _ingest(full, reports, 2024, "other-2024")
    _build(full, tmp_path / "target-full")
    for model in CHECKED:
        assert _rows(incremental, f"staging.{model}") == _rows(full, f"staging.{model}"), model
    for table in ("marts.tenant_year_facts", "marts.attributed_events", "marts.dataset_counts"):
        assert _rows(incremental, table) == _rows(full, table), table


def test_reingested_year_is_restaged_and_a_vanished_dataset_leaves_staging(two_years, tmp_path):
    root, reports = two_years
    warehouse = tmp_path / "w.duckdb"
    target = tmp_path / "target"
    _ingest(warehouse, reports, 2023, "run-2023")
    _ingest(warehouse, reports, 2024, "run-2024")
    _build(warehouse, target)
    assert 2024 in _run_ids(warehouse, "staging.stg_patents__checked")

    # The office re-runs 2024 from a package without patents: ingest replaces the year's rows of
    # every raw table under the new run id, and the patents table keeps none for 2024.
    with connect(warehouse) as con:
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'"
        ).fetchall():
            con.execute(
                f"update raw.{table} set _run_id = 'run-2024b' where _assessment_year = 2024"
            )
        con.execute("delete from raw.patents where _assessment_year = 2024")
    _build(warehouse, target)
    assert _run_ids(warehouse, "staging.stg_patents__checked") == {2023: {"run-2023"}}
    assert _run_ids(warehouse, "staging.stg_tenants__checked") == {
        2023: {"run-2023"},
        2024: {"run-2024b"},
    }
    with connect(warehouse, read_only=True) as con:
        assert con.execute(
            "select count(*) from staging.stg_patents where _assessment_year = 2024"
        ).fetchone() == (0,)
        assert con.execute(
            "select count(*) from marts.attributed_events "
            "where source_row_ids like '%patents:2024:%'"
        ).fetchone() == (0,)


def test_changed_code_rebuilds_every_staged_row(two_years, tmp_path):
    root, reports = two_years
    warehouse = tmp_path / "w.duckdb"
    target = tmp_path / "target"
    _ingest(warehouse, reports, 2023, "run-2023")
    _build(warehouse, target)
    with connect(warehouse, read_only=True) as con:
        assert con.execute(f"select fingerprint from {FINGERPRINT_TABLE}").fetchone() == (
            transform.code_fingerprint(),
        )
    # A row staged by "old code": an incremental build keeps it (same run id as raw) ...
    with connect(warehouse) as con:
        con.execute(
            "insert into staging.stg_awards__checked by name "
            "select 2023 as _assessment_year, 'run-2023' as _run_id, 'stale.xlsx' as _source_file"
        )
    assert _build(warehouse, target).args.count("--full-refresh") == 0
    with connect(warehouse, read_only=True) as con:
        assert con.execute(
            "select count(*) from staging.stg_awards__checked where _source_file = 'stale.xlsx'"
        ).fetchone() == (1,)
    # ... and once the recorded fingerprint no longer matches the code, everything is rebuilt.
    with connect(warehouse) as con:
        con.execute(f"update {FINGERPRINT_TABLE} set fingerprint = 'older code'")
    rebuilt = _build(warehouse, target)
    assert "--full-refresh" in rebuilt.args
    with connect(warehouse, read_only=True) as con:
        assert con.execute(
            "select count(*) from staging.stg_awards__checked where _source_file = 'stale.xlsx'"
        ).fetchone() == (0,)
