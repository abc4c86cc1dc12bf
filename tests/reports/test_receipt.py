"""The score receipt (评分回执) in the office files: the workbook's detail sheet and the HTML
carrier block show total, grade and rank beside last year's, the subtotals, the grade note,
the next-grade sentence, the rectification follow-up and (HTML) the dimension chart."""

from __future__ import annotations

import re

import openpyxl
import polars as pl
import pytest

from orchestration.publish.html_report import render_html_report
from orchestration.publish.labels import TABLE_LABELS
from orchestration.publish.receipt import raw_text
from orchestration.publish.workbook import write_workbook
from orchestration.publish.workbook_detail import DETAIL_SHEET


def _blocks(ws) -> dict[str, list[list]]:
    """carrier_id → the rows of its block on the detail sheet (values, blanks dropped)."""
    blocks: dict[str, list[list]] = {}
    current = None
    for row in ws.iter_rows(values_only=True):
        values = [v for v in row if v is not None]
        if values and isinstance(values[0], str) and re.match(r"^C\d{3}  ", values[0]):
            current = values[0][:4]
            blocks[current] = []
        elif current and values:
            blocks[current].append(values)
    return blocks


@pytest.fixture
def blocks(tables, year, tmp_path) -> dict[str, list[list]]:
    path = write_workbook(tables, tmp_path / "book.xlsx", year)
    return _blocks(openpyxl.load_workbook(path)[DETAIL_SHEET])


def _row(block: list[list], label: str) -> list:
    return next(r for r in block if r[0] == label)


def test_workbook_receipt_sits_above_the_indicator_table(blocks):
    c002 = blocks["C002"]
    labels = [r[0] for r in c002]
    header = next(i for i, r in enumerate(c002) if "指标代码" in r)
    assert labels.index("评分回执 / Score receipt") < header
    assert _row(c002, "上年总分") == ["上年总分", 72.1, "上年等级", "B", "上年类型内排名", 2,
                                      "较上年变化", 4.85]  # fmt: skip
    subtotals = _row(c002, "服务能力")
    assert subtotals[::2] == ["服务能力", "孵化绩效", "可持续发展", "加分项"]
    assert sum(subtotals[1::2]) == pytest.approx(76.95, abs=0.01)  # the total
    assert _row(c002, "等级说明")[1].startswith("总分 76.95 分，在 B 档")
    assert _row(c002, "晋级所需")[1].startswith(
        "距 A 级还差 8.05 分（总分须达到 85.00 分）：单项指标无法补足"
    )


def test_workbook_receipt_next_grade_sentence_names_the_indicator(blocks):
    sentence = _row(blocks["C009"], "晋级所需")[1]
    assert sentence.startswith(
        "距 B 级还差 0.06 分（总分须达到 70.00 分）：P4 当年发明专利授权数 由 3.29 件增至 4 件即可"
    )


def test_workbook_receipt_new_carrier_veto_and_rectifications(blocks):
    assert _row(blocks["C005"], "上年")[1].startswith("2023 年无评价结果（本年新参评）")
    assert _row(blocks["C001"], "晋级所需")[1].startswith("已为最高等级 A")
    assert _row(blocks["C010"], "晋级所需")[1].startswith("一票否决（未报送在孵企业数据）")
    c004 = [r[1] for r in blocks["C004"] if r[0] == "整改跟踪"]
    assert c004 == [
        "2023 年 D 级，责令整改；2024 年 D 级：整改未达标，2024 年转专业机构运营",
        "2024 年 D 级，责令整改：整改中，待 2025 年评价结果复核",
    ]


def test_workbook_has_the_rectifications_sheet(tables, year, tmp_path):
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "b.xlsx", year))
    ws = book[TABLE_LABELS["rectifications"]]
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    wanted = ["载体编号", "整改年度", "当年等级", "复核年度", "复核年度等级", "状态", "后续措施"]
    assert all(label in header for label in wanted), header
    picked = [tuple(r[header.index(label)] for label in wanted) for r in rows[1:]]
    assert ("C006", 2023, "D", 2024, "C", "整改达标", "结束跟踪") in picked


def test_a_year_without_receipt_columns_still_writes(tables, year, tmp_path):
    """An older year's tables (no receipt columns): the receipt shows what there is."""
    receipt_cols = [
        "service_points", "incubation_points", "sustainability_points", "bonus_points",
        "grade_note_zh", "prev_total_score", "prev_grade", "prev_rank_in_type", "next_grade",
        "points_to_next_grade", "lift_indicator", "lift_raw_value",
    ]  # fmt: skip
    tables["carrier_scores"] = tables["carrier_scores"].drop(receipt_cols)
    write_workbook(tables, tmp_path / "old.xlsx", year)
    assert "评分回执" in render_html_report(tables, year)


def _carrier_block(html: str, carrier_id: str) -> str:
    blocks = re.findall(r'<details id="carrier-\d+"[^>]*>(.*?)</details>', html, flags=re.S)
    return next(b for b in blocks if f"（{carrier_id}，" in b)


