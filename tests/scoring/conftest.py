"""Tiny mart frames for the scoring tests, with exactly the marts' column names and types.

Each builder fills every column of its mart (schemas.INPUT_SCHEMAS) with a neutral default and
takes the few values a test cares about, so a test reads as the rule it checks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import polars as pl
import pytest

from scoring.engine import ScoringInputs
from scoring.rulebook import INDICATOR_CODES, load_rulebook
from scoring.schemas import INPUT_SCHEMAS, MONEY

YEAR = 2024

_CARRIER_DEFAULTS = {
    "assessment_year": YEAR,
    "carrier_name": "测试载体",
    "carrier_type": "incubator",
    "level": "none",
    "level_date": None,
    "town": "甲镇",
    "operator_name": "运营公司",
    "operator_uscc": "91320000OPERATOR1",
    "operator_kind": "private",
    "total_area_m2": 10000.0,
    "incubation_area_m2": 8000.0,
    "established_date": dt.date(2018, 1, 1),
    "seed_fund": False,
    "has_tenant_rows": True,
    "tenant_set_count": 10,
    "incubating_year_end_count": 10,
    "financing_total_wan": 0,
    "financed_tenant_count": 0,
    "tech_recruited_count": 0,
    "first_high_tech_count": 0,
    "tech_sme_registered_count": 0,
    "graduation_count": 0,
    "invention_grant_count": 0,
    "patent_grant_count": 0,
    "talents_sum": 0,
    "rd_expense_sum_wan": 0,
    "revenue_sum_wan": 100,
    "tax_paid_sum_wan": 0,
    "occupied_area_incubating_m2": 0.0,
    "has_grade_a_evaluation": False,
    "landed_graduation_count": 0,
    **{f"{code.lower()}_raw": 0.0 for code in INDICATOR_CODES},
}

_TENANT_DEFAULTS = {
    "assessment_year": YEAR,
    "carrier_type": "incubator",
    "carrier_town": "甲镇",
    "enterprise_name": "企业",
    "entry_date": dt.date(2023, 3, 1),
    "exit_date": None,
    "tenant_status": "incubating",
    "industry": "软件",
    "is_in_tenant_set": True,
    "is_incubating_at_year_end": True,
    "is_entered_in_year": False,
    "is_tech_enterprise": False,
    "is_tech_sme_registered_in_year": False,
    "months_in_incubation": 21,
    "is_rd_expense_zero_or_missing": False,
}


def frame(name: str, rows: list[dict], defaults: dict | None = None) -> pl.DataFrame:
    """A frame of mart `name`: every column present, unspecified values from defaults or NULL."""
    schema = INPUT_SCHEMAS[name]
    filled = []
    for row in rows:
        unknown = set(row) - set(schema)
        assert not unknown, f"{name} has no columns {unknown}"
        full = {col: (defaults or {}).get(col) for col in schema}
        full.update(row)
        for col, dtype in schema.items():
            if dtype == MONEY and full[col] is not None:
                full[col] = Decimal(str(full[col]))
        filled.append(full)
    return (
        pl.DataFrame(filled, schema=schema, orient="row") if filled else pl.DataFrame(schema=schema)
    )


def carriers(*rows: dict) -> pl.DataFrame:
    return frame("carrier_year_indicators", list(rows), _CARRIER_DEFAULTS)


def tenants(*rows: dict) -> pl.DataFrame:
    return frame("tenant_year_facts", list(rows), _TENANT_DEFAULTS)


def activity(*rows: tuple[str, str, str, int]) -> pl.DataFrame:
    """marts.enterprise_activity rows: (uscc, activity_kind, activity_key, activity_year)."""
    keys = ("uscc", "activity_kind", "activity_key", "activity_year")
    return frame("enterprise_activity", [dict(zip(keys, row, strict=True)) for row in rows])


def events(*rows: dict) -> pl.DataFrame:
    defaults = {"event_year": YEAR, "attribution_status": "single", "enterprise_name": "企业"}
    out = []
    for row in rows:
        row = dict(row)
        if "event_date" in row and "event_year" not in row:
            row["event_year"] = row["event_date"].year
        row.setdefault(
            "event_key", f"{row.get('event_kind')}:{row.get('uscc')}:{row.get('event_date')}"
        )
        out.append(row)
    return frame("attributed_events", out, defaults)


def claims(*rows: dict) -> pl.DataFrame:
    defaults = {"assessment_year": YEAR, "claimant_name": "申报单位", "claimant_uscc": "CLAIMANT"}
    return frame("subsidy_claims", list(rows), defaults)


def recognitions(*rows: dict) -> pl.DataFrame:
    defaults = {"assessment_year": YEAR, "holder_kind": "operator"}
    return frame("carrier_recognitions", list(rows), defaults)


def evaluations(*rows: dict) -> pl.DataFrame:
    return frame("carrier_evaluations", list(rows), {"assessment_year": YEAR})


def history(*rows: tuple[int, str, str]) -> pl.DataFrame:
    return frame(
        "grade_history",
        [{"assessment_year": y, "carrier_id": c, "grade": g} for y, c, g in rows],
    )


def inputs(
    carrier_rows: pl.DataFrame, tenant_rows: pl.DataFrame | None = None, **more
) -> ScoringInputs:
    return ScoringInputs(
        carrier_year_indicators=carrier_rows,
        tenant_year_facts=tenant_rows if tenant_rows is not None else tenants(),
        **more,
    )


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook(YEAR)


@pytest.fixture(scope="session")
def mk() -> SimpleNamespace:
    """The builders above (conftest modules cannot be imported under importlib mode)."""
    return SimpleNamespace(
        YEAR=YEAR,
        frame=frame,
        carriers=carriers,
        tenants=tenants,
        events=events,
        activity=activity,
        claims=claims,
        recognitions=recognitions,
        evaluations=evaluations,
        history=history,
        inputs=inputs,
    )
