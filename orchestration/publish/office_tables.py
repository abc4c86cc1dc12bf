"""The result tables the office files read: which tables, which columns they need, and the
year's rows of each, checked before anything is written."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from orchestration.publish import decision
from scoring.results_contract import result_contract

RESULT_TABLES: tuple[str, ...] = tuple(
    name for name, doc in result_contract().tables.items() if doc.office_sheet
)
"""The tables with a sheet of their own in the workbook and a section in the HTML report: those
the result contract (scoring/results_contract.yaml) marks `office_sheet`, in its order."""

CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    name: result_contract().tables[name].guaranteed for name in RESULT_TABLES
}
"""The columns the contract guarantees per table (its `guaranteed` lists, from the shared
contract README): the office files refuse a table without them."""


def prepare(tables: Mapping[str, pl.DataFrame], year: int) -> dict[str, pl.DataFrame]:
    """Check the contract's tables and columns are there and keep the rows of `year`."""
    tables = decision.complete(tables)
    missing_tables = [t for t in RESULT_TABLES if t not in tables]
    if missing_tables:
        raise ValueError(f"报告缺少结果表 / missing result tables: {', '.join(missing_tables)}")
    out: dict[str, pl.DataFrame] = {}
    for table in RESULT_TABLES:
        frame = tables[table]
        missing = [c for c in CONTRACT_COLUMNS[table] if c not in frame.columns]
        if missing:
            raise ValueError(
                f"结果表 {table} 缺少列 / table {table} lacks columns: {', '.join(missing)}"
            )
        if "assessment_year" in frame.columns:
            frame = frame.filter(pl.col("assessment_year") == year)
        out[table] = frame
    return out
