"""The audit split in two: frames read without Great Expectations (the batch's main process),
validated in the worker process (GX) — with exactly the findings of the in-process audit."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from types import ModuleType

import duckdb
import polars as pl
import pytest

from orchestration import audit
from orchestration.audit import audit_worker, validation
from orchestration.errors import ExitCode, PipelineError

pytestmark = pytest.mark.slow


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
    with audit_worker.AuditWorker() as running:
        yield running


@pytest.fixture
def defective(tmp_path: Path) -> Path:
    """A warehouse file with one defect of each kind the reading side handles: a raw column
    missing, staging rows failing, a table missing, a computed frame that cannot be read."""
    b = _builders()
    path = tmp_path / "wh.duckdb"
    with duckdb.connect(str(path), config=b.DUCKDB_CONFIG) as con:
        b.build_clean_warehouse(con)
        b.put_table(con, "raw.patents", b.raw_frame("patents").drop("patent_no"))
        b.put_table(
            con,
            "staging.stg_tenants",
            b.staging_frame("tenants", 40, revenue_wan=[-1.0] * 40),
        )
        b.put_table(con, "staging.stg_patents", b.staging_frame("patents", patent_no=[None, "K1"]))
        con.execute("drop table staging.stg_awards")
        con.execute("drop table marts.attributed_events")
    return path


def test_frames_read_without_gx_validate_to_the_in_process_findings(worker, defective) -> None:
    b = _builders()
    for full_read_max_rows in (audit.FULL_READ_MAX_ROWS, 0):  # whole tables, then narrowed
        options = {"full_read_max_rows": full_read_max_rows, "max_findings": 5}
        with duckdb.connect(str(defective), read_only=True, config=b.DUCKDB_CONFIG) as con:
            expected = audit.audit_warehouse(con, b.YEAR, **options)
            raw = audit.read_warehouse(con, b.YEAR, suites=audit.raw_suites(), **options)
            models = audit.read_warehouse(con, b.YEAR, suites=audit.model_suites(), **options)
        # the pipeline's way: raw and the built layers in separate requests, combined in order
        got = audit.AuditResult.combine(worker.submit(raw).result(), worker.submit(models).result())
        assert got.findings.equals(expected.findings)
        checks = set(expected.findings["check_name"])
        assert {
            "raw.patents.required_columns",
            "stg_tenants.revenue_wan.non_negative",
            "stg_patents.patent_no.not_null",
            "stg_awards.table_missing",
            "marts_reconciliation.unreadable",
        } <= checks
        assert expected.blocks_publishing
    # the worker never held the file: it can be written again at once
    with duckdb.connect(str(defective), config=b.DUCKDB_CONFIG) as con:
        con.execute("update staging.stg_patents set patent_no = 'K0' where patent_no is null")


def test_reading_never_imports_great_expectations(defective) -> None:
    """The batch's main process reads every suite's frames; GX's import (~3 s of CPU) must
    stay in the worker."""
    code = textwrap.dedent(
        f"""
        import sys
        import duckdb
        import polars as pl
        from orchestration import audit
        from orchestration.audit import audit_worker
        with duckdb.connect({str(defective)!r}, read_only=True) as con:
            frames = audit.read_warehouse(con, {_builders().YEAR})
        results = audit.read_results({{"rewards": pl.DataFrame({{"carrier_id": ["C1"]}})}}, 2024)
        assert len(frames.suites) == len(audit.warehouse_suites())
        assert len(results.suites) == len(audit.RESULT_SUITES)
        print(sorted(m for m in sys.modules if m.split(".")[0] == "great_expectations"))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def test_auditing_never_executes_scipy_stats(defective) -> None:
    """GX imports `scipy.stats` for expectations the audit does not use; the GX door defers it
    (~1 s of every run's GX import). A whole audit, every suite with findings, leaves it
    unexecuted, and its findings are those of a process where it was imported first."""
    code = textwrap.dedent(
        f"""
        import sys
        if sys.argv[1] == "imported":
            import scipy.stats
        import duckdb
        from orchestration import audit
        with duckdb.connect({str(defective)!r}, read_only=True) as con:
            result = audit.audit_warehouse(con, {_builders().YEAR}, max_findings=5)
        print("scipy.stats._stats_py" in sys.modules)
        print(result.findings.sort(result.findings.columns).write_csv())
        """
    )
    runs = {
        how: subprocess.run(
            [sys.executable, "-c", code, how],
            capture_output=True, text=True, timeout=180, check=True,
        ).stdout.split("\n", 1)
        for how in ("deferred", "imported")
    }  # fmt: skip
    assert runs["deferred"][0] == "False"
    assert runs["imported"][0] == "True"
    assert runs["deferred"][1] == runs["imported"][1]
    assert "stg_patents.patent_no.not_null" in runs["deferred"][1]


def test_worker_checks_result_frames(worker) -> None:
    frames = {"carrier_scores": pl.DataFrame({"carrier_id": ["C001"]})}
    got = worker.submit(audit.read_results(frames, 2024)).result()
    expected = audit.audit_results(frames, 2024)
    assert got.error_count == expected.error_count > 0  # missing frames and columns
    assert got.findings.equals(expected.findings)


