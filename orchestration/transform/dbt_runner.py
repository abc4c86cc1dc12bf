"""Run dbt in-process (`run_dbt`), with the warehouse, target and log paths set explicitly, and
release dbt-duckdb's connection afterwards so the next step can open the file; `build` and
`build_docs` are the two plain dbt commands built on it.

dbt runs through the in-process `dbtRunner` (STACK.md: it saves ~1.4 s per call over a
subprocess)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from orchestration.config import PROJECT_DIR, WAREHOUSE_ENV, dbt_target_dir
from orchestration.transform.dbt_results import DbtRunError, DbtRunResult, first_line, node_outcomes


@contextlib.contextmanager
def _environment(overrides: dict[str, str]) -> Iterator[None]:
    """Set env vars for the duration of one dbt call, then put the old values back."""
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def release_dbt_connections() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after an in-process run, so the caller
    can open the file straight away (`internals.dbt_duckdb.close_environment`)."""
    from orchestration.internals.dbt_duckdb import close_environment

    close_environment()


def run_dbt(
    args: Sequence[str],
    *,
    warehouse: Path,
    target_path: Path | None = None,
    quiet: bool = True,
    raise_on_failure: bool = True,
    manifest: object | None = None,
) -> DbtRunResult:
    """Run one dbt command in-process on `warehouse`.

    The project and profile are the installed dbt project (orchestration.config.PROJECT_DIR);
    dbt's target folder is the one given, else beside the warehouse (`target_dir`), with its logs
    inside. The models build every loaded year, so no year goes to dbt: the
    parsed project is the same for every year and partial parsing stays valid between years.
    `manifest`: a project already parsed (`load_or_parse_manifest`), so dbt skips parsing. Raises
    DbtRunError naming the failing nodes unless `raise_on_failure` is off. dbt's DuckDB
    connection is always closed on return, so the caller can open the warehouse straight away.
    """
    from dbt.cli.main import dbtRunner

    args = [str(a) for a in args]
    if not args:
        raise ValueError("run_dbt needs a dbt command, e.g. ['build']")
    warehouse = Path(warehouse).expanduser().resolve()
    command = _command(args, target_dir(target_path, warehouse), quiet)
    env = {
        WAREHOUSE_ENV: str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PARTIAL_PARSE": "true",
    }
    started = time.perf_counter()
    try:
        with _environment(env):
            res = dbtRunner(manifest=manifest).invoke(command)  # type: ignore[arg-type]
    finally:
        release_dbt_connections()
    elapsed = time.perf_counter() - started
    nodes, compiled = node_outcomes(res.result)
    result = DbtRunResult(
        args=tuple(args),
        success=bool(res.success),
        nodes=nodes,
        elapsed_seconds=elapsed,
        compiled_sql=compiled,
        parsed_manifest=res.result if args[0] == "parse" and res.success else None,
    )
    if raise_on_failure and not result.success:
        detail = first_line(str(res.exception)) if res.exception else None
        raise DbtRunError(result, detail)
    return result


def _command(args: list[str], target: Path, quiet: bool) -> list[str]:
    """dbt's command line: the command, the output flags, the project, profile, target and logs."""
    flags = ["--quiet", "--no-use-colors"] if quiet else ["--no-use-colors"]
    return [
        args[0],
        *flags,
        *args[1:],
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]


def target_dir(target_path: Path | None, warehouse: Path) -> Path:
    """dbt's target folder: the one given, else $DBT_TARGET_PATH (a private target: tests,
    bench), else the warehouse's (`config.dbt_target_dir`: beside it, so writable wherever
    the package is installed)."""
    if target_path is None and os.environ.get("DBT_TARGET_PATH"):
        target_path = Path(os.environ["DBT_TARGET_PATH"])
    return Path(target_path).resolve() if target_path else dbt_target_dir(warehouse)


def build(
    warehouse: Path,
    select: Sequence[str] | None = None,
    *,
    target_path: Path | None = None,
    quiet: bool = True,
) -> DbtRunResult:
    """`dbt build`: seeds, models, unit and data tests, in dependency order."""
    args = ["build"]
    if select:
        args += ["--select", *select]
    return run_dbt(args, warehouse=warehouse, target_path=target_path, quiet=quiet)


def build_docs(warehouse: Path, out_dir: Path) -> Path:
    """Generate dbt's documentation as one static, offline HTML page; return its path."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    run_dbt(
        ["docs", "generate", "--static"],
        warehouse=warehouse,
        target_path=out_dir / "target",
    )
    page = out_dir / "index.html"
    page.write_bytes((out_dir / "target" / "static_index.html").read_bytes())
    return page
