"""kill -9 at every step boundary and inside publishing: what was published stays whole.

One private district; the 2024 rerun is killed at each point in turn (SIGKILL, no cleanup), the
published state is checked after each kill, and a last, normal run must succeed.
"""

from __future__ import annotations

import signal

import polars as pl
import pytest

from orchestration.pipeline import FAULT_ENV
from orchestration.publish.tables import RESULT_TABLES, current_version

pytestmark = pytest.mark.slow

BEFORE_COMMIT = [
    "before_ingest",
    "before_transform",
    "before_audit",
    "before_score",
    "before_results_audit",
    "before_publish",
    "files_written",
    "publish:table:carrier_scores",
    "publish:table:dq_issues",
    "publish:before_commit",
]
"""Killed here, the run has published nothing: everything must be byte-for-byte as before."""

AFTER_COMMIT = ["publish:after_commit", "publish:after_switch"]
"""Killed here, the run has committed: the tables hold the new run, whole; the files catch up
at the next run's start (reconcile)."""


def _year_run_ids(tables: dict[str, pl.DataFrame], year: int) -> set[str]:
    return {
        run_id
        for name in RESULT_TABLES
        if name != "runs"
        for run_id in tables[name].filter(pl.col("assessment_year") == year)["run_id"]
    }


def test_kill_minus_nine_anywhere_leaves_published_results_whole(district):
    before = district.published_state()
    for point in BEFORE_COMMIT:
        done = district.run_process(2024, env={FAULT_ENV: f"{point}=kill"})
        assert done.returncode == -signal.SIGKILL, (point, done.stderr)
        after = district.published_state()
        for name in RESULT_TABLES:
            if name != "runs":
                assert before["tables"][name].equals(after["tables"][name]), (point, name)
        assert before["out2024"] == after["out2024"], point
        assert before["copy"] == after["copy"], point

    for point in AFTER_COMMIT:
        done = district.run_process(2024, env={FAULT_ENV: f"{point}=kill"})
        assert done.returncode == -signal.SIGKILL, (point, done.stderr)
        tables = district.results()
        ids = _year_run_ids(tables, 2024)
        assert len(ids) == 1, (point, ids)  # the new run, whole, never a mix
        published = tables["runs"].filter(pl.col("status") == "published")
        assert ids <= set(published["run_id"]), point

    # The next run succeeds, marks the killed runs abandoned, and everything agrees again.
    done = district.run_process(2024)
    assert done.returncode == 0, done.stderr
    # The console script leaves with os._exit after the exit handlers (orchestration.cli.main):
    # nothing is left for the resource tracker to complain about, no traceback.
    assert "leaked" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "published 2024" in done.stdout + done.stderr  # the closing line was flushed
    tables = district.results()
    runs = tables["runs"]
    assert runs.filter(pl.col("status") == "running").height == 0
    assert runs.filter(pl.col("status") == "abandoned").height == len(BEFORE_COMMIT)
    (run_id,) = _year_run_ids(tables, 2024)
    folder = district.out / "2024"
    assert current_version(folder).name == f"2024-{run_id}"
    assert set(pl.read_parquet(folder / "carrier_scores.parquet")["run_id"]) == {run_id}
    assert (
        tables["carrier_scores"]
        .filter(pl.col("assessment_year") == 2023)
        .equals(before["tables"]["carrier_scores"].filter(pl.col("assessment_year") == 2023))
    )
