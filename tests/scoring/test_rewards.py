"""Rewards R01–R10 (rules.md "Rewards"), each with its boundaries, amounts hand-computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
import yaml

from scoring.engine import score_year
from scoring.rulebook import RULEBOOK_DIR, parse_rulebook

D = Decimal
Y = dt.date(2024, 6, 1)


def lines(mk, rulebook, code, carriers=({"carrier_id": "C1"},), **more) -> list[dict]:
    out = score_year(rulebook, mk.YEAR, mk.inputs(mk.carriers(*carriers), **more))
    return out["rewards"].filter(pl.col("rule_code") == code).to_dicts()


def one(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


def _rulebook_with(change) -> object:
    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    change(doc)
    return parse_rulebook(doc)


# R01 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rtype", "level", "cost", "before", "paid"),
    [
        ("incubator", "provincial", 500, "100", "100"),
        ("maker_space", "national", 500, "50", "50"),
        ("accelerator", "provincial", 1200, "240", "200"),
        ("incubator", "municipal", 500, "0", "0"),
    ],
)
def test_r01_renovation(mk, rulebook, rtype, level, cost, before, paid):
    rec = mk.recognitions(
        {
            "carrier_id": "C1",
            "recognized_type": rtype,
            "recognized_level": level,
            "recognized_date": Y,
        }
    )
    cl = mk.claims({"carrier_id": "C1", "claim_kind": "renovation", "amount_audited_wan": cost})
    r = one(lines(mk, rulebook, "R01", carrier_recognitions=rec, subsidy_claims=cl))
    assert (r["amount_before_cap"], r["amount"], r["cap"]) == (D(before), D(paid), D(200))
    assert r["payee_kind"] == "operator" and r["payee_uscc"] == "91320000OPERATOR1"
    assert "申报单位（CLAIMANT）核定 " + str(cost) in r["basis_zh"]


# R02 -----------------------------------------------------------------------------------------
def _rec(rtype, level, date, year=None):
    return {
        "carrier_id": "C1",
        "recognized_type": rtype,
        "recognized_level": level,
        "recognized_date": date,
        "assessment_year": year or date.year,
    }


@pytest.mark.parametrize(
    ("recs", "paid"),
    [
        ([("incubator", "national", Y)], "40"),
        ([("incubator", "provincial", Y)], "20"),
        ([("maker_space", "national", Y)], "30"),
        ([("maker_space", "provincial", Y)], "10"),
        ([("incubator", "provincial", dt.date(2023, 5, 1)), ("incubator", "national", Y)], "20"),
        ([("incubator", "provincial", dt.date(2022, 5, 1)), ("incubator", "provincial", Y)], "0"),
        ([("incubator", "national", dt.date(2022, 5, 1)), ("incubator", "provincial", Y)], "0"),
        ([("maker_space", "provincial", dt.date(2023, 1, 9)), ("incubator", "national", Y)], "40"),
        ([("incubator", "provincial", Y), ("incubator", "national", Y)], "40"),  # highest only
    ],
)
def test_r02_recognition_with_top_up(mk, rulebook, recs, paid):
    rec = mk.recognitions(*(_rec(*r) for r in recs))
    r = one(lines(mk, rulebook, "R02", carrier_recognitions=rec))
    assert r["amount"] == D(paid)


def test_r02_top_up_from_the_carriers_sheet_level(mk, rulebook):
    carrier = {"carrier_id": "C1", "level": "provincial", "level_date": dt.date(2021, 3, 1)}
    rec = mk.recognitions(_rec("incubator", "national", Y))
    r = one(lines(mk, rulebook, "R02", carriers=(carrier,), carrier_recognitions=rec))
    assert r["amount"] == D(20) and "补差" in r["note_zh"]


# R03 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ctype", "audited", "paid", "review"),
    [
        ("platform", 40, "40", True),
        ("platform", 50, "50", False),
        ("platform", 150, "100", False),
        ("incubator", 80, "0", True),
    ],
)
def test_r03_platform_startup(mk, rulebook, ctype, audited, paid, review):
    cl = mk.claims(
        {"carrier_id": "C1", "claim_kind": "platform_startup", "amount_audited_wan": audited}
    )
    carriers = ({"carrier_id": "C1", "carrier_type": ctype},)
    r = one(lines(mk, rulebook, "R03", carriers=carriers, subsidy_claims=cl))
    assert (r["amount"], r["needs_review"], r["cap"]) == (D(paid), review, D(100))


# R04 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("audited", "paid"), [(300, "60"), ("299.9999", "0"), (1200, "200"), (1000, "200")]
)
def test_r04_rd_equipment(mk, rulebook, audited, paid):
    cl = mk.claims(
        {"carrier_id": "C1", "claim_kind": "rd_equipment", "amount_audited_wan": audited}
    )
    r = one(lines(mk, rulebook, "R04", subsidy_claims=cl))
    assert r["amount"] == D(paid)


# R05 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ctype", "index", "rent", "before", "paid", "review"),
    [
        ("offshore_center", 1, 300, "90", "90", False),
        ("offshore_center", 1, 400, "120", "100", False),
        ("offshore_center", 2, 400, "80", "80", False),
        ("offshore_center", 3, 400, "40", "40", False),
        ("offshore_center", 4, 400, "0", "0", True),
        ("offshore_center", None, 400, "0", "0", True),
        ("incubator", 1, 400, "0", "0", False),
    ],
)
def test_r05_offshore_rent(mk, rulebook, ctype, index, rent, before, paid, review):
    cl = mk.claims(
        {
            "carrier_id": "C1",
            "claim_kind": "offshore_rent",
            "amount_audited_wan": rent,
            "rent_year_index": index,
        }
    )
    carriers = ({"carrier_id": "C1", "carrier_type": ctype},)
    r = one(lines(mk, rulebook, "R05", carriers=carriers, subsidy_claims=cl))
    assert (r["amount_before_cap"], r["amount"], r["needs_review"]) == (D(before), D(paid), review)


# R06 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "prev", "paid", "review"),
    [
        (100, 50, "0", False),  # revenue exactly 100: not more than 100
        ("100.0001", 50, "1.0000", False),  # 2% × 50.0001 = 1.000002 → 1.0000
        (115, 100, "0.3", False),  # growth exactly 15%: paid
        ("114.9999", 100, "0", False),  # just under 15%
        (200, 0, "0", True),  # zero previous: not paid, flagged
        (200, None, "0", True),  # no previous: not paid, flagged
        (1000, 100, "10", False),  # 2% × 900 = 18 → cap 10
    ],
)
def test_r06_service_revenue(mk, rulebook, now, prev, paid, review):
    cl = mk.claims(
        {
            "carrier_id": "C1",
            "claim_kind": "service_revenue",
            "claimant_name": "服务机构",
            "claimant_uscc": "SERVICE1",
            "amount_audited_wan": now,
            "amount_previous_wan": prev,
        }
    )
    r = one(lines(mk, rulebook, "R06", subsidy_claims=cl))
    assert (r["amount"], r["needs_review"]) == (D(paid), review)
    assert (r["payee_kind"], r["payee_name"], r["payee_uscc"]) == (
        "service_body",
        "服务机构",
        "SERVICE1",
    )


# R07 -----------------------------------------------------------------------------------------
def _holder(rtype, level, date, holder="SB1"):
    return {
        **_rec(rtype, level, date),
        "holder_name": "服务平台公司",
        "holder_uscc": holder,
        "holder_kind": "service_body",
    }


def test_r07_first_of_its_type_and_cap_per_holder(mk, rulebook):
    rec = mk.recognitions(
        _holder("public_service_platform", "provincial", Y),
        _holder("service_top100", "provincial", Y),  # second type, same holder, same year
        _holder("public_service_platform", "provincial", Y, holder="SB2"),
        _holder("public_service_platform", "municipal", dt.date(2022, 1, 5), holder="SB2"),
        _holder("public_service_platform", "municipal", Y, holder="SB3"),  # not provincial
    )
    got = {r["payee_uscc"]: r for r in lines(mk, rulebook, "R07", carrier_recognitions=rec)}
    assert set(got) == {"SB1", "SB2"}
    assert (got["SB1"]["amount_before_cap"], got["SB1"]["amount"]) == (D(20), D(20))
    assert got["SB1"]["payee_kind"] == "service_body"
    assert got["SB2"]["amount"] == 0 and got["SB2"]["note_zh"].startswith("非首次")


# R08 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("evals", "paid"),
    [
        ([("national", "A"), ("provincial", "A")], "10"),
        ([("provincial", "A")], "5"),
        ([("national", "A")], "10"),
        ([("national", "B")], None),
    ],
)
def test_r08_evaluation_a_highest_only(mk, rulebook, evals, paid):
    ev = mk.evaluations(
        *(
            {"carrier_id": "C1", "evaluation_level": lvl, "evaluation_year": 2024, "grade": g}
            for lvl, g in evals
        ),
        {"carrier_id": "C1", "evaluation_level": "national", "evaluation_year": 2023, "grade": "A"},
    )
    got = lines(mk, rulebook, "R08", carrier_evaluations=ev)
    assert (one(got)["amount"] if got else None) == (D(paid) if paid else None)


# R09 -----------------------------------------------------------------------------------------
def _cert(uscc, first=True, carrier="C1", kind="first", date=Y):
    return {
        "event_kind": "high_tech_certificate",
        "uscc": uscc,
        "event_date": date,
        "attributed_carrier_id": carrier,
        "cert_kind": kind,
        "is_first_certificate": first,
        "certificate_no": f"GR2024320{uscc}",
    }


def _grad(uscc, carrier="C1", date=Y):
    return {
        "event_kind": "graduation",
        "uscc": uscc,
        "event_date": date,
        "attributed_carrier_id": carrier,
    }


def test_r09_five_enterprises_capped_at_ten(mk, rulebook):
    ev = mk.events(_cert("E1"), _cert("E2"), _grad("E3"), _grad("E4"), _cert("E5"))
    r = one(lines(mk, rulebook, "R09", attributed_events=ev))
    assert (r["amount_before_cap"], r["cap"], r["amount"]) == (D(15), D(10), D(10))
    assert r["basis_zh"].startswith("5 家 × 3 万元")


def test_r09_certified_and_graduated_counts_once(mk, rulebook):
    ev = mk.events(
        _cert("E1"),
        _grad("E1"),
        _grad("E2"),
        _cert("E3", first=False, kind="renewal"),  # renewal: no
        _cert("E4", first=False),  # an earlier certificate in history: no
        _cert("E5", carrier=None),  # attributed nowhere: no
        _grad("E6", date=dt.date(2023, 12, 31)),  # another year: no
    )
    r = one(lines(mk, rulebook, "R09", attributed_events=ev))
    assert r["amount"] == D(6)
    assert "E1" in r["basis_zh"] and "E3" not in r["basis_zh"]


# R10 -----------------------------------------------------------------------------------------
def _award(uscc, level, rank, date=Y, carrier="C1", comp="创新创业大赛"):
    return {
        "event_kind": "award",
        "uscc": uscc,
        "enterprise_name": f"企业{uscc}",
        "event_date": date,
        "attributed_carrier_id": carrier,
        "award_level": level,
        "award_rank": rank,
        "competition": comp,
    }


def test_r10_highest_only_per_enterprise(mk, rulebook):
    ev = mk.events(
        _award("E1", "provincial", 2),
        _award("E1", "municipal", 1, comp="市赛"),
        _award("E2", "municipal", 3),  # other ranks: nothing
        _award("E3", "provincial", 1),
        _award("E4", "municipal", 2, carrier=None),  # not attributed: nowhere
    )
    got = {r["payee_uscc"]: r for r in lines(mk, rulebook, "R10", attributed_events=ev)}
    assert got["E1"]["amount"] == D(15) and got["E1"]["payee_kind"] == "enterprise"
    assert got["E1"]["payee_name"] == "企业E1" and got["E1"]["carrier_id"] == "C1"
    assert got["E2"]["amount"] == 0
    assert got["E3"]["amount"] == D(20)
    assert "E4" not in got


def test_r10_stack_mode_from_the_rulebook_is_capped(mk):
    rb = _rulebook_with(lambda doc: doc["rewards"]["R10"].update(mode="stack"))
    ev = mk.events(_award("E1", "provincial", 2), _award("E1", "municipal", 1, comp="市赛"))
    r = one(lines(mk, rb, "R10", attributed_events=ev))
    assert (r["amount_before_cap"], r["amount"]) == (D(25), D(20))


# case-by-case --------------------------------------------------------------------------------
def test_case_by_case_items_listed_at_zero(mk, rulebook):
    r = one(lines(mk, rulebook, "CB01"))
    assert r["amount"] == 0 and r["needs_review"] and "一事一议" in r["note_zh"]
    assert r["cap"] == D(5000)
