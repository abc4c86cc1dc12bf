"""`carrier-assess adjustments --template --out FILE`: the empty adjustments workbook.

One sheet `调整` with the Chinese headers (the keys in a second row would be read as data, so
each header's note names its key), drop-down lists for 类型 and 状态, a note on every column,
and one example row per kind, marked as an example in its 编号 (`示例-…`) and 理由 and set to
状态 `待定` so that a file handed in with the examples left in changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.ingest.adjustments_file import COLUMNS
from scoring.adjustments import KINDS, SOURCES, STATUSES

NOTES: dict[str, str] = {
    "adjustment_id": "编号（adjustment_id）：必填，文件内唯一，如 TZ-2024-001。",
    "kind": "类型（kind）：必填，从下拉列表选：剔除数据行、更正数据、调整等级、调整奖补金额"
    "（也可写 exclude_row、set_value、set_grade、set_reward）。",
    "target": "对象（target）：必填。剔除数据行/更正数据：数据质量问题中列出的报送行，"
    "写作 数据集|文件|工作表|行号（CSV 工作表留空，如 patents|专利.csv||5）；"
    "调整等级：载体编号；调整奖补金额：规则代码|收款方信用代码（无则名称）|载体编号。",
    "field": "字段（field）：更正数据时必填，写报送表的中文表头或列名，如 专利号。",
    "value": "新值（value）：更正数据写更正后的值（按报送表写法）；调整等级写 A/B/C/D；"
    "调整奖补金额写万元金额，0 表示取消该条奖补。剔除数据行不填。",
    "reason": "理由（reason）：必填，作出调整的理由。",
    "approved_by": "批准人（approved_by）：状态为通过时必填。",
    "approved_on": "批准日期（approved_on）：状态为通过时必填，如 2025-03-05。",
    "status": "状态（status）：必填，从下拉列表选：通过（执行）、驳回、待定（列出，不执行）。",
    "source": "来源（source）：可填 申诉、复核 或其他文字。",
}

EXAMPLES: tuple[dict[str, str], ...] = (
    {
        "adjustment_id": "示例-1",
        "kind": KINDS["exclude_row"],
        "target": "patents|C001_示例孵化器.xlsx|专利|5",
        "reason": "示例：专利权属存疑，剔除",
        "source": SOURCES["review"],
    },
    {
        "adjustment_id": "示例-2",
        "kind": KINDS["set_value"],
        "target": "carriers|C002_示例众创空间.xlsx|载体信息|3",
        "field": "所属镇（园区）",
        "value": "樊川镇",
        "reason": "示例：载体已迁址，更正所属镇",
        "source": SOURCES["review"],
    },
    {
        "adjustment_id": "示例-3",
        "kind": KINDS["set_grade"],
        "target": "C003",
        "value": "B",
        "reason": "示例：申诉材料证明数据误读，等级调整为B",
        "source": SOURCES["appeal"],
    },
    {
        "adjustment_id": "示例-4",
        "kind": KINDS["set_reward"],
        "target": "R01|91320000MA0000000X|C001",
        "value": "0",
        "reason": "示例：重复申领，取消该奖补",
        "source": SOURCES["review"],
    },
)
"""One example row per kind, each pending (待定) so it changes nothing if left in."""


def write_adjustments_template(out: Path) -> Path:
    """Write the empty adjustments workbook to `out`; return the path."""
    import xlsxwriter

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    keys = list(COLUMNS)
    wb = xlsxwriter.Workbook(str(out), {"strings_to_numbers": False, "strings_to_formulas": False})
    try:
        ws = wb.add_worksheet("调整")
        header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        example = wb.add_format({"italic": True, "font_color": "#7F7F7F", "num_format": "@"})
        text = wb.add_format({"num_format": "@"})
        for col, key in enumerate(keys):
            ws.write_string(0, col, COLUMNS[key], header)
            ws.write_comment(0, col, NOTES[key], {"x_scale": 2.4, "y_scale": 1.8})
            ws.set_column(col, col, 36 if key in ("target", "reason") else 14, text)
        for row, values in enumerate(EXAMPLES, start=1):
            filled = values | {"status": STATUSES["pending"]}
            for col, key in enumerate(keys):
                ws.write_string(row, col, filled.get(key, ""), example)
        last = 500
        kind_col, status_col = keys.index("kind"), keys.index("status")
        ws.data_validation(
            1, kind_col, last, kind_col,
            {"validate": "list", "source": list(KINDS.values()),
             "input_title": "类型", "input_message": "选择调整类型"},
        )  # fmt: skip
        ws.data_validation(
            1, status_col, last, status_col,
            {"validate": "list", "source": list(STATUSES.values()),
             "input_title": "状态", "input_message": "通过的调整才执行"},
        )  # fmt: skip
        ws.data_validation(
            1, keys.index("source"), last, keys.index("source"),
            {"validate": "list", "source": list(SOURCES.values()), "show_error": False},
        )  # fmt: skip
        ws.freeze_panes(1, 0)
        notes = wb.add_worksheet("填写说明")
        notes.set_column(0, 0, 110)
        lines = [
            "调整与申诉文件：考核办公室的决定（剔除数据行、更正数据、调整等级、调整奖补金额）。",
            "运行：carrier-assess run --year 2024 --reports 报送目录 --adjustments 本文件",
            "只有状态为“通过”的调整才执行；“待定”“驳回”只列入结果中的 调整与申诉 清单。",
            "灰色斜体的“示例”行为示例（状态待定，不会执行），填写前请删除。",
            *NOTES.values(),
        ]
        for i, line in enumerate(lines):
            notes.write_string(i, 0, line)
    finally:
        wb.close()
    return out
