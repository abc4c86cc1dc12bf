"""How a value reads in the office files: its kind (money, ratio, score, …), its number format
in the workbook and its text in the HTML report."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import polars as pl

from orchestration.publish.labels import value_label

MONEY_COLUMNS = frozenset(
    {"amount_before_cap", "cap", "amount", "amount_before_budget", "budget", "claimed", "paid"}
)
RATIO_COLUMNS = frozenset({"progress_ratio", "p_a", "p_b", "p_c", "p_d", "p_same"})
SCORE_COLUMNS = frozenset(
    {
        "total_score",
        "points",
        "points_max",
        # the receipt's columns (orchestration/publish/receipt.py)
        "service_points",
        "incubation_points",
        "sustainability_points",
        "bonus_points",
        "prev_total_score",
        "points_to_next_grade",
    }
)
"""Columns shown as scores (two decimals)."""
INDICATOR_VALUE_KINDS: dict[str, str] = {
    "S1": "money",
    "D2": "money",
    "S2": "ratio",
    "D1": "ratio",
    "D3": "ratio",
}
"""How an indicator's raw value and benchmark read: 万元, a ratio, or a plain number."""
TARGET_VALUE_KINDS: dict[str, str] = {"T9": "ratio"}

NUMERIC_KINDS = frozenset({"money", "ratio", "score", "number", "int"})

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these could be read as a formula by a spreadsheet (CSV/formula
injection): such text is written with Excel's quote prefix, as a string, never as a formula."""

EXCEL_MAX_TEXT = 32_767
"""Excel's longest text in a cell: longer text is cut there."""

NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0.00",
    "ratio": "0.00%",
    "score": "0.00",
    "int": "0",
    "number": "#,##0",
    "decimal": "#,##0.00##",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "text": "@",
    "bool": "@",
}


def value_kind(column: str, dtype: pl.DataType) -> str:
    """A column's kind, from its name first, else from its type."""
    if column in MONEY_COLUMNS or column.endswith("_wan"):
        return "money"
    if column in RATIO_COLUMNS or column.endswith("_ratio"):
        return "ratio"
    if column in SCORE_COLUMNS:
        return "score"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float() or dtype.is_decimal():
        return "number"
    if dtype == pl.Date:
        return "date"
    if dtype.is_temporal() and isinstance(dtype, pl.Datetime):
        return "datetime"
    return "text"


_INDICATOR_VALUES = ("raw_value", "benchmark")
_TARGET_VALUES = ("target_value", "actual_value")


def row_kind(column: str, base: str, row: Mapping[str, Any]) -> str:
    """Per-row overrides: an indicator's raw value reads as 万元 or a ratio by its code."""
    if column in _INDICATOR_VALUES and base == "number":
        return INDICATOR_VALUE_KINDS.get(str(row.get("indicator_code")), base)
    if column in _TARGET_VALUES and base == "number":
        return TARGET_VALUE_KINDS.get(str(row.get("target_code")), base)
    return base


def kind_varies_by_row(column: str, base: str) -> bool:
    """Whether `row_kind` can differ from `base` for `column` (else it is `base` on every row)."""
    return base == "number" and column in _INDICATOR_VALUES + _TARGET_VALUES


def as_number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def as_text(value: Any) -> str:
    """Plain text for a cell or an HTML table cell: lists joined, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(as_text(v) for v in value)
    if isinstance(value, pl.Series):
        return "、".join(as_text(v) for v in value.to_list())
    return str(value)


def display(column: str, value: Any, kind: str) -> str:
    """A value as the office reads it in the HTML report (unescaped; the template escapes)."""
    value = value_label(column, value)
    if value is None:
        return "—"
    if kind in NUMERIC_KINDS and not isinstance(value, bool):
        num = as_number(value)
        if num is None:
            return "—"
        if isinstance(num, (int, float)):
            return _number_text(num, kind)
    if isinstance(value, dt.datetime):
        zone = f" {value.tzname()}" if value.tzinfo is not None else ""
        return value.strftime("%Y-%m-%d %H:%M:%S") + zone
    if isinstance(value, dt.date):
        return value.isoformat()
    return as_text(value)


def _number_text(num: float | int, kind: str) -> str:
    if kind == "money":
        return f"{num:,.2f}"
    if kind == "ratio":
        return f"{num * 100:.1f}%"
    if kind == "score":
        return f"{num:.2f}"
    if kind == "int":
        return str(num)
    return _plain_number(float(num))


def _plain_number(num: float) -> str:
    if num.is_integer():
        return f"{int(num):,}"
    return f"{num:,.4f}".rstrip("0").rstrip(".")


def text_width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
