"""The workbook as the office prints and filters it, and as the finance bureau pays from it."""

from __future__ import annotations

import re
from decimal import Decimal

import openpyxl
import polars as pl
import pytest

from orchestration.publish import office_tables
from orchestration.publish import workbook_office as office
from orchestration.publish.labels import TABLE_LABELS
from orchestration.publish.workbook import write_workbook
from orchestration.publish.workbook_detail import DETAIL_SHEET
from scoring.results_contract import code_labels_frame

CODE_LIKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+(,[a-z_]+)*$")


@pytest.fixture
def book(tables, year, tmp_path):
    return openpyxl.load_workbook(write_workbook(tables, tmp_path / "office.xlsx", year))


def test_every_sheet_prints_landscape_one_page_wide_with_title_and_run(book, tables):
    run_id = tables["runs"].item(0, "run_id")
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert setup.paperSize == office.PAPER_A4, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert setup.fitToWidth in (1, None) and setup.fitToHeight == 0, ws.title
        assert "年度科创载体绩效评价" in ws.oddHeader.center.text, ws.title
        assert run_id in ws.oddFooter.left.text, ws.title
        assert "&P" in ws.oddFooter.right.text, ws.title


def test_table_sheets_repeat_their_header_row_and_freeze_the_carrier(book):
    for table in ("carrier_scores", "score_details", "carrier_actions", "tenant_clearout"):
        ws = book[TABLE_LABELS[table]]
        assert ws.print_title_rows == "$1:$1", table
        headers = [c.value for c in ws[1]]
        frozen = openpyxl.utils.cell.coordinate_from_string(ws.freeze_panes)
        # the frozen columns end with the carrier's name: id and name stay in view
        last_frozen = openpyxl.utils.column_index_from_string(frozen[0]) - 1
        assert headers[last_frozen - 1] == "载体名称", (table, headers)
        assert frozen[1] == 2


def test_carrier_scores_list_each_type_by_rank_with_grade_colours(book, tables):
    ws = book[TABLE_LABELS["carrier_scores"]]
    headers = [c.value for c in ws[1]]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    types = [r[headers.index("载体类型")] for r in rows]
    ranks = [r[headers.index("类型内排名")] for r in rows]
    # types in one block each, ranks ascending inside a block
    blocks = [t for i, t in enumerate(types) if i == 0 or types[i - 1] != t]
    assert len(blocks) == len(set(types))
    for i in range(1, len(rows)):
        if types[i] == types[i - 1]:
            assert ranks[i] >= ranks[i - 1]
    grade_col = openpyxl.utils.get_column_letter(headers.index("等级") + 1)
    rules = [
        rule
        for cf in ws.conditional_formatting
        if str(cf.sqref).startswith(grade_col)
        for rule in cf.rules
    ]
    assert sorted(rule.formula[0] for rule in rules) == ['"A"', '"B"', '"C"', '"D"']


def test_detail_sheet_breaks_the_page_per_carrier(book, tables):
    ws = book[DETAIL_SHEET]
    titles = [
        c.row for c in ws["A"] if isinstance(c.value, str) and re.match(r"^C\d{3}  ", c.value or "")
    ]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(titles) == tables["carrier_scores"].height
    # a break right above every carrier block but the first
    assert breaks == [row - 1 for row in titles[1:]]


def test_reward_list_pays_first_and_totals_match_the_payment_sheet(tables, year, tmp_path):
    rewards = tables["rewards"].with_columns(pl.lit(None, pl.String).alias("note_zh"))
    zero = rewards.head(2).with_columns(
        pl.lit(Decimal("0")).cast(tables["rewards"].schema["amount"]).alias("amount"),
        pl.lit("当年未获认定，不予奖补").alias("note_zh"),
        pl.lit("R01").alias("rule_code"),
    )
    tables["rewards"] = pl.concat([zero, rewards])
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "w.xlsx", year))
    ws = book[TABLE_LABELS["rewards"]]
    rows = list(ws.iter_rows(values_only=True))
    headers = rows[0]
    amount = headers.index("奖补金额（万元）")
    assert "载体名称" in headers and "规则名称" in headers
    total_at = next(i for i, r in enumerate(rows) if r[0] == "合计")
    paid = rows[1:total_at]
    assert all(r[amount] > 0 for r in paid)
    assert rows[total_at][amount] == pytest.approx(sum(r[amount] for r in paid))
    zero_title = next(i for i, r in enumerate(rows) if str(r[0]).startswith("不予支付"))
    zero_rows = [r for r in rows[zero_title + 2 :] if r[0] is not None]
    assert len(zero_rows) == 2 and all(r[amount] == 0 for r in zero_rows)
    assert all("不予奖补" in r[headers.index("说明")] for r in zero_rows)

    pay = book[office.PAYMENT_SHEET]
    pay_rows = list(pay.iter_rows(values_only=True))
    assert pay_rows[0][:3] == ("收款方类型", "收款方", "收款方统一社会信用代码")
    total = next(r for r in pay_rows if r[0] == "合计")
    assert total[-1] == pytest.approx(rows[total_at][amount])
    assert total[-2] == len(paid)


def test_no_english_code_outside_the_dictionary_sheet(tables, year, tmp_path):
    tables["carrier_actions"] = tables["carrier_actions"].with_columns(
        pl.lit("transfer_operator,rectify").alias("reason_codes")
    )
    tables["dq_issues"] = tables["dq_issues"].with_columns(
        pl.lit("attribution_none").alias("check_name"), pl.lit("uscc").alias("column_name")
    )
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "w.xlsx", year))
    codes = set(code_labels_frame().get_column("code").to_list())
    keys = {key for table in office_tables.CONTRACT_COLUMNS.values() for key in table}
    for ws in book.worksheets:
        if ws.title in (office.DICTIONARY_SHEET, TABLE_LABELS["runs"]):
            continue  # the dictionary maps keys; run ids and hashes are technicians' text
        for row in ws.iter_rows(values_only=True):
            for value in row:
                if not isinstance(value, str):
                    continue
                assert not CODE_LIKE.match(value), (ws.title, value)
                assert value not in keys, (ws.title, value)
                assert not (value in codes and value.isascii() and value.islower()), (
                    ws.title,
                    value,
                )


def test_dictionary_sheet_maps_every_header_to_its_key_and_description(book):
    rows = list(book[office.DICTIONARY_SHEET].iter_rows(min_row=2, values_only=True))
    by_sheet: dict[str, dict[str, str]] = {}
    for sheet, label, key, description in rows:
        by_sheet.setdefault(sheet, {})[label] = key
        assert description, (sheet, key)
    for table in office_tables.RESULT_TABLES:
        ws = book[TABLE_LABELS[table]]
        for cell in ws[1]:
            assert cell.value in by_sheet[ws.title], (ws.title, cell.value)


def test_numbers_carry_formats(book):
    ws = book[TABLE_LABELS["score_details"]]
    headers = [c.value for c in ws[1]]
    raw = headers.index("原始值") + 1
    for row in range(2, ws.max_row + 1):
        cell = ws.cell(row=row, column=raw)
        if isinstance(cell.value, float) and not cell.value.is_integer():
            assert cell.number_format in ("#,##0.00##", "#,##0.00", "0.00%"), cell.number_format
