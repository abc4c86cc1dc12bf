"""The office workbook: Chinese sheets and headers, typed cells, no formulas, large years."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import Decimal

import openpyxl
import polars as pl
import pytest

from orchestration.publish import adjustments as reports_adjustments
from orchestration.publish import workbook, workbook_cells, workbook_detail, workbook_sheets
from orchestration.publish import workbook_office as office
from orchestration.publish.decision import DEPARTMENT_SHEET
from orchestration.publish.labels import COLUMN_LABELS, TABLE_LABELS, header, value_label
from orchestration.publish.office_tables import CONTRACT_COLUMNS, RESULT_TABLES
from orchestration.publish.workbook import write_workbook
from orchestration.publish.workbook_detail import DETAIL_SHEET
from orchestration.publish.workbook_sheets import SUMMARY_SHEET

CJK = re.compile(r"[\u4e00-\u9fff]")


def _sheet_rows(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def _keys(ws) -> list:
    """The keys of a sheet's columns, read back through the dictionary sheet (字段说明)."""
    book = ws.parent
    keys = {
        (r[0], r[1]): r[2]
        for r in book[office.DICTIONARY_SHEET].iter_rows(min_row=2, values_only=True)
    }
    return [keys.get((ws.title, c.value)) for c in ws[1]]


def _column_cells(ws, key: str) -> list:
    """The data cells of the column `key` (its Chinese header in row 1), to the first blank."""
    j = _keys(ws).index(key) + 1
    cells = []
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=1).value in (None, "合计"):
            break
        cells.append(ws.cell(row=r, column=j))
    return cells


@pytest.fixture
def book(tables, year, tmp_path):
    path = write_workbook(tables, tmp_path / "assessment.xlsx", year)
    return openpyxl.load_workbook(path)


def test_every_contract_column_has_a_chinese_label():
    for table, columns in CONTRACT_COLUMNS.items():
        assert set(CONTRACT_COLUMNS) == set(RESULT_TABLES)
        for column in columns:
            label = COLUMN_LABELS.get(column)
            assert label and CJK.search(label), f"{table}.{column} has no Chinese label"


def test_sheets_have_chinese_names_in_office_order(book):
    expected = [SUMMARY_SHEET, TABLE_LABELS["carrier_scores"], DETAIL_SHEET]
    for table in RESULT_TABLES[1:]:
        expected.append(TABLE_LABELS[table])
        if table == "rewards":
            expected.append(office.PAYMENT_SHEET)
        if table == "reward_budget":
            expected.append(DEPARTMENT_SHEET)
    expected += [reports_adjustments.ADJUSTMENTS_SHEET, reports_adjustments.CHANGES_SHEET]
    expected.append(office.DICTIONARY_SHEET)
    assert book.sheetnames == expected
    for name in book.sheetnames:
        assert CJK.search(name), name
        assert len(name) <= 31


def test_table_sheets_have_one_chinese_header_with_the_filter_and_all_rows(book, tables):
    for table in RESULT_TABLES:
        ws = book[TABLE_LABELS[table]]
        zh = [c.value for c in ws[1]]
        keys = _keys(ws)
        for column in CONTRACT_COLUMNS[table]:
            assert column in keys, f"{table}: {column} missing"
            assert zh[keys.index(column)] == header(table, column)
        assert all(CJK.search(h) for h in zh), f"{table}: a header is not Chinese: {zh}"
        if table != "rewards":  # paid and zero lines in two blocks, see its own test
            assert ws.max_row - 1 == tables[table].height, table
        assert ws.freeze_panes.endswith("2"), table  # the header row stays in view
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1"), table


def test_extra_columns_shown_only_when_they_have_a_label(tables, year, tmp_path):
    tables["carrier_scores"] = tables["carrier_scores"].with_columns(
        pl.lit("x").alias("internal_debug")
    )
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "w.xlsx", year))
    en = _keys(book[TABLE_LABELS["carrier_scores"]])
    assert "town" in en  # extra, labelled: shown
    assert "internal_debug" not in en  # extra, unlabelled: left to the Parquet file
    assert en[-2:] == ["assessment_year", "run_id"]  # bookkeeping last


def test_amounts_are_numbers_in_wan_format(book, tables):
    ws = book[TABLE_LABELS["rewards"]]
    expected = [float(v) for v in tables["rewards"].get_column("amount").to_list()]
    for column in ("amount_before_cap", "cap", "amount"):
        cells = _column_cells(ws, column)
        assert all(isinstance(c.value, (int, float)) for c in cells), column
        assert all(c.number_format == "#,##0.00" for c in cells), column
    paid = sorted(v for v in expected if v > 0)
    assert sorted(c.value for c in _column_cells(ws, "amount")) == pytest.approx(paid)
    # indicator values in 万元 (S1, D2) read as amounts too; ratios (S2, D1, D3) as percentages
    details = book[TABLE_LABELS["score_details"]]
    codes = [c.value for c in _column_cells(details, "indicator_code")]
    raw = _column_cells(details, "raw_value")
    formats = {code: cell.number_format for code, cell in zip(codes, raw, strict=True)}
    assert formats["S1"] == "#,##0.00"
    assert formats["D1"] == "0.00%"
    assert formats["P4"] == "#,##0"  # a count


