"""The batch's dbt build in a process of its own (transform.BuildWorker): dbt's answers and
errors come back to the main process as if the build had run there, and a worker that is never
asked leaves at once. The real dbt and DuckDB."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from orchestration import transform
from orchestration.errors import ExitCode

pytestmark = pytest.mark.slow


def test_a_failing_build_is_the_dbt_error_naming_its_nodes(tmp_path: Path) -> None:
    """No raw tables: every staging model fails. The error is dbt's, as build_models raises it
    in process (exit code TRANSFORM, the failing nodes named), and the worker has let go of the
    warehouse by the time it answers."""
    warehouse = tmp_path / "empty.duckdb"
    with (
        transform.BuildWorker(warehouse, target_path=tmp_path / "target") as builder,
        pytest.raises(transform.DbtRunError) as caught,
    ):
        builder.build()
    assert caught.value.code == ExitCode.TRANSFORM
    assert "model.carrier_assess.stg_awards__checked" in caught.value.reason
    assert caught.value.result.failed_nodes
    with duckdb.connect(str(warehouse)) as con:  # writable again: no other process holds it
        assert con.execute("select 1").fetchone() == (1,)


def test_a_worker_never_asked_to_build_leaves_at_once(tmp_path: Path) -> None:
    """A run that fails before its build (a bad package, say) is not held up by dbt's import."""
    builder = transform.BuildWorker(tmp_path / "w.duckdb", target_path=tmp_path / "target")
    started = time.perf_counter()
    builder.close()
    assert time.perf_counter() - started < 1.0
    assert not builder._process.is_alive()


def _hold_for_writing(path: str, ready, done) -> None:  # a spawned process's target
    with duckdb.connect(path) as con:
        con.execute("create table if not exists held(x int)")
        ready.set()
        done.wait(60)


def test_the_warm_up_runs_while_another_process_holds_the_warehouse(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The dbt process warms up (transform.warm_up) while the main process still ingests, so
    the warm-up must not open the warehouse, and must print nothing on the console."""
    import multiprocessing

    warehouse = tmp_path / "held.duckdb"
    target = tmp_path / "target"
    manifest = transform.load_or_parse_manifest(warehouse, target)
    context = multiprocessing.get_context("spawn")
    ready, done = context.Event(), context.Event()
    holder = context.Process(target=_hold_for_writing, args=(str(warehouse), ready, done))
    holder.start()
    try:
        assert ready.wait(60)
        with pytest.raises(duckdb.IOException):  # the lock is real: no one else may open it
            duckdb.connect(str(warehouse), read_only=True)
        capfd.readouterr()
        assert transform.warm_up(warehouse, target, manifest)
        assert capfd.readouterr().out == ""
    finally:
        done.set()
        holder.join(30)
