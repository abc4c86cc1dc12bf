"""What calamine does not say about a workbook, read from its XML: hidden columns and merged
ranges, and what they mean for the sheet's columns and rows.

- `hidden_columns`: each sheet's hidden columns (from the head of the sheet's XML, before its
  cells); `hidden_column_findings` warns of a hidden column holding data.
- `merged_ranges`: a sheet's merged ranges; `merged_row_errors` rejects the rows under the
  first row of a merged range over a required column (`merged_cell`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl

from orchestration.ingest.row_errors import row_error
from orchestration.xlsx_columns import column_letter as _column_letter

_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b[^>]*>")
HEAD_BYTES = 1 << 20
"""How much of a sheet's XML is read for its column definitions: they come before the cells."""


def _attrs(tag: bytes) -> dict[str, str]:
    return {
        k.decode().split(":")[-1] if k != b"r:id" else "rid": v.decode("utf-8", "replace")
        for k, v in _ATTR.findall(tag)
    }


def _sheet_parts(zf: Any) -> dict[str, str]:
    """Sheet name → the zip part holding its XML (workbook.xml and its relationships)."""
    import html
    import posixpath

    names = set(zf.namelist())
    book = zf.read("xl/workbook.xml")
    rels = zf.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for tag in _REL_TAG.findall(rels):
        a = _attrs(tag)
        target = a.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[a.get("Id")] = posixpath.normpath(path)
    parts = {}
    for tag in _SHEET_TAG.findall(book):
        a = _attrs(tag)
        part = targets.get(a.get("rid") or a.get("id"))
        if part in names:
            parts[html.unescape(a.get("name", ""))] = part
    return parts


def hidden_columns(data: bytes) -> dict[str, set[int]]:
    """Sheet name → 0-based indexes of its hidden columns (`<cols><col hidden="1">`), for the
    sheets that have any. calamine reads hidden columns like the others and does not say which
    they are; only the head of each sheet's XML (before its cells) is read. Best effort: a
    workbook whose parts cannot be read this way gives {}."""
    import io
    import zipfile

    found: dict[str, set[int]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name, part in _sheet_parts(zf).items():
                hidden = _hidden_in(_sheet_head(zf, part))
                if hidden:
                    found[name] = hidden
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        return {}
    return found


def _sheet_head(zf: Any, part: str) -> bytes:
    """A sheet's XML up to its cells (`<sheetData`), at most about HEAD_BYTES of it."""
    head = b""
    with zf.open(part) as handle:  # the columns come before the cells: stop there
        while b"<sheetData" not in head and len(head) < HEAD_BYTES:
            chunk = handle.read(8192)
            if not chunk:
                break
            head += chunk
    return head.split(b"<sheetData", 1)[0]


def _hidden_in(head: bytes) -> set[int]:
    """0-based indexes of the columns a sheet's `<col hidden="1">` definitions hide."""
    hidden: set[int] = set()
    for col in _COL_TAG.findall(head):
        c = _attrs(col)
        if c.get("hidden") in ("1", "true"):
            first, last = int(c.get("min", "0")), int(c.get("max", "0"))
            hidden.update(range(first - 1, min(last, first + 16_384)))
    return hidden


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode():
        index = index * 26 + ord(ch) - 64
    return index - 1


def merged_ranges(data: bytes, sheet: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of one sheet as 0-based (first row, first column, last row, last
    column). Reads the sheet's whole XML (the merges follow the cells): called only for a sheet
    whose required cells are missing somewhere. Best effort: [] when it cannot be read."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = _sheet_parts(zf).get(sheet)
            if part is None:
                return []
            xml = zf.read(part)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        return []
    tail = xml[xml.rfind(b"</sheetData>") :]
    return [
        (int(r1) - 1, _column_index(c1), int(r2) - 1, _column_index(c2))
        for c1, r1, c2, r2 in _MERGE.findall(tail)
    ]


def merged_row_errors(
    cells: pl.DataFrame,
    header_index: int,
    letters: list[str],
    required: list[str],
    merges: Callable[[], list[tuple[int, int, int, int]]],
    where: tuple[str, str],
) -> dict[int, str]:
    """The `_row_error` of each data row lying under the first row of a merged range that
    covers a required column: Excel keeps a merged value in the range's first cell only, and
    the rows below are rejected with that said (never filled in by guess: a merged amount
    would count twice). Looked up only when a required cell of a data row is empty."""
    body = cells.slice(header_index + 1)
    if not any(body.get_column(col).null_count() for col in required):
        return {}
    name, sheet = where
    required_letters = {letters[cells.columns.index(col)] for col in required}
    out: dict[int, str] = {}
    for r1, c1, r2, c2 in merges():
        if r2 <= r1 or r1 <= header_index:
            continue
        covered = {_column_letter(c) for c in range(c1, c2 + 1)} & required_letters
        if not covered:
            continue
        span = f"{_column_letter(c1)}{r1 + 1}:{_column_letter(c2)}{r2 + 1}"
        for row in range(r1 + 2, r2 + 2):
            out.setdefault(
                row,
                row_error(
                    "merged_cell",
                    None,
                    span,
                    f"文件“{name}”工作表“{sheet}”第 {row} 行在合并单元格 {span} 中，"
                    f"合并单元格的值只存于第 {r1 + 1} 行；该行未采用，请取消合并并逐行填写",
                    f"file '{name}' sheet '{sheet}' row {row} lies in the merged cells {span}, "
                    f"whose value Excel keeps in row {r1 + 1} only; the row is not used: unmerge "
                    "and fill in every row",
                ),
            )
    return out


def hidden_column_findings(
    cells: pl.DataFrame,
    header_index: int,
    letters: list[str],
    hidden: set[str] | frozenset[str],
    mapped: dict[str, str],
    where: tuple[str, str, str],
) -> list[tuple]:
    """A warning (as `Finding` fields) for each hidden column holding data: whether it was
    read as a column of the dataset or kept aside in `_extra` (a visible column with the same
    header wins)."""
    if not hidden:
        return []
    dataset, name, sheet = where
    used = {col: contract for contract, col in mapped.items()}
    header = cells.row(header_index)
    out = []
    for pos, col in enumerate(cells.columns):
        letter = letters[pos]
        below = cells.get_column(col).slice(header_index + 1)
        if letter not in hidden or below.null_count() == below.len():
            continue
        label = "" if header[pos] is None else str(header[pos])
        if col in used:
            zh, en = "已作为数据读取", f"it was read as '{used[col]}'"
        else:
            zh, en = "未采用，原样保留在 _extra 中", "not used; kept in _extra"
        row = header_index + 1
        out.append(
            (
                dataset,
                name,
                sheet,
                row,
                label or letter,
                "hidden_column",
                "warning",
                label or None,
                f"文件“{name}”工作表“{sheet}”第 {letter} 列（表头“{label}”）是隐藏列，{zh} / "
                f"file '{name}' sheet '{sheet}' column {letter} (header '{label}') is hidden; "
                f"{en}",
            )
        )
    return out
