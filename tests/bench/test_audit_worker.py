"""The audit worker (GX imported in a second process) answers exactly as the in-process audit."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import duckdb
import polars as pl
import pytest

from orchestration import audit
from orchestration.errors import ExitCode, PipelineError


def _builders() -> ModuleType:
    """tests/audit/builders.py: the audit's own clean-warehouse builders (importlib mode)."""
    name = "tests_audit_builders"
    if name not in sys.modules:
        path = Path(__file__).parents[1] / "audit" / "builders.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def worker():
    with audit.AuditWorker() as running:
        yield running


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all(), nulls_last=True)


def test_worker_findings_equal_the_in_process_audit(worker, tmp_path: Path) -> None:
    b = _builders()
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path), config=b.DUCKDB_CONFIG) as con:
        b.build_clean_warehouse(con)
        # a planted defect: a patent key missing, so the gate has something to say
        b.put_table(con, "staging.stg_patents", b.staging_frame("patents", patent_no=[None, "K1"]))
    with duckdb.connect(str(path), read_only=True, config=b.DUCKDB_CONFIG) as con:
        expected = audit.audit_warehouse(con, b.YEAR)
    got = worker.audit_warehouse(path, b.YEAR)
    assert expected.error_count > 0
    assert got.error_count == expected.error_count
    assert _sorted(got.findings).equals(_sorted(expected.findings))
    # the worker closed its read-only connection: the file can be written again at once
    with duckdb.connect(str(path), config=b.DUCKDB_CONFIG) as con:
        con.execute("update staging.stg_patents set patent_no = 'K0' where patent_no is null")


def test_worker_checks_result_frames(worker) -> None:
    frames = {"carrier_scores": pl.DataFrame({"carrier_id": ["C001"]})}
    got = worker.audit_results(frames, 2024)
    expected = audit.audit_results(frames, 2024)
    assert got.error_count == expected.error_count > 0  # missing frames and columns
    assert _sorted(got.findings).equals(_sorted(expected.findings))


def test_a_warehouse_that_cannot_open_is_a_pipeline_error(worker, tmp_path: Path) -> None:
    bad = tmp_path / "not_a_warehouse.duckdb"
    bad.write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(PipelineError) as info:
        worker.audit_warehouse(bad, 2024)
    assert info.value.code == ExitCode.WAREHOUSE
    # and the worker still answers afterwards
    assert worker.audit_results({}, 2024).error_count == len(audit.RESULT_SUITES)


def test_a_dead_worker_is_an_internal_error_not_a_hang() -> None:
    running = audit.AuditWorker()
    running._process.kill()
    running._process.join()
    with pytest.raises(PipelineError) as info:
        running.audit_results({}, 2024)
    assert info.value.code == ExitCode.INTERNAL
    running.close()
