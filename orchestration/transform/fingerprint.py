"""The fingerprint of the dbt code a warehouse's staged tables were built with: computed from
the project's files (`code_fingerprint`), stored in the warehouse after each build
(`store_fingerprint`) and read back (`stored_fingerprint`). Staging is incremental
(macros/incremental_staging.sql): when the fingerprint changes, the batch rebuilds it all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestration.config import PROJECT_DIR
from orchestration.transform.project_files import digest, files_under

FINGERPRINT_TABLE = "staging._code_fingerprint"
"""Where the batch records the fingerprint of the dbt code the staged tables were built with."""


def code_fingerprint() -> str:
    """SHA-256 over the dbt project's own files (models, macros, seeds, dbt_project.yml) and the
    dbt versions. Staging is incremental (macros/incremental_staging.sql); when this changes,
    rows staged by the old code are stale and the batch rebuilds them all (`--full-refresh`)."""
    files = [PROJECT_DIR / "dbt_project.yml", *files_under(("models", "macros", "seeds"))]
    return digest(files).hexdigest()


def stored_fingerprint(con: Any) -> str | None:
    """The fingerprint of the dbt code the warehouse was last built with (None: never built
    here), read on an open connection: the main process reads it while ingest holds the
    warehouse and hands it to the build (`BuildWorker.build`), which then need not open the
    warehouse once more before dbt does."""
    import duckdb

    try:
        rows = con.execute(f"select fingerprint from {FINGERPRINT_TABLE}").fetchall()
    except duckdb.CatalogException:
        return None
    return str(rows[0][0]) if rows else None


def read_stored_fingerprint(warehouse: Path) -> str | None:
    """`stored_fingerprint`, on a connection of its own to `warehouse`."""
    from orchestration.lock import connect

    with connect(warehouse) as con:
        return stored_fingerprint(con)


def store_fingerprint(warehouse: Path, fingerprint: str) -> None:
    """Record `fingerprint` as the code the warehouse was just built with."""
    from orchestration.lock import connect

    with connect(warehouse) as con:
        con.execute(
            f"create or replace table {FINGERPRINT_TABLE} as select ? as fingerprint", [fingerprint]
        )