def test_ratios_dates_and_booleans_are_typed(book):
    targets = book[TABLE_LABELS["targets_progress"]]
    ratios = _column_cells(targets, "progress_ratio")
    assert all(c.number_format == "0.00%" for c in ratios)
    assert isinstance(ratios[0].value, float)
    clearout = book[TABLE_LABELS["tenant_clearout"]]
    entry = _column_cells(clearout, "entry_date")[0]
    assert entry.is_date and entry.value == dt.datetime(2018, 3, 1)
    assert entry.number_format == "yyyy-mm-dd"
    codes = [c.value for c in _column_cells(clearout, "reason_codes")]
    assert "C1、C2" in codes  # a list column joined for reading
    runs = book[TABLE_LABELS["runs"]]
    started = _column_cells(runs, "started_at")[0]
    assert started.is_date and started.value == dt.datetime(2025, 1, 15, 2, 0, 0)
    review = [c.value for c in _column_cells(book[TABLE_LABELS["rewards"]], "needs_review")]
    assert set(review) == {"是", "否"}
    types = [c.value for c in _column_cells(book[TABLE_LABELS["carrier_scores"]], "carrier_type")]
    assert "科技企业孵化器" in types and "incubator" not in types


HOSTILE = [
    '=HYPERLINK("http://evil.example/","点我")',
    "+1+2",
    "-3+4",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=2+2",
    "=cmd|' /C calc'!A0",
]


def test_text_that_looks_like_a_formula_is_written_as_plain_text(tables, year, tmp_path):
    scores = tables["carrier_scores"]
    names = scores.get_column("carrier_name").to_list()
    names[: len(HOSTILE)] = HOSTILE
    tables["carrier_scores"] = scores.with_columns(pl.Series("carrier_name", names))
    tables["rewards"] = tables["rewards"].with_columns(pl.lit("=1+1").alias("basis_zh"))
    tables["score_details"] = tables["score_details"].with_columns(
        pl.col("note_zh").str.replace(r"^.*$", "-数据缺失")
    )
    path = write_workbook(tables, tmp_path / "w.xlsx", year)

    book = openpyxl.load_workbook(path)
    cells = _column_cells(book[TABLE_LABELS["carrier_scores"]], "carrier_name")
    by_value = {c.value: c for c in cells}
    for text in HOSTILE:
        # the exact text, no added characters (a CR is stored as Excel's escape _x000D_,
        # which openpyxl does not decode)
        cell = by_value[text.replace("\r", "_x000D_")]
        assert cell.data_type == "s", text
        assert cell.quotePrefix, text  # Excel's own "this is text" mark
    for cell in _column_cells(book[TABLE_LABELS["rewards"]], "basis_zh"):
        assert cell.data_type == "s" and cell.value == "=1+1" and cell.quotePrefix
    # ordinary text gets no quote prefix
    assert not by_value[names[-1]].quotePrefix
    # every cell of every sheet that starts like a formula is quoted text
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(
                    workbook_cells.FORMULA_TRIGGERS
                ):
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate)
    detail_notes = [
        c.value for row in book[DETAIL_SHEET].iter_rows() for c in row if c.value == "-数据缺失"
    ]
    assert len(detail_notes) == 16  # C010's notes, on the per-carrier sheet too
    # and no sheet of the package holds a formula at all
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(member), member


def test_detail_sheet_has_a_block_per_carrier_with_its_indicators(book, tables):
    ws = book[DETAIL_SHEET]
    rows = _sheet_rows(ws)
    scores = tables["carrier_scores"]
    details = tables["score_details"]
    titles = [r[0] for r in rows if isinstance(r[0], str)]
    for record in scores.iter_rows(named=True):
        title = f"{record['carrier_id']}  {record['carrier_name']}"
        assert title in titles, title
        start = next(i for i, r in enumerate(rows) if r[0] == title)
        assert ws.cell(row=start + 1, column=1).font.b  # the block title keeps its style
        head = rows[start + 1]
        assert head[:8] == (
            "载体类型",
            value_label("carrier_type", record["carrier_type"]),
            "总分",
            pytest.approx(record["total_score"]),
            "等级",
            record["grade"],
            "类型内排名",
            record["rank_in_type"],
        )
        header_at = next(i for i in range(start, len(rows)) if rows[i][0] == "维度")
        header = rows[header_at]
        assert "原始值" in header and "满分基准" in header and "得分" in header
        block = []
        for r in rows[header_at + 1 :]:
            if r[0] is None:
                break
            block.append(r)
        mine = details.filter(pl.col("carrier_id") == record["carrier_id"])
        assert len(block) == mine.height == 16
        points = sum(r[header.index("得分")] for r in block)
        assert points == pytest.approx(mine.get_column("points").sum())
    veto = next(r for r in rows if r[0] == "否决原因")
    assert veto[1] == "未报送在孵企业数据"
    assert ws.freeze_panes == "A2"


