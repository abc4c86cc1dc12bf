"""A year's files written into its version folder (step 1 of publishing: tables.py): a Parquet
file per result table and each office file, a large year's workbooks by another process
meanwhile (workbook_worker.py), which `start_year_files` leaves to be waited for.

Reads: the year's result frames. Writes: the version folder's files, then makes the folder
durable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import polars as pl

from orchestration.publish.atomic import fsync_dir
from orchestration.publish.tables import RESULT_TABLES
from orchestration.publish.workbook_worker import Writer
from scoring.results_contract import (
    CODE_LABELS_TABLE,
    PARQUET_VERSION_KEY,
    code_labels_frame,
    schema_version,
)


class BackgroundWriter(Protocol):
    """Office files written by another process: `start` returns at once, `finish` waits."""

    def start(
        self, tables: Mapping[str, pl.DataFrame], files: Sequence[tuple[Writer, Path]], year: int
    ) -> None: ...

    def finish(self) -> list[Path]: ...


def start_year_files(
    tables: Mapping[str, pl.DataFrame],
    target_dir: Path,
    year: int,
    writers: Mapping[str, Writer],
    background: tuple[BackgroundWriter, Mapping[str, Writer]] | None = None,
) -> Callable[[], list[Path]]:
    """Write Parquet per table and each office file into `target_dir`; the files of
    `background` (a writer process and its files' writers by file name) by that process
    meanwhile (started first: workbook_worker.py). Everything else is written when this
    returns; the function it returns waits for the background files, makes the folder durable
    and returns every path (publishing replaces the tables meanwhile: pipeline/publishing.py)."""
    target_dir.mkdir(parents=True, exist_ok=False)
    written: list[Path] = []
    if background is not None:
        process, files = background
        process.start(tables, [(w, target_dir / name) for name, w in files.items()], year)
    metadata = {PARQUET_VERSION_KEY: schema_version()}
    parquet = {name: tables[name] for name in RESULT_TABLES}
    parquet[CODE_LABELS_TABLE] = code_labels_frame()
    for name, frame in parquet.items():
        path = target_dir / f"{name}.parquet"
        frame.write_parquet(path, compression="zstd", statistics=True, metadata=metadata)
        written.append(path)
    for filename, writer in writers.items():
        written.append(writer(tables, target_dir / filename, year))

    def finish() -> list[Path]:
        paths = written + (background[0].finish() if background is not None else [])
        fsync_dir(target_dir)
        return paths

    return finish
