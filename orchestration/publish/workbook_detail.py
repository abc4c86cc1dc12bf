"""The workbook's per-carrier sheet (载体评分明细): one block per carrier with its score, grade
and rank, its receipt (orchestration/publish/receipt.py) and its indicator rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from orchestration.publish import receipt
from orchestration.publish import workbook_office as office
from orchestration.publish.formatting import (
    as_text,
    display,
    kind_varies_by_row,
    row_kind,
    text_width,
    value_kind,
)
from orchestration.publish.labels import COLUMN_LABELS, header, value_label
from orchestration.publish.office_summary import ordered_scores
from orchestration.publish.workbook_cells import (
    FORMULA_TRIGGERS,
    PARQUET_NAME,
    Formats,
    labeller,
    set_widths,
    sheet_title,
    write_cell,
)

DETAIL_SHEET = "载体评分明细"

DETAIL_ROWS_PER_CARRIER = 30
"""Rough sheet rows of one carrier's block, to keep the per-carrier sheet under the limit."""

HEAD_FIELDS = (
    ("carrier_type", "载体类型"),
    ("total_score", "总分"),
    ("grade", "等级"),
    ("rank_in_type", "类型内排名"),
)
"""The block's first line: label and value side by side."""

EXTRA_FIELDS = (("veto_reason", "否决原因"), ("town", "镇（园区）"))
"""The block's second line, when the carrier has them."""


@dataclass
class _Sheet:
    """The sheet being written and what its blocks share."""

    wb: Any
    ws: Any
    fmt: Formats
    detail_cols: list[str]
    kinds: list[str]
    score_kinds: dict[str, str]
    widths: dict[int, int] = field(default_factory=dict)
    labels: list[Any] = field(init=False)
    """Each detail column's `labeller` (None: shown as it is)."""
    varies: list[bool] = field(init=False)
    """Whether a detail column's kind can differ by row (`kind_varies_by_row`)."""
    shown_widths: list[dict[Any, int]] = field(init=False)
    """Per detail column, the display width of each (value, kind) met so far: an indicator's
    name, dimension or note repeats in every carrier's block (national: 26,656 rows)."""

    def __post_init__(self) -> None:
        self.labels = [labeller(c) for c in self.detail_cols]
        self.varies = [
            kind_varies_by_row(c, k) for c, k in zip(self.detail_cols, self.kinds, strict=True)
        ]
        self.shown_widths = [{} for _ in self.detail_cols]

    def shown_width(self, j: int, value: Any, kind: str) -> int:
        """`text_width(display(...))` of a detail cell, worked out once per (value, kind)."""
        known = self.shown_widths[j]
        try:
            return known[value, kind]
        except KeyError:
            width = known[value, kind] = text_width(display(self.detail_cols[j], value, kind))
            return width
        except TypeError:  # an unhashable value (a list): measured each time
            return text_width(display(self.detail_cols[j], value, kind))


def write_detail_sheet(
    wb: Any, fmt: Formats, t: dict[str, pl.DataFrame], year: int, max_rows: int
) -> None:
    """One block per carrier: its score, grade and rank, then its indicator rows."""
    ws = wb.add_worksheet(DETAIL_SHEET)
    ws.write_string(0, 0, f"{year} 年度载体评分明细 / Per-carrier score details {year}", fmt.title)
    ws.freeze_panes(1, 0)
    scores, details, row = _limit(ws, fmt, t, year, max_rows)
    detail_cols = [
        c
        for c in details.columns
        if c in COLUMN_LABELS and c not in ("carrier_id", "assessment_year", "run_id")
    ]
    sheet = _Sheet(
        wb,
        ws,
        fmt,
        detail_cols,
        kinds=[value_kind(c, details.schema[c]) for c in detail_cols],
        score_kinds={c: value_kind(c, scores.schema[c]) for c in scores.columns},
        widths={j: text_width(header("score_details", c)) for j, c in enumerate(detail_cols)},
    )
    by_carrier = (
        {key[0]: frame for key, frame in details.partition_by("carrier_id", as_dict=True).items()}
        if not details.is_empty()
        else {}
    )
    views = receipt.receipt_views(
        scores,
        details,
        t["rectifications"],
        year,
        all_scores=t["carrier_scores"],
        robustness=t["grade_robustness"],
    )
    breaks: list[int] = []
    for record in scores.iter_rows(named=True):
        if row > 2:
            breaks.append(row)
        view = views.get(str(record["carrier_id"]))
        row = _write_block(sheet, row, record, view, by_carrier.get(record["carrier_id"]))
    set_widths(ws, sheet.widths)
    ws.set_h_pagebreaks(breaks[: office.MAX_PAGE_BREAKS])
    office.print_setup(ws, sheet_title(fmt, DETAIL_SHEET), fmt.run_id, repeat=None)


