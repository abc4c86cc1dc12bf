"""Publish a year: result tables in one transaction, then the files and the read-only copy.

Everything is written inside the year's folder `DIR` (`--out`, by default `out/<year>`), the
warehouse's folder and the system's temporary folder; never beside `DIR`. `DIR` is a real
folder laid out as

    DIR/.versions/<DIR name>-<run_id>/   one folder per published run (the files themselves)
    DIR/current -> .versions/<…>/        the published version: a symlink
    DIR/<file> -> current/<file>         one stable relative symlink per published file
    DIR/blocked/<run_id>/                a blocked run's data-quality report (never published)

Readers open `DIR/<file>` as before. Switching `current` is one atomic rename, so every
`DIR/<file>` moves to the new run at the same instant: a reader sees the old set or the new one.

The order makes every failure safe:

1. The year's files (Parquet, workbook, HTML) are written into a fresh version folder
   `DIR/.versions/<name>-<run_id>/` that nobody reads yet (`year_files.py`; a large year's
   workbook may still be being written by its worker when step 2 starts: step 2 waits for it
   before it commits).
2. One DuckDB transaction replaces the year's rows of every `results.*` table and marks the run
   `published`. This commit is the moment of publication: before it nothing published changed,
   after it the year is whole.
3. `DIR/current` is switched to the new version folder with one atomic rename (the per-file
   links are made first: a new name's link points through `current` and appears with it), and
   the read-only copy for downstream readers (`<warehouse>.published.duckdb`) is rebuilt beside
   the warehouse and swapped in with one atomic rename.

A kill between 2 and 3 leaves the files one run behind the tables; `reconcile()`, called at the
start of every run, finishes step 3 for the last published run of every year.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from orchestration.config import RESULTS_SCHEMA
from orchestration.lock import DUCKDB_CONFIG, table_exists
from orchestration.publish.atomic import fsync_dir
from scoring.results_contract import (
    CODE_LABELS_TABLE,
    code_labels_frame,
    comment_statements,
    result_contract,
)

RESULT_TABLES: tuple[str, ...] = tuple(
    name for name, doc in result_contract().tables.items() if doc.published == "per_year"
)
"""The result tables a run replaces year by year, each with its `<table>.parquet`: those the
result contract (scoring/results_contract.yaml) marks `published: per_year`, in its order."""

VERSIONS_DIR = ".versions"
CURRENT_LINK = "current"
BLOCKED_DIR = "blocked"
KEEP_VERSIONS = 3
"""Version folders kept per year: the current one and two earlier (a reader may still hold one)."""
KEEP_BLOCKED = 5
"""Blocked runs' report folders kept per year (the newest)."""
_OFFICE_FILE = re.compile(
    r"^(carrier_assessment|carrier_details|report|dq_report)_\d{4}\.(xlsx|html)$"
)

PublishHook = Callable[[str], None]
"""Called with the name of each publishing stage; tests use it to inject faults."""


def _no_hook(_stage: str) -> None:
    return None


def published_copy_path(warehouse: Path) -> Path:
    """The read-only copy for downstream readers: `x.duckdb` → `x.published.duckdb`."""
    return warehouse.with_name(f"{warehouse.stem}.published{warehouse.suffix}")


def version_dir(out_dir: Path, run_id: str) -> Path:
    """The folder a run's files are written to, inside the year's folder."""
    return out_dir / VERSIONS_DIR / f"{out_dir.name}-{run_id}"


def blocked_dir(out_dir: Path, run_id: str) -> Path:
    """Where a blocked run's data-quality report goes: inside the year's folder, never linked
    into the published set."""
    return out_dir / BLOCKED_DIR / run_id


def current_version(out_dir: Path) -> Path | None:
    """The version folder the year's folder publishes now (None: nothing published there).

    Also answers for the older layout where `out_dir` itself was the symlink."""
    if out_dir.is_symlink():
        return out_dir.resolve()
    link = out_dir / CURRENT_LINK
    return link.resolve() if link.is_symlink() else None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _duckdb_type(con: duckdb.DuckDBPyConnection, view: str, column: str) -> str:
    row = con.execute(
        "select data_type from information_schema.columns where table_name = ? "
        "and column_name = ? and table_schema = 'main'",
        [view, column],
    ).fetchone()
    return row[0] if row else "VARCHAR"


