"""Ingest: one year's report package (a folder of .xlsx and .csv files) → the raw layer.

Every cell lands as text, exactly as the clerk wrote it, with the file, sheet and row a person
can find it by (docs/architecture.md, "Layer 1"). Nothing here judges values: staging does. What
ingest judges is files, sheets and headers; each problem is a finding row, never an exception, so
one bad workbook never stops the rest of the year.

How fastexcel (calamine) reports cells, and what we make of it (checked on fastexcel 0.21):

- Loaded with `dtypes="string"`, text cells come back unchanged, numbers in Rust's shortest
  round-trip form (`12345678901234570`, `0.30000000000000004`), booleans as `true`/`false`, date
  cells as `YYYY-MM-DD HH:MM:SS`, and formula error cells as null plus a cell error
  (`Error(Ref)`); formula cells give their cached value.
- Loaded with `dtypes="float"`, numeric cells (and text that parses as a number, `0012` → 12)
  give their value; dates, errors and other text give null.

So a cell is a number cell when the float load has a value and the string load shows exactly
that value's shortest form; such cells are written with 15 significant digits (what Excel keeps
and shows), integers without `.0`. A long identifier typed as text (`12345678901234567`) or a
code with leading zeros (`0012`) does not pass that test and stays as written. Text of digits
that does pass it (`913210120440821400` typed as text) is told apart by a third, boolean load
(number cells give true/false, text cells null) and stays as written too. A cell is a date
cell when the float load is null and the string load has the datetime form; it is written as the
ISO date and a time part is dropped (an event date with a clock time is still that date). Text
typed in exactly the `YYYY-MM-DD HH:MM:SS` form is read the same way, which loses nothing staging
would keep.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import fastexcel
import polars as pl

from orchestration.config import RAW_SCHEMA
from orchestration.contract import Dataset, datasets
from orchestration.ingest import adjustments_io
from orchestration.ingest.csv_decode import decode_csv
from orchestration.ingest.headers import (
    EXAMPLE_MARK,
    INSTRUCTIONS_SHEET,
    HeaderMatcher,
    find_header_row,
    is_money_unit,
    match_csv_name,
    match_dataset_name,
    normalise,
)
from orchestration.ingest.row_errors import record_errors, repeated_header_mask, row_error
from orchestration.ingest.stray_year import other_year_findings
from orchestration.ingest.xlsx_layout import (
    hidden_column_findings,
    hidden_columns,
    merged_ranges,
    merged_row_errors,
)
from orchestration.xlsx_columns import column_letter as _column_letter

FLUSH_ROWS = 250_000
"""Rows of one dataset ingest holds before inserting them into raw (memory stays flat)."""
MAX_XLSX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
"""Zip-bomb guard: the sum of an .xlsx's uncompressed parts, read from the zip directory."""
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
HEADER_SCAN_ROWS = 10
"""How many rows from the top of a sheet may hold the header (title rows above it)."""

META_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_file_sha256", "VARCHAR"),
    ("_sheet", "VARCHAR"),
    ("_source_row", "INTEGER"),
    ("_extra", "VARCHAR"),
    ("_row_error", "VARCHAR"),
)
FILES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("file_sha256", "VARCHAR"),
    ("file_size_bytes", "BIGINT"),
    ("status", "VARCHAR"),
    ("duplicate_of", "VARCHAR"),
    ("message", "VARCHAR"),
)
SHEETS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("header_row", "INTEGER"),
    ("rows_read", "BIGINT"),
    ("status", "VARCHAR"),
)
FINDINGS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("source_row", "INTEGER"),
    ("column_name", "VARCHAR"),
    ("check_name", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("value_as_written", "VARCHAR"),
    ("message", "VARCHAR"),
)

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGIC = b"PK\x03\x04"
_DATETIME_TEXT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"
_PLAIN_NUMBER = r"^-?(0|[1-9]\d*)(\.\d*[1-9])?$"
_LINE_BREAK = r"\r\n|\r|\n"
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_CELL_ERROR = re.compile(r"Error\((\w+)\)")


# --------------------------------------------------------------------------------------------
# Summary


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
        rows = sum(self.rows_by_dataset.values())
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


# --------------------------------------------------------------------------------------------
# Entry point


def ingest_package(
    con: duckdb.DuckDBPyConnection, year: int, reports_dir: Path, run_id: str
) -> IngestSummary:
    """Read one year's report folder into raw.*, replacing that year's rows in one transaction.

    All ten raw tables are created even when no file holds a dataset, so dbt sources exist.
    """
    reports_dir = Path(reports_dir)
    summary = IngestSummary(year=year, run_id=run_id)
    con.execute("BEGIN TRANSACTION")
    try:
        _clear_year(con, year)
        reader = _PackageReader(summary, sink=lambda name, frame: _insert(con, name, frame))
        if not reports_dir.is_dir():
            summary.findings.append(
                Finding(
                    None,
                    str(reports_dir.name),
                    None,
                    None,
                    None,
                    "missing_package",
                    "error",
                    None,
                    f"报送目录不存在：{reports_dir} / report folder does not exist: {reports_dir}",
                )
            )
        else:
            _read_entries(reader, sorted(reports_dir.iterdir(), key=lambda p: p.name))
        reader.flush(0)
        summary.findings += [Finding(*found) for found in other_year_findings(con, year)]
        _write_summary(con, summary)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary


# --------------------------------------------------------------------------------------------
# Reading


READ_WORKERS = 2
"""Workbooks read at once: fastexcel and polars run outside the GIL, so two cores read two
workbooks (a district's ~60 workbooks: docs/benchmarks.md). CSV files are read one at a time:
they are the large ones, and memory stays flat."""


