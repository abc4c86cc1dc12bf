"""The batch's dbt build in a process of its own (build_worker.BuildWorker): dbt's answers and
errors come back to the main process as if the build had run there, and a worker that is never
asked leaves at once. The real dbt and DuckDB."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration import transform
from orchestration.errors import ExitCode
from orchestration.transform import build_worker
from orchestration.transform.manifest_cache import MANIFEST_CACHE

SEEDS = len(list((Path(__file__).resolve().parents[2] / "seeds").glob("*.csv")))
"""The project's seeds: a full build loads every one."""

pytestmark = pytest.mark.slow


def test_a_failing_build_is_the_dbt_error_naming_its_nodes(tmp_path: Path) -> None:
    """No raw tables: every staging model fails. The error is dbt's, as build_models raises it
    in process (exit code TRANSFORM, the failing nodes named), and the worker has let go of the
    warehouse by the time it answers."""
    warehouse = tmp_path / "empty.duckdb"
    with (
        build_worker.BuildWorker(warehouse, target_path=tmp_path / "target") as builder,
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
    builder = build_worker.BuildWorker(tmp_path / "w.duckdb", target_path=tmp_path / "target")
    started = time.perf_counter()
    builder.close()
    assert time.perf_counter() - started < 1.0
    assert not builder._process.is_alive()


def test_a_worker_spawned_ahead_reads_nothing_until_told_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The `run` command spawns the dbt process before its run holds the lock: until `warm`
    it only imports dbt, so it cannot race a run already in progress over the dbt target. Told
    where, it builds as one spawned with the warehouse does."""
    from orchestration.ingest import ingest_package
    from orchestration.lock import connect

    warehouse, target, package = tmp_path / "w.duckdb", tmp_path / "target", tmp_path / "2024"
    package.mkdir()
    with connect(warehouse) as con:  # an empty package: the raw and ingest tables, no rows
        ingest_package(con, 2024, package, "run-1")
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))  # where it would parse into, unasked
    with build_worker.BuildWorker() as builder:
        with pytest.raises(RuntimeError, match="warm"):
            builder.build()  # not told where: refused here, nothing sent
        time.sleep(4)  # dbt's import (~1.5 s) is over by now
        assert not target.exists()
        builder.warm(warehouse, target_path=target)
        with pytest.raises(RuntimeError, match="already"):
            builder.warm(warehouse, target_path=target)
        result = builder.build(None, threads=1)  # a large package's build: one dbt thread
        assert result.count("seed") == SEEDS
        assert result.args[-2:] == ("--threads", "1")
    assert (target / MANIFEST_CACHE).is_file()


def test_a_large_package_is_built_with_one_dbt_thread() -> None:
    """National: four models at once on two cores contend and spill (docs/benchmarks.md);
    a district's short models keep the profile's four threads."""
    assert transform.build_threads(transform.batch_build.LARGE_YEAR_ROWS) == 1
    assert transform.build_threads(4_848_186) == 1
    assert transform.build_threads(transform.batch_build.LARGE_YEAR_ROWS - 1) is None
    assert transform.build_threads(18_000) is None


HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists held(x int)")
print("ready", flush=True)
sys.stdin.read()
"""


def test_the_warm_up_runs_while_another_process_holds_the_warehouse(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """The dbt process warms up (transform.warm_up) while the main process still ingests, so
    the warm-up must not open the warehouse, and must print nothing on the console."""
    warehouse = tmp_path / "held.duckdb"
    target = tmp_path / "target"
    manifest = transform.load_or_parse_manifest(warehouse, target)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(duckdb.IOException):  # the lock is real: no one else may open it
            duckdb.connect(str(warehouse), read_only=True)
        capfd.readouterr()
        assert transform.warm_up(warehouse, target, manifest)
        assert capfd.readouterr().out == ""
    finally:
        holder.communicate("", timeout=30)


def test_the_fingerprint_handed_to_the_build_decides_the_full_refresh(tmp_path: Path) -> None:
    """The main process reads the stored fingerprint while ingest holds the warehouse and hands
    it over (`BuildWorker.build(stored)`): the build believes it, and stores the new one."""
    from orchestration.ingest import ingest_package
    from orchestration.lock import connect

    warehouse, target, package = tmp_path / "w.duckdb", tmp_path / "target", tmp_path / "2024"
    package.mkdir()
    with connect(warehouse) as con:  # an empty package: the raw and ingest tables, no rows
        ingest_package(con, 2024, package, "run-1")
    current = transform.code_fingerprint()

    def build(stored: str | None) -> transform.DbtRunResult:
        with build_worker.BuildWorker(warehouse, target_path=target) as builder:
            return builder.build(stored)

    assert build(None).count("seed") == SEEDS  # as if never built here: everything
    assert build(current).count("seed") == 0  # the same code: seeds and views kept
    assert build("an older fingerprint").count("seed") == SEEDS
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert transform.stored_fingerprint(con) == current