def replace_year_rows(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, year: int
) -> None:
    """Inside an open transaction: make `results.<table>` hold `frame` as year `year`'s rows.

    The table is created from the frame's schema on first use; columns added by a newer version
    of the tool are added to the table (older rows get NULL) so downstream readers never break.
    """
    target = f"{RESULTS_SCHEMA}.{_quote(table)}"
    view = f"_publish_{table}"
    con.register(view, frame.to_arrow())
    try:
        con.execute(f"create table if not exists {target} as select * from {_quote(view)} limit 0")
        existing = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = ? and table_name = ?",
                [RESULTS_SCHEMA, table],
            ).fetchall()
        }
        for column in frame.columns:
            if column not in existing:
                col_type = _duckdb_type(con, view, column)
                con.execute(f"alter table {target} add column {_quote(column)} {col_type}")
        con.execute(f"delete from {target} where assessment_year = ?", [year])
        if frame.height:
            columns = ", ".join(_quote(c) for c in frame.columns)
            con.execute(f"insert into {target} ({columns}) select {columns} from {_quote(view)}")
    finally:
        con.unregister(view)


def _is_ours(name: str) -> bool:
    """A published file name of this tool (what an older layout left as a plain file)."""
    return name in {f"{t}.parquet" for t in RESULT_TABLES} or bool(_OFFICE_FILE.match(name))


def _link(target: str, at: Path) -> None:
    """Make `at` a symlink to `target` with one atomic rename (replacing what was there)."""
    if at.is_symlink() and os.readlink(at) == target:
        return
    tmp = at.with_name(f".{at.name}.link-tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(target)
    os.replace(tmp, at)


def _link_files(out_dir: Path, names: list[str]) -> None:
    for name in names:
        _link(f"{CURRENT_LINK}/{name}", out_dir / name)


def prepare_year_dir(out_dir: Path) -> None:
    """Make `out_dir` a real folder in the current layout; call before writing into it.

    Two older layouts are upgraded once: `out_dir` as a symlink into `../.versions/` (its
    version is copied inside and the symlink replaced by the folder: the year's files are
    missing only between an unlink and a rename), and `out_dir` as a plain folder of result
    files (they are moved into `.versions/<name>-legacy/` and linked back). Files that are not
    this tool's are never touched.
    """
    if out_dir.is_symlink():
        _upgrade_linked_year_dir(out_dir)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / CURRENT_LINK).is_symlink():
        return
    legacy = sorted(
        p.name for p in out_dir.iterdir() if p.is_file() and not p.is_symlink() and _is_ours(p.name)
    )
    if not legacy:
        return
    target = out_dir / VERSIONS_DIR / f"{out_dir.name}-legacy"
    target.mkdir(parents=True, exist_ok=True)
    for name in legacy:
        os.replace(out_dir / name, target / name)
    _link(os.path.relpath(target, out_dir), out_dir / CURRENT_LINK)
    _link_files(out_dir, legacy)
    fsync_dir(out_dir)


def _upgrade_linked_year_dir(out_dir: Path) -> None:
    old = out_dir.resolve()
    staging = out_dir.with_name(f".{out_dir.name}.upgrade-tmp")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / VERSIONS_DIR).mkdir(parents=True)
    names: list[str] = []
    if old.is_dir():
        copy = staging / VERSIONS_DIR / old.name
        shutil.copytree(old, copy, symlinks=True)
        names = sorted(p.name for p in copy.iterdir() if p.is_file())
        _link(os.path.relpath(copy, staging), staging / CURRENT_LINK)
        _link_files(staging, names)
    out_dir.unlink()
    os.rename(staging, out_dir)
    fsync_dir(out_dir.parent)
    # the older layout's versions of this year, beside the folder: no longer read
    versions = out_dir.parent / VERSIONS_DIR
    if versions.is_dir():
        for stale in versions.glob(f"{glob_escape(out_dir.name)}-*"):
            shutil.rmtree(stale, ignore_errors=True)
        with contextlib.suppress(OSError):
            versions.rmdir()


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def switch_year_dir(out_dir: Path, new_version: Path) -> None:
    """Publish `new_version` in `out_dir`: one atomic rename of `out_dir/current`.

    The per-file links (`<file> -> current/<file>`) are made first; they already exist for the
    names an earlier version had, so the rename switches the whole set at once. Links of names
    the new version no longer has are removed afterwards.
    """
    prepare_year_dir(out_dir)
    # files and folders (the data-quality report's per-carrier pages, `dq/`) alike
    names = sorted(p.name for p in new_version.iterdir() if p.is_file() or p.is_dir())
    _link_files(out_dir, names)
    _link(os.path.relpath(new_version, out_dir), out_dir / CURRENT_LINK)
    keep = set(names)
    for entry in out_dir.iterdir():
        if entry.name in keep or not entry.is_symlink():
            continue
        target = os.readlink(entry)
        if target.startswith(f"{CURRENT_LINK}/") and entry.name not in keep:
            entry.unlink()
    fsync_dir(out_dir)


