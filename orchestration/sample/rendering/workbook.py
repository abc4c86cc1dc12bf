"""Writing one workbook: fixed metadata (the same input gives the same bytes), sentinel cells
as number and date cells, empty cells left unwritten as a clerk leaves them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from orchestration.sample.rendering.cells import CELL_DATE, CELL_NUM

Sheet = tuple[str, list[str], list[str], list[tuple]]
"""(sheet name, title rows, header row, data rows of rendered text)."""


def write_workbook(path: Path, year: int, author: str, sheets: list[Sheet]) -> None:
    """One .xlsx with fixed metadata (same input → same bytes). Sentinel cells become numbers
    and dates; empty cells are left unwritten, as a clerk leaves them."""
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"author": author, "created": dt.datetime(year + 1, 1, 15, 9, 30, 0)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd" if len(path.name) % 2 else "yyyy/m/d"})
    title_fmt = wb.add_format({"bold": True})
    for sheet_name, titles, header, rows in sheets:
        ws = wb.add_worksheet(sheet_name)
        r = 0
        for title in titles:
            ws.write_string(r, 0, title, title_fmt)
            r += 1
        for j, h in enumerate(header):
            ws.write_string(r, j, h)
        r += 1
        for row in rows:
            for j, cell in enumerate(row):
                _write_cell(ws, r, j, cell, date_fmt)
            r += 1
    wb.close()


def _write_cell(ws: Worksheet, r: int, j: int, cell: str | None, date_fmt: Format) -> None:
    if cell is None or cell == "":
        return
    if cell.startswith(CELL_NUM):
        num = float(cell[2:])
        ws.write_number(r, j, int(num) if num.is_integer() else num)
    elif cell.startswith(CELL_DATE):
        ws.write_datetime(r, j, dt.datetime.fromisoformat(cell[2:]), date_fmt)
    else:
        ws.write_string(r, j, cell)