def _failing_scores(rows: int) -> dict[str, pl.DataFrame]:
    """A carrier_scores frame failing three checks on every row: a request and an answer
    (3,003 findings) each larger than the pipe's buffer."""
    return {
        "carrier_scores": pl.DataFrame(
            {
                "carrier_id": ["C000001"] * rows,
                "carrier_name": ["载体"] * rows,
                "carrier_type": ["incubator"] * rows,
                "total_score": [999.0] * rows,
                "grade": ["E"] * rows,
                "rank_in_type": list(range(1, rows + 1)),
                "veto_reason": [None] * rows,
            },
            schema_overrides={"veto_reason": pl.String},
        )
    }


def test_requests_are_answered_in_order_and_big_ones_do_not_deadlock(worker) -> None:
    """Several requests in flight: each handle gets its own answer, whichever is asked first;
    a big request sent while a big answer waits unread does not block either process."""
    big = audit.read_results(_failing_scores(20_000), 2024)
    small = audit.read_results({}, 2024)
    answers: dict[str, audit.AuditResult] = {}

    def talk() -> None:
        first = worker.submit(big)
        second = worker.submit(small)
        third = worker.submit(big)  # sent while the first answer (~1,000 rows) is unread
        answers["third"] = third.result()
        answers["second"] = second.result()
        answers["first"] = first.result()

    thread = threading.Thread(target=talk, daemon=True)
    thread.start()
    thread.join(timeout=60)
    if thread.is_alive():
        worker._process.kill()
        pytest.fail("the main process and the audit worker blocked each other")
    expected_big = audit.validate_frames(big).findings
    assert answers["first"].findings.equals(expected_big)
    assert answers["third"].findings.equals(expected_big)
    scores = answers["first"].findings.filter(pl.col("dataset") == "carrier_scores")
    assert scores.height == 3 * (audit.MAX_FINDINGS_PER_EXPECTATION + 1)
    assert answers["second"].findings["check_name"].to_list() == [
        f"{name}.table_missing" for name in audit.RESULT_SUITES
    ]


def test_a_failure_in_the_worker_is_reported_and_it_answers_afterwards(worker) -> None:
    unknown = {
        "type": "expect_column_to_be_lovely",  # not a GX type: refused, never dropped
        "kwargs": {"column": "a"},
        "meta": {"check_name": "x", "severity": "error", "message_zh": "无", "message_en": "no"},
    }
    suite = {"name": "lovely", "meta": {}, "expectations": [unknown]}
    broken = audit.AuditFrames(2024, 10, [audit.SuiteFrame(suite, pl.DataFrame({"a": [1]}))])
    with pytest.raises(RuntimeError, match="audit worker failed(.|\n)*dropped"):
        worker.submit(broken).result()
    assert worker.submit(audit.read_results({}, 2024)).result().error_count == len(
        audit.RESULT_SUITES
    )


def test_a_dead_worker_is_an_internal_error_not_a_hang() -> None:
    running = audit_worker.AuditWorker()
    pending = running.submit(audit.read_results({}, 2024))
    running._process.kill()
    running._process.join()
    with pytest.raises(PipelineError) as info:
        pending.result()  # or its answer came before the kill; the next one cannot
        running.submit(audit.read_results({}, 2024)).result()
    assert info.value.code == ExitCode.INTERNAL
    assert "the audit process died" in info.value.reason
    running.close()


def test_stop_ends_the_worker_at_once_even_while_it_validates() -> None:
    """On stop the worker leaves with os._exit(0): no interpreter teardown, no kill needed."""
    running = audit_worker.AuditWorker()
    running.submit(audit.read_results({}, 2024)).result()  # GX loaded
    running.submit(audit.read_results(_failing_scores(20_000), 2024))  # ~2 s of GX, unread
    start = time.perf_counter()
    running.close()
    # ~0.03 s; waiting for the validation or the interpreter's teardown (~0.75 s) is slower
    assert time.perf_counter() - start < 0.5
    assert running._process.exitcode == 0  # left by itself, not killed


def test_the_quick_first_pass_finds_what_one_detailed_pass_finds(defective) -> None:
    """`validate` first asks GX only which checks fail, then the failing rows of those checks
    alone; over every suite of a warehouse with defects of each kind, whole and narrowed, that
    gives exactly the findings of one detailed pass over every check."""
    b = _builders()
    for full_read_max_rows in (audit.FULL_READ_MAX_ROWS, 0):
        with duckdb.connect(str(defective), read_only=True, config=b.DUCKDB_CONFIG) as con:
            frames = audit.read_warehouse(
                con, b.YEAR, full_read_max_rows=full_read_max_rows, max_findings=5
            )
        failing = 0
        for read in frames.suites:
            if read.frame is None:
                continue
            suite = validation.suite_from_doc(read.suite)
            found = {
                quick: validation.validate(
                    read.frame,
                    suite,
                    year=b.YEAR,
                    max_findings=5,
                    failing_counts=read.failing_counts,
                    quick_pass=quick,
                )
                for quick in (True, False)
            }
            assert found[True].equals(found[False]), read.suite["name"]
            failing += found[True].height > 0
        assert failing >= 3  # the comparison covered suites with failing checks
