"""The office files' adjustments parts (orchestration/publish/adjustments.py): the sheets and
HTML sections 调整与申诉 and 与上次发布相比的变化, and the marks on adjusted figures."""

from __future__ import annotations

import openpyxl
import polars as pl

from orchestration.publish.html_report import render_html_report
from orchestration.publish.workbook import write_workbook
from scoring.adjustments import ADJUSTMENT_OUTPUT, reward_line_key


def _with_adjustments(tables: dict[str, pl.DataFrame], year: int) -> dict[str, pl.DataFrame]:
    scores = tables["carrier_scores"]
    carrier = scores["carrier_id"][0]
    line = tables["rewards"].with_columns(reward_line_key().alias("key"))["key"][0]
    rows = [
        ("A1", "set_grade", carrier, "accepted", "review", True, 2),
        ("A2", "set_reward", line, "accepted", "review", True, 3),
        ("A3", "set_grade", carrier, "rejected", "appeal", False, 4),
        ("A4", "set_grade", carrier, "pending", "review", False, 5),
        ("A5", "set_grade", carrier, "pending", "appeal", False, 6),
    ]
    adjustments = pl.DataFrame(
        [
            {"assessment_year": year, "adjustment_id": i, "kind": k, "target": t, "status": s,
             "source": src, "applied": a, "file_row": r, "effect_zh": f"效果{i}", "reason": "=1+1"}
            for i, k, t, s, src, a, r in rows
        ],
        schema={c: ADJUSTMENT_OUTPUT[c] for c in ADJUSTMENT_OUTPUT},
        orient="row",
    ).with_columns(pl.lit("run").alias("run_id"))  # fmt: skip
    changes = pl.DataFrame(
        {"assessment_year": [year], "run_id": ["run"], "previous_run_id": ["run0"],
         "table_name": ["carrier_scores"], "row_key": [carrier], "change": ["changed"],
         "column_name": ["grade"], "old_value": ["D"], "new_value": ["C"]}
    )  # fmt: skip
    return {**tables, "adjustments": adjustments, "run_changes": changes}


def test_workbook_lists_pending_appeals_first_and_marks_adjusted_cells(tables, year, tmp_path):
    full = _with_adjustments(tables, year)
    wb = openpyxl.load_workbook(write_workbook(full, tmp_path / "b.xlsx", year))
    sheet = wb["调整与申诉"]
    assert [sheet.cell(r, 1).value for r in range(2, 7)] == ["A5", "A4", "A1", "A2", "A3"]
    assert [sheet.cell(r, 2).value for r in range(2, 7)] == ["待定", "待定", "通过", "通过", "驳回"]
    reason = [c for c in sheet[1] if c.value == "理由"][0].column
    assert all(sheet.cell(r, reason).quotePrefix for r in range(2, 7))  # "=1+1" stays text
    changes = wb["与上次发布相比的变化"]
    carrier = full["carrier_scores"]["carrier_id"][0]
    expected = ["载体评分", carrier, "变化", "等级（grade）", "D", "C"]
    assert [c.value for c in changes[2]][:6] == expected
    marked = {
        ws.title: [c.comment.text for row in ws.iter_rows(min_row=2) for c in row if c.comment]
        for ws in (wb["载体评分"], wb["奖补清单"])
    }
    assert marked == {"载体评分": ["按调整 A1 调整的等级"], "奖补清单": ["按调整 A2 调整的金额"]}


def test_html_has_both_sections_and_marks(tables, year):
    html = render_html_report(_with_adjustments(tables, year), year)
    assert 'id="adjustments"' in html and 'id="changes"' in html
    assert html.count('class="adj"') == 2
    assert "待定 2 条" in html
    assert html.index(">A5<") < html.index(">A4<") < html.index(">A1<")


def test_without_adjustments_the_sections_say_none(tables, year, tmp_path):
    wb = openpyxl.load_workbook(write_workbook(tables, tmp_path / "b.xlsx", year))
    assert wb["调整与申诉"].cell(2, 1).value == "无 / none"
    assert 'class="adj"' not in render_html_report(tables, year)
