"""The result tables the office files read: which tables, which columns they need, and the
year's rows of each, checked before anything is written."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from orchestration.publish import decision, receipt

RESULT_TABLES: tuple[str, ...] = (
    "carrier_scores",
    "score_details",
    "carrier_actions",
    "rectifications",
    "tenant_clearout",
    "rewards",
    "town_tasks",
    "targets_progress",
    "grade_robustness",
    "reward_budget",
    "dq_issues",
    "dataset_counts",
    "runs",
)

CONTRACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "carrier_scores": (
        "carrier_id",
        "carrier_name",
        "carrier_type",
        "total_score",
        "grade",
        "rank_in_type",
        "veto_reason",
    ),
    "score_details": (
        "carrier_id",
        "indicator_code",
        "indicator_name_zh",
        "raw_value",
        "benchmark",
        "points_max",
        "points",
    ),
    "carrier_actions": ("carrier_id", "action", "reasons_zh"),
    "rectifications": receipt.RECTIFICATION_COLUMNS,
    "tenant_clearout": (
        "carrier_id",
        "uscc",
        "enterprise_name",
        "months_in_incubation",
        "reason_codes",
        "reasons_zh",
    ),
    "rewards": (
        "rule_code",
        "payee_kind",
        "payee_name",
        "payee_uscc",
        "carrier_id",
        "basis_zh",
        "amount_before_cap",
        "cap",
        "amount",
        "amount_before_budget",
        "budget_factor",
        "departments_zh",
    ),
    "town_tasks": (
        "town",
        "tech_enterprises_attracted",
        "tech_sme_registered",
        "high_tech_cultivated",
    ),
    "targets_progress": (
        "target_code",
        "target_zh",
        "target_value",
        "actual_value",
        "progress_ratio",
    ),
    "grade_robustness": (
        "carrier_id",
        "grade",
        "p_a",
        "p_b",
        "p_c",
        "p_d",
        "p_same",
        "borderline",
    ),
    "reward_budget": ("scope", "budget", "claimed", "paid", "factor"),
    "dq_issues": (
        "dataset",
        "source_file",
        "sheet",
        "source_row",
        "column_name",
        "check_name",
        "severity",
        "value_as_written",
        "message",
    ),
    "dataset_counts": (
        "dataset",
        "source_file",
        "rows_read",
        "rows_kept",
        "rows_rejected",
        "rows_duplicate",
    ),
    "runs": (
        "run_id",
        "assessment_year",
        "started_at",
        "finished_at",
        "status",
        "inputs_sha256",
        "rules_sha256",
        "code_version",
    ),
}
"""The columns the contract guarantees per table (shared/contract/README.md)."""


def prepare(tables: Mapping[str, pl.DataFrame], year: int) -> dict[str, pl.DataFrame]:
    """Check the contract's tables and columns are there and keep the rows of `year`."""
    tables = decision.complete(tables)
    missing_tables = [t for t in RESULT_TABLES if t not in tables]
    if missing_tables:
        raise ValueError(f"报告缺少结果表 / missing result tables: {', '.join(missing_tables)}")
    out: dict[str, pl.DataFrame] = {}
    for table in RESULT_TABLES:
        frame = tables[table]
        missing = [c for c in CONTRACT_COLUMNS[table] if c not in frame.columns]
        if missing:
            raise ValueError(
                f"结果表 {table} 缺少列 / table {table} lacks columns: {', '.join(missing)}"
            )
        if "assessment_year" in frame.columns:
            frame = frame.filter(pl.col("assessment_year") == year)
        out[table] = frame
    return out