def test_html_receipt_and_chart(tables, year):
    html = render_html_report(tables, year)
    block = _carrier_block(html, "C009")
    receipt, indicators = block.split('<div class="scroll">', 1)
    assert "评分回执" in receipt and "指标代码" in indicators
    assert (
        "距 B 级还差 0.06 分（总分须达到 70.00 分）：P4 当年发明专利授权数 由 3.29 件增至 4 件即可"
        in receipt
    )
    assert "上年总分" in receipt and "71.00" in receipt and "-1.06 ↓" in receipt
    # the chart: four dimensions, each the carrier's bar and the type's average
    svg = re.search(r"<svg[^>]*四个维度[^>]*>(.*?)</svg>", receipt, flags=re.S)
    assert svg is not None
    for label in ("服务能力", "孵化绩效", "可持续发展", "加分项"):
        assert label in svg.group(1)
    assert svg.group(1).count("本类型平均 / type average:") == 4
    # accelerators C008, C009, C010: the service average is theirs, not the district's
    acc = tables["carrier_scores"].filter(pl.col("carrier_type") == "accelerator")
    mean = float(acc["service_points"].cast(pl.Float64).mean())
    assert f"type average: {mean:.1f}</title>" in svg.group(1)
    assert "2023 年无评价结果" in _carrier_block(html, "C005")


def test_html_lists_rectifications_under_actions(tables, year):
    html = render_html_report(tables, year)
    actions = html[html.index('<section id="actions">') : html.index('<section id="clearout">')]
    assert "整改跟踪" in actions and "整改未达标" in actions and "整改达标" in actions


def test_html_receipt_escapes_what_carriers_wrote(tables, year):
    tables["carrier_scores"] = tables["carrier_scores"].with_columns(
        pl.when(pl.col("carrier_id") == "C002")
        .then(pl.lit("<script>alert(1)</script>"))
        .otherwise(pl.col("grade_note_zh"))
        .alias("grade_note_zh")
    )
    html = render_html_report(tables, year)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("code", "value", "text"),
    [("P4", 5.0, "5 件"), ("S1", 2421.0, "2,421 万元"), ("D3", 0.7033, "70.33%"),
     ("S3", 1.0, "有"), ("S4", 0.97, "0.97 家/千平方米"), ("P6", None, "0 人")],
)  # fmt: skip
def test_raw_values_read_in_their_units(code, value, text):
    assert raw_text(code, value) == text


def test_ranking_shows_last_year_beside(tables, year):
    html = render_html_report(tables, year)
    ranking = html[html.index('<section id="ranking">') : html.index('<section id="details">')]
    assert '上年总分<span class="en">prev_total_score</span>' in ranking
    assert '上年等级<span class="en">prev_grade</span>' in ranking
    assert "95.20" in ranking  # C001's 2023 total


def test_sentence_for_a_carrier_held_at_b_by_the_cap():
    from decimal import Decimal

    from orchestration.publish.receipt import next_sentence

    record = {
        "grade": "B",
        "score_grade": "A",
        "next_grade": "A",
        "total_score": Decimal("99.31"),
        "points_to_next_grade": Decimal("0.23"),
        "lift_indicator": "D2",
        "lift_raw_value": 2421.0,
        "_lift_from": 2287.93,
    }
    text = next_sentence(record, {"D2": "在孵企业纳税总额（万元）"})
    assert text.startswith(
        "距 A 级还差 0.23 分（本类型 A 级名额已满，须赶上本类型最低的 A 级 99.54 分）："
        "D2 在孵企业纳税总额（万元） 由 2,287.93 万元增至 2,421 万元即可"
    )


def test_yoy_jumps_of_one_carrier_are_not_collapsed_in_the_office_files():
    from orchestration.audit.dq_carriers import collapse_warnings

    dq = pl.DataFrame(
        {
            "carrier_id": ["C1", "C1", "C1", "C1"],
            "dataset": ["patents", "patents", "tenants", "tenants"],
            "source_file": [None, None, "C1.xlsx", "C1.xlsx"],
            "source_row": [None, None, 5, 6],
            "column_name": ["P4", "P5", "talents", "talents"],
            "check_name": ["yoy_jump", "yoy_jump", "implausibly_large", "implausibly_large"],
            "severity": ["warning"] * 4,
            "value_as_written": ["20", "60", "900", "950"],
            "message": ["P4 …", "P5 …", "大", "大"],
        },
        schema_overrides={"source_file": pl.String, "source_row": pl.Int64},
    )
    out = collapse_warnings(dq)
    assert out.filter(pl.col("check_name") == "yoy_jump")["message"].to_list() == ["P4 …", "P5 …"]
    assert out.filter(pl.col("check_name") == "implausibly_large")["finding_count"].to_list() == [2]


def test_summary_counts_last_years_rectifications(tables, year, tmp_path):
    html = render_html_report(tables, year)
    summary = html[html.index('<section id="summary">') : html.index('<section id="grades">')]
    assert re.search(r'<div class="v">1</div><div class="k">上年整改达标载体数</div>', summary)
    assert re.search(r'<div class="v">1</div><div class="k">上年整改未达标载体数</div>', summary)
    book = openpyxl.load_workbook(write_workbook(tables, tmp_path / "s.xlsx", year))
    facts = {r[0]: r[2] for r in book["概要"].iter_rows(values_only=True) if r and r[0]}
    assert (facts["上年整改达标载体数"], facts["上年整改未达标载体数"]) == (1, 1)


def test_a_borderline_grade_says_so_in_the_receipt(tables, year, blocks):
    # the sample's second carrier (C002, B) holds its grade in 55 % of the robustness draws
    line = _row(blocks["C002"], "等级稳健性")[1]
    assert line.startswith("等级处于临界：随机扰动权重和满分基准时，维持B等的占 55.0%（C 45.0%）")
    assert not [r for r in blocks["C001"] if r[0] == "等级稳健性"]
    html = render_html_report(tables, year)
    assert "维持B等的占 55.0%" in _carrier_block(html, "C002").split('<div class="scroll">')[0]
    assert "等级处于临界" not in _carrier_block(html, "C001")