def prune_versions(out_dir: Path, keep: int = KEEP_VERSIONS) -> None:
    """Remove all but the newest `keep` version folders of this year (never the current one),
    and all but the newest `KEEP_BLOCKED` blocked reports."""
    current = current_version(out_dir)
    for folder, limit in ((out_dir / VERSIONS_DIR, keep), (out_dir / BLOCKED_DIR, KEEP_BLOCKED)):
        if out_dir.is_symlink() or not folder.is_dir():
            continue
        candidates = sorted(
            (p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for old in candidates[limit:]:
            if current is not None and old.resolve() == current:
                continue
            shutil.rmtree(old, ignore_errors=True)


def export_published_copy(con: duckdb.DuckDBPyConnection, warehouse: Path) -> Path:
    """Rebuild the read-only copy of `results.*` and swap it in atomically.

    Readers that opened the old copy keep reading it (the old inode stays alive on POSIX);
    readers that open the path afterwards see the new one. Neither ever sees half a year.
    """
    target = published_copy_path(warehouse)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "order by table_name",
            [RESULTS_SCHEMA],
        ).fetchall()
    ]
    con.execute(f"attach {_sql_literal(str(tmp))} as published_copy")
    try:
        con.execute(f"create schema if not exists published_copy.{RESULTS_SCHEMA}")
        _copy_tables(con, tables)
        describe_tables(con, f"published_copy.{RESULTS_SCHEMA}")
    finally:
        con.execute("detach published_copy")
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    fsync_dir(target.parent)
    return target


COPY_THREADS = 2
"""Tables copied at once into the read-only copy: one `create table … as` keeps DuckDB's
threads only ~1.2 of 2 cores busy (national: 1.4 s for 1.75 s of CPU one table at a time,
1.05–1.2 s two at a time; docs/benchmarks.md, issue 21, item 62)."""


