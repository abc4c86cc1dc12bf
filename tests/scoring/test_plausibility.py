"""Year-on-year plausibility warnings (`yoy_jump`) and the rulebook's `plausibility` figures."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from scoring.engine import score_year
from scoring.rulebook import RULEBOOK_DIR, RulebookError, load_rulebook, parse_rulebook


def _doc() -> dict:
    return yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))


def jumps(mk, rulebook, *pairs: tuple[dict, dict]) -> list[dict]:
    """Score 2024 with each carrier's (2023 row, 2024 row); the yoy_jump findings."""
    rows = []
    for i, (before, now) in enumerate(pairs):
        cid = now.get("carrier_id", f"C{i}")
        if before is not None:
            rows.append({"carrier_id": cid, "assessment_year": 2023, **before})
        rows.append({"carrier_id": cid, **now})
    out = score_year(rulebook, mk.YEAR, mk.inputs(mk.carriers(*rows)))
    return out["dq_issues"].to_dicts()


@pytest.mark.parametrize(
    ("ctype", "before", "now", "flagged"),
    [
        ("incubator", 1.0, 6.0, True),  # 6 > 5 × 1, and 6 ≥ goalpost 5
        ("incubator", 1.0, 5.0, False),  # exactly 5 ×: not more
        ("platform", 1.0, 6.0, False),  # 6 × but below the platform goalpost 10
        ("platform", 2.0, 11.0, True),
        ("incubator", 10.0, 1.0, True),  # 1 < 10 ÷ 5, and 10 ≥ 5
        ("incubator", 10.0, 2.0, False),  # exactly a fifth: not less
        ("incubator", 0.0, 5.0, True),  # from 0, reaching the goalpost
        ("incubator", 0.0, 4.0, False),
        ("incubator", 0.0, 0.0, False),
        ("incubator", None, 20.0, False),  # missing last year: nothing to compare
    ],
)
def test_indicator_jumps(mk, rulebook, ctype, before, now, flagged):
    found = jumps(
        mk,
        rulebook,
        ({"carrier_type": ctype, "p4_raw": before}, {"carrier_type": ctype, "p4_raw": now}),
    )
    assert [f["column_name"] for f in found] == (["P4"] if flagged else [])


def test_the_message_names_carrier_indicator_values_and_ratio(mk, rulebook):
    found = jumps(
        mk,
        rulebook,
        ({"p4_raw": 1.0}, {"carrier_id": "C7", "p4_raw": 20.0}),
        ({"s1_raw": 3000.0}, {"carrier_id": "C8", "s1_raw": 500.5}),
        ({"p1_raw": 0.0}, {"carrier_id": "C9", "p1_raw": 3.0}),
    )
    by = {f["carrier_id"]: f for f in found}
    p4 = by["C7"]
    assert (p4["check_name"], p4["severity"], p4["dataset"]) == ("yoy_jump", "warning", "patents")
    assert p4["value_as_written"] == "20"
    assert p4["message"].startswith(
        "P4 当年发明专利授权数：2023 年 1，2024 年 20，为上年的 20 倍"
        "（超出 5 倍或 1/5 的范围），请核实"
    )
    assert "P4 1 in 2023, 20 in 2024: 20x last year's" in p4["message"]
    assert "2023 年 3000，2024 年 500.5，仅为上年的 16.7%" in by["C8"]["message"]
    assert "上年为 0" in by["C9"]["message"]


@pytest.mark.parametrize(
    ("before", "now", "flagged"),
    [(8000.0, 3000.0, True), (8000.0, 4000.0, False), (8000.0, 12000.0, False),
     (8000.0, 12001.0, True), (0.0, 5000.0, False)],
)  # fmt: skip
def test_incubation_area_change(mk, rulebook, before, now, flagged):
    found = jumps(mk, rulebook, ({"incubation_area_m2": before}, {"incubation_area_m2": now}))
    area = [f for f in found if f["column_name"] == "incubation_area_m2"]
    assert len(area) == (1 if flagged else 0)
    if flagged:
        assert area[0]["dataset"] == "carriers"
        assert f"{now:g} 平方米" in area[0]["message"] and "超出 ±50%" in area[0]["message"]


def test_only_the_year_before_counts(mk, rulebook):
    rows = [
        {"carrier_id": "C1", "assessment_year": 2022, "p4_raw": 0.0},
        {"carrier_id": "C1", "p4_raw": 30.0},
    ]
    out = score_year(rulebook, mk.YEAR, mk.inputs(mk.carriers(*rows)))
    assert out["dq_issues"].height == 0


def test_figures_come_from_the_rulebook(mk):
    doc = _doc()
    doc["plausibility"] = {"max_ratio": 25, "max_area_change": 0.9}
    loose = parse_rulebook(doc)
    assert jumps(mk, loose, ({"p4_raw": 1.0, "incubation_area_m2": 8000.0},
                             {"p4_raw": 20.0, "incubation_area_m2": 3000.0})) == []  # fmt: skip


def test_plausibility_section_is_validated_with_contract_defaults():
    assert load_rulebook(2024).plausibility.max_ratio == Decimal(5)
    doc = _doc()
    del doc["plausibility"]
    rb = parse_rulebook(doc)
    assert (rb.plausibility.max_ratio, rb.plausibility.max_area_change) == (5, Decimal("0.5"))
    doc["plausibility"] = {"max_ratio": 0.5, "max_area_change": 0.5}
    with pytest.raises(RulebookError, match=r"plausibility\.max_ratio"):
        parse_rulebook(doc)
    doc["plausibility"] = {"max_ratio": 5, "max_area_chnage": 0.5}
    with pytest.raises(RulebookError, match=r"plausibility\.max_area_chnage: unknown key"):
        parse_rulebook(doc)
