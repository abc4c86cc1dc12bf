"""Reading one .xlsx of the package with fastexcel: the file's guards (encrypted, not a zip,
corrupt, a zip bomb), then each sheet: which dataset it holds, hidden or too large, its cells as
text (`xlsx_cells`) with formula errors put back, then `table.load_table`.

A broken sheet never stops the others: it is reported `unreadable` and the next is read.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import fastexcel
import polars as pl

from orchestration.contract import datasets
from orchestration.ingest.headers import INSTRUCTIONS_SHEET, match_dataset_name, normalise
from orchestration.ingest.recorder import Recorder
from orchestration.ingest.summary import FileResult, SheetResult
from orchestration.ingest.table import load_table
from orchestration.ingest.xlsx_cells import LoadedSheet, cells_as_text
from orchestration.ingest.xlsx_layout import hidden_columns, merged_ranges
from orchestration.xlsx_columns import column_letter as _column_letter

MAX_XLSX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
"""Zip-bomb guard: the sum of an .xlsx's uncompressed parts, read from the zip directory."""
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384

_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGIC = b"PK\x03\x04"
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


def read_xlsx(rec: Recorder, name: str, data: bytes, sha: str, size: int) -> None:
    """Read a workbook's dataset sheets into `rec`, or record why the file cannot be read."""
    refused = _refusal(data)
    if refused is not None:
        rec.unreadable(name, sha, size, *refused)
        return
    try:
        reader = fastexcel.read_excel(data)
        sheet_names = list(reader.sheet_names)
    except Exception as exc:  # calamine raises its own error types
        rec.unreadable(name, sha, size, f"无法解析（{exc}）", f"cannot be parsed ({exc})")
        return
    rec.file_status(FileResult(name, "loaded", sha, size))
    sheets = [load_sheet(reader, index, sheet) for index, sheet in enumerate(sheet_names)]
    for sheet_name, columns in hidden_columns(data).items():
        for sheet in sheets:
            if sheet.name == sheet_name:
                sheet.hidden_letters = {_column_letter(i) for i in columns}
    cells_as_text([s for s in sheets if s.text is not None])
    for sheet in sheets:
        try:
            read_sheet(rec, reader, sheet, name, sha, data)
        except Exception as exc:  # one broken sheet never stops the others
            msg = (
                f"文件“{name}”工作表“{sheet.name}”无法读取（{exc}） / file '{name}' sheet "
                f"'{sheet.name}' cannot be read ({exc})"
            )
            rec.sheet_status(SheetResult(name, sheet.name, None, None, 0, "unreadable"))
            rec.finding("unreadable_sheet", "error", msg, file=name, sheet=sheet.name)


def _refusal(data: bytes) -> tuple[str, str] | None:
    """Why the bytes cannot be opened as a workbook, (中文, English), before fastexcel sees
    them: an encrypted or legacy .xls file, not a zip, a corrupt zip, or a zip bomb."""
    if data.startswith(_OLE_MAGIC):
        return (
            "文件已加密（设置了打开密码）或为旧版 .xls 格式，请取消密码并另存为 .xlsx",
            "password-protected or legacy .xls (OLE) file; remove the password and save as .xlsx",
        )
    if not data.startswith(_ZIP_MAGIC):
        return (
            "不是有效的 .xlsx 文件（扩展名与内容不符）",
            "not an .xlsx (zip) file: the extension does not match the content",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"文件损坏或不完整（{exc}）", f"corrupt or truncated ({exc})"
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        return (
            f"解压后大小 {total} 字节超过上限 {MAX_XLSX_UNCOMPRESSED_BYTES} 字节，拒绝读取",
            f"uncompressed size {total} bytes exceeds the limit of "
            f"{MAX_XLSX_UNCOMPRESSED_BYTES} bytes (refused as a possible zip bomb)",
        )
    return None


def load_sheet(reader: Any, index: int, sheet_name: str) -> LoadedSheet:
    """What fastexcel gives for a dataset sheet (string and float loads); nothing is judged
    or recorded yet: `read_sheet` does that, sheet by sheet, in order."""
    sheet = LoadedSheet(index, sheet_name, match_dataset_name(sheet_name, datasets().values()))
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
    rec: Recorder, reader: Any, sheet: LoadedSheet, name: str, sha: str, data: bytes = b""
) -> None:
    """Judge and read one loaded sheet: ignored, hidden, too large, or its table."""
    if sheet.dataset is None:
        _ignored_sheet(rec, name, sheet.name)
        return
    if sheet.failure is not None and sheet.height is None:
        raise sheet.failure
    if sheet.hidden:
        rec.finding(
            "hidden_sheet",
            "warning",
            f"文件“{name}”中的工作表“{sheet.name}”是隐藏的，仍已读取 / sheet '{sheet.name}' "
            f"in '{name}' is hidden; it was read all the same",
            dataset=sheet.dataset,
            file=name,
            sheet=sheet.name,
        )
    assert sheet.height is not None and sheet.width is not None
    if sheet.height > EXCEL_MAX_ROWS or sheet.width > EXCEL_MAX_COLUMNS:
        _too_large(rec, name, sheet)
        return
    if sheet.failure is not None:
        raise sheet.failure
    sheet_name = sheet.name
    load_table(
        rec,
        sheet_cells(rec, reader, sheet, name),
        sheet.letters,
        sheet.dataset,
        name,
        sha,
        sheet_name,
        is_csv=False,
        hidden=sheet.hidden_letters,
        merges=lambda: merged_ranges(data, sheet_name),
    )


