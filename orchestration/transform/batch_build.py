"""The batch's `dbt build` (`build_models`): seeds and models only, everything rebuilt when the
dbt code changed since the warehouse's last build, else only the tables.

Reads: the dbt project and the warehouse's raw layer. Writes: staging, intermediate, marts and
the reference seeds, and the code fingerprint (`fingerprint`)."""

from __future__ import annotations

from pathlib import Path

from orchestration.transform.dbt_results import DbtRunResult
from orchestration.transform.dbt_runner import run_dbt
from orchestration.transform.fingerprint import (
    code_fingerprint,
    read_stored_fingerprint,
    store_fingerprint,
)

PIPELINE_EXCLUDE = ("resource_type:test", "resource_type:unit_test")
"""What the batch leaves out of `dbt build`: dbt's data and unit tests are development-time
tests (`make test` and tests/ run them on small data); the Great Expectations gate decides
publishing (DESIGN.md). Skipping them saves ~2/3 of the transform step (docs/benchmarks.md)."""

UNCHANGED_EXCLUDE = ("resource_type:seed", "config.materialized:view")
"""What a build with unchanged code leaves as it is: seeds and views depend only on the code."""


LARGE_YEAR_ROWS = 1_000_000
"""A package of at least this many rows is built with one dbt thread (`build_threads`)."""


def build_threads(rows_read: int) -> int | None:
    """dbt's threads for the build of a package of `rows_read` rows: one for a large package,
    the profile's (four) otherwise. A large package's models each run for seconds and DuckDB
    already spreads each over every core: four at once on two cores only contend for them and
    for the memory cap, and spill (national: the build 61.5 s with four, 57.1 s with one). A
    small package's models run for milliseconds, and four threads overlap dbt's own work per
    model (district: 2.2 s with four, 2.9 s with one). docs/benchmarks.md, issue 21."""
    return 1 if rows_read >= LARGE_YEAR_ROWS else None


class Unread:
    """The stored fingerprint was not read by the caller (`build_models` reads it)."""


UNREAD = Unread()


def build_models(
    warehouse: Path,
    *,
    target_path: Path | None = None,
    quiet: bool = True,
    manifest: object | None = None,
    stored: str | None | Unread = UNREAD,
    threads: int | None = None,
) -> DbtRunResult:
    """The batch's `dbt build`: seeds and models only, in dependency order.

    Staged rows of unchanged years are kept (incremental staging), and seeds and views are left
    as they are; when the dbt code changed since the last build here, or nothing was recorded
    yet, everything is rebuilt (`--full-refresh`).
    `--no-write-json`: the batch reads dbt's results in-process; writing manifest.json and
    run_results.json cost ~1 s (docs/benchmarks.md). `manifest`: the parsed project
    (`load_or_parse_manifest`); without it dbt parses first. `stored`: the warehouse's stored
    fingerprint if the caller read it (`stored_fingerprint`); else it is read here."""
    fingerprint = code_fingerprint()
    if isinstance(stored, Unread):
        stored = read_stored_fingerprint(warehouse)
    result = run_dbt(
        _build_args(unchanged=stored == fingerprint)
        + (["--threads", str(threads)] if threads else []),
        warehouse=warehouse,
        target_path=target_path,
        quiet=quiet,
        manifest=manifest,
    )
    store_fingerprint(warehouse, fingerprint)
    return result


def _build_args(*, unchanged: bool) -> list[str]:
    """The build's dbt arguments: everything afresh, or, with the same code as the last build
    here, only the tables (the seeds and views are as that build left them: 28 dbt nodes
    fewer; docs/benchmarks.md)."""
    if not unchanged:
        return ["build", "--no-write-json", "--full-refresh", "--exclude", *PIPELINE_EXCLUDE]
    return ["build", "--no-write-json", "--exclude", *PIPELINE_EXCLUDE, *UNCHANGED_EXCLUDE]
