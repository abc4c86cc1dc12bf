"""The rulebook file: bundled defaults equal rules.md, validation names the bad key."""

from __future__ import annotations

import copy
import hashlib
from decimal import Decimal

import pytest
import yaml

from scoring.rulebook import (
    CARRIER_TYPES,
    RULEBOOK_DIR,
    RulebookError,
    load_rulebook,
    parse_rulebook,
    rulebook_sha256,
)


def _doc(year: int = 2024) -> dict:
    return yaml.safe_load((RULEBOOK_DIR / f"{year}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_bundled_rulebooks_load_for_each_year(year):
    rb = load_rulebook(year)
    assert rb.assessment_year == year
    assert len(rulebook_sha256(year)) == 64


def test_defaults_follow_rules_md():
    rb = load_rulebook(2024)
    assert rb.indicator("S1").goalposts.industrial_park == Decimal(5000)
    assert rb.indicator("S4").goalposts.industrial_park == Decimal("0.5")
    assert sum(rb.indicator(c).points for c in rb.indicators) == 105
    assert (rb.grading.bands.A, rb.grading.bands.B, rb.grading.bands.C) == (85, 70, 60)
    assert rb.grading.a_cap.share == Decimal("0.3") and rb.grading.a_cap.minimum == 1
    assert rb.clearout.C1.max_months == 48 and rb.clearout.C1.long_period_max_months == 60
    assert set(rb.clearout.C1.long_period_industries) == {"生物医药", "集成电路", "现代农业"}
    assert rb.clearout.C2.min_months == 24
    assert rb.rewards.R02.amounts["incubator"].national == 40
    assert rb.rewards.R05.rates == {1: Decimal("0.3"), 2: Decimal("0.2"), 3: Decimal("0.1")}
    assert rb.rewards.R10.amounts["municipal"][2] == 8
    assert str(rb.targets.window_start) == "2023-01-01"
    assert rb.targets.items["T6"].target == 340


def test_loads_a_file_path(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(_doc(), allow_unicode=True), encoding="utf-8")
    assert load_rulebook(path).assessment_year == 2024
    assert rulebook_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_goalpost_names_the_key():
    doc = _doc()
    del doc["indicators"]["S4"]["goalposts"]["maker_space"]
    with pytest.raises(RulebookError, match=r"indicators\.S4\.goalposts\.maker_space: missing"):
        parse_rulebook(doc)


def test_unknown_key_names_the_key():
    doc = _doc()
    doc["rewards"]["R06"]["min_growht"] = 0.15
    with pytest.raises(RulebookError, match=r"rewards\.R06\.min_growht: unknown key"):
        parse_rulebook(doc)


def test_negative_amount_names_the_key():
    doc = _doc()
    doc["rewards"]["R10"]["amounts"]["provincial"][1] = -20
    with pytest.raises(RulebookError, match=r"rewards\.R10\.amounts\.provincial\.1"):
        parse_rulebook(doc)


def test_missing_indicator_and_target_are_errors():
    doc = _doc()
    del doc["indicators"]["P6"]
    with pytest.raises(RulebookError, match="P6"):
        parse_rulebook(doc)
    doc = _doc()
    del doc["targets"]["items"]["T9"]
    with pytest.raises(RulebookError, match="T9"):
        parse_rulebook(doc)


def test_every_scored_indicator_has_all_goalposts():
    rb = load_rulebook(2025)
    for code, ind in rb.indicators.items():
        if ind.dimension != "bonus":
            assert all(ind.goalposts.for_type(t) > 0 for t in CARRIER_TYPES), code


def test_no_bundled_rulebook_for_an_unknown_year():
    with pytest.raises(RulebookError, match="1999"):
        load_rulebook(1999)


def test_a_copy_is_independent():
    doc = _doc()
    changed = copy.deepcopy(doc)
    changed["indicators"]["S1"]["goalposts"]["incubator"] = 1000
    assert parse_rulebook(changed).indicator("S1").goalposts.incubator == 1000
    assert parse_rulebook(doc).indicator("S1").goalposts.incubator == 2000


def test_the_rulebook_of_any_year_is_the_nearest_bundled_one(tmp_path):
    from scoring.rulebook import bundled_years, default_rulebook_year, rulebook_for_year

    first, last = min(bundled_years()), max(bundled_years())
    assert default_rulebook_year(first - 1) == first  # a base year before the plan
    assert default_rulebook_year(last + 3) == last  # a year after it
    assert default_rulebook_year(first) == first
    base = rulebook_for_year(first - 1)
    assert base.rulebook_year == first and base.rulebook.assessment_year == first - 1
    assert base.origin == f"bundled:{first}"
    own = rulebook_for_year(first)
    assert own.sha256 == rulebook_sha256(first)  # the bundled file as is
    office = tmp_path / "rules.yaml"
    office.write_bytes(base.text.replace("\n", "\r\n").encode("utf-8"))
    assert rulebook_for_year(first - 1, office).sha256 == rulebook_sha256(office)
    with pytest.raises(RulebookError, match=str(first - 1)):
        rulebook_for_year(first, office)  # a file of another year
