"""Town tasks, district targets T1–T9, and the engine (schemas, order, properties, speed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import RESULT_TABLES, ScoringInputs, score_year
from scoring.plausibility import FINDING_COLUMNS
from scoring.rulebook import INDICATOR_CODES
from scoring.schemas import OUTPUT_SCHEMAS, SchemaError


def test_town_tasks_enclave_rule(mk, rulebook):
    cars = mk.carriers(
        {"carrier_id": "C1", "town": "甲镇"},
        {"carrier_id": "C2", "town": "甲镇"},
        {"carrier_id": "C3", "town": "乙镇"},
    )
    tech_new = {"is_entered_in_year": True, "is_tech_enterprise": True}
    ten = mk.tenants(
        # E1 in a 甲镇 carrier, attracted by 乙镇: counts for both
        {"carrier_id": "C1", "carrier_town": "甲镇", "uscc": "E1",
         "attracted_by_town": "乙镇", **tech_new},
        # E2 in two carriers of 甲镇 and naming its own town: once for 甲镇
        {"carrier_id": "C1", "carrier_town": "甲镇", "uscc": "E2",
         "attracted_by_town": "甲镇", **tech_new},
        {"carrier_id": "C2", "carrier_town": "甲镇", "uscc": "E2", **tech_new},
        # E3 in 乙镇, attracted by 丙镇 (a town without carriers)
        {"carrier_id": "C3", "carrier_town": "乙镇", "uscc": "E3", "attracted_by_town": "丙镇",
         "is_tech_sme_registered_in_year": True},
        # E4 entered in Y but not a tech enterprise: not S5
        {"carrier_id": "C3", "carrier_town": "乙镇", "uscc": "E4", "is_entered_in_year": True},
    )  # fmt: skip
    ev = mk.events(
        {"event_kind": "high_tech_certificate", "uscc": "E3", "event_date": dt.date(2024, 9, 1),
         "attributed_carrier_id": "C3", "cert_kind": "first", "is_first_certificate": True},
    )  # fmt: skip
    out = score_year(rulebook, 2024, mk.inputs(cars, ten, attributed_events=ev))
    towns = {r["town"]: r for r in out["town_tasks"].to_dicts()}
    assert {t: r["tech_enterprises_attracted"] for t, r in towns.items()} == {
        "丙镇": 0,
        "乙镇": 1,
        "甲镇": 2,
    }
    assert towns["乙镇"]["tech_enterprises_attracted_basis_zh"] == "企业（E1）[飞地]"
    assert towns["甲镇"]["tech_enterprises_attracted_basis_zh"] == "企业（E1）；企业（E2）"
    assert (towns["乙镇"]["tech_sme_registered"], towns["丙镇"]["tech_sme_registered"]) == (1, 1)
    assert (towns["乙镇"]["high_tech_cultivated"], towns["丙镇"]["high_tech_cultivated"]) == (1, 1)
    assert towns["甲镇"]["high_tech_cultivated"] == 0


def test_district_targets(mk, rulebook):
    cars = mk.carriers(
        # established in the window: T1 (and T2 for the incubator)
        {"carrier_id": "C1", "established_date": dt.date(2023, 1, 1), "total_area_m2": 30000.0,
         "level": "provincial", "seed_fund": True},
        {"carrier_id": "C2", "carrier_type": "complex", "established_date": dt.date(2024, 12, 31),
         "total_area_m2": 50000.0, "seed_fund": False},
        {"carrier_id": "C3", "carrier_type": "industrial_park",
         "established_date": dt.date(2022, 12, 31), "total_area_m2": 90000.0},
        {"carrier_id": "C4", "level": "municipal", "seed_fund": False},  # not in T9's pool
    )  # fmt: skip
    ten = mk.tenants(
        {"carrier_id": "C1", "uscc": "E1", "tech_sme_reg_date": dt.date(2023, 2, 1)},
        {"carrier_id": "C2", "uscc": "E1", "tech_sme_reg_date": dt.date(2023, 2, 1)},
        {"carrier_id": "C1", "uscc": "E2", "tech_sme_reg_date": dt.date(2022, 12, 31)},
        {"carrier_id": "C1", "uscc": "E3", "assessment_year": 2023,
         "tech_sme_reg_date": dt.date(2023, 6, 1)},
        {"carrier_id": "C3", "carrier_type": "industrial_park", "uscc": "E4",
         "is_tech_enterprise": True},
        {"carrier_id": "C3", "carrier_type": "industrial_park", "uscc": "E5",
         "is_tech_enterprise": True, "is_incubating_at_year_end": False},
        {"carrier_id": "C3", "carrier_type": "industrial_park", "uscc": "E6"},
    )  # fmt: skip
    ev = mk.events(
        {"event_kind": "graduation", "uscc": "E7", "event_date": dt.date(2023, 4, 1)},
        {"event_kind": "graduation", "uscc": "E7", "event_date": dt.date(2024, 4, 1),
         "attributed_carrier_id": "C1"},
        {"event_kind": "graduation", "uscc": "E8", "event_date": dt.date(2022, 4, 1)},
    )  # fmt: skip
    rec = mk.recognitions(
        {"carrier_id": "C1", "recognized_type": "incubator", "recognized_level": "provincial",
         "recognized_date": dt.date(2023, 3, 1)},
        {"carrier_id": "C1", "recognized_type": "incubator", "recognized_level": "national",
         "recognized_date": dt.date(2024, 3, 1)},
        {"carrier_id": "C4", "recognized_type": "maker_space", "recognized_level": "municipal",
         "recognized_date": dt.date(2024, 3, 1)},
        {"carrier_id": "C2", "recognized_type": "maker_space", "recognized_level": "national",
         "recognized_date": dt.date(2022, 3, 1)},
        {"carrier_id": "C2", "recognized_type": "listed_platform", "recognized_level": "provincial",
         "recognized_date": dt.date(2024, 3, 1)},
        {"carrier_id": "C3", "recognized_type": "filed_platform", "recognized_level": "municipal",
         "recognized_date": dt.date(2024, 3, 1)},
        {"carrier_id": "C4", "recognized_type": "filed_platform", "recognized_level": "municipal",
         "recognized_date": dt.date(2025, 1, 1)},
    )  # fmt: skip
    out = score_year(
        rulebook, 2024, mk.inputs(cars, ten, attributed_events=ev, carrier_recognitions=rec)
    )
    got = {r["target_code"]: r for r in out["targets_progress"].to_dicts()}
    actual = {code: r["actual_value"] for code, r in got.items()}
    assert actual == {
        "T1": 80000.0,
        "T2": 30000.0,
        "T3": 1.0,
        "T4": 1.0,
        "T5": 1.0,
        "T6": 2.0,
        "T7": 1.0,
        "T8": 1.0,
        "T9": 0.5,
    }
    assert got["T1"]["progress_ratio"] == pytest.approx(0.4)
    assert got["T6"]["progress_ratio"] == pytest.approx(2 / 340)
    assert got["T1"]["window_start"] == dt.date(2023, 1, 1)
    assert got["T1"]["window_end"] == dt.date(2024, 12, 31)
    assert "C1" in got["T1"]["basis_zh"] and "C3" not in got["T1"]["basis_zh"]


def test_t9_without_a_pool_has_no_ratio(mk, rulebook):
    out = score_year(rulebook, 2024, mk.inputs(mk.carriers({"carrier_id": "C1"})))
    t9 = out["targets_progress"].filter(pl.col("target_code") == "T9").row(0, named=True)
    assert t9["actual_value"] is None and "分母为零" in t9["basis_zh"]


# --- engine ----------------------------------------------------------------------------------


def test_outputs_have_the_declared_schemas_and_year(mk, rulebook):
    out = score_year(rulebook, 2024, mk.inputs(mk.carriers({"carrier_id": "C1"})))
    assert tuple(out) == (*RESULT_TABLES, "dq_issues")
    assert dict(out.pop("dq_issues").schema) == FINDING_COLUMNS
    for name, frame in out.items():
        assert dict(frame.schema) == OUTPUT_SCHEMAS[name], name
        assert frame["assessment_year"].drop_nulls().unique().to_list() in ([], [2024]), name


def test_only_the_year_is_scored(mk, rulebook):
    cars = mk.carriers({"carrier_id": "C1"}, {"carrier_id": "C0", "assessment_year": 2023})
    out = score_year(rulebook, 2024, mk.inputs(cars))
    assert out["carrier_scores"]["carrier_id"].to_list() == ["C1"]


def test_missing_input_column_is_a_clear_error(mk, rulebook):
    cars = mk.carriers({"carrier_id": "C1"}).drop("s4_raw")
    with pytest.raises(SchemaError, match="s4_raw"):
        score_year(rulebook, 2024, mk.inputs(cars))


def test_rulebook_year_must_match(mk, rulebook):
    with pytest.raises(ValueError, match="2025"):
        score_year(rulebook, 2025, mk.inputs(mk.carriers({"carrier_id": "C1"})))


def _district(mk, n_carriers: int, tenants_per: int, seed: int = 1) -> ScoringInputs:
    """A synthetic district: many carriers and tenants, values spread by a fixed seed."""
    import random

    rnd = random.Random(seed)
    types = ["incubator", "accelerator", "maker_space", "complex", "platform"]
    base = mk.carriers({"carrier_id": "X"})
    cars = base.sample(n_carriers, with_replacement=True, seed=0).with_columns(
        carrier_id=pl.format("C{}", pl.int_range(n_carriers).cast(pl.String).str.zfill(6)),
        carrier_type=pl.Series([types[i % 5] for i in range(n_carriers)]),
        has_tenant_rows=pl.Series([i % 97 != 0 for i in range(n_carriers)]),
        **{
            f"{c.lower()}_raw": pl.Series([rnd.random() * 20 for _ in range(n_carriers)])
            for c in INDICATOR_CODES
        },
    )
    tbase = mk.tenants({"carrier_id": "X", "uscc": "U"})
    n_t = n_carriers * tenants_per
    ten = tbase.sample(n_t, with_replacement=True, seed=0).with_columns(
        carrier_id=pl.format(
            "C{}", (pl.int_range(n_t) // tenants_per).cast(pl.String).str.zfill(6)
        ),
        uscc=pl.format("U{}", pl.int_range(n_t)),
        months_in_incubation=(pl.int_range(n_t) % 80).cast(pl.Int32),
        is_entered_in_year=pl.int_range(n_t) % 7 == 0,
        is_tech_enterprise=pl.int_range(n_t) % 3 == 0,
        attracted_by_town=pl.when(pl.int_range(n_t) % 11 == 0).then(pl.lit("乙镇")),
    )
    return mk.inputs(cars, ten)


def test_reruns_are_row_for_row_identical(mk, rulebook):
    inputs = _district(mk, 200, 5)
    first = score_year(rulebook, 2024, inputs)
    shuffled = ScoringInputs(
        carrier_year_indicators=inputs.carrier_year_indicators.sample(
            fraction=1.0, shuffle=True, seed=3
        ),
        tenant_year_facts=inputs.tenant_year_facts.sample(fraction=1.0, shuffle=True, seed=4),
    )
    second = score_year(rulebook, 2024, shuffled)
    for name in RESULT_TABLES:
        assert first[name].equals(second[name]), name


def test_national_scale_scores_every_carrier(mk, rulebook):
    inputs = _district(mk, 16_000, 50)  # 16,000 carriers, 800,000 tenant rows
    out = score_year(rulebook, 2024, inputs)
    assert out["carrier_scores"].height == 16_000
    assert out["score_details"].height == 16_000 * 16


# --- properties ------------------------------------------------------------------------------

raw_value = st.one_of(
    st.none(), st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False)
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.fixed_dictionaries({f"{c.lower()}_raw": raw_value for c in INDICATOR_CODES}),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["incubator", "maker_space", "industrial_park", "platform"]),
)
def test_property_points_within_max_and_totals_equal_details(mk, rulebook, raw_rows, ctype):
    rows = [{"carrier_id": f"C{i}", "carrier_type": ctype, **r} for i, r in enumerate(raw_rows)]
    out = score_year(rulebook, 2024, mk.inputs(mk.carriers(*rows)))
    det = out["score_details"]
    assert (det["points"] <= det["points_max"]).all()
    assert (det["points"] >= 0).all()
    # The total is the exact sum of the unrounded points (rules.md), recomputed here from each
    # detail's raw value and goalpost; the published points are that, to 6 places.
    from decimal import ROUND_HALF_UP
    from fractions import Fraction

    exact: dict[str, Fraction] = {}
    for row in det.iter_rows(named=True):
        points_max = Fraction(str(row["points_max"]))
        raw = row["raw_value"]
        if row["benchmark"] is None:  # bonus (the mart gives 0 or 1): earned at 1
            if raw not in (None, 0, 1):
                points = Fraction(str(row["points"]))  # not a value the mart can give
            else:
                points = points_max if raw == 1 else Fraction(0)
        elif raw is None or raw <= 0:
            points = Fraction(0)
        else:
            points = points_max * min(Fraction(repr(raw)) / Fraction(repr(row["benchmark"])), 1)
        exact[row["carrier_id"]] = exact.get(row["carrier_id"], Fraction(0)) + points
        published = Decimal(points.numerator) / Decimal(points.denominator)
        assert row["points"] == published.quantize(Decimal("0.000001"), ROUND_HALF_UP)
    for carrier_id, total in out["carrier_scores"].select("carrier_id", "total_score").iter_rows():
        expected = Decimal(exact[carrier_id].numerator) / Decimal(exact[carrier_id].denominator)
        assert total == expected.quantize(Decimal("0.01"), ROUND_HALF_UP), carrier_id
    assert (out["carrier_scores"]["total_score"] <= Decimal(105)).all()


money = st.decimals(min_value=0, max_value=100_000, places=4, allow_nan=False)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "renovation",
                    "rd_equipment",
                    "offshore_rent",
                    "service_revenue",
                    "platform_startup",
                ]
            ),
            money,
            st.one_of(st.none(), money),
            st.one_of(st.none(), st.integers(0, 4)),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda t: t[0],
    ),
    st.sampled_from(["offshore_center", "platform", "incubator"]),
)
def test_property_no_amount_above_its_cap(mk, rulebook, claim_rows, ctype):
    cl = mk.claims(
        *(
            {"carrier_id": "C1", "claim_kind": k, "amount_audited_wan": a,
             "amount_previous_wan": p, "rent_year_index": i}
            for k, a, p, i in claim_rows
        )
    )  # fmt: skip
    rec = mk.recognitions(
        {"carrier_id": "C1", "recognized_type": "incubator", "recognized_level": "national",
         "recognized_date": dt.date(2024, 1, 2)}
    )  # fmt: skip
    cars = mk.carriers({"carrier_id": "C1", "carrier_type": ctype})
    out = score_year(rulebook, 2024, mk.inputs(cars, subsidy_claims=cl, carrier_recognitions=rec))
    rw = out["rewards"]
    capped = rw.filter(pl.col("cap").is_not_null())
    assert (capped["amount"] <= capped["cap"]).all()
    assert (rw["amount"] <= rw["amount_before_cap"]).all()
    assert (rw["amount"] >= 0).all()
