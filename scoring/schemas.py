"""The frames scoring reads (the Layer 4 marts of docs/architecture.md) and the tables it
returns: the input schemas here, the output schemas from the one result contract
(scoring/results_contract.yaml), so that publish, reports and tests rely on the same columns and
types.
"""

from __future__ import annotations

import polars as pl

from scoring.adjustments import ADJUSTMENT_INPUT
from scoring.indicators import INDICATOR_CODES
from scoring.results_contract import table_schema, tables_made_by

MONEY = pl.Decimal(18, 4)
"""Amounts in 万元 as the marts hold them and as the result tables publish them."""
EXACT = pl.Decimal(38, 18)
"""Working precision for points and amounts; rounded only when a table is returned."""
POINTS = pl.Decimal(18, 6)
"""Indicator points as published (the exact sum, rounded half-up, is the total)."""
SCORE = pl.Decimal(6, 2)

S, I32, I64, F, B, D = pl.String, pl.Int32, pl.Int64, pl.Float64, pl.Boolean, pl.Date

INPUT_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "carrier_year_indicators": {
        "assessment_year": I32,
        "carrier_id": S,
        "carrier_name": S,
        "carrier_type": S,
        "level": S,
        "level_date": D,
        "town": S,
        "operator_name": S,
        "operator_uscc": S,
        "operator_kind": S,
        "total_area_m2": F,
        "incubation_area_m2": F,
        "established_date": D,
        "seed_fund": B,
        "seed_fund_amount_wan": MONEY,
        "service_staff": I32,
        "has_tenant_rows": B,
        "tenant_set_count": I64,
        "incubating_year_end_count": I64,
        "financing_total_wan": MONEY,
        "financed_tenant_count": I64,
        "tech_recruited_count": I64,
        "first_high_tech_count": I64,
        "tech_sme_registered_count": I64,
        "graduation_count": I64,
        "invention_grant_count": I64,
        "patent_grant_count": I64,
        "talents_sum": I64,
        "rd_expense_sum_wan": MONEY,
        "revenue_sum_wan": MONEY,
        "tax_paid_sum_wan": MONEY,
        "occupied_area_incubating_m2": F,
        "has_grade_a_evaluation": B,
        "landed_graduation_count": I64,
        **{f"{code.lower()}_raw": F for code in INDICATOR_CODES},
    },
    "tenant_year_facts": {
        "assessment_year": I32,
        "carrier_id": S,
        "carrier_type": S,
        "carrier_town": S,
        "uscc": S,
        "enterprise_name": S,
        "entry_date": D,
        "exit_date": D,
        "tenant_status": S,
        "industry": S,
        "tech_sme_reg_no": S,
        "tech_sme_reg_date": D,
        "revenue_wan": MONEY,
        "rd_expense_wan": MONEY,
        "tax_paid_wan": MONEY,
        "employees": I32,
        "talents": I32,
        "attracted_by_town": S,
        "tech_recruit_certified": B,
        "occupied_area_m2": F,
        "is_in_tenant_set": B,
        "is_incubating_at_year_end": B,
        "is_entered_in_year": B,
        "is_tech_enterprise": B,
        "is_tech_sme_registered_in_year": B,
        "months_in_incubation": I32,
        "is_rd_expense_zero_or_missing": B,
    },
    "enterprise_activity": {
        "uscc": S,
        "activity_kind": S,
        "activity_key": S,
        "activity_year": I32,
    },
    "attributed_events": {
        "event_year": I32,
        "event_kind": S,
        "event_key": S,
        "uscc": S,
        "enterprise_name": S,
        "event_date": D,
        "reported_by": S,
        "attributed_carrier_id": S,
        "attribution_status": S,
        "amount_wan": MONEY,
        "patent_type": S,
        "certificate_no": S,
        "cert_kind": S,
        "is_first_certificate": B,
        "graduation_basis": S,
        "landed_in_district": B,
        "award_level": S,
        "award_rank": I32,
        "competition": S,
        "source_row_ids": S,
    },
    "subsidy_claims": {
        "assessment_year": I32,
        "carrier_id": S,
        "claim_kind": S,
        "claimant_name": S,
        "claimant_uscc": S,
        "amount_audited_wan": MONEY,
        "amount_previous_wan": MONEY,
        "rent_year_index": I32,
        "note": S,
        "_row_id": S,
    },
    "carrier_recognitions": {
        "assessment_year": I32,
        "carrier_id": S,
        "recognized_type": S,
        "recognized_level": S,
        "recognized_date": D,
        "document_no": S,
        "holder_name": S,
        "holder_uscc": S,
        "holder_kind": S,
        "_row_id": S,
    },
    "carrier_evaluations": {
        "assessment_year": I32,
        "carrier_id": S,
        "evaluation_level": S,
        "evaluation_year": I32,
        "grade": S,
    },
    "grade_history": {
        "assessment_year": I32,
        "carrier_id": S,
        "grade": S,
        "total_score": SCORE,
        "rank_in_type": I32,
    },
    "adjustments": ADJUSTMENT_INPUT,
}

RESULT_TABLES = tables_made_by("scoring")
"""The tables `score_year` returns (the contract's `made_by: scoring`), in the contract's order."""

OUTPUT_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    name: table_schema(name) for name in RESULT_TABLES
}
"""Each scoring result table's columns and types, from scoring/results_contract.yaml (without
`run_id`, which publishing adds)."""

OUTPUT_KEYS: dict[str, tuple[str, ...]] = {
    "carrier_scores": ("carrier_id",),
    "score_details": ("carrier_id", "indicator_order"),
    "carrier_actions": ("carrier_id",),
    "rectifications": ("carrier_id", "ordered_year"),
    "tenant_clearout": ("carrier_id", "uscc"),
    "rewards": ("rule_code", "carrier_id", "payee_uscc", "payee_name", "basis_zh"),
    "town_tasks": ("town",),
    "targets_progress": ("target_code",),
    "grade_robustness": ("carrier_id",),
    "reward_budget": ("scope",),  # R01 … R10, then total
    "adjustments": (),
}
"""The sort order of each table: reruns give the same rows in the same order."""


class SchemaError(ValueError):
    """An input frame lacks a column scoring needs or holds an unusable type."""


def conform_input(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The mart frame with exactly the columns scoring reads, cast to their working types.

    Integer widths and decimal precisions differ between DuckDB and hand-built test frames;
    casting here keeps every rule free of type juggling. A missing column is an error.
    """
    schema = INPUT_SCHEMAS[name]
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise SchemaError(f"输入表缺少列 / input {name} lacks columns: {', '.join(missing)}")
    return frame.select(
        pl.col(col).cast(EXACT if dtype == MONEY else dtype) for col, dtype in schema.items()
    )


def empty_input(name: str) -> pl.DataFrame:
    """An empty frame of a mart's shape (for a year without, say, any claims)."""
    return pl.DataFrame(schema=INPUT_SCHEMAS[name])


def conform_output(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The result table in its published column order and types, sorted by its keys."""
    schema = OUTPUT_SCHEMAS[name]

    def column(col: str, dtype: pl.DataType) -> pl.Expr:
        expr = pl.col(col)
        if isinstance(dtype, pl.Decimal):  # a plain cast truncates; amounts round half-up
            expr = expr.cast(EXACT).round(dtype.scale, mode="half_away_from_zero")
        return expr.cast(dtype)

    out = frame.select(column(col, dtype) for col, dtype in schema.items())
    keys = list(OUTPUT_KEYS[name])
    return out.sort(keys, nulls_last=True) if keys else out  # adjustments: the file's order
