"""The office workbook and the HTML report of a large year written in a process of their own
(`WorkbookWorker`), on the worker protocol of `orchestration.worker`, while the main process
writes the year's other files.

xlsxwriter is pure Python: the workbook holds the main process's one core for its whole time
(national: ~6.5 s of the publish step's ~16 s) while the machine's second core waits. Sent the
year's frames and the writers to call (module-level functions, sent by name), the worker writes
the same files with the same functions, so the files are the same; the main process meanwhile
writes the Parquet files, the data-quality report and the details workbook, replaces the result
tables, then takes the worker's answer. Which files go where (`publishing.BY_WORKER`) balances
the two: once the workbook's tables were written by columns (workbook_bodies.py) the worker had
time to spare, and the HTML report went to it too (national, measured in whole runs: the worker
6.9 s against the main process's 6.2 s; with the details workbook instead, 7.5 against 5.2;
docs/benchmarks.md, issue 21).

The frames travel as Arrow IPC files in a private temporary folder, not pickled through the pipe:
national, 267 MB of frames took ~1.1 s to pickle and send and ~1.3 s to receive; written
uncompressed and read back they take ~0.3 s in all (docs/benchmarks.md, issue 21). IPC is
polars' own columnar format: the frames read back are the frames written.

Reads: the frames it is sent. Writes: each file, atomically, at the path it is sent.
A write that fails with an OSError (a full disk) is that OSError again in the main process,
so publishing treats it as it treats its own (the published results unchanged).
"""

from __future__ import annotations

import errno
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import polars as pl

from orchestration.worker import Channel, Worker, WorkerName

NAME = WorkerName(
    process="carrier-assess-workbook",
    zh="写出评价工作簿",
    en="workbook writer",
    failure="workbook writer failed",
)

WORKER_ROWS = 200_000
"""A year whose result tables hold at least this many rows in all has its workbook written by
the worker (national: ~880,000 rows); a smaller one's workbook takes a second or less, less than
starting the worker costs (`use_worker`)."""


PRESTART_ROWS_READ = 1_000_000
"""A package of at least this many rows read has its worker started before scoring
(`prestart`), so that starting the process and importing polars and xlsxwriter (~0.8 s) is not
on publishing's critical path: the worker's workbook is its longer half (national: 4.85 M rows
read, ~880,000 result rows). Publishing takes the started worker if the year's tables reach
`WORKER_ROWS`, and writes the workbook itself otherwise (the worker then only waited)."""


def prestart(rows_read: int) -> bool:
    """Whether a package of `rows_read` rows has its workbook worker started early."""
    return rows_read >= PRESTART_ROWS_READ


def use_worker(tables: Mapping[str, pl.DataFrame], threshold: int | None = None) -> bool:
    """Whether the year's workbook is worth a process of its own (`WORKER_ROWS`)."""
    rows = sum(frame.height for frame in tables.values() if isinstance(frame, pl.DataFrame))
    return rows >= (WORKER_ROWS if threshold is None else threshold)


Writer = Callable[[Mapping[str, pl.DataFrame], Path, int], Path]
"""An office file's writer: (the year's tables, the path, the year) -> the path written."""


class WorkbookWorker:
    """Office-file writers in a spawned process: `start` sends the frames and the writers and
    returns at once, `finish` waits for the files. One batch of files per worker; use as a
    context manager."""

    def __init__(self) -> None:
        self._worker = Worker(_main, NAME)
        self._frames = tempfile.TemporaryDirectory(prefix="carrier-assess-workbook-")

    def __enter__(self) -> WorkbookWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(
        self, tables: Mapping[str, pl.DataFrame], files: Sequence[tuple[Writer, Path]], year: int
    ) -> None:
        """Hand over the frames the files read (`handed_over`); the worker starts writing each
        file with its writer, in order, at once. A writer is a module-level function (it is
        sent by name)."""
        jobs = [(writer, str(path)) for writer, path in files]
        self._worker.send("write", (handed_over(tables, Path(self._frames.name)), jobs, year))

    def finish(self) -> list[Path]:
        """The written files' paths, once written; the worker's OSError raised here."""
        failed, value = self._worker.receive().value()
        if failed:
            code, text, filename = value
            raise OSError(code, text, filename)
        return [Path(path) for path in value]

    def close(self) -> None:
        try:
            self._worker.close()
        finally:
            self._frames.cleanup()


def handed_over(tables: Mapping[str, object], folder: Path) -> list[tuple[str, bool, object]]:
    """The tables in their order as (name, is_file, value): each frame written to `folder` as an
    uncompressed Arrow IPC file (value: its path), anything else as it is (`taken_over`)."""
    items = []
    for index, (name, value) in enumerate(tables.items()):
        if isinstance(value, pl.DataFrame):
            file = folder / f"{index}.arrow"
            value.write_ipc(file, compression="uncompressed")
            items.append((name, True, str(file)))
        else:
            items.append((name, False, value))
    return items


def taken_over(items: list[tuple[str, bool, object]]) -> dict[str, object]:
    """The tables `handed_over` sent, in their order, each frame read back from its file."""
    return {name: pl.read_ipc(str(value)) if is_file else value for name, is_file, value in items}


def _main(channel: Channel) -> None:
    """The worker: import the writers while the main process prepares the frames, write once."""
    from orchestration.publish import html_report, workbook  # noqa: F401 (imported ahead)

    _, (items, jobs, year) = channel.receive()
    channel.answer(_write, jobs, taken_over(items), year)


def _write(
    jobs: list[tuple[Writer, str]], tables: dict[str, pl.DataFrame], year: int
) -> tuple[bool, object]:
    """(False, the paths written) or (True, the first OSError's errno, text and file name)."""
    try:
        return False, [str(writer(tables, Path(path), year)) for writer, path in jobs]
    except OSError as exc:
        return True, (exc.errno or errno.EIO, exc.strerror or str(exc), exc.filename)
