"""One batch per warehouse: a second run stops at once with a clear reason."""

from __future__ import annotations

import pytest

from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect, run_lock


def test_a_second_batch_on_the_same_warehouse_is_refused(tmp_path):
    warehouse = tmp_path / "carriers.duckdb"
    with run_lock(warehouse):
        with pytest.raises(PipelineError) as refused, run_lock(warehouse):
            pass
        assert refused.value.code == ExitCode.WAREHOUSE
        assert "another batch is running" in refused.value.reason
    with run_lock(warehouse):  # released: the next batch may run
        pass


def test_a_file_that_is_not_a_database_is_named(tmp_path):
    bad = tmp_path / "carriers.duckdb"
    bad.write_bytes(b"\x00garbage" * 512)
    with pytest.raises(PipelineError) as failed, connect(bad):
        pass
    assert failed.value.code == ExitCode.WAREHOUSE
    assert str(bad) in failed.value.reason
