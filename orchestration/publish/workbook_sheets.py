"""The workbook's sheets of whole tables: the summary (概要), one sheet per result table (a
summary and a preview for a table too large for a sheet), the reward list with its payments
(拨付汇总) and the dictionary (字段说明)."""

from __future__ import annotations

from typing import Any

import polars as pl

from orchestration.publish import history_note
from orchestration.publish import workbook_office as office
from orchestration.publish.formatting import MONEY_COLUMNS
from orchestration.publish.labels import TABLE_LABELS, header, shown_columns
from orchestration.publish.office_summary import (
    column_sum,
    latest_run,
    ordered_scores,
    summary_facts,
)
from orchestration.publish.office_tables import RESULT_TABLES
from orchestration.publish.workbook_cells import (
    PARQUET_NAME,
    Formats,
    set_widths,
    sheet_title,
    write_cell,
    write_frame,
)
from scoring.results_contract import result_contract

LARGE_TABLE_ROWS = 50_000
"""Above this many rows a table's sheet holds a summary and a pointer to the Parquet file."""

PREVIEW_ROWS = 1_000
"""Rows of a large table shown in its sheet, after the summary."""

SUMMARY_SHEET = "概要"

LARGE_SUMMARY_KEYS: dict[str, list[str]] = {
    "dq_issues": ["dataset", "severity", "check_name"],
    "tenant_clearout": ["carrier_id"],
    "score_details": ["indicator_code", "indicator_name_zh"],
    "rewards": ["rule_code", "payee_kind"],
    "dataset_counts": ["dataset"],
    "carrier_scores": ["carrier_type", "grade"],
    "carrier_actions": ["action"],
}
"""The columns the office filters a large table by: its summary counts rows per group."""

ROW_COUNTS = ("rows_read", "rows_kept", "rows_rejected", "rows_duplicate")