def test_summary_sheet_states_the_year_run_and_totals(book, tables):
    rows = {r[0]: r[2] for r in _sheet_rows(book[SUMMARY_SHEET]) if r and r[0]}
    assert rows["运行编号"] == tables["runs"].item(0, "run_id")
    assert rows["运行状态"] == "已发布"
    assert rows["参评载体数"] == 10
    assert rows["奖补总额（万元）"] == pytest.approx(
        float(sum(tables["rewards"].get_column("amount").to_list(), Decimal(0)))
    )
    assert rows["建议清退企业数"] == tables["tenant_clearout"].height


def test_rows_of_other_years_are_left_out(tables, year, tmp_path):
    other = tables["tenant_clearout"].with_columns(
        pl.lit(year - 1, dtype=pl.Int64).alias("assessment_year")
    )
    tables["tenant_clearout"] = pl.concat([tables["tenant_clearout"], other])
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "w.xlsx", year))
    ws = book[TABLE_LABELS["tenant_clearout"]]
    assert ws.max_row - 1 == other.height


def test_missing_table_or_column_is_a_clear_error(tables, year, tmp_path):
    broken = dict(tables)
    broken["rewards"] = tables["rewards"].drop("cap")
    with pytest.raises(ValueError, match="rewards.*cap"):
        write_workbook(broken, tmp_path / "w.xlsx", year)
    del broken["runs"]
    with pytest.raises(ValueError, match="runs"):
        write_workbook(broken, tmp_path / "w.xlsx", year)
    assert not (tmp_path / "w.xlsx").exists()


def test_failed_write_leaves_the_previous_file_and_no_temporary(
    tables, year, tmp_path, monkeypatch
):
    path = write_workbook(tables, tmp_path / "w.xlsx", year)
    before = path.read_bytes()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbook, "write_detail_sheet", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        write_workbook(tables, path, year)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.xlsx"]


def _large_dq(year: int, n: int) -> pl.DataFrame:
    i = pl.int_range(0, n, eager=True)
    return pl.DataFrame(
        {
            "assessment_year": pl.Series([year] * n),
            "run_id": pl.Series(["r"] * n),
            "dataset": pl.Series(["tenants", "patents"] * (n // 2)),
            "source_file": ("f" + (i % 7).cast(pl.String) + ".xlsx"),
            "sheet": pl.Series(["在孵企业"] * n),
            "source_row": (i + 3).cast(pl.Int32),
            "column_name": pl.Series(["uscc"] * n),
            "check_name": pl.Series(["uscc_check", "parse_date", "required"] * (n // 3)),
            "severity": pl.Series(["error", "warning"] * (n // 2)),
            "value_as_written": i.cast(pl.String),
            "message": pl.Series(["校验失败 / check fails"] * n),
        }
    )


def test_large_table_gets_summary_and_parquet_note(tables, year, tmp_path):
    n = 60_000
    assert n > workbook_sheets.LARGE_TABLE_ROWS
    tables["dq_issues"] = _large_dq(year, n)
    path = write_workbook(tables, tmp_path / "w.xlsx", year)
    book = openpyxl.load_workbook(path, read_only=True)
    ws = book[TABLE_LABELS["dq_issues"]]
    rows = list(ws.iter_rows(values_only=True))
    assert "dq_issues.parquet" in rows[0][0] and f"{n:,}" in rows[0][0]
    assert len(rows) < workbook_sheets.PREVIEW_ROWS + 100
    # summary: counts per dataset × severity × check add up to every row
    header = rows[2]
    count_col = header.index("行数")
    summary = []
    for r in rows[3:]:
        if r[0] is None:
            break
        summary.append(r)
    assert sum(r[count_col] for r in summary) == n
    assert len(summary) == 6
    # small tables stay whole
    assert book[TABLE_LABELS["runs"]].max_row - 1 == tables["runs"].height
    facts = {r[0]: r[2] for r in book[SUMMARY_SHEET].iter_rows(values_only=True) if r[0]}
    assert "dq_issues.parquet" in facts[TABLE_LABELS["dq_issues"]]


def test_detail_sheet_is_capped_for_many_carriers(tables, year, tmp_path):
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "w.xlsx", year, max_rows=48))
    rows = list(book[DETAIL_SHEET].iter_rows(values_only=True))
    assert "score_details.parquet" in rows[1][0]
    titles = [r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("C0")]
    assert len(titles) == 48 // workbook_detail.DETAIL_ROWS_PER_CARRIER
    # the score_details sheet (160 rows > 48) is summarised per indicator
    ws = book[TABLE_LABELS["score_details"]]
    assert "score_details.parquet" in ws["A1"].value
