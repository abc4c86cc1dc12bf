"""The workbook's cells: formats, one typed cell, a frame as a filterable table.

Text is written as text, never as a formula: a cell that a spreadsheet might evaluate gets
Excel's quote prefix. Numbers are numbers, dates are dates, codes read as their labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

from orchestration.publish import adjustments, workbook_bodies
from orchestration.publish import workbook_office as office
from orchestration.publish.formatting import (
    EXCEL_MAX_TEXT,
    FORMULA_TRIGGERS,
    NUMBER_FORMATS,
    NUMERIC_KINDS,
    as_number,
    as_text,
    display,
    kind_varies_by_row,
    row_kind,
    text_width,
    value_kind,
)
from orchestration.publish.labels import has_labels, header, shown_columns, value_label

PARQUET_NAME = "{table}.parquet"
"""The Parquet file of a table, beside the workbook (as orchestration.publish.tables writes it)."""


class Formats:
    """xlsxwriter formats, created once per workbook."""

    def __init__(self, workbook: Any) -> None:
        self._wb = workbook
        self._cache: dict[tuple[str, bool], Any] = {}
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.header_en = workbook.add_format(
            {"italic": True, "font_color": "#595959", "bg_color": "#F2F2F2", "border": 1}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        block = {"bold": True, "font_size": 12, "bg_color": "#FCE4D6", "border": 1}
        self.block_title = workbook.add_format(block)
        self.block_title_quoted = workbook.add_format({**block, "quote_prefix": True})
        self.label = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.note = workbook.add_format(
            {"italic": True, "font_color": "#C00000", "text_wrap": True}
        )
        self.grades = office.grade_formats(workbook)
        self.total = workbook.add_format(
            {"bold": True, "top": 2, "num_format": NUMBER_FORMATS["money"]}
        )
        self.shown: list[tuple[str, str, list[str]]] = []
        """(sheet, table, columns) of every table written: the dictionary sheet's rows."""
        self.run_id = ""
        self.year = 0
        self.adjusted: Any = None
        """The marks of adjusted grades and reward amounts (orchestration/publish/adjustments)."""
        self.bodies: list[workbook_bodies.Body] | None = None
        """A list when the workbook's writer splices tables' rows in after closing it
        (`workbook_bodies.splice`); None: every cell is written through xlsxwriter."""

    def cell(self, kind: str, quote: bool = False) -> Any:
        key = (kind, quote)
        if key not in self._cache:
            props: dict[str, Any] = {"num_format": NUMBER_FORMATS[kind]}
            if quote:
                props["quote_prefix"] = True
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]


def write_cell(ws: Any, fmt: Formats, row: int, col: int, value: Any, kind: str) -> None:
    """Write one value with its type: numbers as numbers, dates as dates, text as text (never
    a formula: text that a spreadsheet might evaluate gets Excel's quote prefix)."""
    if kind == "text" and type(value) is str:  # the commonest cell: no conversion to try
        _write_text(ws, fmt, row, col, value)
        return
    if value is None:
        ws.write_blank(row, col, None, fmt.cell(kind))
        return
    if kind in NUMERIC_KINDS and not isinstance(value, bool):
        num = as_number(value)
        if isinstance(num, (int, float)):
            if kind == "number" and not float(num).is_integer():
                kind = "decimal"  # 1.7316, not 1.731601731601732
            ws.write_number(row, col, num, fmt.cell(kind))
            return
        if num is None:
            ws.write_blank(row, col, None, fmt.cell(kind))
            return
    if kind in ("date", "datetime") and isinstance(value, (dt.date, dt.datetime)):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        ws.write_datetime(row, col, value, fmt.cell(kind))
        return
    _write_text(ws, fmt, row, col, as_text(value))


def _write_text(ws: Any, fmt: Formats, row: int, col: int, text: str) -> None:
    """Text as text, cut at Excel's limit, quoted when a spreadsheet could read it as a formula."""
    text = text[:EXCEL_MAX_TEXT]
    ws.write_string(row, col, text, fmt.cell("text", quote=text.startswith(FORMULA_TRIGGERS)))


