"""One batch per warehouse at a time, a clear message when the file is busy, and what a
connection asks of the warehouse's catalog (`table_exists`)."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

from orchestration.errors import ExitCode, PipelineError

MEMORY_LIMIT = os.environ.get("CARRIER_ASSESS_MEMORY_LIMIT", "2.5GB")
"""DuckDB's memory cap (beyond it, sorts and joins spill to `<warehouse>.tmp`), the same in
profiles.yml so dbt's connection and ours agree: with the dbt process at this cap, the main
process and the audit worker beside it, a national year fits 4 GB (docs/benchmarks.md,
issue 21; at 4GB the dbt process alone reached 4.1 GiB)."""
DUCKDB_CONFIG = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": MEMORY_LIMIT,
}
"""Every connection the tool opens: never try to download an extension (STACK.md)."""


@contextlib.contextmanager
def run_lock(warehouse: Path) -> Iterator[None]:
    """Hold `<warehouse>.lock` for the whole run: dbt, the audit and publishing open the file in
    turn, and no second batch may slip in between them."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise PipelineError(
                ExitCode.WAREHOUSE,
                f"另一批次正在使用数据仓库 / another batch is running on {warehouse}",
            ) from exc
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def connect(warehouse: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection, closed on exit; busy or corrupt files become PipelineErrors."""
    try:
        con = duckdb.connect(str(warehouse), read_only=read_only, config=DUCKDB_CONFIG)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise PipelineError(
                ExitCode.WAREHOUSE,
                f"数据仓库被其他进程占用 / warehouse {warehouse} is locked by another process "
                f"(close it and retry): {text.splitlines()[0]}",
            ) from exc
        raise PipelineError(
            ExitCode.WAREHOUSE,
            f"数据仓库无法打开 / cannot open warehouse {warehouse}: {text.splitlines()[0]}",
        ) from exc
    except duckdb.Error as exc:
        raise PipelineError(
            ExitCode.WAREHOUSE,
            f"数据仓库文件损坏或不是 DuckDB 文件 / warehouse {warehouse} is corrupt or not a "
            f"DuckDB file: {str(exc).splitlines()[0]}",
        ) from exc
    try:
        yield con
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the warehouse holds `schema`.`table` (a table or a view)."""
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()  # fetch every row: DuckDB 2 keeps an unfinished result otherwise
    return bool(rows[0][0])
