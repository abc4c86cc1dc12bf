"""Header and sheet-name matching (orchestration/ingest/headers.py): pure functions."""

from __future__ import annotations

import pytest

from orchestration.contract import datasets
from orchestration.ingest.headers import (
    HeaderMatcher,
    find_header_row,
    match_csv_name,
    match_dataset_name,
    normalise,
    split_unit,
)


def test_normalise_removes_spaces_width_and_case() -> None:
    assert normalise(" 营 业\u3000收入 ") == "营业收入"
    assert normalise("ＲＥＶＥＮＵＥ") == "revenue"
    assert normalise("营业收入（万元）") == "营业收入(万元)"
    assert normalise(None) == ""


@pytest.mark.parametrize(
    ("header", "base", "unit"),
    [
        ("营业收入（万元）", "营业收入", "万元"),
        ("营业收入(元)", "营业收入", "元"),
        ("营业收入 [亿元]", "营业收入", "亿元"),
        ("营业收入【元】", "营业收入", "元"),
        ("营业收入", "营业收入", None),
        ("（万元）", "(万元)", None),
    ],
)
def test_split_unit(header: str, base: str, unit: str | None) -> None:
    assert split_unit(header) == (base, unit)


@pytest.mark.parametrize(
    ("dataset", "header", "column", "unit"),
    [
        ("tenants", "营业收入（万元）", "revenue", "万元"),
        ("tenants", " 营 业 收 入 (元) ", "revenue", "元"),
        ("tenants", "营业收入［亿元］", "revenue", "亿元"),
        ("tenants", "营业收入", "revenue", None),
        ("tenants", "Revenue", "revenue", None),
        ("tenants", "ｒｅｖｅｎｕｅ", "revenue", None),
        ("tenants", "入孵时间", "entry_date", None),
        ("tenants", "信用代码", "uscc", None),
        ("carriers", "所属镇（园区）", "town", "园区"),
        ("carriers", "所属镇", "town", None),
        ("carriers", "种子资金规模（元）", "seed_fund_amount", "元"),
        ("carriers", "载体面积", "total_area_m2", None),
        ("financing", "融资金额（亿元）", "amount", "亿元"),
        ("financing", "投资(贷款)机构", "investor", None),
        ("tenants", "备注二", None, None),
        ("tenants", "", None, None),
    ],
)
def test_header_matcher(dataset: str, header: str, column: str | None, unit: str | None) -> None:
    match = HeaderMatcher(datasets()[dataset]).match(header)
    assert (match.column, match.unit) == (column, unit)


def test_every_contract_name_and_alias_matches_its_own_column_only() -> None:
    for ds in datasets().values():
        matcher = HeaderMatcher(ds)
        for col in ds.columns:
            for name in (col.zh, col.name, *col.aliases):
                assert matcher.match(name).column == col.name, (ds.name, name)


def test_find_header_row_skips_title_rows() -> None:
    matcher = HeaderMatcher(datasets()["patents"])
    rows = [
        ["2024年度专利情况表", None, None],
        ["填报单位：某孵化器", None, None],
        ["载体编号", "专利号", "专利类型"],
        ["C001", "ZL202310123456.6", "发明"],
    ]
    assert find_header_row(rows, matcher) == (2, 3)
    assert find_header_row([["nothing"], ["here"]], matcher) == (None, 0)


def test_sheet_and_csv_names() -> None:
    all_ds = datasets().values()
    assert match_dataset_name("专利", all_ds) == "patents"
    assert match_dataset_name(" Patents ", all_ds) == "patents"
    assert match_dataset_name("高企 培育", all_ds) == "high_tech"
    assert match_dataset_name("Sheet1", all_ds) is None
    assert match_csv_name("high_tech", all_ds) == "high_tech"
    assert match_csv_name("high_tech_C001", all_ds) == "high_tech"
    assert match_csv_name("subsidy_claims_2024", all_ds) == "subsidy_claims"
    assert match_csv_name("专利_某孵化器", all_ds) == "patents"
    assert match_csv_name("patentsx", all_ds) is None
    assert match_csv_name("清单", all_ds) is None
