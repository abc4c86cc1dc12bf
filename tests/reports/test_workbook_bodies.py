"""The office workbook's tables written by column expressions (workbook_bodies) read back cell
for cell as the cell-by-cell writer's: values, number formats, quote prefixes, styles."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from orchestration.publish import adjustments, workbook_bodies, workbook_cells
from orchestration.publish.workbook import WORKBOOK_OPTIONS, write_workbook


def _cells(path: Path) -> dict[str, list[list[tuple]]]:
    """Every sheet's cells as (value, number format, quote prefix, bold, fill, alignment),
    trailing unstyled empty cells dropped."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        rows = []
        for row in ws.iter_rows():
            cells = [
                (
                    c.value,
                    c.number_format,
                    bool(c.quotePrefix),
                    bool(c.font.b),
                    c.fill.fgColor.rgb,
                    c.alignment.horizontal,
                )
                for c in row
            ]
            while cells and cells[-1][0] is None and cells[-1][1] == "General":
                cells.pop()
            rows.append(cells)
        out[ws.title] = rows
    return out


def _same(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for sheet in a:
        assert len(a[sheet]) == len(b[sheet]), sheet
        for i, (x, y) in enumerate(zip(a[sheet], b[sheet], strict=True)):
            assert len(x) == len(y), (sheet, i, x, y)
            for p, q in zip(x, y, strict=True):
                if isinstance(p[0], float) and isinstance(q[0], float):
                    assert math.isclose(p[0], q[0], rel_tol=1e-15), (sheet, i, p, q)
                    assert p[1:] == q[1:], (sheet, i, p, q)
                else:
                    assert p == q, (sheet, i, p, q)


def _outside_rows(path: Path) -> dict[str, str]:
    """Each sheet's XML but its rows: panes, widths, filter, colours, print setup."""
    with zipfile.ZipFile(path) as z:
        return {
            name: re.sub(r"<sheetData>.*</sheetData>", "", z.read(name).decode(), flags=re.S)
            for name in z.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def test_the_office_workbook_reads_the_same_by_columns_as_cell_by_cell(tables, year, tmp_path):
    fast = write_workbook(tables, tmp_path / "fast.xlsx", year)
    reference = write_workbook(tables, tmp_path / "cells.xlsx", year, cell_by_cell=True)
    _same(_cells(fast), _cells(reference))
    assert _outside_rows(fast) == _outside_rows(reference)
    with zipfile.ZipFile(fast) as z:  # the scores' rows really were written by columns
        members = workbook_bodies._sheet_members(z)
        scores = z.read(members["载体评分"]).decode()
    assert scores.count('<c s="') > scores.count('<c r="')  # cells without a reference


HOSTILE = ["=1+1", "+8613800000000", "-3", "@SUM(A1)", "\tx", "\rx", " lead", "trail "]
ODD = ["a&b<c>d\"e'", "x\x01y\x1fz", "_x0041_ literal", "", "中文 text", "x" * 40_000]


def _edge_frame() -> pl.DataFrame:
    texts = HOSTILE + ODD + [None, "plain"]
    n = len(texts)

    def cycle(values: list) -> list:
        return [values[i % len(values)] for i in range(n)]

    shanghai = dt.timezone(dt.timedelta(hours=8))
    return pl.DataFrame(
        {
            "message": texts,
            "carrier_type": cycle(["incubator", "maker_space", "not_a_code", None]),
            "reason_codes": cycle(["veto_cleanup,capped", "", None]),
            "factor": cycle([1.0, 1.5, float("nan"), float("inf"), None, 0.1 + 0.2, 1e20, 1e-7]),
            "amount": pl.Series(
                cycle([Decimal("12.50"), None, Decimal("-3.10")]), dtype=pl.Decimal(18, 2)
            ),  # fmt: skip
            "progress_ratio": cycle([0.5, None, 1.25]),
            "total_score": cycle([88.123456, 70.0, None]),
            "carrier_count": cycle([3, None, -7, 2**40]),
            "entry_date": cycle([dt.date(2024, 2, 29), dt.date(1900, 1, 15), None]),
            "started_at": pl.Series(
                cycle([dt.datetime(2024, 1, 15, 2, 0, 0, 123456, tzinfo=shanghai), None])
            ).dt.convert_time_zone("Asia/Shanghai"),
            "finished_at": cycle([dt.datetime(2023, 12, 31, 23, 59, 59), None]),
            "is_balanced": cycle([True, False, None]),
            "needs_review": pl.Series([None] * n, dtype=pl.Null),
            "town": pl.Series(cycle(["樊川镇", "x", None]), dtype=pl.Categorical),
            "payee_kind": pl.Series(cycle(["operator", "enterprise", None]), dtype=pl.Categorical),
        }
    )


def _write(path: Path, frame: pl.DataFrame, by_columns: bool, table: str = "carrier_actions"):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    fmt = workbook_cells.Formats(wb)
    fmt.bodies = [] if by_columns else None
    ws = wb.add_worksheet("t")
    ws.write_string(0, 0, "above")
    widths: dict[int, int] = {}
    end = workbook_cells.write_frame(ws, fmt, table, frame, 1, autofilter=True, widths=widths)
    ws.write_string(end, 0, "below", fmt.total)
    workbook_cells.set_widths(ws, widths)
    wb.close()
    workbook_bodies.splice(path, fmt.bodies or [])
    return fmt.bodies


def test_every_kind_of_value_reads_the_same_by_columns_as_cell_by_cell(tmp_path):
    """Formula-like text (quote prefix), escapes, control characters, Excel's text limit,
    labels, NaN and infinities, decimals, dates before 1 March 1900, time zones, booleans,
    all-empty and categorical columns (a labelled one too); a row above and below the table."""
    frame = _edge_frame()
    bodies = _write(tmp_path / "fast.xlsx", frame, by_columns=True)
    assert bodies and bodies[0].cells.height == frame.height
    _write(tmp_path / "cells.xlsx", frame, by_columns=False)
    fast, reference = _cells(tmp_path / "fast.xlsx"), _cells(tmp_path / "cells.xlsx")
    _same(fast, reference)
    messages = [row[0][0] for row in fast["t"][2 : 2 + len(HOSTILE)]]
    assert messages[:5] == HOSTILE[:5]  # and quoted: never read as a formula
    assert [row[0][2] for row in fast["t"][2 : 2 + len(HOSTILE)]] == [True] * 6 + [False] * 2
    assert _outside_rows(tmp_path / "fast.xlsx") == _outside_rows(tmp_path / "cells.xlsx")


@pytest.mark.parametrize(
    ("table", "frame", "marked"),
    [
        ("score_details", pl.DataFrame({"raw_value": [1.5], "indicator_code": ["S1"]}), False),
        ("carrier_actions", pl.DataFrame({"reasons_zh": [["a", "b"]]}), False),
        ("carrier_scores", pl.DataFrame({"carrier_id": ["C1"], "grade": ["A"]}), True),
    ],
    ids=["kind-by-row", "list-column", "adjusted-marks"],
)
def test_a_table_is_written_cell_by_cell_where_columns_cannot_say_it(
    tmp_path, table, frame, marked
):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    fmt = workbook_cells.Formats(wb)
    fmt.bodies = []
    if marked:  # the office set C1's grade: its cell is marked, with a note
        look = wb.add_format({"bold": True})
        fmt.adjusted = adjustments.WorkbookMarks(
            {"grade": {"C1": "ADJ-1"}, "amount": {}}, look, look
        )
    ws = wb.add_worksheet("t")
    workbook_cells.write_frame(ws, fmt, table, frame, 0, autofilter=False, widths={})
    wb.close()
    assert fmt.bodies == []
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    assert ws.max_row == 2
    if marked:
        assert ws["B2"].comment is not None and "ADJ-1" in ws["B2"].comment.text