def _read_entries(reader: _PackageReader, entries: list[Path]) -> None:
    """Read the entries in name order into `reader`. Workbooks are parsed ahead in worker
    threads, each into a reader of its own, and merged in name order, so the findings, files and
    rows come out exactly as a one-at-a-time read gives them."""
    with ThreadPoolExecutor(max_workers=READ_WORKERS, thread_name_prefix="ingest") as pool:
        ahead = {
            entry: pool.submit(_read_workbook_alone, entry, reader.summary)
            for entry in entries
            if _is_workbook(entry)
        }
        for entry in entries:
            if entry in ahead:
                reader.merge(entry, ahead.pop(entry).result())
            else:
                reader.read_entry(entry)
            reader.flush(FLUSH_ROWS)


def _is_workbook(entry: Path) -> bool:
    return (
        entry.suffix.lower() == ".xlsx"
        and not entry.name.startswith("~$")
        and not entry.is_symlink()
        and entry.is_file()
    )


def _read_workbook_alone(entry: Path, parent: IngestSummary) -> _PackageReader:
    child = _PackageReader(IngestSummary(year=parent.year, run_id=parent.run_id), sink=None)
    child.read_entry(entry)
    return child


class _PackageReader:
    """Reads the entries of one package folder, appending frames and findings."""

    def __init__(
        self, summary: IngestSummary, sink: Callable[[str, pl.DataFrame], None] | None
    ) -> None:
        self.summary = summary
        self.sink = sink
        self.frames: dict[str, list[pl.DataFrame]] = {name: [] for name in datasets()}
        self.seen_sha: dict[str, str] = {}
        self.matchers = {name: HeaderMatcher(ds) for name, ds in datasets().items()}

    def merge(self, entry: Path, child: _PackageReader) -> None:
        """Take over what `child` read from `entry` alone, unless the file repeats one read
        before (then it is a duplicate, as `read_entry` would have found)."""
        loaded = child.summary.files[0] if child.summary.files else None
        if (
            loaded is not None
            and loaded.file_sha256 is not None
            and self.is_duplicate(entry.name, loaded.file_sha256, loaded.file_size_bytes or 0)
        ):
            return
        self.summary.files.extend(child.summary.files)
        self.summary.sheets.extend(child.summary.sheets)
        self.summary.findings.extend(child.summary.findings)
        for name, parts in child.frames.items():
            self.frames[name].extend(parts)

    def flush(self, min_rows: int) -> None:
        """Hand each dataset's frames read so far to the sink once they hold `min_rows` rows or
        more (0: all of them), so a national package is never held in memory whole."""
        for name, parts in self.frames.items():
            if parts and sum(part.height for part in parts) >= max(min_rows, 1):
                assert self.sink is not None, "a reader of one workbook is merged, not flushed"
                self.sink(name, pl.concat(parts, how="vertical"))
                parts.clear()

    # -- findings helpers -----------------------------------------------------------------

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

    def unreadable(self, name: str, sha: str, size: int, zh: str, en: str) -> None:
        msg = f"文件“{name}”无法读取：{zh} / file '{name}' cannot be read: {en}"
        self.file_status(FileResult(name, "unreadable", sha, size, None, msg))
        self.finding("unreadable_file", "error", msg, file=name)

    # -- entries --------------------------------------------------------------------------

    def read_entry(self, entry: Path) -> None:
        name = entry.name
        if entry.is_symlink():  # never followed: it may point anywhere on the machine
            msg = (
                f"“{name}”是符号链接（快捷方式），未读取；请把文件本身放入报送目录 / '{name}' is a "
                "symbolic link and was not followed; put the file itself in the report folder"
            )
            self.file_status(FileResult(name, "ignored", message=msg))
            self.finding("symlink_not_followed", "error", msg, file=name)
            return
        if entry.is_dir():
            msg = (
                f"子文件夹“{name}”已忽略，只读取报送目录下的文件 / sub-folder '{name}' ignored: "
                "only files directly in the report folder are read"
            )
            self.file_status(FileResult(name + "/", "ignored", message=msg))
            self.finding("ignored_file", "warning", msg, file=name + "/")
            return
        suffix = entry.suffix.lower()
        if name.startswith("~$") or suffix not in (".xlsx", ".csv"):
            msg = (
                f"文件“{name}”已忽略：只接受 .xlsx 和 .csv 文件 / file '{name}' ignored: "
                "only .xlsx and .csv files are read"
            )
            self.file_status(FileResult(name, "ignored", message=msg))
            self.finding("ignored_file", "warning", msg, file=name)
            return
        data = entry.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        size = len(data)
        if self.is_duplicate(name, sha, size):
            return
        if size == 0:
            self.unreadable(name, sha, size, "空文件", "the file is empty")
            return
        if suffix == ".xlsx":
            self.read_xlsx(name, data, sha, size)
        else:
            self.read_csv(name, data, sha, size)

    def is_duplicate(self, name: str, sha: str, size: int) -> bool:
        """True (and the finding recorded) when a file with this content was read before."""
        if sha in self.seen_sha:
            first = self.seen_sha[sha]
            msg = (
                f"文件“{name}”与“{first}”内容相同，只读取一次 / file '{name}' has the same "
                f"content as '{first}' and is read once"
            )
            self.file_status(FileResult(name, "duplicate", sha, size, first, msg))
            self.finding("duplicate_file", "warning", msg, file=name, value=first)
            return True
        self.seen_sha[sha] = name
        return False

    # -- xlsx -----------------------------------------------------------------------------

    def read_xlsx(self, name: str, data: bytes, sha: str, size: int) -> None:
        if data.startswith(_OLE_MAGIC):
            self.unreadable(
                name,
                sha,
                size,
                "文件已加密（设置了打开密码）或为旧版 .xls 格式，请取消密码并另存为 .xlsx",
                "password-protected or legacy .xls (OLE) file; remove the password and save as "
                ".xlsx",
            )
            return
        if not data.startswith(_ZIP_MAGIC):
            self.unreadable(
                name,
                sha,
                size,
                "不是有效的 .xlsx 文件（扩展名与内容不符）",
                "not an .xlsx (zip) file: the extension does not match the content",
            )
            return
        try:
            import io

            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                total = sum(info.file_size for info in zf.infolist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self.unreadable(
                name, sha, size, f"文件损坏或不完整（{exc}）", f"corrupt or truncated ({exc})"
            )
            return
        if total > MAX_XLSX_UNCOMPRESSED_BYTES:
            self.unreadable(
                name,
                sha,
                size,
                f"解压后大小 {total} 字节超过上限 {MAX_XLSX_UNCOMPRESSED_BYTES} 字节，拒绝读取",
                f"uncompressed size {total} bytes exceeds the limit of "
                f"{MAX_XLSX_UNCOMPRESSED_BYTES} bytes (refused as a possible zip bomb)",
            )
            return
        try:
            reader = fastexcel.read_excel(data)
            sheet_names = list(reader.sheet_names)
        except Exception as exc:  # calamine raises its own error types
            self.unreadable(name, sha, size, f"无法解析（{exc}）", f"cannot be parsed ({exc})")
            return
        self.file_status(FileResult(name, "loaded", sha, size))
        sheets = [self.load_sheet(reader, index, sheet) for index, sheet in enumerate(sheet_names)]
        for sheet_name, columns in hidden_columns(data).items():
            for sheet in sheets:
                if sheet.name == sheet_name:
                    sheet.hidden_letters = {_column_letter(i) for i in columns}
        _cells_as_text([s for s in sheets if s.text is not None])
        for sheet in sheets:
            try:
                self.read_sheet(reader, sheet, name, sha, data)
            except Exception as exc:  # one broken sheet never stops the others
                msg = (
                    f"文件“{name}”工作表“{sheet.name}”无法读取（{exc}） / file '{name}' sheet "
                    f"'{sheet.name}' cannot be read ({exc})"
                )
                self.summary.sheets.append(
                    SheetResult(name, sheet.name, None, None, 0, "unreadable")
                )
                self.finding("unreadable_sheet", "error", msg, file=name, sheet=sheet.name)

    @staticmethod
    def load_sheet(reader: Any, index: int, sheet_name: str) -> _Sheet:
        """What fastexcel gives for a dataset sheet (string and float loads); nothing is judged
        or recorded yet: `read_sheet` does that, sheet by sheet, in order."""
        sheet = _Sheet(index, sheet_name, match_dataset_name(sheet_name, datasets().values()))
        if sheet.dataset is None:
            return sheet
        try:
            loaded = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string")
            sheet.hidden = loaded.visible != "visible"
            sheet.height, sheet.width = loaded.height, loaded.width
            if sheet.height > EXCEL_MAX_ROWS or sheet.width > EXCEL_MAX_COLUMNS:
                return sheet
            sheet.letters = [_column_letter(c.absolute_index) for c in loaded.available_columns()]
            batch, errors = loaded.to_arrow_with_errors()
            text = pl.from_arrow(batch)
            assert isinstance(text, pl.DataFrame)
            sheet.errors = list(errors.errors) if errors is not None else []
            if text.width and text.height:
                sheet.numbers = reader.load_sheet(
                    index, header_row=None, skip_rows=0, dtypes="float"
                ).to_polars()
            sheet.text = text
        except Exception as exc:  # reported by read_sheet, at the sheet's turn
            sheet.failure = exc
        return sheet

    def read_sheet(
        self, reader: Any, sheet: _Sheet, name: str, sha: str, data: bytes = b""
    ) -> None:
        sheet_name, dataset = sheet.name, sheet.dataset
        if dataset is None:
            self.summary.sheets.append(SheetResult(name, sheet_name, None, None, 0, "ignored"))
            if normalise(sheet_name) != normalise(INSTRUCTIONS_SHEET):
                self.finding(
                    "ignored_sheet",
                    "warning",
                    f"文件“{name}”中的工作表“{sheet_name}”不是报送数据表，已忽略（应为"
                    f"{_sheet_names_zh()}之一） / sheet '{sheet_name}' in '{name}' is not a "
                    "dataset sheet and was ignored (expected a dataset's Chinese name or key)",
                    file=name,
                    sheet=sheet_name,
                    value=sheet_name,
                )
            return
        if sheet.failure is not None and sheet.height is None:
            raise sheet.failure
        if sheet.hidden:
            self.finding(
                "hidden_sheet",
                "warning",
                f"文件“{name}”中的工作表“{sheet_name}”是隐藏的，仍已读取 / sheet '{sheet_name}' "
                f"in '{name}' is hidden; it was read all the same",
                dataset=dataset,
                file=name,
                sheet=sheet_name,
            )
        assert sheet.height is not None and sheet.width is not None
        if sheet.height > EXCEL_MAX_ROWS or sheet.width > EXCEL_MAX_COLUMNS:
            self.summary.sheets.append(SheetResult(name, sheet_name, dataset, None, 0, "too_large"))
            self.finding(
                "sheet_too_large",
                "error",
                f"文件“{name}”工作表“{sheet_name}”有 {sheet.height} 行、{sheet.width} 列，超过 "
                f"Excel 上限（{EXCEL_MAX_ROWS} 行），拒绝读取 / sheet '{sheet_name}' in '{name}' "
                f"has {sheet.height} rows and {sheet.width} columns, more than Excel allows "
                f"({EXCEL_MAX_ROWS} rows): refused",
                dataset=dataset,
                file=name,
                sheet=sheet_name,
            )
            return
        if sheet.failure is not None:
            raise sheet.failure
        cells = self.sheet_cells(reader, sheet, name)
        self.load_table(
            cells,
            sheet.letters,
            dataset,
            name,
            sha,
            sheet_name,
            is_csv=False,
            hidden=sheet.hidden_letters,
            merges=lambda: merged_ranges(data, sheet_name),
        )

    def sheet_cells(self, reader: Any, sheet: _Sheet, name: str) -> pl.DataFrame:
        """Every cell of a sheet as the text it shows (see the module docstring); row i of the
        frame is spreadsheet row i + 1. `_cells_as_text` did the bulk of it for the workbook."""
        if sheet.cells is None:
            return pl.DataFrame()
        out = sheet.cells
        if sheet.changed:
            out = self.keep_text_cells(reader, sheet, out)
        # Formula error cells come back null plus an error: put the error text back.
        cols = out.columns
        patches: dict[int, tuple[list[int], list[str]]] = {}
        for err in sheet.errors:
            found = _CELL_ERROR.search(err.detail)
            if not found:
                continue
            row, col_pos = err.position
            value = _EXCEL_ERRORS.get(found.group(1), "#" + found.group(1).upper())
            rows, values = patches.setdefault(col_pos, ([], []))
            rows.append(row)
            values.append(value)
            letter = sheet.letters[col_pos]
            self.finding(
                "formula_error",
                "warning",
                f"文件“{name}”工作表“{sheet.name}”第 {row + 1} 行 {letter} 列是公式错误"
                f"“{value}”，该值将被拒收 / file '{name}' sheet '{sheet.name}' row {row + 1} "
                f"column {letter} holds the formula error '{value}'; a value was "
                "expected",
                dataset=sheet.dataset,
                file=name,
                sheet=sheet.name,
                row=row + 1,
                column=letter,
                value=value,
            )
        for col_pos, (rows, values) in patches.items():
            series = out.get_column(cols[col_pos]).clone()
            series.scatter(rows, values)
            out = out.with_columns(series)
        return out

    @staticmethod
    def keep_text_cells(reader: Any, sheet: _Sheet, out: pl.DataFrame) -> pl.DataFrame:
        """Undo number formatting on text cells that merely look like numbers.

        The float load parses text too (`913210120440821400` typed as text gives a float), so a
        text cell of digits passes the number-cell test and would come back rounded to 15
        significant digits. Only cells whose formatted text differs from the string load are at
        stake (`sheet.changed`, found by `_cells_as_text`); for those, a boolean load tells the
        cell types apart (a number cell gives true/false, a text cell gives null), and text
        cells keep their text. The boolean load runs only when a sheet has such cells, so a
        sheet of plain numbers costs nothing more.
        """
        assert sheet.text is not None
        kinds = reader.load_sheet(sheet.index, header_row=None, skip_rows=0, dtypes="boolean")
        kinds_frame = pl.from_arrow(kinds.to_arrow_with_errors()[0])
        assert isinstance(kinds_frame, pl.DataFrame)
        fixed = []
        for pos, mask in sheet.changed.items():
            is_text_cell = mask & kinds_frame.get_column(kinds_frame.columns[pos]).is_null()
            col = out.columns[pos]
            fixed.append(
                pl.when(pl.lit(is_text_cell))
                .then(sheet.text.get_column(sheet.text.columns[pos]))
                .otherwise(pl.col(col))
                .alias(col)
            )
        return out.with_columns(fixed)

    # -- csv ------------------------------------------------------------------------------

    def read_csv(self, name: str, data: bytes, sha: str, size: int) -> None:
        dataset = match_csv_name(Path(name).stem, datasets().values())
        if dataset is None:
            msg = (
                f"CSV 文件“{name}”的文件名不是数据集名称，已忽略（应为 <数据集>.csv 或 "
                f"<数据集>_<任意>.csv） / CSV file '{name}' is not named after a dataset and was "
                "ignored (expected <dataset>.csv or <dataset>_<anything>.csv)"
            )
            self.file_status(FileResult(name, "ignored", sha, size, None, msg))
            self.finding("ignored_file", "warning", msg, file=name, value=name)
            return
        decoded = decode_csv(data)
        if isinstance(decoded, tuple):
            self.unreadable(name, sha, size, *decoded)
            return
        encoded = decoded.data
        for check, zh, en in decoded.warnings:
            self.finding(check, "warning", f"文件“{name}”：{zh} / file '{name}': {en}", file=name)
        try:
            table = pl.read_csv(encoded, has_header=False, infer_schema=False, raise_if_empty=False)
        except Exception as exc:  # polars' parse errors: reworded for the office
            self.unreadable(name, sha, size, *_csv_error_text(exc, encoded))
            return
        self.file_status(FileResult(name, "loaded", sha, size))
        if table.height == 0:
            self.empty_sheet(name, "", dataset)
            return
        table = table.with_columns(pl.all().replace("", None))
        lines = _csv_line_numbers(table, encoded)
        letters = [_column_letter(i) for i in range(table.width)]
        errors = record_errors(lines, decoded.line_errors, name)
        if errors.get(int(lines[0])) is not None:  # the header's own line: cleaned, still read
            errors.pop(int(lines[0]))
            self.finding(
                "nul_bytes",
                "warning",
                f"文件“{name}”的表头行含有 NUL 字节，已去除后读取 / file '{name}': the header "
                "line contains NUL bytes; they were removed and the header read",
                dataset=dataset,
                file=name,
                row=int(lines[0]),
            )
        self.load_table(
            table, letters, dataset, name, sha, "", is_csv=True, lines=lines, row_errors=errors
        )

    # -- common ---------------------------------------------------------------------------

    def empty_sheet(self, name: str, sheet_name: str, dataset: str) -> None:
        self.summary.sheets.append(SheetResult(name, sheet_name, dataset, None, 0, "empty"))
        where = f"工作表“{sheet_name}”" if sheet_name else "CSV"
        self.finding(
            "empty_sheet",
            "warning",
            f"文件“{name}”{where}是空的 / file '{name}' sheet '{sheet_name}' is empty",
            dataset=dataset,
            file=name,
            sheet=sheet_name,
        )

    def load_table(
        self,
        cells: pl.DataFrame,
        letters: list[str],
        dataset: str,
        name: str,
        sha: str,
        sheet_name: str,
        *,
        is_csv: bool,
        lines: pl.Series | None = None,
        row_errors: dict[int, str] | None = None,
        hidden: set[str] | frozenset[str] = frozenset(),
        merges: Callable[[], list[tuple[int, int, int, int]]] | None = None,
    ) -> None:
        """Find the header, map columns, and keep the data rows as a raw frame.

        `row_errors`: row (line) number → `_row_error` of rows ingest already knows staging must
        reject; a row repeating the header is added to them here. `hidden`: letters of hidden
        columns: a visible column wins over a hidden one with the same header."""
        if cells.height == 0 or cells.width == 0 or _all_null(cells):
            self.empty_sheet(name, sheet_name, dataset)
            return
        ds = datasets()[dataset]
        matcher = self.matchers[dataset]
        if is_csv:
            header_index, score = 0, matcher.score(cells.row(0))
        else:
            head = [cells.row(i) for i in range(min(HEADER_SCAN_ROWS, cells.height))]
            found, score = find_header_row(head, matcher, HEADER_SCAN_ROWS)
            header_index = found if found is not None else 0
        header = cells.row(header_index)
        header_row_number = int(lines[header_index]) if lines is not None else header_index + 1
        mapped: dict[str, str] = {}  # contract column → frame column
        units: dict[str, str | None] = {}
        extras: dict[str, str] = {}  # unknown header as written → frame column
        column_findings: list[Finding] = []
        data_cols = cells.columns
        for pos in sorted(range(len(header)), key=lambda p: letters[p] in hidden):
            text = header[pos]
            col = data_cols[pos]
            match = matcher.match(text)
            letter = letters[pos]
            if match.column is not None and match.column not in mapped:
                mapped[match.column] = col
                units[match.column] = match.unit
                continue
            if text is None or not str(text).strip():
                if cells.get_column(col).slice(header_index + 1).null_count() == (
                    cells.height - header_index - 1
                ):
                    continue  # a blank column: nothing to keep
                label = f"列{letter}"
            else:
                label = str(text)
            while label in extras:
                label += "#"
            extras[label] = col
            kind = "duplicate_column" if match.column is not None else "unknown_column"
            if match.column is not None:
                what_zh = f"与前面的“{ds.column(match.column).zh}”列重复"
                what_en = f"repeats the column '{match.column}' already read"
            else:
                what_zh, what_en = "不是该数据集的列", "is not a column of this dataset"
            column_findings.append(
                Finding(
                    dataset,
                    name,
                    sheet_name,
                    header_row_number,
                    label,
                    kind,
                    "warning",
                    label,
                    f"文件“{name}”工作表“{sheet_name}”第 {header_row_number} 行 {letter} 列的表头"
                    f"“{label}”{what_zh}，已原样保留在 _extra 中 / file '{name}' sheet "
                    f"'{sheet_name}' row {header_row_number} column {letter}: header '{label}' "
                    f"{what_en}; kept in _extra",
                )
            )
        column_findings += [
            Finding(*found)
            for found in hidden_column_findings(
                cells, header_index, letters, hidden, mapped, (dataset, name, sheet_name)
            )
        ]
        missing = [c for c in ds.required_columns if c not in mapped]
        if score == 0 or missing:
            names_zh = "、".join(ds.column(c).zh for c in missing)
            names_en = ", ".join(missing)
            self.summary.sheets.append(
                SheetResult(
                    name,
                    sheet_name,
                    dataset,
                    header_row_number if score else None,
                    0,
                    "missing_required_columns",
                )
            )
            self.finding(
                "missing_required_columns",
                "error",
                f"文件“{name}”工作表“{sheet_name}”缺少必填列：{names_zh}；该表未读取（表头应在前 "
                f"{HEADER_SCAN_ROWS} 行内） / file '{name}' sheet '{sheet_name}' lacks the "
                f"required columns {names_en}; the sheet was skipped (the header must be within "
                f"the first {HEADER_SCAN_ROWS} rows)",
                dataset=dataset,
                file=name,
                sheet=sheet_name,
                row=header_row_number if score else None,
                column=names_en,
            )
            return
        self.summary.findings.extend(column_findings)
        for column, unit in units.items():
            if ds.column(column).type == "money" and unit is not None and not is_money_unit(unit):
                self.finding(
                    "unknown_header_unit",
                    "warning",
                    f"文件“{name}”工作表“{sheet_name}”表头“{ds.column(column).zh}”中的单位“{unit}”"
                    f"无法识别（应为 元、万元 或 亿元） / file '{name}' sheet '{sheet_name}': the "
                    f"unit '{unit}' in the header of '{column}' is not one of 元, 万元, 亿元",
                    dataset=dataset,
                    file=name,
                    sheet=sheet_name,
                    row=header_row_number,
                    column=column,
                    value=unit,
                )
        row_numbers = (
            lines if lines is not None else pl.Series(range(1, cells.height + 1), dtype=pl.Int32)
        )
        body = cells.with_columns(row_numbers.cast(pl.Int32).alias("__row")).slice(header_index + 1)
        body = body.filter(~pl.all_horizontal(pl.col(data_cols).is_null()))
        # the template's example row (first cell marked) is not data
        body = body.filter(
            ~pl.col(data_cols[0]).cast(pl.String).str.starts_with(EXAMPLE_MARK).fill_null(False)
        )
        errors = dict(row_errors or {})
        if merges is not None:
            required = [mapped[c] for c in ds.required_columns]
            errors |= merged_row_errors(
                cells, header_index, letters, required, merges, (name, sheet_name)
            )
        repeated = repeated_header_mask(body, header, list(mapped.values()))
        for row in body.get_column("__row").filter(repeated).to_list():
            errors.setdefault(
                row,
                row_error(
                    "repeated_header",
                    None,
                    None,
                    f"文件“{name}”工作表“{sheet_name}”第 {row} 行重复了第 {header_row_number} "
                    "行的表头，不是数据，该行未采用",
                    f"file '{name}' sheet '{sheet_name}' row {row} repeats the header of row "
                    f"{header_row_number}; it is not data and is not used",
                ),
            )
        if errors:
            body = body.with_columns(
                pl.col("__row")
                .replace_strict(
                    list(errors), list(errors.values()), default=None, return_dtype=pl.String
                )
                .alias("__row_error")
            )
        else:
            body = body.with_columns(pl.lit(None, dtype=pl.String).alias("__row_error"))
        select: list[pl.Expr] = [
            pl.lit(self.summary.year, dtype=pl.Int32).alias("_assessment_year"),
            pl.lit(self.summary.run_id, dtype=pl.String).alias("_run_id"),
            pl.lit(name, dtype=pl.String).alias("_source_file"),
            pl.lit(sha, dtype=pl.String).alias("_file_sha256"),
            pl.lit(sheet_name, dtype=pl.String).alias("_sheet"),
            pl.col("__row").alias("_source_row"),
            _extra_json(extras).alias("_extra"),
            pl.col("__row_error").alias("_row_error"),
        ]
        for col in ds.columns:
            if col.name in mapped:
                select.append(pl.col(mapped[col.name]).cast(pl.String).alias(col.name))
            else:
                select.append(pl.lit(None, dtype=pl.String).alias(col.name))
        for col in ds.columns:
            if col.type == "money":
                select.append(
                    pl.lit(units.get(col.name), dtype=pl.String).alias(f"{col.name}__header_unit")
                )
        frame = body.select(select)
        self.frames[dataset].append(frame)
        self.summary.sheets.append(
            SheetResult(name, sheet_name, dataset, header_row_number, frame.height, "loaded")
        )


# --------------------------------------------------------------------------------------------
# Cell and text helpers


@dataclass
class _Sheet:
    """One sheet of a workbook as fastexcel loaded it, on its way to `read_sheet`."""

    index: int
    name: str
    dataset: str | None
    hidden: bool = False
    hidden_letters: set[str] = field(default_factory=set)
    """Letters of the sheet's hidden columns."""
    height: int | None = None
    width: int | None = None
    letters: list[str] = field(default_factory=list)
    text: pl.DataFrame | None = None
    """The string load (None: not loaded: not a dataset sheet, too large, or it failed)."""
    numbers: pl.DataFrame | None = None
    """The float load (None when the sheet has no cells)."""
    errors: list[Any] = field(default_factory=list)
    """fastexcel's cell errors of the string load (formula errors)."""
    cells: pl.DataFrame | None = None
    """Every cell as the text it shows, before `keep_text_cells` and formula-error patches."""
    changed: dict[int, pl.Series] = field(default_factory=dict)
    """Per column position, the cells the number formatting changed (`_changed_mask`)."""
    failure: Exception | None = None


def _cells_as_text(sheets: list[_Sheet]) -> None:
    """Fill `cells` and `changed` of every sheet that has cells, for a whole workbook at once.

    The sheets are stacked into one frame (column i of every sheet is `t<i>`, its float load
    `n<i>`, and `__sheet` says whose row it is), so the per-column expressions are planned and
    run once per workbook instead of once per sheet: on a district's small sheets, planning
    costs more than running (docs/benchmarks.md). Should the stacked pass fail, each sheet is
    done alone, so only a sheet that fails alone is reported unreadable.
    """
    todo = [s for s in sheets if s.text is not None and s.text.width and s.text.height]
    if not todo:
        return
    try:
        _stacked_cell_text(todo)
    except Exception:
        for sheet in todo:
            try:
                _stacked_cell_text([sheet])
            except Exception as exc:
                sheet.failure = exc


def _stacked_cell_text(sheets: list[_Sheet]) -> None:
    parts = []
    for k, sheet in enumerate(sheets):
        assert sheet.text is not None and sheet.numbers is not None
        text, numbers = sheet.text, sheet.numbers
        numbers = numbers.select(numbers.columns[: text.width])
        parts.append(
            pl.concat(
                [
                    text.rename({c: f"t{i}" for i, c in enumerate(text.columns)}),
                    numbers.rename({c: f"n{i}" for i, c in enumerate(numbers.columns)}),
                ],
                how="horizontal",
            ).with_columns(pl.lit(k, dtype=pl.UInt32).alias("__sheet"))
        )
    width = max(sheet.text.width for sheet in sheets if sheet.text is not None)
    stacked = pl.concat(parts, how="diagonal_relaxed")
    for i in range(width):  # a sheet's missing columns are null; a column never loaded too
        for name, dtype in ((f"t{i}", pl.String), (f"n{i}", pl.Float64)):
            if name not in stacked.columns:
                stacked = stacked.with_columns(pl.lit(None, dtype=dtype).alias(name))
    done = (
        stacked.lazy()
        .with_columns(_cell_text_at(i) for i in range(width))
        .select(
            "__sheet", *(f"o{i}" for i in range(width)), *(_changed_mask(i) for i in range(width))
        )
        .collect()
    )
    by_sheet = done.partition_by("__sheet", as_dict=True, include_key=False, maintain_order=True)
    for k, sheet in enumerate(sheets):
        assert sheet.text is not None
        part = by_sheet[(k,)]
        cols = sheet.text.columns
        sheet.cells = part.select(pl.col(f"o{i}").alias(col) for i, col in enumerate(cols))
        sheet.changed = {
            i: mask for i in range(len(cols)) if (mask := part.get_column(f"m{i}")).any()
        }


@functools.cache
def _cell_text_at(i: int) -> pl.Expr:
    """`_cell_text` of column i (`t<i>`, float load `n<i>`) as `o<i>`, built once per position
    (building polars expressions costs more than running them on a small sheet)."""
    return _cell_text(pl.col(f"t{i}"), pl.col(f"n{i}")).alias(f"o{i}")


@functools.cache
def _changed_mask(i: int) -> pl.Expr:
    """Column i's cells that the number formatting changed and that are neither dates nor
    booleans (keep_text_cells); t/n/o are the string load, float load and formatted text."""
    return (
        pl.col(f"n{i}").is_not_null()
        & pl.col(f"t{i}").is_not_null()
        & (pl.col(f"o{i}") != pl.col(f"t{i}")).fill_null(False)
        & ~pl.col(f"t{i}").str.contains(_DATETIME_TEXT).fill_null(False)
        & ~pl.col(f"t{i}").is_in(["true", "false"]).fill_null(False)
    ).alias(f"m{i}")


def _cell_text(text: pl.Expr, number: pl.Expr) -> pl.Expr:
    """One column's cells as written: dates → ISO date, numbers → 15 significant digits,
    booleans → TRUE/FALSE as Excel shows them, text unchanged."""
    is_date = number.is_null() & text.str.contains(_DATETIME_TEXT)
    is_bool = number.is_not_null() & text.is_in(["true", "false"])
    is_number = (
        number.is_not_null()
        & text.str.contains(_PLAIN_NUMBER)
        & (_significant_digits(text) == _significant_digits(number.cast(pl.String)))
    )
    return (
        pl.when(is_date)
        .then(text.str.slice(0, 10))
        .when(is_bool)
        .then(text.str.to_uppercase())
        .when(is_number)
        .then(_format_number(number))
        .otherwise(text)
    )


def _significant_digits(text: pl.Expr) -> pl.Expr:
    """The digit string of a number's text (`-0.0120` → `12`, `1.5e16` → `15`)."""
    return (
        text.str.replace(r"[eE].*$", "")
        .str.replace_all(r"[-+.]", "")
        .str.strip_chars_start("0")
        .str.strip_chars_end("0")
    )


def _format_number(number: pl.Expr) -> pl.Expr:
    """A float as Excel keeps it: 15 significant digits, no exponent, no trailing `.0`."""
    rounded = number.round_sig_figs(15)
    plain = rounded.cast(pl.String)
    big_integer = (rounded.abs() >= 1e15) & (rounded.abs() < 9e18)
    small = plain.str.contains("e") & (rounded.abs() < 1)
    small_text = (
        rounded.cast(pl.Decimal(38, 30))
        .cast(pl.String)
        .str.strip_chars_end("0")
        .str.strip_chars_end(".")
    )
    return (
        pl.when(big_integer)
        .then(rounded.cast(pl.Int64).cast(pl.String))
        .when(small)
        .then(small_text)
        .otherwise(plain.str.replace(r"\.0$", ""))
    )


def _extra_json(extras: dict[str, str]) -> pl.Expr:
    """The unknown columns of a row as a JSON object, NULL when the row has none of them."""
    if not extras:
        return pl.lit(None, dtype=pl.String)
    fields = [pl.col(col).cast(pl.String).alias(label) for label, col in extras.items()]
    any_value = pl.any_horizontal([pl.col(col).is_not_null() for col in extras.values()])
    return pl.when(any_value).then(pl.struct(fields).struct.json_encode()).otherwise(None)


def _all_null(frame: pl.DataFrame) -> bool:
    return bool(frame.select(pl.all_horizontal(pl.all().is_null()).all()).item())


def _sheet_names_zh() -> str:
    return "、".join(ds.sheet_zh for ds in datasets().values())


def _csv_error_text(exc: Exception, data: bytes) -> tuple[str, str]:
    """A polars CSV parse error as (Chinese, English) for the office: the cause and the line,
    without the developer hints polars appends (dtype and `ignore_errors` advice)."""
    text = str(exc)
    original = re.search(r"Original error: ```(.*?)```", text, re.S)
    cause = " ".join((original.group(1) if original else text.split("\n", 1)[0]).split())
    cause = cause[:200]
    offset = re.search(r"offset in the file is (\d+) bytes", text)
    if offset is None:
        return f"CSV 格式错误（{cause}）", f"malformed CSV ({cause})"
    line = data[: int(offset.group(1))].count(b"\n") + 1
    return (
        f"CSV 格式错误，约在第 {line} 行（{cause}；常见原因：引号未闭合）",
        f"malformed CSV near line {line} ({cause}; usually an unclosed quote)",
    )


def _line_count(data: bytes) -> int:
    """Lines in UTF-8 text: \r\n, \r and \n each end one; a last line without a break counts."""
    crlf = data.count(b"\r\n")
    breaks = crlf + (data.count(b"\r") - crlf) + (data.count(b"\n") - crlf)
    return breaks + (0 if data.endswith((b"\r", b"\n")) else 1)


def _csv_line_numbers(table: pl.DataFrame, data: bytes) -> pl.Series:
    """The line on which each CSV record starts (header = line 1).

    A quoted cell may hold line breaks, so record i starts after every break of the records
    before it. Computed column-wise from the parsed cells; checked against the text's line count
    and, when a quirk makes them disagree, recounted with the csv module.
    """
    breaks = pl.sum_horizontal(
        [pl.col(c).str.count_matches(_LINE_BREAK).fill_null(0) for c in table.columns]
    )
    per_record = table.select((breaks + 1).alias("n")).get_column("n")
    starts = (per_record.cum_sum() - per_record + 1).cast(pl.Int32)
    if int(per_record.sum()) == _line_count(data):
        return starts
    import csv
    import io

    numbers = []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    line = 1
    for _ in reader:
        numbers.append(line)
        line = reader.line_num + 1
    return pl.Series(numbers[: table.height], dtype=pl.Int32)


# --------------------------------------------------------------------------------------------
# Writing


def _q(identifier: str) -> str:
    """A quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def raw_columns(ds: Dataset) -> list[tuple[str, str]]:
    """The columns of raw.<dataset>, in order (docs/architecture.md, Layer 1)."""
    cols = list(META_COLUMNS)
    cols += [(c.name, "VARCHAR") for c in ds.columns]
    cols += [(f"{c.name}__header_unit", "VARCHAR") for c in ds.columns if c.type == "money"]
    return cols


def _ensure_table(con: duckdb.DuckDBPyConnection, table: str, cols: list[tuple[str, str]]) -> None:
    target = f"{_q(RAW_SCHEMA)}.{_q(table)}"
    body = ", ".join(f"{_q(n)} {t}" for n, t in cols)
    con.execute(f"CREATE TABLE IF NOT EXISTS {target} ({body})")
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ?",
            [RAW_SCHEMA, table],
        ).fetchall()
    }
    for n, t in cols:
        if n not in have:
            con.execute(f"ALTER TABLE {target} ADD COLUMN {_q(n)} {t}")


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, view: str = "_ingest_frame"
) -> None:
    if frame.height == 0:
        return
    con.register(view, frame.to_arrow())
    try:
        con.execute(f"INSERT INTO {_q(RAW_SCHEMA)}.{_q(table)} BY NAME SELECT * FROM {_q(view)}")
    finally:
        con.unregister(view)


def _records_frame(rows: list[dict[str, Any]], cols: tuple[tuple[str, str], ...]) -> pl.DataFrame:
    schema = {n: {"INTEGER": pl.Int32, "BIGINT": pl.Int64}.get(t, pl.String) for n, t in cols}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _clear_year(con: duckdb.DuckDBPyConnection, year: int) -> None:
    """Create the raw tables as needed and delete the year's rows (inside ingest's transaction:
    the year is replaced whole or not at all)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(RAW_SCHEMA)}")
    tables = [(name, raw_columns(ds)) for name, ds in datasets().items()]
    tables += [
        ("_ingest_files", list(FILES_COLUMNS)),
        ("_ingest_sheets", list(SHEETS_COLUMNS)),
        ("_ingest_findings", list(FINDINGS_COLUMNS)),
    ]
    for table, cols in tables:
        _ensure_table(con, table, cols)
        con.execute(f"DELETE FROM {_q(RAW_SCHEMA)}.{_q(table)} WHERE _assessment_year = ?", [year])
    # The office's report-row adjustments: staging reads it, the run fills it (adjustments_io).
    _ensure_table(con, adjustments_io.RAW_TABLE, list(adjustments_io.RAW_COLUMNS))


def _write_summary(con: duckdb.DuckDBPyConnection, summary: IngestSummary) -> None:
    """The package's files, sheets and findings (the ingest's own tables)."""
    meta = {"_assessment_year": summary.year, "_run_id": summary.run_id}
    files = _records_frame(
        [meta | {k: v for k, v in vars(f).items()} for f in summary.files], FILES_COLUMNS
    )
    sheets = _records_frame([meta | vars(s) for s in summary.sheets], SHEETS_COLUMNS)
    findings = _records_frame([meta | vars(f) for f in summary.findings], FINDINGS_COLUMNS)
    _insert(con, "_ingest_files", files)
    _insert(con, "_ingest_sheets", sheets)
    _insert(con, "_ingest_findings", findings)


def findings_as_dicts(summary: IngestSummary) -> list[dict[str, Any]]:
    """The findings as plain dicts (for printing or JSON)."""
    return [vars(f) for f in summary.findings]


__all__ = [
    "EXCEL_MAX_ROWS",
    "MAX_XLSX_UNCOMPRESSED_BYTES",
    "FileResult",
    "Finding",
    "IngestSummary",
    "SheetResult",
    "findings_as_dicts",
    "ingest_package",
    "raw_columns",
]
