"""The office workbook of a large year written in a process of its own (`WorkbookWorker`), on
the worker protocol of `orchestration.worker`, while the main process writes the year's other
files.

xlsxwriter is pure Python: the workbook holds the main process's one core for its whole time
(national: ~6.5 s of the publish step's ~16 s) while the machine's second core waits. Sent the
year's frames, the worker writes the same file with the same `workbook.write_workbook`, so the
file is the same; the main process meanwhile writes the Parquet files, the HTML report, the
data-quality report and the details workbook, then takes the worker's answer.

Reads: the frames it is sent. Writes: the workbook, atomically, at the path it is sent.
A write that fails with an OSError (a full disk) is that OSError again in the main process,
so publishing treats it as it treats its own (the published results unchanged).
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
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


def use_worker(tables: Mapping[str, pl.DataFrame], threshold: int | None = None) -> bool:
    """Whether the year's workbook is worth a process of its own (`WORKER_ROWS`)."""
    rows = sum(frame.height for frame in tables.values() if isinstance(frame, pl.DataFrame))
    return rows >= (WORKER_ROWS if threshold is None else threshold)


class WorkbookWorker:
    """`workbook.write_workbook` in a spawned process: `start` sends the frames and returns at
    once, `finish` waits for the file. One workbook per worker; use as a context manager."""

    def __init__(self) -> None:
        self._worker = Worker(_main, NAME)

    def __enter__(self) -> WorkbookWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self, tables: Mapping[str, pl.DataFrame], path: Path, year: int) -> None:
        """Send the frames the workbook reads; the worker starts writing `path` at once."""
        self._worker.send("write", (dict(tables), str(path), year))

    def finish(self) -> Path:
        """The written workbook's path, once written; the worker's OSError raised here."""
        failed, value = self._worker.receive().value()
        if failed:
            code, text, filename = value
            raise OSError(code, text, filename)
        return Path(value)

    def close(self) -> None:
        self._worker.close()


def _main(channel: Channel) -> None:
    """The worker: import the writer while the main process prepares the frames, write once."""
    from orchestration.publish import workbook

    _, (tables, path, year) = channel.receive()
    channel.answer(_write, workbook.write_workbook, tables, Path(path), year)


def _write(write, tables: dict[str, pl.DataFrame], path: Path, year: int) -> tuple[bool, object]:
    """(False, the path written) or (True, the OSError's errno, text and file name)."""
    try:
        return False, str(write(tables, path, year))
    except OSError as exc:
        return True, (exc.errno or errno.EIO, exc.strerror or str(exc), exc.filename)