def large_summary(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Counts (and amounts) by the columns the office filters a large table by."""
    keys = [k for k in LARGE_SUMMARY_KEYS.get(table, []) if k in frame.columns]
    money = [c for c in frame.columns if c in MONEY_COLUMNS]
    sums = [c for c in money + list(ROW_COUNTS) if c in frame.columns]
    aggs = [pl.len().alias("row_count"), *[pl.col(c).sum() for c in sums]]
    if not keys:
        return frame.select(aggs)
    return frame.group_by(keys).agg(aggs).sort(keys, nulls_last=True)


def write_table_sheet(
    wb: Any, fmt: Formats, table: str, frame: pl.DataFrame, max_rows: int
) -> None:
    """A result table's sheet: frozen, filterable; a summary and a preview when too large."""
    ws = wb.add_worksheet(TABLE_LABELS[table])
    if table == "carrier_scores":
        frame = ordered_scores(frame)
    widths: dict[int, int] = {}
    if frame.height <= max_rows:
        cols = shown_columns(table, frame)
        ws.freeze_panes(1, office.frozen_column_count(cols, table))
        office.print_setup(ws, sheet_title(fmt, TABLE_LABELS[table]), fmt.run_id, repeat=(0, 0))
        write_frame(ws, fmt, table, frame, 0, autofilter=True, widths=widths)
        set_widths(ws, widths)
        return
    _write_large_table(ws, fmt, table, frame, max_rows, widths)
    ws.freeze_panes(1, 0)
    office.print_setup(ws, sheet_title(fmt, TABLE_LABELS[table]), fmt.run_id, repeat=None)
    set_widths(ws, widths)


def _write_large_table(
    ws: Any, fmt: Formats, table: str, frame: pl.DataFrame, max_rows: int, widths: dict[int, int]
) -> None:
    """A note pointing to the Parquet file, the summary, then the first rows."""
    parquet = PARQUET_NAME.format(table=table)
    preview = min(PREVIEW_ROWS, max_rows)
    note = (
        f"本表共 {frame.height:,} 行，超过工作簿上限 {max_rows:,} 行："
        f"下面是汇总和前 {preview:,} 行，"
        f"完整数据见同目录下的 Parquet 文件 {parquet}。 / This table has {frame.height:,} rows, "
        f"more than the workbook's limit of {max_rows:,}: below are a summary and the first "
        f"{preview:,} rows; the full table is in {parquet} beside this workbook."
    )
    ws.merge_range(0, 0, 0, 7, note, fmt.note)
    ws.set_row(0, 48)
    ws.write_string(1, 0, "汇总 / Summary", fmt.title)
    summary = large_summary(table, frame)
    next_row = write_frame(ws, fmt, table, summary, 2, autofilter=False, widths=widths)
    ws.write_string(next_row + 1, 0, f"前 {preview:,} 行 / First {preview:,} rows", fmt.title)
    write_frame(ws, fmt, table, frame.head(preview), next_row + 2, autofilter=True, widths=widths)


def write_rewards_sheet(
    wb: Any, fmt: Formats, rewards: pl.DataFrame, names: pl.DataFrame, max_rows: int
) -> None:
    """奖补清单: paid lines first (filterable), then the zero lines with their reason, then
    拨付汇总: one row per payee and a 合计 equal to the list's total."""
    if rewards.height > max_rows:
        write_table_sheet(wb, fmt, "rewards", rewards, max_rows)
    else:
        _write_reward_lines(wb, fmt, rewards, names)
    _write_payment_sheet(wb, fmt, rewards)


def _write_reward_lines(wb: Any, fmt: Formats, rewards: pl.DataFrame, names: pl.DataFrame) -> None:
    paid, zero = office.office_rewards(rewards, names)
    ws = wb.add_worksheet(TABLE_LABELS["rewards"])
    cols = shown_columns("rewards", paid)
    ws.freeze_panes(1, office.frozen_column_count(cols, "rewards"))
    office.print_setup(ws, sheet_title(fmt, TABLE_LABELS["rewards"]), fmt.run_id, repeat=(0, 0))
    widths: dict[int, int] = {}
    row = write_frame(ws, fmt, "rewards", paid, 0, autofilter=True, widths=widths)
    ws.write_string(row, 0, "合计", fmt.total)
    ws.write_number(row, cols.index("amount"), column_sum(paid, "amount"), fmt.total)
    row += 2
    ws.write_string(
        row, 0, f"不予支付或待个案审议的条目（金额为 0，共 {zero.height} 条）", fmt.title
    )
    write_frame(ws, fmt, "rewards", zero, row + 1, autofilter=False, widths=widths)
    set_widths(ws, widths)


def _write_payment_sheet(wb: Any, fmt: Formats, rewards: pl.DataFrame) -> None:
    ws = wb.add_worksheet(office.PAYMENT_SHEET)
    frame = office.payments(rewards)
    cols = shown_columns("rewards", frame)
    ws.freeze_panes(1, office.frozen_column_count(cols, "rewards"))
    office.print_setup(ws, sheet_title(fmt, office.PAYMENT_SHEET), fmt.run_id, repeat=(0, 0))
    widths: dict[int, int] = {}
    row = write_frame(ws, fmt, "rewards", frame, 0, autofilter=True, widths=widths)
    ws.write_string(row, 0, "合计", fmt.total)
    ws.write_number(row, cols.index("line_count"), frame.get_column("line_count").sum(), fmt.total)
    ws.write_number(row, cols.index("amount"), column_sum(frame, "amount"), fmt.total)
    set_widths(ws, widths)


def write_dictionary_sheet(wb: Any, fmt: Formats) -> None:
    """字段说明: every column header of every sheet with its key and description."""
    ws = wb.add_worksheet(office.DICTIONARY_SHEET)
    headers = ("工作表", "列名", "字段 / key", "说明 / description")
    for j, text in enumerate(headers):
        ws.write_string(0, j, text, fmt.header)
    seen: set[tuple[str, str]] = set()
    row = 1
    for sheet, label, key, description in office.dictionary_rows(fmt.shown, header):
        if (sheet, key) in seen:
            continue
        seen.add((sheet, key))
        for j, text in enumerate((sheet, label, key, description)):
            ws.write_string(row, j, text)
        row += 1
    ws.autofilter(0, 0, max(row - 1, 0), len(headers) - 1)
    ws.freeze_panes(1, 0)
    office.print_setup(ws, sheet_title(fmt, office.DICTIONARY_SHEET), fmt.run_id, repeat=(0, 0))
    for j, width in enumerate((16, 26, 30, 90)):
        ws.set_column(j, j, width)


def write_summary_sheet(
    wb: Any, fmt: Formats, t: dict[str, pl.DataFrame], year: int, max_rows: int
) -> None:
    """概要: the year's facts, then one line per sheet with its row count."""
    ws = wb.add_worksheet(SUMMARY_SHEET)
    ws.write_string(0, 0, f"{year} 年度科创载体绩效评价结果 / Carrier assessment {year}", fmt.title)
    banner = history_note.banner(latest_run(t["runs"]), year)
    if banner:
        ws.write_string(1, 0, f"⚠ {banner}", fmt.title)
    ws.write_string(2, 0, "项目", fmt.header)
    ws.write_string(2, 1, "item", fmt.header_en)
    ws.write_string(2, 2, "值 / value", fmt.header)
    row = 3
    for zh, en, value, kind in summary_facts(t, year):
        ws.write_string(row, 0, zh, fmt.label)
        ws.write_string(row, 1, en)
        write_cell(ws, fmt, row, 2, value, kind)
        row += 1
    _write_sheet_list(ws, fmt, t, row + 1, max_rows)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 40)
    office.print_setup(ws, sheet_title(fmt, SUMMARY_SHEET), fmt.run_id, repeat=None)


def _write_sheet_list(
    ws: Any, fmt: Formats, t: dict[str, pl.DataFrame], row: int, max_rows: int
) -> None:
    ws.write_string(row, 0, "工作表 / Sheets", fmt.title)
    row += 1
    for table in RESULT_TABLES:
        frame = t[table]
        ws.write_string(row, 0, TABLE_LABELS[table], fmt.label)
        ws.write_string(row, 1, result_contract().tables[table].en)
        note = f"{frame.height:,} 行 / rows"
        if frame.height > max_rows:
            note += f"；仅汇总，完整数据见 / summary only, see {PARQUET_NAME.format(table=table)}"
        ws.write_string(row, 2, note)
        row += 1
