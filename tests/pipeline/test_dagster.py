"""The optional Dagster definitions: five yearly assets over the real steps (dbt, DuckDB, GX).

Run with the extra installed (`pip install -e '.[dagster]'`); without it the Dagster tests skip
and only the checks that the base package does not need dagster run.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.config import PROJECT_DIR
from orchestration.lock import DUCKDB_CONFIG

SKIP_REASON = (
    "dagster is not installed (optional extra: pip install -e '.[dagster]'); "
    "the Dagster definitions are tested only with the extra"
)
ASSET_NAMES = ["raw_reports", "dbt_models", "quality_gate", "scores", "published_results"]
YEAR = 2024


@pytest.fixture
def dg():
    return pytest.importorskip("dagster", reason=SKIP_REASON)


@pytest.fixture
def defs_module(dg):
    import orchestration.dagster_defs as module

    return module


@pytest.fixture(scope="module")
def sample_reports(tmp_path_factory) -> Path:
    """One small year of reports, generated once for the module (copied by each test)."""
    pytest.importorskip("dagster", reason=SKIP_REASON)
    from orchestration.sample import generate_sample

    root = tmp_path_factory.mktemp("dagster_sample") / "reports"
    generate_sample(root, years=(YEAR,), scale=0.2)
    return root


@pytest.fixture
def place(sample_reports, warehouse, tmp_path, monkeypatch, defs_module):
    """A private reports root, warehouse, out root and dbt target for one test."""
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "dbt_target"))
    reports = tmp_path / "reports"
    shutil.copytree(sample_reports, reports)
    return defs_module.CarrierAssessResource(
        reports_root=str(reports), warehouse=str(warehouse), out_root=str(tmp_path / "out")
    )


def _materialize(dg, defs_module, resource, selection=None):
    assets = defs_module.ASSETS
    return dg.materialize(
        assets,
        selection=selection,
        partition_key=str(YEAR),
        resources={"carrier_assess": resource},
        raise_on_error=False,
    )


def _metadata(result, name: str) -> dict[str, object]:
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == name
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    sql = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return bool(con.execute(sql, [schema, name]).fetchone()[0])


# --------------------------------------------------------------------------------------------
# Always run: the base package must not need dagster


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_dagster_defs_imports_dagster():
    offenders = []
    for package in ("orchestration", "scoring"):
        for path in sorted((PROJECT_DIR / package).rglob("*.py")):
            if path.name == "dagster_defs.py":
                continue
            bad = {
                n
                for n in _imported_modules(path)
                if n == "dagster"
                or n.startswith("dagster.")
                or n.startswith("orchestration.dagster_defs")
            }
            if bad:
                offenders.append(f"{path.relative_to(PROJECT_DIR)}: {sorted(bad)}")
    assert not offenders, offenders


def test_the_cli_and_batch_import_without_dagster():
    code = (
        "import sys, orchestration.cli, orchestration.pipeline, orchestration.score; "
        "print('dagster' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False"


def test_without_dagster_the_import_says_how_to_install():
    if importlib.util.find_spec("dagster") is not None:
        pytest.skip("dagster is installed; this checks the message shown without it")
    with pytest.raises(ImportError, match=r"pip install -e '\.\[dagster\]'"):
        import orchestration.dagster_defs  # noqa: F401


# --------------------------------------------------------------------------------------------
# With the extra


def test_five_assets_chained_and_partitioned_by_year(defs_module):
    defs = defs_module.defs
    specs = {s.key.to_user_string(): s for s in defs.resolve_all_asset_specs()}
    assert sorted(specs) == sorted(ASSET_NAMES)
    for upstream, downstream in zip(ASSET_NAMES, ASSET_NAMES[1:], strict=False):
        deps = {d.asset_key.to_user_string() for d in specs[downstream].deps}
        assert deps == {upstream}, downstream
    for spec in specs.values():
        keys = spec.partitions_def.get_partition_keys()
        assert keys == [str(y) for y in range(2023, 2031)]
    assert defs.resolve_job_def("yearly_batch") is not None


def test_materialize_2024_publishes_scores(dg, defs_module, place, warehouse, tmp_path):
    result = _materialize(dg, defs_module, place)
    assert result.success
    assert _materialized(result) == set(ASSET_NAMES)

    assert _metadata(result, "raw_reports")["rows"] > 0
    assert _metadata(result, "dbt_models")["models"] > 0
    assert _metadata(result, "quality_gate")["errors"] == 0
    scored = _metadata(result, "scores")["carriers"]
    published = _metadata(result, "published_results")

    with duckdb.connect(str(warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        (rows,) = con.execute(
            "select count(*) from results.carrier_scores where assessment_year = ?", [YEAR]
        ).fetchone()
        (status,) = con.execute(
            "select status from results.runs where run_id = ?", [published["run_id"]]
        ).fetchone()
    assert rows > 0
    assert rows == scored  # the scores asset saw what was published
    assert status == "published"
    assert (tmp_path / "out" / str(YEAR) / "carrier_scores.parquet").is_file()


def test_a_blocking_defect_fails_the_gate_and_publishes_nothing(
    dg, defs_module, place, warehouse, tmp_path
):
    """No carriers sheet: the gate fails with the batch's one line; nothing is published."""
    import openpyxl

    for path in (Path(place.reports_root) / str(YEAR)).iterdir():
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for name in list(book.sheetnames):
                if name in ("载体信息", "carriers"):
                    del book[name]
            book.save(path)

    result = _materialize(dg, defs_module, place)
    assert not result.success
    assert _materialized(result) == {"raw_reports", "dbt_models"}
    (failure,) = result.get_step_failure_events()
    assert failure.step_key == "quality_gate"
    data = failure.step_failure_data.user_failure_data
    assert "block publishing" in data.description and "\n" not in data.description
    assert data.metadata["exit_code"].value == 5

    with duckdb.connect(str(warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        assert not _table_exists(con, "results", "carrier_scores")
    assert not (tmp_path / "out" / str(YEAR)).exists()


def test_a_missing_year_folder_fails_at_ingest(dg, defs_module, place):
    shutil.rmtree(Path(place.reports_root) / str(YEAR))
    result = _materialize(dg, defs_module, place)
    assert not result.success
    (failure,) = result.get_step_failure_events()
    assert failure.step_key == "raw_reports"
    assert "reports folder not found" in failure.step_failure_data.user_failure_data.description
    assert _materialized(result) == set()
