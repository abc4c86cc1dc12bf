"""Take dbt's first-call costs in the build's process before the build, without touching the
warehouse (`warm_up`): the build worker does it while the main process still ingests."""

from __future__ import annotations

from pathlib import Path

from orchestration.transform.dbt_runner import run_dbt


def warm_up(warehouse: Path, target_path: Path | None, manifest: object | None) -> bool:
    """Take dbt's first-call costs before the build, without touching the warehouse.

    A `dbt ls` over the parsed project runs everything a build runs before its first query:
    the ~90 modules dbt imports only then (the DuckDB adapter, `duckdb`, the tasks), the
    validation schemas it builds on first use, the adapter's registration and the project's
    graph (~0.3 s of the transform step at district scale, docs/benchmarks.md). `ls` opens no
    connection, so it runs while the main process still holds the warehouse. It lists the
    project's exposures (there are none): nothing is printed. Whether it worked or not, the
    build that follows is the same; returns whether it did."""
    if manifest is None:
        return False
    from orchestration.internals import dbt as dbt_internals
    from orchestration.internals import dbt_duckdb

    dbt_internals.preimport_build_modules()
    dbt_duckdb.preimport_build_modules()
    result = run_dbt(
        ["ls", "--no-write-json", "--resource-type", "exposure"],
        warehouse=warehouse,
        target_path=target_path,
        raise_on_failure=False,
        manifest=manifest,
    )
    return result.success
