"""The office workbook written by the workbook worker (publish/workbook_worker.py): a spawned
process writing the same file the main process would, and its failures back in the main
process as the main process's own would be. The real xlsxwriter, in a real second process."""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl
import pytest

from orchestration.publish import workbook, workbook_worker


def _parts(path: Path) -> dict[str, bytes]:
    """Every part of an xlsx file but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"
        }


def test_the_worker_writes_the_workbook_the_main_process_would(
    tables: dict[str, pl.DataFrame], year: int, tmp_path: Path
) -> None:
    here = workbook.write_workbook(tables, tmp_path / "here.xlsx", year)
    with workbook_worker.WorkbookWorker() as worker:
        worker.start(tables, [(workbook.write_workbook, tmp_path / "there.xlsx")], year)
        (there,) = worker.finish()
    assert there == tmp_path / "there.xlsx"
    assert _parts(there) == _parts(here)
    assert len(_parts(here)) > 20  # the sheets, styles, strings: a whole workbook compared


def test_a_write_that_fails_is_the_oserror_in_the_main_process(
    tables: dict[str, pl.DataFrame], year: int, tmp_path: Path
) -> None:
    """Publishing turns an OSError into "the published results unchanged": the worker's must
    arrive as one (here: its folder is a file)."""
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    with workbook_worker.WorkbookWorker() as worker:
        worker.start(tables, [(workbook.write_workbook, tmp_path / "a-file" / "book.xlsx")], year)
        with pytest.raises(OSError):
            worker.finish()
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder"


def test_only_a_large_year_uses_the_worker(tables: dict[str, pl.DataFrame]) -> None:
    rows = sum(frame.height for frame in tables.values())
    assert rows < workbook_worker.WORKER_ROWS  # the sample: written in the main process
    assert not workbook_worker.use_worker(tables)
    assert workbook_worker.use_worker(tables, threshold=rows)
    assert not workbook_worker.use_worker(tables, threshold=rows + 1)


def test_the_frames_handed_over_are_the_frames_read_back(
    tables: dict[str, pl.DataFrame], tmp_path: Path
) -> None:
    """The frames travel as Arrow IPC files: each comes back equal, with its dtypes, in the
    same order, and anything that is not a frame as it was."""
    sent = {**tables, "note": {"not": "a frame"}}
    items = workbook_worker.handed_over(sent, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{i}.arrow" for i, value in enumerate(sent.values()) if isinstance(value, pl.DataFrame)
    )
    back = workbook_worker.taken_over(items)
    assert list(back) == list(sent)
    assert back["note"] == {"not": "a frame"}
    for name, frame in tables.items():
        assert back[name].schema == frame.schema, name
        assert back[name].equals(frame), name


def test_the_worker_leaves_no_files_behind(
    tables: dict[str, pl.DataFrame], year: int, tmp_path: Path
) -> None:
    with workbook_worker.WorkbookWorker() as worker:
        folder = Path(worker._frames.name)
        worker.start(tables, [(workbook.write_workbook, tmp_path / "book.xlsx")], year)
        assert any(folder.iterdir())  # the frames, handed over as files
        worker.finish()
    assert not folder.exists()
