"""Tables of the HTML reports as the templates draw them: headers, display strings, classes;
and the cut of a long list to its first rows with a note."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from orchestration.publish.formatting import NUMERIC_KINDS, as_text, display, row_kind, value_kind
from orchestration.publish.labels import COLUMN_LABELS, header, shown_columns

HTML_HIDDEN_COLUMNS = frozenset({"assessment_year", "run_id"})
"""Shown once in the report's summary rather than on every row."""

WIDE_TEXT_COLUMNS = frozenset(
    {
        "basis_zh",
        "reasons_zh",
        "message",
        "note_zh",
        "indicator_name_zh",
        "target_zh",
        "veto_reason",
        "value_as_written",
        "enterprise_name",
        "payee_name",
        "source_file",
    }
)
"""Long text that may wrap in the HTML report; other cells stay on one line."""


def cell_class(column: str, kind: str) -> str:
    """A cell's class: numbers right-aligned, long text allowed to wrap."""
    if kind in NUMERIC_KINDS:
        return "num"
    return "wide" if column in WIDE_TEXT_COLUMNS else ""


def html_rows(
    table: str, frame: pl.DataFrame, columns: Iterable[str] | None = None
) -> dict[str, Any]:
    """Headers and display strings of a frame, for the template's generic table macro."""
    cols = [c for c in (columns or shown_columns(table, frame)) if c in frame.columns]
    cols = [c for c in cols if c in COLUMN_LABELS and (columns or c not in HTML_HIDDEN_COLUMNS)]
    kinds = [value_kind(c, frame.schema[c]) for c in cols]
    rows = [
        [display(c, record[c], row_kind(c, kinds[j], record)) for j, c in enumerate(cols)]
        for record in frame.select(cols).iter_rows(named=True)
    ]
    return {
        "headers": [(header(table, c), c) for c in cols],
        "numeric": [k in NUMERIC_KINDS for k in kinds],
        "classes": [cell_class(c, k) for c, k in zip(cols, kinds, strict=True)],
        "rows": rows,
    }


def top(frame: pl.DataFrame, n: int) -> tuple[pl.DataFrame, str | None]:
    """The first n rows and, when rows were left out, the note that says so."""
    if frame.height <= n:
        return frame, None
    return frame.head(n), (
        f"仅列出前 {n:,} 条，共 {frame.height:,} 条；完整清单见工作簿和 Parquet 文件。"
        f" / Showing the first {n:,} of {frame.height:,}; the full list is in the workbook "
        "and the Parquet files."
    )


def search_text(values: Iterable[Any]) -> str:
    """What the report's search box matches a carrier on (lower case)."""
    return " ".join(as_text(v) for v in values).lower()
