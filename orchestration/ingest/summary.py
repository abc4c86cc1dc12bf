"""What one ingest read: its files, sheets and findings (the rows of raw._ingest_files,
raw._ingest_sheets and raw._ingest_findings), and the counts the CLI prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from orchestration.contract import datasets


@dataclass
class FileResult:
    source_file: str
    status: str
    file_sha256: str | None = None
    file_size_bytes: int | None = None
    duplicate_of: str | None = None
    message: str | None = None


@dataclass
class SheetResult:
    source_file: str
    sheet: str
    dataset: str | None
    header_row: int | None
    rows_read: int
    status: str


@dataclass
class Finding:
    dataset: str | None
    source_file: str | None
    sheet: str | None
    source_row: int | None
    column_name: str | None
    check_name: str
    severity: str
    value_as_written: str | None
    message: str


@dataclass
class IngestSummary:
    """What one ingest read: enough for the CLI to print a table and for tests to check."""

    year: int
    run_id: str
    files: list[FileResult] = field(default_factory=list)
    sheets: list[SheetResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def rows_by_dataset(self) -> dict[str, int]:
        """Rows read per dataset, every dataset present (0 when no file held it)."""
        out = dict.fromkeys(datasets(), 0)
        for sheet in self.sheets:
            if sheet.dataset and sheet.status == "loaded":
                out[sheet.dataset] += sheet.rows_read
        return out

    @property
    def rows_read(self) -> int:
        """Rows read in all, every dataset."""
        return sum(self.rows_by_dataset.values())

    @property
    def rows_by_dataset_and_file(self) -> dict[tuple[str, str], int]:
        out: Counter[tuple[str, str]] = Counter()
        for sheet in self.sheets:
            if sheet.dataset and sheet.status == "loaded":
                out[(sheet.dataset, sheet.source_file)] += sheet.rows_read
        return dict(out)

    @property
    def files_by_status(self) -> dict[str, int]:
        """Files `loaded`, `duplicate`, `unreadable`, `ignored`."""
        counts = Counter(f.status for f in self.files)
        return {s: counts.get(s, 0) for s in ("loaded", "duplicate", "unreadable", "ignored")}

    @property
    def findings_by_severity(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        return {s: counts.get(s, 0) for s in ("error", "warning")}

    def one_line(self) -> str:
        """What was read, in one line for the progress display."""
        files = self.files_by_status
        found = self.findings_by_severity
        rows = self.rows_read
        return (
            f"{files['loaded']} 个文件 {rows} 行 / {files['loaded']} files, {rows} rows "
            f"({files['duplicate']} duplicate, {files['unreadable']} unreadable, "
            f"{files['ignored']} ignored; file and header findings: {found['error']} errors, "
            f"{found['warning']} warnings)"
        )

    def as_table(self) -> tuple[str, list[str], list[list[object]]]:
        """(title, columns, rows) of the rows read per dataset, for Progress.table.

        Per file figures are in results.dataset_counts; a district has hundreds of files.
        """
        rows_by_dataset: dict[str, list[int]] = {}
        for (dataset, _source_file), count in self.rows_by_dataset_and_file.items():
            files_rows = rows_by_dataset.setdefault(dataset, [0, 0])
            files_rows[0] += 1
            files_rows[1] += count
        rows: list[list[object]] = [
            [dataset, files, f"{count:,}"]
            for dataset, (files, count) in sorted(rows_by_dataset.items())
        ]
        columns = ["数据集 dataset", "文件 files", "行数 rows"]
        return "读取情况 / rows read per dataset", columns, rows

    def table_rows(self) -> list[tuple[str, str, str, int]]:
        """(dataset, source file, sheet, rows read) per loaded sheet, for a printed table."""
        return [
            (s.dataset, s.source_file, s.sheet, s.rows_read)
            for s in self.sheets
            if s.dataset and s.status == "loaded"
        ]


def findings_as_dicts(summary: IngestSummary) -> list[dict[str, Any]]:
    """The findings as plain dicts (for printing or JSON)."""
    return [vars(f) for f in summary.findings]