def write_frame(
    ws: Any,
    fmt: Formats,
    table: str,
    frame: pl.DataFrame,
    first_row: int,
    *,
    autofilter: bool,
    widths: dict[int, int],
) -> int:
    """Write a frame as a table under one Chinese header row (the filter sits on it; the keys
    are in the dictionary sheet); return the next free row."""
    cols = shown_columns(table, frame)
    fmt.shown.append((ws.get_name(), table, cols))
    kinds = [value_kind(c, frame.schema[c]) for c in cols]
    for j, c in enumerate(cols):
        ws.write_string(first_row, j, header(table, c), fmt.header)
        widths[j] = max(widths.get(j, 0), min(text_width(header(table, c)), 24))
    row = first_row + 1
    labels = [labeller(c) for c in cols]
    varies = [kind_varies_by_row(c, kinds[j]) for j, c in enumerate(cols)]
    selected = frame.select(cols)
    if _by_columns(fmt, table, varies):
        shown = _labelled(selected, cols, labels)
        body = workbook_bodies.plan(ws, fmt, shown, cols, kinds, row)
        if body is not None:
            fmt.bodies.append(body)
            _widths(selected.head(500), cols, kinds, widths)
            return _finish(ws, fmt, cols, first_row, row + shown.height, autofilter=autofilter)
    named = any(varies) or bool(fmt.adjusted)  # the row as a mapping, only when read by name
    for i, values in enumerate(selected.iter_rows()):
        record = dict(zip(cols, values, strict=True)) if named else None
        for j, value in enumerate(values):
            kind = row_kind(cols[j], kinds[j], record) if varies[j] else kinds[j]
            label = labels[j]
            write_cell(ws, fmt, row, j, value if label is None else label(value), kind)
            if i < 500:
                widths[j] = max(widths.get(j, 0), text_width(display(cols[j], value, kind)))
        if fmt.adjusted:  # an adjusted grade or reward amount
            adjustments.mark_row(ws, fmt.adjusted, table, cols, record, row)
        row += 1
    return _finish(ws, fmt, cols, first_row, row, autofilter=autofilter)


def _finish(
    ws: Any, fmt: Formats, cols: list[str], first_row: int, row: int, *, autofilter: bool
) -> int:
    """The table's filter and grade colours; return the next free row."""
    if autofilter and cols:
        ws.autofilter(first_row, 0, max(row - 1, first_row), len(cols) - 1)
    if "grade" in cols:
        office.colour_grades(ws, fmt.grades, cols.index("grade"), first_row + 1, row - 1)
    return row


def _by_columns(fmt: Formats, table: str, varies: list[bool]) -> bool:
    """Whether a table's rows go to `workbook_bodies` rather than one call per cell: when the
    workbook collects bodies, no value's kind depends on its row and no adjusted figure of the
    table is marked (`adjustments.mark_row`)."""
    if fmt.bodies is None or any(varies):
        return False
    return not (fmt.adjusted and table in adjustments.MARKED_TABLES)


def _labelled(
    frame: pl.DataFrame, cols: list[str], labels: list[Callable[[Any], Any] | None]
) -> pl.DataFrame:
    """The shown columns with each code replaced by its label (worked out once per code)."""
    swaps = []
    for c, label in zip(cols, labels, strict=True):
        dtype = frame.schema[c]
        if label is None or not (
            dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))
        ):
            continue
        codes = frame.get_column(c).cast(pl.String).unique().drop_nulls().to_list()
        words = {code: label(code) for code in codes}
        if any(not isinstance(w, str) for w in words.values()):
            words = {k: as_text(v) for k, v in words.items()}
        text = pl.col(c).cast(pl.String)
        swaps.append(text.replace_strict(words, default=text, return_dtype=pl.String))
    return frame.with_columns(swaps) if swaps else frame


def _widths(head: pl.DataFrame, cols: list[str], kinds: list[str], widths: dict[int, int]) -> None:
    """Each column's width from the text of its first rows (as the cell-by-cell loop does)."""
    for values in head.iter_rows():
        for j, value in enumerate(values):
            widths[j] = max(widths.get(j, 0), text_width(display(cols[j], value, kinds[j])))


def labeller(column: str) -> Callable[[Any], Any] | None:
    """`value_label` for one column, worked out once per distinct code; None when the column
    has no labels (every value is shown as it is)."""
    if not has_labels(column):
        return None
    words: dict[str, Any] = {}

    def label(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if value not in words:
            words[value] = value_label(column, value)
        return words[value]

    return label


def set_widths(ws: Any, widths: dict[int, int]) -> None:
    for j, w in widths.items():
        ws.set_column(j, j, min(max(w + 2, 8), 60))


def sheet_title(fmt: Formats, name: str) -> str:
    return f"{fmt.year} 年度科创载体绩效评价 · {name}"
