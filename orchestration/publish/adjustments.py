"""The office files' adjustments parts: the sheets and HTML sections 调整与申诉 (every
adjustment of the year, its status and effect, pending appeals first) and 与上次发布相比的变化
(what changed since the previous publish, old beside new), and the marks on adjusted figures
(the grade cell of an adjusted grade, the amount of an adjusted reward line).

Called by the workbook and the HTML report (`workbook.py`, `html_report.py`); the tables are
`results.adjustments` and `results.run_changes` (absent from older callers' tables: the parts
are then empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from orchestration.publish.formatting import FORMULA_TRIGGERS
from orchestration.publish.labels import COLUMN_LABELS, TABLE_LABELS, VALUE_LABELS

ADJUSTMENTS_SHEET = "调整与申诉"
CHANGES_SHEET = "与上次发布相比的变化"

ADJUSTMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("adjustment_id", "编号"),
    ("status", "状态"),
    ("source", "来源"),
    ("kind", "类型"),
    ("target", "对象"),
    ("field", "字段"),
    ("old_value", "原值"),
    ("new_value", "新值"),
    ("applied", "已执行"),
    ("effect_zh", "效果"),
    ("reason", "理由"),
    ("approved_by", "批准人"),
    ("approved_on", "批准日期"),
)

CHANGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("table_name", "结果表"),
    ("row_key", "对象"),
    ("change", "变化"),
    ("column_name", "列"),
    ("old_value", "上次发布"),
    ("new_value", "本次发布"),
    ("previous_run_id", "上次发布的运行编号"),
)

KINDS = VALUE_LABELS["kind"]
STATUSES = VALUE_LABELS["status"]
SOURCES = VALUE_LABELS["source"]
CHANGE_LABELS = VALUE_LABELS["change"]
"""The adjustments' and changes' codes as the office reads them (the result contract's)."""
TABLE_NAMES = TABLE_LABELS

WIDE = frozenset({"effect_zh", "reason", "target", "old_value", "new_value", "row_key"})


def _year_rows(tables: Mapping[str, pl.DataFrame], name: str, year: int) -> pl.DataFrame | None:
    frame = tables.get(name)
    if frame is None:
        return None
    if "assessment_year" in frame.columns:
        frame = frame.filter(pl.col("assessment_year") == year)
    return frame


def ordered_adjustments(frame: pl.DataFrame) -> pl.DataFrame:
    """Pending appeals first, then other pending ones, then accepted, then rejected; each in
    the file's order."""
    rank = (
        pl.when((pl.col("status") == "pending") & (pl.col("source") == "appeal"))
        .then(0)
        .when(pl.col("status") == "pending")
        .then(1)
        .when(pl.col("status") == "accepted")
        .then(2)
        .otherwise(3)
    )
    order = ["_rank", "file_row"] if "file_row" in frame.columns else ["_rank"]
    return frame.with_columns(rank.alias("_rank")).sort(order, nulls_last=True).drop("_rank")


def _label(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "kind":
        return f"{KINDS.get(value, value)}"
    if column == "status":
        return STATUSES.get(value, value)
    if column == "source":
        return SOURCES.get(value, value)
    if column == "applied":
        return "是" if value else "否"
    if column == "change":
        return CHANGE_LABELS.get(value, value)
    if column == "table_name":
        return TABLE_NAMES.get(value, value)
    if column == "column_name":
        label = COLUMN_LABELS.get(value)
        return f"{label}（{value}）" if label else str(value)
    return str(value)


def _text_rows(frame: pl.DataFrame, columns: tuple[tuple[str, str], ...]) -> list[list[str]]:
    present = [c for c, _ in columns]
    return [[_label(c, record.get(c)) for c in present] for record in frame.iter_rows(named=True)]


def adjustments_rows(tables: Mapping[str, pl.DataFrame], year: int) -> list[list[str]]:
    frame = _year_rows(tables, "adjustments", year)
    if frame is None or frame.is_empty():
        return []
    return _text_rows(ordered_adjustments(frame), ADJUSTMENT_COLUMNS)


def changes_rows(tables: Mapping[str, pl.DataFrame], year: int) -> list[list[str]]:
    frame = _year_rows(tables, "run_changes", year)
    if frame is None or frame.is_empty():
        return []
    return _text_rows(frame, CHANGE_COLUMNS)


def adjusted_marks(tables: Mapping[str, pl.DataFrame], year: int) -> dict[str, dict[str, str]]:
    """{'grade': {carrier_id: ids}, 'amount': {reward line key: ids}}: the figures an applied
    set_grade or set_reward changed."""
    marks: dict[str, dict[str, str]] = {"grade": {}, "amount": {}}
    frame = _year_rows(tables, "adjustments", year)
    if frame is None or frame.is_empty():
        return marks
    applied = frame.filter(pl.col("applied") & pl.col("kind").is_in(["set_grade", "set_reward"]))
    for row in applied.iter_rows(named=True):
        slot = marks["grade" if row["kind"] == "set_grade" else "amount"]
        target = str(row["target"])
        slot[target] = ",".join(filter(None, [slot.get(target), row["adjustment_id"]]))
    return marks


# --------------------------------------------------------------------------------------------
# the workbook


def write_workbook_sheets(
    wb: Any, tables: Mapping[str, pl.DataFrame], year: int, page_setup: Any
) -> None:
    """Add the sheets 调整与申诉 and 与上次发布相比的变化 (one Chinese header row, filterable);
    `page_setup(ws, name)` gives each the workbook's print setup."""
    header = wb.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    text = wb.add_format({"num_format": "@", "text_wrap": False})
    pending = wb.add_format({"num_format": "@", "bg_color": "#FFF2CC"})
    sheets = (
        (ADJUSTMENTS_SHEET, ADJUSTMENT_COLUMNS, adjustments_rows(tables, year), pending),
        (CHANGES_SHEET, CHANGE_COLUMNS, changes_rows(tables, year), None),
    )
    for name, columns, rows, highlight in sheets:
        ws = _sheet(wb, name, columns, rows, header, text, highlight)
        page_setup(ws, name)


@dataclass
class WorkbookMarks:
    marks: dict[str, dict[str, str]]
    text: Any
    money: Any


def workbook_marks(wb: Any, tables: Mapping[str, pl.DataFrame], year: int) -> WorkbookMarks | None:
    """What `mark_row` needs to mark the adjusted figures of the table sheets (None: none)."""
    marks = adjusted_marks(tables, year)
    if not marks["grade"] and not marks["amount"]:
        return None
    look = {"bg_color": "#FFD966", "bold": True, "border": 2}
    return WorkbookMarks(
        marks,
        wb.add_format(look | {"num_format": "@"}),
        wb.add_format(look | {"num_format": "#,##0.00"}),
    )


def mark_row(
    ws: Any,
    marks: WorkbookMarks,
    table: str,
    cols: list[str],
    record: Mapping[str, Any],
    row: int,
) -> None:
    """Highlight, with a note naming the adjustment, the grade cell of a carrier whose grade the
    office set and the amount cell of a reward line whose amount it set."""
    marker = _MARKERS.get(table)
    if marker is not None:
        marker(ws, marks, cols, record, row)


def _mark_grade(
    ws: Any, marks: WorkbookMarks, cols: list[str], record: Mapping[str, Any], row: int
) -> None:
    if "grade" in cols:
        ids = marks.marks["grade"].get(str(record.get("carrier_id")))
        if ids:
            col = cols.index("grade")
            ws.write_string(row, col, str(record.get("grade")), marks.text)
            ws.write_comment(row, col, f"按调整 {ids} 调整的等级")


def _mark_amount(
    ws: Any, marks: WorkbookMarks, cols: list[str], record: Mapping[str, Any], row: int
) -> None:
    if "amount" in cols:
        ids = marks.marks["amount"].get(_record_reward_key(record))
        if ids:
            col = cols.index("amount")
            amount = record.get("amount")
            ws.write_number(row, col, float(amount or 0), marks.money)
            ws.write_comment(row, col, f"按调整 {ids} 调整的金额")


_MARKERS = {"carrier_scores": _mark_grade, "rewards": _mark_amount}
"""What `mark_row` marks in each table's sheet: a grade the office set, a reward amount it set."""

MARKED_TABLES = frozenset(_MARKERS)
"""The tables whose sheets `mark_row` marks (workbook_cells writes their rows cell by cell)."""


def _record_reward_key(record: Mapping[str, Any]) -> str:
    payee = record.get("payee_uscc") or record.get("payee_name") or ""
    return f"{record.get('rule_code') or ''}|{payee}|{record.get('carrier_id') or ''}"


def _sheet(
    wb: Any,
    name: str,
    columns: tuple[tuple[str, str], ...],
    rows: list[list[str]],
    header: Any,
    text: Any,
    pending: Any,
) -> Any:
    ws = wb.add_worksheet(name)
    for j, (key, zh) in enumerate(columns):
        ws.write_string(0, j, zh, header)
        ws.set_column(j, j, 40 if key in WIDE else 14)
    quoted: dict[int, Any] = {}
    for i, row in enumerate(rows, start=1):
        fmt = pending if pending is not None and row[1] == STATUSES["pending"] else text
        for j, value in enumerate(row):
            if value.startswith(FORMULA_TRIGGERS):  # text a spreadsheet might evaluate
                if id(fmt) not in quoted:
                    props = {"num_format": "@", "quote_prefix": True}
                    if fmt is pending:
                        props["bg_color"] = "#FFF2CC"
                    quoted[id(fmt)] = wb.add_format(props)
                ws.write_string(i, j, value, quoted[id(fmt)])
                continue
            ws.write_string(i, j, value, fmt)
    if not rows:
        ws.write_string(1, 0, "无 / none", text)
    ws.freeze_panes(1, 0)
    if rows:
        ws.autofilter(0, 0, len(rows), len(columns) - 1)
    return ws


# --------------------------------------------------------------------------------------------
# the HTML report


def _html_table(columns: tuple[tuple[str, str], ...], rows: list[list[str]]) -> dict[str, Any]:
    return {
        "headers": [(zh, key) for key, zh in columns],
        "numeric": [False for _ in columns],
        "classes": ["wide" if key in WIDE else "" for key, _ in columns],
        "rows": [[cell or "—" for cell in row] for row in rows],
    }


def html_view(
    tables: Mapping[str, pl.DataFrame], year: int, view: dict[str, Any]
) -> dict[str, Any]:
    """The template's `adjustments` and `changes` sections, and `marks` on the ranking tables'
    grade cells and the reward lines' amount cells of `view` (changed in place)."""
    marks = adjusted_marks(tables, year)
    for group in view.get("ranking", []):
        table = group["table"]
        table["marks"] = _row_marks(table, marks["grade"], "grade", lambda r: r["carrier_id"])
    lines = view.get("reward_lines")
    if lines is not None:
        lines["marks"] = _row_marks(lines, marks["amount"], "amount", _display_reward_key)
    adjustments = adjustments_rows(tables, year)
    pending = sum(1 for row in adjustments if row[1] == STATUSES["pending"])
    return {
        "adjustments": _html_table(ADJUSTMENT_COLUMNS, adjustments),
        "adjustments_pending": pending,
        "changes": _html_table(CHANGE_COLUMNS, changes_rows(tables, year)),
    }


def _display_reward_key(cells: dict[str, str]) -> str:
    def real(v: str | None) -> str:
        return "" if v in (None, "—") else str(v)

    payee = real(cells.get("payee_uscc")) or real(cells.get("payee_name"))
    return f"{real(cells.get('rule_code'))}|{payee}|{real(cells.get('carrier_id'))}"


def _row_marks(
    table: dict[str, Any], marked: dict[str, str], column: str, key_of: Any
) -> list[dict[str, str]]:
    names = [en for _, en in table["headers"]]
    out: list[dict[str, str]] = []
    for row in table["rows"]:
        cells = dict(zip(names, row, strict=False))
        ids = marked.get(key_of(cells)) if marked else None
        out.append({column: f"按调整 {ids}"} if ids else {})
    return out
