"""dbt-duckdb internals: `DuckDBConnectionManager._ENV` and `_LOCK`, the one DuckDB database
dbt-duckdb keeps open per process in a class attribute; and its local environment module,
imported during the warm-up.

dbt-duckdb's own `close_all_connections` only drops the reference: the file stays open until
garbage collection, and opening it again with another configuration fails (STACK.md). So dbt's
per-thread handles are closed (`dbt.adapters.factory.cleanup_connections`), then the
environment's connection itself. Public path on another version: a garbage collection (in a
run the build's process ends after the build, which closes the file in any case)."""

from __future__ import annotations

import contextlib

from orchestration.internals._door import Door

DOOR = Door(
    library="dbt-duckdb",
    written_for=("1.11.1",),
    public_path="a garbage collection to close the warehouse after dbt",
)


def close_environment() -> None:
    """Close the DuckDB database dbt-duckdb holds open in this process, if any."""
    if not DOOR.is_open():
        import gc

        gc.collect()
        return
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a hard dependency
        return
    with contextlib.suppress(Exception):
        from dbt.adapters.factory import cleanup_connections

        cleanup_connections()
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            with contextlib.suppress(Exception):
                env.close()
            DuckDBConnectionManager._ENV = None


def preimport_build_modules() -> None:
    """Import dbt-duckdb's local environment ahead of the build (nothing on another version)."""
    if not DOOR.is_open():
        return
    with contextlib.suppress(ImportError):
        import dbt.adapters.duckdb.environments.local  # noqa: F401
