"""dbt's DuckDB connection is configured as the batch's own connections are
(orchestration/lock.py DUCKDB_CONFIG): the same memory cap, no extension installed or loaded
(no network at run time). profiles.yml gives them as config_options, once at connect. The real
dbt and DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.config import PROJECT_DIR, WAREHOUSE_ENV
from orchestration.lock import DUCKDB_CONFIG
from orchestration.transform import dbt_runner

pytestmark = pytest.mark.slow

SETTINGS = ("memory_limit", "autoinstall_known_extensions", "autoload_known_extensions")


def test_dbt_connects_with_the_batch_configuration(tmp_path: Path) -> None:
    from dbt.cli.main import dbtRunner

    warehouse = tmp_path / "w.duckdb"
    query = "select " + ", ".join(f"current_setting('{name}') as {name}" for name in SETTINGS)
    args = ["show", "--quiet", "--inline", query, "--project-dir", str(PROJECT_DIR)]
    args += ["--profiles-dir", str(PROJECT_DIR), "--target-path", str(tmp_path / "target")]
    args += ["--log-path", str(tmp_path / "logs")]
    try:
        with dbt_runner._environment({WAREHOUSE_ENV: str(warehouse)}):
            result = dbtRunner().invoke(args)
    finally:
        dbt_runner.release_dbt_connections()
    assert result.success, result.exception
    seen = dict(zip(SETTINGS, result.result.results[0].agate_table.rows[0], strict=True))
    with duckdb.connect(":memory:", config=DUCKDB_CONFIG) as con:
        ours = con.execute(query).fetchone()
    assert tuple(str(v) for v in seen.values()) == tuple(str(v) for v in ours)
    assert str(seen["autoload_known_extensions"]).lower() == "false"
