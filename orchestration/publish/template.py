"""The empty report workbook carriers fill in (`carrier-assess template --out FILE`).

Built from the contract, so the template and the ingest always agree: one sheet per dataset
named by its `sheet_zh`, the contract's Chinese headers, drop-down lists for enums (one label per
code: the first the contract lists; the others are still accepted on input) and booleans, an
example row per sheet (its first cell starts with `EXAMPLE_MARK`; ingest skips such rows), and a
first sheet `填报说明` that explains every column in Chinese (the key beside it, for the
technician). Ingest reads it back as ten empty datasets (tests/ingest/test_template.py).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import xlsxwriter

from orchestration.contract import Column, Dataset, column_types, datasets
from orchestration.ingest.headers import EXAMPLE_MARK, INSTRUCTIONS_SHEET
from orchestration.publish.template_texts import EXAMPLES, GRAIN_ZH, NOTE_ZH

DATA_ROWS = 1000
"""How many rows below the header carry the drop-downs and date formats."""

TYPE_ZH = {name: doc.zh for name, doc in column_types().items()}
"""A column type's Chinese name (datasets.yaml `types`)."""
ACCEPTED_ZH = {name: doc.accepted_zh for name, doc in column_types().items()}
"""What a cell of the type accepts, in the instructions (datasets.yaml `types`)."""
BOOL_LABELS = ["是", "否"]


def option_labels(col: Column) -> list[str]:
    """The drop-down of an enum: one label per code, the first the contract lists."""
    labels: dict[str | int, str] = {}
    for label, code in col.values.items():
        labels.setdefault(code, label)
    return list(labels.values())


def _accepted(col: Column) -> str:
    if col.type == "enum":
        return "可选：" + "、".join(option_labels(col))
    return ACCEPTED_ZH[col.type]


def _note(ds: Dataset, col: Column) -> str:
    return NOTE_ZH.get((ds.name, col.name), "")


def _comment(ds: Dataset, col: Column) -> str:
    lines = [
        col.zh,
        f"类型：{TYPE_ZH[col.type]}",
        "必填" if col.required else "选填",
        f"填写要求：{_accepted(col)}",
    ]
    if _note(ds, col):
        lines.append(f"说明：{_note(ds, col)}")
    return "\n".join(lines)


def _width(text: str) -> float:
    """A column width that fits a header: CJK characters are about two Latin widths."""
    return max(10.0, min(40.0, sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 4.0))


def write_template(out: Path) -> Path:
    """Write the empty report workbook to `out` (parent folders created) and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(out))
    try:
        formats = {
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
            ),
            "required": workbook.add_format(
                {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True}
            ),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "text": workbook.add_format({"num_format": "@"}),
            "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "example": workbook.add_format({"italic": True, "font_color": "#7F7F7F"}),
            "example_date": workbook.add_format(
                {"italic": True, "font_color": "#7F7F7F", "num_format": "yyyy-mm-dd"}
            ),
        }
        _write_instructions(workbook, formats)
        for ds in datasets().values():
            _write_dataset_sheet(workbook, ds, formats)
    finally:
        workbook.close()
    return out


def _write_instructions(workbook: xlsxwriter.Workbook, formats: dict) -> None:
    sheet = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    sheet.write(0, 0, "科创载体年度绩效评价报送模板 填报说明", formats["title"])
    sheet.write(
        1,
        0,
        "每个数据表一张工作表，表头不要修改；标橙色的列为必填；日期写成 2024-03-05；金额默认单位"
        f"万元。每张表第 2 行是灰色的示例行（第一格以“{EXAMPLE_MARK}”开头），读取时自动忽略，"
        "可删除也可保留，请从第 3 行起填写。不涉及的数据表可留空。",
        formats["wrap"],
    )
    sheet.set_row(1, 48)
    headers = ["工作表", "数据表说明", "列名", "类型", "必填", "填写要求", "说明",
               "字段（技术人员用） key"]  # fmt: skip
    sheet.write_row(3, 0, headers, formats["header"])
    row = 4
    for ds in datasets().values():
        for col in ds.columns:
            sheet.write_row(
                row,
                0,
                [
                    ds.sheet_zh,
                    GRAIN_ZH[ds.name],
                    col.zh,
                    TYPE_ZH[col.type],
                    "是" if col.required else "否",
                    _accepted(col),
                    _note(ds, col),
                    col.name,
                ],
                formats["wrap"],
            )
            row += 1
    for index, width in enumerate([12, 30, 28, 14, 6, 50, 50, 20]):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(4, 0)
    sheet.autofilter(3, 0, row - 1, len(headers) - 1)


TOWN_COLUMNS = ("town", "attracted_by_town")
"""Columns holding a town or park name (contract, "Reference data: towns and parks")."""


def town_names() -> list[str]:
    """The canonical town and park names of seeds/towns.csv, in the file's order."""
    import csv

    from orchestration.config import PROJECT_DIR

    with (PROJECT_DIR / "seeds" / "towns.csv").open(encoding="utf-8", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle)]


