"""What the readers of one package share: the summary they add files, sheets and findings to,
and the raw frames read so far, per dataset (with the header matcher of each dataset)."""

from __future__ import annotations

import polars as pl

from orchestration.contract import datasets
from orchestration.ingest.headers import HeaderMatcher
from orchestration.ingest.summary import FileResult, Finding, IngestSummary, SheetResult


class Recorder:
    """Where the xlsx, CSV and table readers put what they read and what they found."""

    def __init__(self, summary: IngestSummary) -> None:
        self.summary = summary
        self.frames: dict[str, list[pl.DataFrame]] = {name: [] for name in datasets()}
        self.matchers = {name: HeaderMatcher(ds) for name, ds in datasets().items()}

    def finding(
        self,
        check: str,
        severity: str,
        message: str,
        *,
        dataset: str | None = None,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.summary.findings.append(
            Finding(dataset, file, sheet, row, column, check, severity, value, message)
        )

    def file_status(self, result: FileResult) -> None:
        self.summary.files.append(result)

    def sheet_status(self, result: SheetResult) -> None:
        self.summary.sheets.append(result)

    def unreadable(self, name: str, sha: str, size: int, zh: str, en: str) -> None:
        msg = f"文件“{name}”无法读取：{zh} / file '{name}' cannot be read: {en}"
        self.file_status(FileResult(name, "unreadable", sha, size, None, msg))
        self.finding("unreadable_file", "error", msg, file=name)

    def empty_sheet(self, name: str, sheet_name: str, dataset: str) -> None:
        self.sheet_status(SheetResult(name, sheet_name, dataset, None, 0, "empty"))
        where = f"工作表“{sheet_name}”" if sheet_name else "CSV"
        self.finding(
            "empty_sheet",
            "warning",
            f"文件“{name}”{where}是空的 / file '{name}' sheet '{sheet_name}' is empty",
            dataset=dataset,
            file=name,
            sheet=sheet_name,
        )