def _ignored_sheet(rec: Recorder, name: str, sheet_name: str) -> None:
    """A sheet that is no dataset's: ignored, with a warning unless it is the instructions."""
    rec.sheet_status(SheetResult(name, sheet_name, None, None, 0, "ignored"))
    if normalise(sheet_name) == normalise(INSTRUCTIONS_SHEET):
        return
    sheet_names_zh = "、".join(ds.sheet_zh for ds in datasets().values())
    rec.finding(
        "ignored_sheet",
        "warning",
        f"文件“{name}”中的工作表“{sheet_name}”不是报送数据表，已忽略（应为"
        f"{sheet_names_zh}之一） / sheet '{sheet_name}' in '{name}' is not a "
        "dataset sheet and was ignored (expected a dataset's Chinese name or key)",
        file=name,
        sheet=sheet_name,
        value=sheet_name,
    )


def _too_large(rec: Recorder, name: str, sheet: LoadedSheet) -> None:
    """A sheet beyond Excel's limits: refused whole."""
    rec.sheet_status(SheetResult(name, sheet.name, sheet.dataset, None, 0, "too_large"))
    rec.finding(
        "sheet_too_large",
        "error",
        f"文件“{name}”工作表“{sheet.name}”有 {sheet.height} 行、{sheet.width} 列，超过 "
        f"Excel 上限（{EXCEL_MAX_ROWS} 行），拒绝读取 / sheet '{sheet.name}' in '{name}' "
        f"has {sheet.height} rows and {sheet.width} columns, more than Excel allows "
        f"({EXCEL_MAX_ROWS} rows): refused",
        dataset=sheet.dataset,
        file=name,
        sheet=sheet.name,
    )


def sheet_cells(rec: Recorder, reader: Any, sheet: LoadedSheet, name: str) -> pl.DataFrame:
    """Every cell of a sheet as the text it shows (see `xlsx_cells`); row i of the frame is
    spreadsheet row i + 1. `cells_as_text` did the bulk of it for the workbook."""
    if sheet.cells is None:
        return pl.DataFrame()
    out = sheet.cells
    if sheet.changed:
        out = keep_text_cells(reader, sheet, out)
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
        _formula_error(rec, name, sheet, row + 1, sheet.letters[col_pos], value)
    for col_pos, (rows, values) in patches.items():
        series = out.get_column(cols[col_pos]).clone()
        series.scatter(rows, values)
        out = out.with_columns(series)
    return out


def _formula_error(
    rec: Recorder, name: str, sheet: LoadedSheet, row: int, letter: str, value: str
) -> None:
    rec.finding(
        "formula_error",
        "warning",
        f"文件“{name}”工作表“{sheet.name}”第 {row} 行 {letter} 列是公式错误"
        f"“{value}”，该值将被拒收 / file '{name}' sheet '{sheet.name}' row {row} "
        f"column {letter} holds the formula error '{value}'; a value was "
        "expected",
        dataset=sheet.dataset,
        file=name,
        sheet=sheet.name,
        row=row,
        column=letter,
        value=value,
    )


def keep_text_cells(reader: Any, sheet: LoadedSheet, out: pl.DataFrame) -> pl.DataFrame:
    """Undo number formatting on text cells that merely look like numbers.

    The float load parses text too (`913210120440821400` typed as text gives a float), so a
    text cell of digits passes the number-cell test and would come back rounded to 15
    significant digits. Only cells whose formatted text differs from the string load are at
    stake (`sheet.changed`, found by `cells_as_text`); for those, a boolean load tells the
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
