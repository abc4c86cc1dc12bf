"""The report template: what carriers see, and that ingest reads it back cleanly."""

from __future__ import annotations

import re

import openpyxl

from orchestration.contract import datasets
from orchestration.ingest.headers import EXAMPLE_MARK, INSTRUCTIONS_SHEET
from orchestration.publish.template import option_labels, write_template


def test_template_sheets_headers_validations_and_comments(tmp_path) -> None:
    path = write_template(tmp_path / "sub" / "模板.xlsx")
    workbook = openpyxl.load_workbook(path)
    expected = [INSTRUCTIONS_SHEET, *(ds.sheet_zh for ds in datasets().values())]
    assert workbook.sheetnames == expected
    instructions = workbook[INSTRUCTIONS_SHEET]
    rows = list(instructions.iter_rows(min_row=5, values_only=True))
    listed = {(row[0], row[7]) for row in rows}
    codes = {
        str(code) for ds in datasets().values() for c in ds.columns for code in c.values.values()
    }
    for row in rows:
        # what the carrier reads is Chinese: no English grain or note, no enum code
        assert all(re.search(r"[\u4e00-\u9fff]", row[i]) for i in (0, 1, 2, 3, 5)), row
        for text in row[:7]:
            words = set(re.findall(r"[a-z_]{3,}", text or ""))
            assert not words & codes, (row, words & codes)
    for ds in datasets().values():
        sheet = workbook[ds.sheet_zh]
        headers = [cell.value for cell in sheet[1]]
        assert headers == [col.zh for col in ds.columns]
        assert sheet.freeze_panes == "A2"
        lists = {}
        for validation in sheet.data_validations.dataValidation:
            if validation.type == "list":
                labels = validation.formula1.strip('"').split(",")
                for ref in str(validation.sqref).split():
                    lists[ref.split(":")[0]] = labels
        for index, col in enumerate(ds.columns, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            cell = sheet.cell(row=1, column=index)
            assert cell.comment is not None and col.zh in cell.comment.text
            assert ("必填" if col.required else "选填") in cell.comment.text
            if col.type == "enum":
                # one label per code, every code offered
                offered = lists[f"{letter}2"]
                assert offered == option_labels(col), (ds.name, col.name)
                assert sorted(str(col.values[label]) for label in offered) == sorted(
                    {str(code) for code in col.values.values()}
                ), (ds.name, col.name)
            elif col.type == "bool":
                assert lists[f"{letter}2"] == ["是", "否"], (ds.name, col.name)
            elif col.name in ("town", "attracted_by_town"):
                # the towns and parks of seeds/towns.csv (contract: 13 towns, 2 parks)
                assert lists[f"{letter}2"][:2] == ["仙女镇", "小纪镇"], (ds.name, col.name)
                assert {"樊川镇", "江都经济开发区", "江都高新区"} <= set(lists[f"{letter}2"])
                assert len(lists[f"{letter}2"]) == 15
            else:
                assert f"{letter}2" not in lists
            if col.type == "date":
                [dim] = [d for d in sheet.column_dimensions.values() if d.min <= index <= d.max]
                assert dim.number_format == "yyyy-mm-dd"
            assert (ds.sheet_zh, col.name) in listed
        example = sheet.cell(row=2, column=1).value
        assert str(example).startswith(EXAMPLE_MARK), ds.name
        # the example row gives every required column a value
        for index, col in enumerate(ds.columns, start=1):
            if col.required:
                assert sheet.cell(row=2, column=index).value not in (None, ""), col.name


def test_example_rows_are_skipped_but_rows_below_them_are_read(
    tmp_path, package, run_ingest, query
) -> None:
    path = write_template(package / "C001_模板.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["载体信息"]
    for index, cell in enumerate(sheet[2], start=1):
        value = cell.value
        if index == 1:
            value = value.removeprefix(EXAMPLE_MARK)
        sheet.cell(row=3, column=index, value=value)
    workbook.save(path)
    summary = run_ingest(package)
    assert query('select carrier_id, _source_row from raw."carriers"') == [("C001", 3)]
    assert summary.findings == []


def test_template_reads_back_as_ten_empty_datasets(tmp_path, package, run_ingest, query) -> None:
    write_template(package / "C001_模板.xlsx")
    summary = run_ingest(package)
    assert summary.findings == []
    loaded = {s.dataset for s in summary.sheets if s.status == "loaded"}
    assert loaded == set(datasets())
    assert all(s.rows_read == 0 for s in summary.sheets)
    for name in datasets():
        assert query(f'select count(*) from raw."{name}"') == [(0,)]
