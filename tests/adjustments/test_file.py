"""The adjustments file: read as .csv or .xlsx with Chinese or key headers and labels, every
validation error named by id, column and what was expected; the template; run_changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from orchestration.ingest.adjustments_file import AdjustmentError, read_adjustments
from orchestration.publish.adjustments_template import write_adjustments_template
from orchestration.score.run_changes import PreviousPublish, diff_table, run_changes

HEADER_ZH = "编号,类型,对象,字段,新值,理由,批准人,批准日期,状态,来源"
HEADER_KEYS = "adjustment_id,kind,target,field,value,reason,approved_by,approved_on,status,source"
GOOD = [
    "T1,调整等级,C003,,b,复核,王主任,2025年3月5日,通过,申诉",
    "T2,set_reward,R01|913200|C002,,150万元,重复申领,王主任,2025/3/6,accepted,review",
    "T3,剔除数据行,专利|C001.xlsx|专利|5,,,权属存疑,王主任,20250306,通过,复核",
    "T4,更正数据,carriers|C001.xlsx|载体信息|2,所属镇（园区）,樊川镇,迁址,王主任,2025-03-06,通过,",
    "T5,调整等级,C004,,C,申诉,,,待定,申诉",
    "T6,set_grade,C001,,C,不成立,,,驳回,其他来源",
]


def write_csv(tmp_path: Path, lines: list[str], header: str = HEADER_ZH, enc="utf-8") -> Path:
    path = tmp_path / "adj.csv"
    path.write_bytes(("\n".join([header, *lines]) + "\n").encode(enc))
    return path


@pytest.mark.parametrize(("header", "enc"), [(HEADER_ZH, "utf-8-sig"), (HEADER_KEYS, "gb18030")])
def test_reads_csv_with_chinese_or_key_headers_and_labels(tmp_path, header, enc):
    got = read_adjustments(write_csv(tmp_path, GOOD, header, enc))
    rows = {r["adjustment_id"]: r for r in got.frame.to_dicts()}
    assert [r["kind"] for r in rows.values()] == [
        "set_grade", "set_reward", "exclude_row", "set_value", "set_grade", "set_grade",
    ]  # fmt: skip
    assert [r["status"] for r in rows.values()] == [
        "accepted", "accepted", "accepted", "accepted", "pending", "rejected",
    ]  # fmt: skip
    assert rows["T1"]["value"] == "B" and rows["T1"]["approved_on"] == dt.date(2025, 3, 5)
    assert rows["T3"]["approved_on"] == dt.date(2025, 3, 6)
    assert (rows["T1"]["source"], rows["T2"]["source"], rows["T6"]["source"]) == (
        "appeal", "review", "其他来源",
    )  # fmt: skip
    assert rows["T4"]["file_row"] == 5
    assert len(got.sha256) == 64


def test_reads_the_xlsx_sheet_named_adjustments(tmp_path):
    path = tmp_path / "adj.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["随便写点什么"])
    ws = wb.create_sheet("调整")
    ws.append(["本年度调整清单"])  # a title row above the header
    ws.append(HEADER_ZH.split(","))
    ws.append(
        ["T1", "调整等级", "C003", None, "A", "理由", "王主任", dt.datetime(2025, 3, 5), "通过"]
    )
    ws.append(["T2", "调整奖补金额", "R01|x|C1", None, 0.5, "理由", "王主任", "2025-03-05", "通过"])
    wb.save(path)
    rows = read_adjustments(path).frame.to_dicts()
    assert [(r["adjustment_id"], r["value"], r["approved_on"]) for r in rows] == [
        ("T1", "A", dt.date(2025, 3, 5)),
        ("T2", "0.5", dt.date(2025, 3, 5)),
    ]


OK = "王主任,2025-03-05,通过,"
"""The approval columns of an accepted row."""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("T1,调整等级,C003,,B,复核," + OK, "编号 T1 【编号】与第 2 行重复"),
        ("T9,改分数,C003,,B,复核," + OK, "编号 T9 【类型】为“改分数”，应为"),
        ("T9,调整等级,C003,,B,," + OK, "编号 T9 【理由】为空，应为"),
        ("T9,调整等级,C003,,B,复核,,2025-03-05,通过,", "编号 T9 【批准人】为空，应为"),
        ("T9,调整等级,C003,,B,复核,王主任,,通过,", "编号 T9 【批准日期】为空，应为"),
        ("T9,调整等级,C003,,B,复核,王主任,三月五日,通过,", "【批准日期】为“三月五日”"),
        ("T9,调整等级,C003,,E,复核," + OK, "编号 T9 【新值】为“E”，应为等级"),
        (
            "T9,调整奖补金额,R01|x|C1,,十万,复核,王主任,2025-03-05,通过,",
            "【新值】为“十万”，应为金额",
        ),
        ("T9,调整奖补金额,R01|x|C1,,-1,复核," + OK, "【新值】为“-1”"),
        ("T9,更正数据,carriers|a.xlsx|载体信息|2,,X,复核," + OK, "【字段】为空"),
        (
            "T9,更正数据,carriers|a.xlsx|载体信息|2,颜色,X,复核,王主任,2025-03-05,通过,",
            "【字段】为“颜色”",
        ),
        (
            "T9,更正数据,carriers|a.xlsx|载体信息|2,town,,复核,王主任,2025-03-05,通过,",
            "【新值】为空",
        ),
        ("T9,剔除数据行,C001,,,复核," + OK, "【对象】为“C001”，应为报送数据行"),
        ("T9,剔除数据行,,,,复核," + OK, "【对象】为空"),
        ("T9,调整等级,C003,,B,复核,王主任,2025-03-05,也许,", "【状态】为“也许”"),
        (",调整等级,C003,,B,复核," + OK, "【编号】为空"),
        ("T9,更正数据,carriers|a.xlsx|载体信息|2,所属镇,X,复核," + OK, "与编号 T1 更正同一单元格"),
    ],
)
def test_each_validation_error_names_the_id_the_column_and_what_was_expected(
    tmp_path, line, expected
):
    first = "T1,更正数据,carriers|a.xlsx|载体信息|2,town,Y,复核," + OK
    path = write_csv(tmp_path, [first, line])
    with pytest.raises(AdjustmentError) as err:
        read_adjustments(path)
    assert expected in str(err.value)
    assert "未发布" in str(err.value)


def test_a_pending_row_needs_no_approver(tmp_path):
    frame = read_adjustments(write_csv(tmp_path, ["P1,调整等级,C9,,A,申诉,,,待定,申诉"])).frame
    assert frame["status"].to_list() == ["pending"]


def test_headers_with_no_rows_clear_the_year(tmp_path):
    assert read_adjustments(write_csv(tmp_path, [])).frame.is_empty()


def test_missing_columns_and_unknown_file_types(tmp_path):
    with pytest.raises(AdjustmentError, match="缺少列"):
        read_adjustments(write_csv(tmp_path, [], header="编号,类型,对象"))
    other = tmp_path / "adj.txt"
    other.write_text("x")
    with pytest.raises(AdjustmentError, match=".xlsx 或 .csv"):
        read_adjustments(other)


def test_template_has_headers_dropdowns_notes_and_an_example_per_kind(tmp_path):
    path = write_adjustments_template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["调整"]
    assert [c.value for c in ws[1]] == HEADER_ZH.split(",")
    assert all(c.comment is not None and c.comment.text for c in ws[1])
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "剔除数据行" in lists["B"] and "通过" in lists["I"]
    # the examples read back as a valid file: one per kind, all pending (they change nothing)
    frame = read_adjustments(path).frame
    assert sorted(frame["kind"]) == ["exclude_row", "set_grade", "set_reward", "set_value"]
    assert set(frame["status"]) == {"pending"}
    assert all(i.startswith("示例") for i in frame["adjustment_id"])


def test_run_changes_rows_keys_and_duplicates():
    old = pl.DataFrame(
        {"rule_code": ["R01", "R01", "R02"], "payee_uscc": ["U1", "U1", None],
         "payee_name": ["甲", "甲", "乙"], "carrier_id": ["C1", "C1", "C2"],
         "amount": ["1", "2", "3"], "run_id": ["r1"] * 3}
    )  # fmt: skip
    new = pl.DataFrame(
        {"rule_code": ["R01", "R01", "R03"], "payee_uscc": ["U1", "U1", "U3"],
         "payee_name": ["甲", "甲", "丙"], "carrier_id": ["C1", "C1", None],
         "amount": ["1", "5", "7"], "run_id": ["r2"] * 3}
    )  # fmt: skip
    got = diff_table("rewards", old, new, "r1").select(
        "row_key", "change", "column_name", "old_value", "new_value"
    )
    assert got.rows() == [
        ("R01|U1|C1#2", "changed", "amount", "2", "5"),
        ("R02|乙|C2", "removed", "amount", "3", None),
        ("R03|U3|", "added", "amount", None, "7"),
    ]
    assert run_changes(None, {"rewards": new}).is_empty()
    assert run_changes(PreviousPublish("r2", {"rewards": new}), {"rewards": new}).is_empty()
