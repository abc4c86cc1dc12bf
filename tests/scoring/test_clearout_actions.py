"""Tenant clear-out C1–C3 and carrier actions (rules.md "Clear-out and carrier actions")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from scoring.clearout import with_c2_activity
from scoring.engine import score_year

IDLE = {  # a tenant that meets every C2 condition except the months (and has no activity)
    "is_rd_expense_zero_or_missing": True,
}


def clearout(mk, rulebook, *tenant_rows, activity=()) -> dict[str, dict]:
    rows = [{"carrier_id": "C1", **r} for r in tenant_rows]
    out = score_year(
        rulebook,
        mk.YEAR,
        mk.inputs(
            mk.carriers({"carrier_id": "C1"}),
            mk.tenants(*rows),
            enterprise_activity=mk.activity(*activity),
        ),
    )
    return {r["uscc"]: r for r in out["tenant_clearout"].to_dicts()}


@pytest.mark.parametrize(
    ("industry", "months", "flagged"),
    [
        ("软件", 48, False),
        ("软件", 49, True),
        ("生物医药", 60, False),
        ("生物医药", 61, True),
        ("集成电路设计", 61, True),
        ("现代农业", 55, False),
        # the two tenants: a stray space between Chinese characters (the batch's text
        # normalisation removes it; scoring compares in the same form)
        ("生物 医药", 49, False),
        ("生物 医药", 59, False),
        ("生 物医 药", 59, False),
    ],
)
def test_c1_overdue(mk, rulebook, industry, months, flagged):
    got = clearout(
        mk, rulebook, {"uscc": "U1", "industry": industry, "months_in_incubation": months}
    )
    assert ("U1" in got) is flagged
    if flagged:
        assert got["U1"]["reason_codes"] == "C1" and "超期未毕业" in got["U1"]["reasons_zh"]


def test_c1_rulebook_terms_match_after_the_same_normalisation(mk, rulebook):
    c1 = rulebook.clearout.C1.model_copy(update={"long_period_industries": ("生物 医药",)})
    changed = rulebook.model_copy(
        update={"clearout": rulebook.clearout.model_copy(update={"C1": c1})}
    )
    got = clearout(mk, changed, {"uscc": "U1", "industry": "生物医药", "months_in_incubation": 59})
    assert got == {}


def test_c1_without_long_period_industries_holds_every_tenant_to_the_limit(mk, rulebook):
    c1 = rulebook.clearout.C1.model_copy(update={"long_period_industries": ()})
    changed = rulebook.model_copy(
        update={"clearout": rulebook.clearout.model_copy(update={"C1": c1})}
    )
    got = clearout(mk, changed, {"uscc": "U1", "industry": "生物医药", "months_in_incubation": 49})
    assert got["U1"]["reason_codes"] == "C1" and "超过 48 个月" in got["U1"]["reasons_zh"]


def test_c1_only_for_tenants_incubating_at_year_end(mk, rulebook):
    got = clearout(
        mk,
        rulebook,
        {"uscc": "U1", "months_in_incubation": 70, "is_incubating_at_year_end": False},
    )
    assert got == {}


@pytest.mark.parametrize(
    ("change", "activity", "flagged"),
    [
        ({}, [], True),
        ({"months_in_incubation": 23}, [], False),
        ({}, [("U1", "patent", "ZL1", 2023)], False),
        ({}, [("U1", "patent", "ZL1", 2022)], True),  # before the activity window
        ({}, [("U1", "patent", "ZL1", 2025)], True),  # after Y
        ({}, [("U1", "tech_sme_registration", "2024-02-01", 2024)], False),
        ({}, [("U1", "certificate", "GR1", 2022)], False),  # within the certificate window
        ({}, [("U1", "certificate", "GR1", 2021)], True),
        ({}, [("U1", "financing", "F1", 2023), ("U1", "financing", "F2", 2024)], False),
        ({}, [("U2", "financing", "F1", 2024)], True),  # another enterprise's
        ({"is_rd_expense_zero_or_missing": False}, [], False),
        ({"is_incubating_at_year_end": False}, [], False),
    ],
)
def test_c2_low_innovation(mk, rulebook, change, activity, flagged):
    row = {"uscc": "U1", "months_in_incubation": 24, **IDLE, **change}
    got = clearout(mk, rulebook, row, activity=activity)
    assert ("U1" in got) is flagged
    if flagged:
        assert got["U1"]["reason_codes"] == "C2"


def test_c2_windows_are_the_rulebooks(mk, rulebook):
    """A wider window in the rulebook reaches further back, and the reason names it."""
    c2 = rulebook.clearout.C2.model_copy(update={"activity_years": 3, "certificate_years": 4})
    changed = rulebook.model_copy(
        update={"clearout": rulebook.clearout.model_copy(update={"C2": c2})}
    )
    row = {"uscc": "U1", "months_in_incubation": 30, **IDLE}
    patent_2022 = [("U1", "patent", "ZL1", 2022)]
    assert "U1" in clearout(mk, rulebook, row, activity=patent_2022)
    assert clearout(mk, changed, row, activity=patent_2022) == {}
    reasons = clearout(mk, changed, row)["U1"]["reasons_zh"]
    assert "2022—2024 年专利申请或授权 0 件" in reasons and "2021—2024 年高企证书 0 张" in reasons


def test_c2_counts_each_activity_once(mk, rulebook):
    """A patent applied for in Y−1 and granted in Y is one patent; each kind counted apart."""
    activity = mk.activity(
        ("U1", "patent", "ZL1", 2023),
        ("U1", "patent", "ZL1", 2024),
        ("U1", "patent", "ZL2", 2024),
        ("U1", "financing", "F1", 2024),
    )
    tenants = mk.tenants(
        {"carrier_id": "C1", "uscc": "U1", "months_in_incubation": 24, **IDLE},
        {"carrier_id": "C1", "uscc": "U2", "months_in_incubation": 24, **IDLE},
    )
    got = with_c2_activity(tenants, activity, rulebook.clearout.C2).sort("uscc")
    assert got["c2_patents"].to_list() == [2, 0]
    assert got["c2_financing"].to_list() == [1, 0]
    assert got["c2_certificates"].to_list() == [0, 0]
    assert got["c2_has_tech_sme_registration"].to_list() == [False, False]


@pytest.mark.parametrize(
    "change",
    [
        {"is_rd_expense_zero_or_missing": False},
        {"is_incubating_at_year_end": False},
        {"months_in_incubation": 3},
    ],
)
def test_c2_counts_only_the_tenants_it_could_flag(mk, rulebook, change):
    """A tenant that fails C2's own tests (R&D, incubating, months) is not counted: NULL counts,
    never flagged for C2, whatever its activity."""
    activity = mk.activity(("U1", "patent", "ZL1", 2024), ("U2", "patent", "ZL2", 2024))
    tenants = mk.tenants(
        {"carrier_id": "C1", "uscc": "U1", "months_in_incubation": 24, **IDLE},
        {"carrier_id": "C1", "uscc": "U2", "months_in_incubation": 24, **IDLE, **change},
    )
    got = with_c2_activity(tenants, activity, rulebook.clearout.C2).sort("uscc")
    assert got["c2_patents"].to_list() == [1, None]
    assert got["c2_has_tech_sme_registration"].to_list() == [False, None]
    idle = {"uscc": "U2", "months_in_incubation": 24, **IDLE, **change}
    assert "C2" not in clearout(mk, rulebook, idle).get("U2", {}).get("reason_codes", "")


def test_c3_deregistered_without_exit_date(mk, rulebook):
    got = clearout(
        mk,
        rulebook,
        {"uscc": "U1", "tenant_status": "deregistered", "is_incubating_at_year_end": False},
        {
            "uscc": "U2",
            "tenant_status": "deregistered",
            "exit_date": dt.date(2024, 6, 1),
            "is_incubating_at_year_end": False,
        },
    )
    assert list(got) == ["U1"] and got["U1"]["reason_codes"] == "C3"


def test_every_reason_listed_once_per_tenant(mk, rulebook):
    got = clearout(mk, rulebook, {"uscc": "U1", "months_in_incubation": 50, **IDLE})
    assert got["U1"]["reason_codes"] == "C1,C2"
    assert got["U1"]["reasons_zh"] == (
        "C1 超期未毕业：在孵 50 个月，超过 48 个月的孵化期上限；"
        "C2 创新效益低下：在孵 50 个月（不少于 24 个月）；2023—2024 年专利申请或授权 0 件、"
        "科技型中小企业入库 无、投融资 0 笔；2022—2024 年高企证书 0 张；2024 年研发投入未填报"
    )
    assert got["U1"]["months_in_incubation"] == 50


def test_reasons_state_the_facts_against_the_limits(mk, rulebook):
    got = clearout(
        mk,
        rulebook,
        {"uscc": "U1", "months_in_incubation": 59, "industry": "生物医药", **IDLE},
        {"uscc": "U2", "months_in_incubation": 61, "industry": "生物医药"},
        {"uscc": "U3", "months_in_incubation": 30, **IDLE, "rd_expense_wan": Decimal("0")},
        {"uscc": "U4", "tenant_status": "deregistered", "is_incubating_at_year_end": False},
    )
    assert got["U2"]["reasons_zh"] == (
        "C1 超期未毕业：在孵 61 个月，超过 60 个月的孵化期上限（生物医药类企业）"
    )
    assert got["U1"]["reason_codes"] == "C2"  # 59 months: within the long period
    assert "2024 年研发投入 0.00 万元" in got["U3"]["reasons_zh"]
    assert (
        got["U4"]["reasons_zh"] == "C3 已注销仍在册：企业状态为注销，但未填退出日期，仍在在孵名册中"
    )
    for row in got.values():
        assert " / " not in row["reasons_zh"]  # Chinese only


# --- actions ---------------------------------------------------------------------------------


def _total(rulebook, fraction: str) -> dict:
    out = {}
    for code, ind in rulebook.indicators.items():
        if ind.goalposts is not None:
            out[f"{code.lower()}_raw"] = float(ind.goalposts.incubator * Decimal(fraction))
    return out


def actions(mk, rulebook, carriers, history) -> dict[str, dict]:
    out = score_year(
        rulebook,
        mk.YEAR,
        mk.inputs(mk.carriers(*carriers), grade_history=mk.history(*history)),
    )
    return {r["carrier_id"]: r for r in out["carrier_actions"].to_dicts()}


def test_actions_over_three_years(mk, rulebook):
    d, c, b = _total(rulebook, "0.1"), _total(rulebook, "0.65"), _total(rulebook, "0.75")
    carriers = [
        {"carrier_id": "K1", **d},  # D, D, D → delist_review
        {"carrier_id": "K2", **d},  # D, D → transfer_operator
        {"carrier_id": "K3", **d},  # D, C, D → rectify only: not consecutive
        {"carrier_id": "K4", "operator_kind": "government", **c},  # gov C, C → transfer
        {"carrier_id": "K5", "operator_kind": "private", **c},  # private C, C → nothing
        {"carrier_id": "K6", "operator_kind": "government", **c},  # gov C, B → nothing
        {"carrier_id": "K7", **b},  # B now, D before → nothing
    ]
    history = [
        (2022, "K1", "D"), (2023, "K1", "D"),
        (2023, "K2", "D"), (2022, "K2", "B"),
        (2022, "K3", "D"), (2023, "K3", "C"),
        (2023, "K4", "C"),
        (2023, "K5", "C"),
        (2023, "K6", "B"),
        (2023, "K7", "D"), (2022, "K7", "D"),
        (2024, "K7", "D"),  # a row for Y itself (an earlier run) is ignored
    ]  # fmt: skip
    got = actions(mk, rulebook, carriers, history)
    assert {k: v["action"] for k, v in got.items()} == {
        "K1": "delist_review",
        "K2": "transfer_operator",
        "K3": "rectify",
        "K4": "transfer_operator",
    }
    assert got["K1"]["reason_codes"] == "delist_review,transfer_operator,rectify"
    assert got["K1"]["grade_history"] == "2022:D,2023:D,2024:D"
    # the three actions' reasons, after the missed rectification of 2023 (D again in 2024)
    assert got["K1"]["reasons_zh"].count("；") == 3
    assert got["K1"]["reasons_zh"].startswith("整改未达标：2023 年 D 级，2024 年仍为 D 级")
    assert "整改未达标" not in got["K4"]["reasons_zh"]  # no D in 2023: nothing to follow up
    assert got["K4"]["reason_codes"] == "transfer_operator"
    assert "政府运营" in got["K4"]["reasons_zh"]
    assert got["K3"]["action_zh"] == "整改"
    # reasons state the grades they rest on, in Chinese only
    assert (
        "撤销认定审查：2022 年 D 级、2023 年 D 级、2024 年 D 级（连续 3 年 D 级）"
        in (got["K1"]["reasons_zh"])
    )
    assert got["K2"]["reasons_zh"].endswith(
        "转专业机构运营：2023 年 D 级、2024 年 D 级（连续 2 年 D 级）；整改：2024 年 D 级"
    )
    assert (
        "转专业机构运营：政府运营，2023 年 C 级、2024 年 C 级（连续 2 年 C 或 D 级）"
        in (got["K4"]["reasons_zh"])
    )
    for row in got.values():
        assert " / " not in row["reasons_zh"] and "grade" not in row["reasons_zh"]


def test_no_history_means_rectify_only(mk, rulebook):
    got = actions(mk, rulebook, [{"carrier_id": "K1"}], [])
    assert got["K1"]["action"] == "rectify" and got["K1"]["grade_history"] == "2022:-,2023:-,2024:D"
