"""The office's workbook of one assessment year (carrier_assessment_<year>.xlsx).

Sheets: the summary, one sheet per result table (Chinese name and header, frozen, filterable),
the per-carrier detail sheet, the decision-support and adjustment sheets, and the dictionary.
Workbook text is written as text, never a formula (workbook_cells). xlsx writing is the slowest
step of the batch (STACK.md), so a table of more than `LARGE_TABLE_ROWS` rows gets a summary, a
preview and a note pointing to its Parquet file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.publish import adjustments, decision, workbook_bodies
from orchestration.publish import workbook_office as office
from orchestration.publish.atomic import atomic_write
from orchestration.publish.formatting import as_text
from orchestration.publish.office_summary import latest_run, office_dq, with_carrier_names
from orchestration.publish.office_tables import RESULT_TABLES, prepare
from orchestration.publish.workbook_cells import Formats, sheet_title
from orchestration.publish.workbook_detail import write_detail_sheet
from orchestration.publish.workbook_sheets import (
    LARGE_TABLE_ROWS,
    write_dictionary_sheet,
    write_rewards_sheet,
    write_summary_sheet,
    write_table_sheet,
)

WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "remove_timezone": True,
}


def write_workbook(
    tables: Mapping[str, pl.DataFrame],
    path: Path,
    year: int,
    *,
    max_rows: int = LARGE_TABLE_ROWS,
    cell_by_cell: bool = False,
) -> Path:
    """Write the office's workbook for `year` to `path` (atomically) and return the path.
    `cell_by_cell`: every cell through xlsxwriter, none by `workbook_bodies` (the reference the
    tests compare the faster writer with; the same cells either way)."""
    import xlsxwriter

    prepared = prepare(tables, year)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        fmt = Formats(wb)
        fmt.bodies = None if cell_by_cell else []  # rows spliced in after closing
        try:
            _write_sheets(wb, fmt, tables, prepared, year, max_rows)
        finally:
            wb.close()
        workbook_bodies.splice(tmp, fmt.bodies or [])

    return atomic_write(Path(path), write)


def _write_sheets(
    wb: Any,
    fmt: Formats,
    tables: Mapping[str, pl.DataFrame],
    prepared: dict[str, pl.DataFrame],
    year: int,
    max_rows: int,
) -> None:
    fmt.year = year
    fmt.run_id = as_text(latest_run(prepared["runs"]).get("run_id"))
    fmt.adjusted = adjustments.workbook_marks(wb, tables, year)
    write_summary_sheet(wb, fmt, prepared, year, max_rows)
    write_table_sheet(wb, fmt, "carrier_scores", prepared["carrier_scores"], max_rows)
    write_detail_sheet(wb, fmt, prepared, year, max_rows)
    names = prepared["carrier_scores"].select(
        pl.col("carrier_id").cast(pl.String), pl.col("carrier_name").cast(pl.String)
    )
    for table in RESULT_TABLES[1:]:
        _write_result_sheet(wb, fmt, table, prepared, names, max_rows)
    adjustments.write_workbook_sheets(
        wb, tables, year, lambda ws, name: office.print_setup(
            ws, sheet_title(fmt, name), fmt.run_id, repeat=(0, 0)
        ),
    )  # fmt: skip
    write_dictionary_sheet(wb, fmt)


def _write_result_sheet(
    wb: Any,
    fmt: Formats,
    table: str,
    prepared: dict[str, pl.DataFrame],
    names: pl.DataFrame,
    max_rows: int,
) -> None:
    frame = prepared[table]
    if table == "rewards":
        write_rewards_sheet(wb, fmt, frame, names, max_rows)
        return
    if table == "dq_issues" and frame.height <= max_rows:
        write_table_sheet(wb, fmt, table, office_dq(frame, names), max_rows)
        return
    write_table_sheet(wb, fmt, table, with_carrier_names(frame, names), max_rows)
    decision.write_sheets_after(wb, fmt, table, prepared, max_rows)
