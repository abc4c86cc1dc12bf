"""The rows of each sheet of a workbook as openpyxl reads them, the reference the tests hold
other readers to (the bench's count from the sheet XML, headless LibreOffice's export)."""

from __future__ import annotations

from pathlib import Path

import openpyxl


def rows_by_openpyxl(path: Path) -> dict[str, int]:
    """Sheet title → the rows holding any value, read with openpyxl's read-only mode."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: sum(1 for row in sheet.iter_rows(values_only=True) if any(row))
            for sheet in book.worksheets
        }
    finally:
        book.close()
