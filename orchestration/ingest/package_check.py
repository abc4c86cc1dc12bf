"""Before anything costs time: is there a report package at the path at all?

A folder with no report file (empty, or only sub-folders and files the batch ignores) would
otherwise go through a whole dbt build to end blocked; a path that is a file is a different
mistake from a path that does not exist. Both end with exit 3 before the run takes its lock.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.errors import ExitCode, PipelineError

SHOWN = 8
"""Entries of the folder named in the message, at most."""


def is_report_file(entry: Path) -> bool:
    """A file ingest reads: an `.xlsx` workbook, or a `.csv` named after a dataset."""
    from orchestration.contract import datasets
    from orchestration.ingest.headers import match_csv_name

    if not entry.is_file() or entry.name.startswith("~$"):
        return False
    suffix = entry.suffix.lower()
    if suffix == ".xlsx":
        return True
    return suffix == ".csv" and match_csv_name(entry.stem, datasets().values()) is not None


def check_reports_dir(path: Path) -> None:
    """Raise a PipelineError (exit 3) unless `path` is a folder holding a report file."""
    if path.is_file():
        raise PipelineError(
            ExitCode.INPUT,
            f"报送材料路径是一个文件，不是文件夹 / the reports path is a file, not a folder: "
            f"{path} (--reports 应指向存放报送材料的文件夹 / --reports takes the folder that "
            "holds the package)",
        )
    if not path.is_dir():
        raise PipelineError(
            ExitCode.INPUT, f"报送材料目录不存在 / reports folder not found: {path}"
        )
    entries = sorted(path.iterdir(), key=lambda p: p.name)
    if any(is_report_file(entry) for entry in entries):
        return
    if not entries:
        found = "文件夹为空 / the folder is empty"
    else:
        names = [f"{e.name}/" if e.is_dir() else e.name for e in entries[:SHOWN]]
        more = f" …(+{len(entries) - SHOWN})" if len(entries) > SHOWN else ""
        found = f"只有 / it holds only: {', '.join(names)}{more}"
    raise PipelineError(
        ExitCode.INPUT,
        f"报送材料目录中没有可读取的报送文件（.xlsx，或以数据集命名的 .csv）/ no report file "
        f"(.xlsx, or a .csv named after a dataset) in {path}: {found}",
    )