def _write_dataset_sheet(workbook: xlsxwriter.Workbook, ds: Dataset, formats: dict) -> None:
    sheet = workbook.add_worksheet(ds.sheet_zh)
    sheet.freeze_panes(1, 0)
    for index, col in enumerate(ds.columns):
        sheet.write_string(0, index, col.zh, formats["required" if col.required else "header"])
        sheet.write_comment(0, index, _comment(ds, col), {"x_scale": 2.5, "y_scale": 2.5})
        _write_example(sheet, 1, index, ds, col, formats)
        sheet.set_column(index, index, _width(col.zh), _cell_format(col, formats))
        validation = _validation(col)
        if validation is not None:
            sheet.data_validation(1, index, DATA_ROWS, index, validation)


def _cell_format(col: Column, formats: dict) -> object | None:
    if col.type == "date":
        return formats["date"]
    if col.type in ("string", "uscc"):
        # Text format, so codes keep their leading zeros and long digits.
        return formats["text"]
    return None


def _validation(col: Column) -> dict | None:
    """The column's data validation: a drop-down of its labels, the towns, or a date range."""
    labels = option_labels(col) if col.type == "enum" else BOOL_LABELS if col.type == "bool" else []
    if labels:
        return {
            "validate": "list",
            "source": labels,
            "error_title": "请从下拉列表选择",
            "error_message": "可选：" + "、".join(labels),
        }
    if col.name in TOWN_COLUMNS:
        # The towns and parks of seeds/towns.csv; another name is allowed (a warning in
        # Excel), the batch keeps it as written and reports it (town_unknown).
        towns = town_names()
        return {
            "validate": "list",
            "source": towns,
            "error_type": "warning",
            "error_title": "不在镇（园区）名录中",
            "error_message": "可选：" + "、".join(towns),
        }
    if col.type == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": datetime.date(1949, 10, 1),
            "maximum": datetime.date(2099, 12, 31),
            "error_type": "warning",
            "error_message": "请填写日期，如 2024-03-05 / enter a date",
        }
    return None


def _write_example(
    sheet: xlsxwriter.worksheet.Worksheet,
    row: int,
    index: int,
    ds: Dataset,
    col: Column,
    formats: dict,
) -> None:
    """One cell of the sheet's example row (grey italics; the first cell marks the row)."""
    value = EXAMPLES[ds.name].get(col.name)
    if index == 0:
        value = f"{EXAMPLE_MARK}{value or ''}"
    if value is None:
        return
    if isinstance(value, datetime.date):
        sheet.write_datetime(row, index, value, formats["example_date"])
    elif isinstance(value, (int, float)):
        sheet.write_number(row, index, value, formats["example"])
    else:
        sheet.write_string(row, index, value, formats["example"])
