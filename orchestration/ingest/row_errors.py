"""The `_row_error` of raw rows ingest already knows staging must reject.

A raw row carries in `_row_error` the JSON of its one failure when ingest already knows the row
cannot be used; staging turns it into the row's rejection (macros/staging_checks.sql,
`ingest_row_error`), so the row is read, rejected at its place and counted like any other.
Here: the JSON itself, the data rows that repeat the header (a sheet pasted twice), and the CSV
records holding a line the decoding could not use. (Rows under a merged cell:
`xlsx_layout.merged_row_errors`; rows of a stray year's file: `stray_year`.)
"""

from __future__ import annotations

import bisect
import json

import polars as pl


def row_error(check: str, column: str | None, value: str | None, zh: str, en: str) -> str:
    """The `_row_error` JSON of a raw row ingest already knows staging must reject."""
    return json.dumps(
        {
            "column_name": column or "_row",
            "check_name": check,
            "value_as_written": value,
            "message": f"{zh} / {en}",
        },
        ensure_ascii=False,
    )


def repeated_header_mask(body: pl.DataFrame, header: tuple, columns: list[str]) -> pl.Series:
    """True for a data row whose mapped cells repeat the header's text (at least two of them,
    and all the row's non-empty mapped cells). Eager Series work, and none past the first
    column that never repeats its header (the usual case): no query to plan per sheet."""
    none = pl.Series([False] * body.height, dtype=pl.Boolean)
    same: pl.Series | None = None
    filled: pl.Series | None = None
    counted = 0
    for col in columns:
        text = header[body.columns.index(col)]
        if text is None:
            continue
        cells = body.get_column(col).cast(pl.String)
        hits = (cells.str.strip_chars() == str(text).strip()).fill_null(False)
        if not hits.any():
            return none
        present = cells.is_not_null()
        same = hits.cast(pl.Int32) if same is None else same + hits.cast(pl.Int32)
        filled = present.cast(pl.Int32) if filled is None else filled + present.cast(pl.Int32)
        counted += 1
    if counted < 2 or same is None or filled is None:
        return none
    return (same >= 2) & (same == filled)


def record_errors(
    starts: pl.Series, line_errors: dict[int, tuple[str, str, str]], name: str
) -> dict[int, str]:
    """The `_row_error` of each CSV record holding a bad line (a quoted cell may span lines:
    the record is the one starting at or before the line), by the record's first line."""
    if not line_errors:
        return {}
    first_lines = starts.to_list()
    out: dict[int, str] = {}
    for line, (check, zh, en) in sorted(line_errors.items()):
        pos = max(0, bisect.bisect_right(first_lines, line) - 1)
        out.setdefault(
            first_lines[pos],
            row_error(check, None, None, f"文件“{name}”{zh}", f"file '{name}': {en}"),
        )
    return out