def _limit(
    ws: Any, fmt: Formats, t: dict[str, pl.DataFrame], year: int, max_rows: int
) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """The carriers the sheet lists (the first ones by type and rank when there are too many,
    with a note saying where the rest are) and the first free row."""
    scores = ordered_scores(t["carrier_scores"])
    details = t["score_details"]
    limit = max(1, max_rows // DETAIL_ROWS_PER_CARRIER)
    if scores.height <= limit:
        return scores, details, 2
    parquet = PARQUET_NAME.format(table="score_details")
    note = (
        f"共 {scores.height:,} 个载体，本表列出前 {limit:,} 个（按类型、排名）；全部明细见 "
        f"carrier_details_{year}.xlsx 及 {parquet}。 / "
        f"{scores.height:,} carriers; the first {limit:,} by type and rank are listed, all "
        f"details are in carrier_details_{year}.xlsx and {parquet}."
    )
    ws.merge_range(1, 0, 1, 7, note, fmt.note)
    ws.set_row(1, 36)
    scores = scores.head(limit)
    details = details.filter(pl.col("carrier_id").is_in(scores.get_column("carrier_id").implode()))
    return scores, details, 3


def _write_block(
    sheet: _Sheet,
    row: int,
    record: dict[str, Any],
    view: Any,
    rows: pl.DataFrame | None,
) -> int:
    """One carrier's block; return the next free row."""
    last_col = max(len(sheet.detail_cols) - 1, 7)
    row = _write_head(sheet, row, record, last_col)
    row = receipt.write_rows(sheet.wb, sheet.ws, sheet.fmt, row, view, last_col)
    for j, c in enumerate(sheet.detail_cols):
        sheet.ws.write_string(row, j, header("score_details", c), sheet.fmt.header)
    row += 1
    if rows is None or rows.is_empty():
        sheet.ws.write_string(row, 0, "无指标明细 / no indicator details", sheet.fmt.note)
        return row + 2
    for detail in rows.iter_rows(named=True):
        _write_indicator(sheet, row, detail)
        row += 1
    return row + 1


def _write_head(sheet: _Sheet, row: int, record: dict[str, Any], last_col: int) -> int:
    """The block's title, its score line and (when there are any) its veto and town."""
    ws, fmt = sheet.ws, sheet.fmt
    title = f"{as_text(record['carrier_id'])}  {as_text(record['carrier_name'])}"
    ws.merge_range(row, 0, row, last_col, "", fmt.block_title)
    quoted = title.startswith(FORMULA_TRIGGERS)
    ws.write_string(row, 0, title, fmt.block_title_quoted if quoted else fmt.block_title)
    row += 1
    for k, (col, label) in enumerate(HEAD_FIELDS):
        ws.write_string(row, 2 * k, label, fmt.label)
        value = value_label(col, record.get(col))
        write_cell(ws, fmt, row, 2 * k + 1, value, sheet.score_kinds.get(col, "text"))
        for j, text in ((2 * k, label), (2 * k + 1, as_text(value))):
            sheet.widths[j] = max(sheet.widths.get(j, 0), text_width(text))
    row += 1
    extras = [(c, lab) for c, lab in EXTRA_FIELDS if record.get(c) not in (None, "")]
    for k, (col, label) in enumerate(extras):
        ws.write_string(row, 2 * k, label, fmt.label)
        write_cell(ws, fmt, row, 2 * k + 1, record.get(col), "text")
    return row + 1 if extras else row


def _write_indicator(sheet: _Sheet, row: int, detail: dict[str, Any]) -> None:
    for j, c in enumerate(sheet.detail_cols):
        kind = row_kind(c, sheet.kinds[j], detail) if sheet.varies[j] else sheet.kinds[j]
        value = detail[c]
        label = sheet.labels[j]
        write_cell(sheet.ws, sheet.fmt, row, j, value if label is None else label(value), kind)
        sheet.widths[j] = max(sheet.widths[j], sheet.shown_width(j, value, kind))
