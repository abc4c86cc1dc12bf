"""What makes the office workbook print and read like the clerk's own.

- every sheet prints landscape on A4, one page wide, its header rows repeated on every page, the
  title in the page header and the run id and page number in the footer;
- panes freeze the header row and the carrier's (or payee's) id and name columns;
- the reward list shows paid lines first and the zero lines in a block of their own, and a
  payment sheet per payee (拨付汇总) adds up to the reward list's total, for the finance bureau;
- one dictionary sheet (字段说明) maps every Chinese column header to its key and description:
  the only sheet with English keys.

The sheets themselves are written by `workbook_sheets` and `workbook_detail` (assembled by
`workbook`); this module holds the layout rules they share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from scoring.results_contract import column_doc

PAPER_A4 = 9
MAX_PAGE_BREAKS = 1023
"""Excel's limit of manual page breaks per sheet."""

DICTIONARY_SHEET = "字段说明"
PAYMENT_SHEET = "拨付汇总"

FROZEN_THROUGH = ("carrier_name", "carrier_id", "payee_name", "town", "target_zh", "dataset")
"""The first of these a sheet has is the last frozen column: the row's identity stays in view."""

GRADE_COLOURS = {"A": "#C6EFCE", "B": "#DDEBF7", "C": "#FFEB9C", "D": "#FFC7CE"}


def _footer_text(text: str) -> str:
    """Header/footer text: `&` is a control character there and is doubled."""
    return text.replace("&", "&&")


def print_setup(ws: Any, title: str, run_id: str, *, repeat: tuple[int, int] | None) -> None:
    """Landscape A4, one page wide, header rows repeated, title above, run and page below."""
    ws.set_landscape()
    ws.set_paper(PAPER_A4)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    ws.set_header(f"&C&12&B{_footer_text(title)}")
    ws.set_footer(f"&L运行编号 {_footer_text(run_id)}&R第 &P 页，共 &N 页")
    if repeat is not None:
        ws.repeat_rows(*repeat)


FROZEN_THROUGH_BY_TABLE = {"rewards": "payee_name"}
"""A reward line is the payee's: its name is the column to keep in view."""


def frozen_column_count(columns: list[str], table: str = "") -> int:
    """How many leading columns to freeze: through the first identity column present."""
    for name in (FROZEN_THROUGH_BY_TABLE.get(table, ""), *FROZEN_THROUGH):
        if name in columns:
            return columns.index(name) + 1
    return 0


def grade_formats(workbook: Any) -> dict[str, Any]:
    return {
        grade: workbook.add_format({"bg_color": colour, "bold": True, "align": "center"})
        for grade, colour in GRADE_COLOURS.items()
    }


def colour_grades(
    ws: Any, formats: dict[str, Any], column: int, first_row: int, last_row: int
) -> None:
    """Grade cells coloured by grade (a conditional format: it survives the office's edits)."""
    if last_row < first_row:
        return
    for grade, fmt in formats.items():
        ws.conditional_format(
            first_row,
            column,
            last_row,
            column,
            {"type": "cell", "criteria": "==", "value": f'"{grade}"', "format": fmt},
        )


def office_rewards(rewards: pl.DataFrame, names: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reward list as the finance bureau reads it: (paid lines, zero lines).

    Each with the carrier's name beside its id; paid lines by rule, then payee; zero lines
    (not paid, or case-by-case items not computed) keep their reason in `note_zh`.
    """
    frame = rewards
    if "carrier_name" not in frame.columns and not names.is_empty():
        frame = frame.join(names, on="carrier_id", how="left")
        cols = list(rewards.columns)
        cols.insert(cols.index("carrier_id") + 1, "carrier_name")
        frame = frame.select(cols)
    order = ["rule_code", "payee_name", "carrier_id"]
    paid = pl.col("amount").cast(pl.Float64).fill_null(0) > 0
    return (
        frame.filter(paid).sort(order, nulls_last=True, maintain_order=True),
        frame.filter(~paid).sort(order, nulls_last=True, maintain_order=True),
    )


def payments(rewards: pl.DataFrame) -> pl.DataFrame:
    """拨付汇总: one row per payee with a paid line, its line count and amount."""
    paid = rewards.filter(pl.col("amount").cast(pl.Float64).fill_null(0) > 0)
    return (
        paid.group_by(["payee_kind", "payee_name", "payee_uscc"])
        .agg(pl.len().alias("line_count"), pl.col("amount").sum().alias("amount"))
        .sort(["payee_kind", "payee_name", "payee_uscc"], nulls_last=True)
    )


def dictionary_rows(
    shown: list[tuple[str, str, list[str]]], header: Callable[[str, str], str]
) -> list:
    """(sheet, Chinese header, key, description) for every column shown on a sheet."""
    rows = []
    for sheet, table, columns in shown:
        for column in columns:
            doc = column_doc(table, column)
            description = doc.description if doc is not None else ""
            rows.append((sheet, header(table, column), column, description))
    return rows
