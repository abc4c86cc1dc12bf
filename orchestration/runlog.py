"""The run record: `results.runs`, one row per run, failed runs included.

A run's row is written when it starts (status `running`) and updated when it ends. A run that
was killed leaves `running` behind; the next run marks such rows `abandoned`. The row of a run
that publishes is updated inside the publishing transaction, so `published` and the year's
result rows appear together or not at all.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.config import PROJECT_DIR, RESULTS_SCHEMA
from scoring.results_contract import schema_version

RUNS_DDL = f"""
create schema if not exists {RESULTS_SCHEMA};
create table if not exists {RESULTS_SCHEMA}.runs (
    run_id varchar primary key,
    assessment_year integer not null,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,
    reason varchar,
    inputs_sha256 varchar,
    rules_sha256 varchar,
    code_version varchar,
    reports_dir varchar,
    rules_file varchar,
    out_dir varchar,
    trigger varchar,
    triggered_by varchar,
    rulebook_year integer,
    history_years varchar,
    history_gaps varchar
);
create table if not exists {RESULTS_SCHEMA}.run_rulebooks (
    run_id varchar primary key,
    assessment_year integer not null,
    rulebook_year integer,
    rules_sha256 varchar not null,
    rulebook_text varchar not null
);
"""

RUNS_ADDED_COLUMNS: dict[str, str] = {
    "schema_version": "varchar",
    "trigger": "varchar",
    "triggered_by": "varchar",
    "rulebook_year": "integer",
    "history_years": "varchar",
    "history_gaps": "varchar",
    "adjustments_sha256": "varchar",
}
"""Columns added to `results.runs` after its first release: added to an older warehouse's
table on first use (older rows keep NULL)."""

STATUSES = ("running", "published", "failed", "blocked", "abandoned")


def now_utc() -> datetime:
    """Wall-clock time in UTC, without tzinfo (stored as TIMESTAMP)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def new_run_id(year: int) -> str:
    """`<year>-<UTC timestamp>-<random>`: sortable and unique."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{year}-{stamp}-{secrets.token_hex(3)}"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def inputs_sha256(reports_dir: Path) -> str:
    """One digest over every file of the package: names (relative) and contents, sorted.

    The files are hashed two at a time: hashlib and file reads release the GIL, and the run
    waits for this digest before it ingests (only the dbt process's import goes on meanwhile;
    national: 646 MB, 0.41 -> 0.2 s on two cores; docs/benchmarks.md, issue 21). The digest
    is the same: the files' digests are combined in the sorted order."""
    from concurrent.futures import ThreadPoolExecutor

    digest = hashlib.sha256()
    files = [
        Path(folder) / name
        for folder, _dirs, names in os.walk(reports_dir)  # symlinks are never followed
        for name in names
    ]
    paths = sorted(p for p in files if p.is_file() and not p.is_symlink())
    with ThreadPoolExecutor(max_workers=2) as pool:
        for path, file_digest in zip(paths, pool.map(sha256_file, paths), strict=True):
            rel = path.relative_to(reports_dir).as_posix()
            digest.update(rel.encode("utf-8") + b"\0" + file_digest.encode("ascii") + b"\n")
    return digest.hexdigest()


def code_version() -> str:
    """The package version and, when run from a git checkout, the commit (with `+dirty`)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        base = version("carrier-assess")
    except PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
        base = "0+unknown"
    try:
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
        commit = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            env=env,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            env=env,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return base
    return f"{base}+g{commit}{'.dirty' if dirty else ''}"


@dataclass
class RunRecord:
    """What `results.runs` says about one run."""

    run_id: str
    assessment_year: int
    started_at: datetime
    inputs_sha256: str
    rules_sha256: str
    code_version: str
    reports_dir: str
    rules_file: str
    out_dir: str
    status: str = "running"
    reason: str | None = None
    finished_at: datetime | None = None
    trigger: str = "run"
    """`run` for a run started by hand or by the scheduler, `rederive` for a later year scored
    again because an earlier year was published (docs/architecture.md "Years and history")."""
    triggered_by: str | None = None
    rulebook_year: int | None = None
    rulebook_text: str | None = None
    """The rulebook text the year is scored with; stored in `results.run_rulebooks`."""
    history_years: str | None = None
    history_gaps: str | None = None
    adjustments_sha256: str | None = None
    """sha256 of the office's adjustments file the run applies (NULL without adjustments; the
    stored file's when a rerun applies the adjustments of the last publish again)."""
    extra: dict[str, object] = field(default_factory=dict)


def ensure_runs_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(RUNS_DDL)
    for column, sql_type in RUNS_ADDED_COLUMNS.items():
        con.execute(
            f"alter table {RESULTS_SCHEMA}.runs add column if not exists {column} {sql_type}"
        )


def insert_run(con: duckdb.DuckDBPyConnection, record: RunRecord) -> None:
    """The run's `runs` row as the record says, and its rulebook text when it has one."""
    con.execute(
        f"insert into {RESULTS_SCHEMA}.runs (run_id, assessment_year, started_at, finished_at, "
        "status, reason, inputs_sha256, rules_sha256, code_version, reports_dir, rules_file, "
        "out_dir, trigger, triggered_by, rulebook_year, history_years, history_gaps, "
        "schema_version, adjustments_sha256) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            record.run_id,
            record.assessment_year,
            record.started_at,
            record.finished_at,
            record.status,
            record.reason,
            record.inputs_sha256,
            record.rules_sha256,
            record.code_version,
            record.reports_dir,
            record.rules_file,
            record.out_dir,
            record.trigger,
            record.triggered_by,
            record.rulebook_year,
            record.history_years,
            record.history_gaps,
            schema_version(),
            record.adjustments_sha256,
        ],
    )
    if record.rulebook_text is not None:
        con.execute(
            f"insert or replace into {RESULTS_SCHEMA}.run_rulebooks "
            "(run_id, assessment_year, rulebook_year, rules_sha256, rulebook_text) "
            "values (?, ?, ?, ?, ?)",
            [
                record.run_id,
                record.assessment_year,
                record.rulebook_year,
                record.rules_sha256,
                record.rulebook_text,
            ],
        )


def start_run(con: duckdb.DuckDBPyConnection, record: RunRecord) -> None:
    """Record the run as `running`; mark runs that were left `running` as `abandoned`."""
    ensure_runs_table(con)
    con.execute(
        f"update {RESULTS_SCHEMA}.runs set status = 'abandoned', "
        "reason = coalesce(reason, '进程中断，未完成 / process ended before finishing') "
        "where status = 'running'"
    )
    insert_run(con, record)


def finish_run(
    con: duckdb.DuckDBPyConnection, record: RunRecord, status: str, reason: str | None
) -> None:
    """Set the final status (and the adjustments digest, known once the run resolved them);
    call inside the publishing transaction for `published`."""
    if status not in STATUSES:
        raise ValueError(f"unknown run status {status!r}")
    record.status = status
    record.reason = reason
    record.finished_at = now_utc()
    con.execute(
        f"update {RESULTS_SCHEMA}.runs set status = ?, reason = ?, finished_at = ?, "
        "history_years = ?, history_gaps = ?, adjustments_sha256 = ? where run_id = ?",
        [
            status,
            reason,
            record.finished_at,
            record.history_years,
            record.history_gaps,
            record.adjustments_sha256,
            record.run_id,
        ],
    )
