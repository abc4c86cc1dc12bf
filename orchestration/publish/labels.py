"""The office's words: column headers, sheet names and the labels of codes.

The workbook, the HTML report, the details workbook and the whatif files read one mapping of
column names to Chinese labels, so the office sees the same words everywhere. A column outside
`COLUMN_LABELS` is not shown in the office files (it is still in the Parquet file).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl

from orchestration.contract import datasets
from scoring.results_contract import check_label, result_contract

LEFT_TO_PARQUET = frozenset(
    {
        # carrier_scores: the grade's inputs, in the grade note already
        "operator_uscc",
        "score_grade",
        "carriers_in_type",
        "a_allowed_in_type",
        # score_details, carrier_actions, town_tasks, targets_progress
        "indicator_order",
        "grade_history",
        "tech_enterprises_attracted_basis_zh",
        "tech_sme_registered_basis_zh",
        "high_tech_cultivated_basis_zh",
        "window_start",
        "window_end",
        # runs: the technician's bookkeeping
        "reason",
        "reports_dir",
        "rules_file",
        "out_dir",
        "schema_version",
        "trigger",
        "triggered_by",
        "rulebook_year",
        "history_years",
        "history_gaps",
        "adjustments_sha256",
    }
)
"""Columns of the office tables that the office files do not show (they are in the Parquet
files and the warehouse)."""

PACKAGE_COLUMNS = ("level", "operator_kind")
"""Report-package columns a caller's tables may carry beside a carrier (labels: datasets.yaml)."""


def _column_labels() -> dict[str, str]:
    """Column → Chinese label: the contract's label of the column in the first office table that
    has it, the office files' summary columns, and the report package's carrier columns."""
    contract = result_contract()
    labels: dict[str, str] = {}
    for doc in contract.tables.values():
        if doc.office_sheet:
            for name, col in doc.columns.items():
                if name not in LEFT_TO_PARQUET:
                    labels.setdefault(name, col.zh)
    labels.update({name: col.zh for name, col in contract.summary_columns.items()})
    carriers = datasets()["carriers"]
    labels.update({name: carriers.column(name).zh for name in PACKAGE_COLUMNS})
    return labels


COLUMN_LABELS: dict[str, str] = _column_labels()
"""Column name → Chinese label, for the workbook and the HTML report alike.

A column outside this mapping is not shown (it is still in the Parquet file). On a table's
sheet or list a column reads as `header(table, column)`: the contract's label in that table."""

TABLE_LABELS: dict[str, str] = {name: doc.zh for name, doc in result_contract().tables.items()}
"""Table → its Chinese name (the contract's): the workbook's sheet names (at most 31
characters, none of []:*?/\\)."""


def header(table: str, column: str) -> str:
    """A shown column's header on `table`'s sheet or list: the contract's label of the column
    in that table, else its label in COLUMN_LABELS (summary columns, names beside ids)."""
    doc = result_contract().tables.get(table)
    if doc is not None and column in doc.columns:
        return doc.columns[column].zh
    return COLUMN_LABELS[column]


def table_headers(table: str) -> dict[str, str]:
    """Every shown column's header on `table`'s lists."""
    return {column: header(table, column) for column in COLUMN_LABELS}


VALUE_LABELS: dict[str, dict[str, str]] = {
    column: {code: label.zh for code, label in labels.items()}
    for column, labels in result_contract().codes.items()
    if column not in ("grade", "check_name")
}
"""Canonical codes → the words the office uses: the one vocabulary (the result contract's codes,
the report package's enums labelled as datasets.yaml says). Unknown codes are shown as they are."""


def column_label(name: str) -> str | None:
    """The Chinese label of a column, or None when the column is not shown."""
    return COLUMN_LABELS.get(name)


@cache
def _dataset_labels() -> dict[str, str]:
    return {name: ds.sheet_zh for name, ds in datasets().items()}


@cache
def _report_column_labels() -> dict[str, str]:
    """A report column's key → its Chinese header (the first dataset that has it)."""
    labels: dict[str, str] = {}
    for ds in datasets().values():
        for col in ds.columns:
            labels.setdefault(col.name, col.zh)
    return labels


_CODED_COLUMNS = ("dataset", "column_name", "check_name", "reason_codes")


def has_labels(column: str) -> bool:
    """Whether `value_label` can change a value of `column` (else it returns every value as is)."""
    return column in _CODED_COLUMNS or column in VALUE_LABELS


def value_label(column: str, value: Any) -> Any:
    """The office's word for a code (enum values, datasets, report columns, checks, lists of
    action codes); any other value unchanged. The keys stay in the dictionary sheet."""
    if not isinstance(value, str):
        return value
    if column == "dataset":
        return _dataset_labels().get(value, value)
    if column == "column_name":
        return _report_column_labels().get(value, value)
    if column == "check_name":
        return check_label(value).zh
    if column == "reason_codes":
        reasons = VALUE_LABELS["reason_codes"]
        return "、".join(reasons.get(part, part) for part in value.split(","))
    labels = VALUE_LABELS.get(column)
    if labels is None:
        return value
    return labels.get(value, value)


def shown_columns(table: str, frame: pl.DataFrame) -> list[str]:
    """The columns shown for a table: those with a label, in the frame's order, with the
    bookkeeping columns (`assessment_year`, `run_id`) last."""
    cols = [c for c in frame.columns if c in COLUMN_LABELS]
    tail = [c for c in ("assessment_year", "run_id") if c in cols and table != "runs"]
    return [c for c in cols if c not in tail] + tail