def _copy_tables(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Each of `results.<tables>` into the attached `published_copy`, `COPY_THREADS` at a time,
    the largest first, each on a cursor of its own (the attachment is the database's, seen by
    every cursor; each table is its own transaction, as one at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    sizes = dict(
        con.execute(
            "select table_name, estimated_size from duckdb_tables() "
            "where database_name = current_database() and schema_name = ?",
            [RESULTS_SCHEMA],
        ).fetchall()
    )

    def copy(table: str) -> None:
        with con.cursor() as cursor:
            cursor.execute(
                f"create table published_copy.{RESULTS_SCHEMA}.{_quote(table)} as "
                f"select * from {RESULTS_SCHEMA}.{_quote(table)}"
            )

    largest_first = sorted(tables, key=lambda table: -(sizes.get(table) or 0))
    with ThreadPoolExecutor(COPY_THREADS, thread_name_prefix="published-copy") as pool:
        list(pool.map(copy, largest_first))  # raises the first failure


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class YearTables:
    """One year to publish: its result tables and what marks its run published."""

    year: int
    tables: Mapping[str, pl.DataFrame]
    mark_published: Callable[[duckdb.DuckDBPyConnection], None]


def publish_year(
    con: duckdb.DuckDBPyConnection,
    *,
    tables: Mapping[str, pl.DataFrame],
    year: int,
    run_id: str,
    mark_published: Callable[[duckdb.DuckDBPyConnection], None],
    hook: PublishHook = _no_hook,
) -> None:
    """Step 2: replace the year's rows of every result table and mark the run, atomically."""
    del run_id  # named by mark_published; kept for callers
    publish_years(con, [YearTables(year, tables, mark_published)], hook=hook)


def publish_years(
    con: duckdb.DuckDBPyConnection,
    years: Sequence[YearTables],
    *,
    hook: PublishHook = _no_hook,
    before_commit: Callable[[], None] = lambda: None,
) -> None:
    """Step 2 for several years (a run and the later years it re-derives): every year's rows
    replaced and every run marked in one transaction, all years or none. `before_commit`
    runs last before the commit (the files still being written are waited for there); what it
    raises rolls the transaction back."""
    for item in years:
        missing = [name for name in RESULT_TABLES if name not in item.tables]
        if missing:
            raise ValueError(f"cannot publish {item.year} without tables: {', '.join(missing)}")
    con.execute(f"create schema if not exists {RESULTS_SCHEMA}")
    con.execute("begin transaction")
    try:
        for index, item in enumerate(years):
            prefix = "" if index == 0 else f"{item.year}:"
            for name in RESULT_TABLES:
                if name == "runs":
                    continue  # the runs row is updated by mark_published, never deleted
                replace_year_rows(con, name, item.tables[name], item.year)
                hook(f"{prefix}table:{name}")
            item.mark_published(con)
        replace_code_labels(con)
        describe_tables(con, RESULTS_SCHEMA)
        before_commit()
        hook("before_commit")
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("rollback")
        raise
    hook("after_commit")


def replace_code_labels(con: duckdb.DuckDBPyConnection) -> None:
    """`results.code_labels`: the labels of every code the tables carry (not per year)."""
    con.register("_publish_code_labels", code_labels_frame().to_arrow())
    try:
        con.execute(
            f"create or replace table {RESULTS_SCHEMA}.{CODE_LABELS_TABLE} as "
            "select * from _publish_code_labels"
        )
    finally:
        con.unregister("_publish_code_labels")


def describe_tables(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """`COMMENT ON` every table and column of `schema` that the result contract describes."""
    catalog, _, name = schema.rpartition(".")
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = ? and (? = '' or table_catalog = ?) "
        "order by table_name, ordinal_position",
        [name, catalog, catalog],
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    for table, cols in columns.items():
        for statement in comment_statements(schema, table, cols):
            con.execute(statement)


def reconcile(con: duckdb.DuckDBPyConnection, warehouse: Path) -> list[str]:
    """Finish step 3 for any year whose last published run's files were not switched in.

    Returns a line per repair, for the log. Safe to call at any time; does nothing when the files
    already match the tables.
    """
    repairs: list[str] = []
    if not table_exists(con, RESULTS_SCHEMA, "runs"):
        return repairs
    rows = con.execute(
        f"""
        select assessment_year, run_id, out_dir from (
            select assessment_year, run_id, out_dir,
                   row_number() over (partition by assessment_year
                                      order by finished_at desc, run_id desc) as rn
            from {RESULTS_SCHEMA}.runs where status = 'published' and out_dir is not null
        ) where rn = 1 order by assessment_year
        """
    ).fetchall()
    for year, run_id, out_dir_text in rows:
        out_dir = Path(out_dir_text)
        wanted = version_dir(out_dir, run_id)
        if wanted.is_dir() and current_version(out_dir) != wanted.resolve():
            switch_year_dir(out_dir, wanted)
            repairs.append(f"{year}: out folder switched to run {run_id}")
    copy = published_copy_path(warehouse)
    signature = _published_signature(con)
    if signature and _copy_signature(copy) != signature:
        export_published_copy(con, warehouse)
        repairs.append("read-only copy rebuilt")
    return repairs


_SIGNATURE_SQL = (
    f"select coalesce(string_agg(run_id, ',' order by run_id), '') "
    f"from {RESULTS_SCHEMA}.runs where status = 'published'"
)


def _published_signature(con: duckdb.DuckDBPyConnection) -> str:
    """The published runs, as one string: equal in the warehouse and the copy when in sync."""
    return con.execute(_SIGNATURE_SQL).fetchone()[0]


def _copy_signature(copy: Path) -> str | None:
    if not copy.exists():
        return None
    try:
        with duckdb.connect(str(copy), read_only=True, config=DUCKDB_CONFIG) as con:
            return _published_signature(con)
    except duckdb.Error:
        return None
