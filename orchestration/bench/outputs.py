"""The measured year's published files as the office opens them (issue 21, "outputs a person can
open at any scale"): each office file's size against the 20 MB limit, the data-quality pages
(`dq/<carrier_id>.html`), and every workbook sheet's rows against Excel's limit.

Read from the files themselves, after the measured run: sizes from the file system, a sheet's
rows by counting the `<row` elements of its XML in the workbook's zip (xlsxwriter and
orchestration/xlsx_columns.py both write one per row that holds a cell), without a spreadsheet
library (openpyxl's read-only mode takes ~45 s for the national details workbook). Opening the
files in a browser and in LibreOffice stays a person's check (docs/benchmarks.md).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

OFFICE_SUFFIXES = (".xlsx", ".html")
"""The files the office opens: the workbooks and the HTML reports (Parquet is for systems)."""

EXCEL_MAX_ROWS = 1_048_576
"""Rows of one Excel worksheet."""

DQ_PAGES_DIR = "dq"

_CHUNK = 1 << 20
_NS = {
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass(frozen=True)
class OfficeFiles:
    """What the published folder holds for a person: the office files' sizes (name → bytes), the
    data-quality pages (how many, the largest's bytes), each workbook's sheets (name → rows)."""

    files: dict[str, int]
    dq_pages: int
    largest_dq_page: int
    sheets: dict[str, dict[str, int]]

    @property
    def largest(self) -> tuple[str, int]:
        """The largest office file (a data-quality page included), as (name, bytes)."""
        name, size = max(self.files.items(), key=lambda item: item[1], default=("", 0))
        if self.largest_dq_page > size:
            return f"{DQ_PAGES_DIR}/…", self.largest_dq_page
        return name, size

    @property
    def fullest_sheet(self) -> tuple[str, str, int]:
        """The sheet with the most rows, as (workbook, sheet, rows)."""
        return max(
            (
                (book, sheet, rows)
                for book, sheets in self.sheets.items()
                for sheet, rows in sheets.items()
            ),
            key=lambda item: item[2],
            default=("", "", 0),
        )


def measure_outputs(published: Path) -> OfficeFiles:
    """The office files of a published year folder (`out/<year>/current`)."""
    files = {
        path.name: path.stat().st_size
        for path in sorted(published.iterdir())
        if path.is_file() and path.suffix in OFFICE_SUFFIXES
    }
    pages = [page.stat().st_size for page in (published / DQ_PAGES_DIR).glob("*.html")]
    sheets = {name: sheet_rows(published / name) for name in files if name.endswith(".xlsx")}
    return OfficeFiles(files, len(pages), max(pages, default=0), sheets)


def sheet_rows(workbook: Path) -> dict[str, int]:
    """Each sheet of `workbook` (in the workbook's order) with its rows that hold a cell."""
    with zipfile.ZipFile(workbook) as book:
        parts = _sheet_parts(book)
        return {name: _count_rows(book, part) for name, part in parts}


def _sheet_parts(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, its XML part in the zip), from xl/workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.findall("rel:Relationship", _NS)
    }
    parts = []
    for sheet in workbook.findall("main:sheets/main:sheet", _NS):
        target = targets[sheet.get(_REL_ID)]
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts.append((sheet.get("name", ""), part))
    return parts


_ROW_TAG = re.compile(rb"<row[ >]")


def _count_rows(book: zipfile.ZipFile, part: str) -> int:
    """The `<row` elements of a sheet's XML, read in chunks. The last 5 bytes (a tag's length)
    of each chunk go before the next one: a tag cut at the chunk's end is whole there, and one
    whole within those 5 bytes is counted there instead of here, so every tag counts once."""
    count, tail = 0, b""
    with book.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            tail = data[-5:]
            count += len(_ROW_TAG.findall(data)) - len(_ROW_TAG.findall(tail))
        count += len(_ROW_TAG.findall(tail))
    return count
