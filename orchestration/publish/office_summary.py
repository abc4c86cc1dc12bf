"""What both office files say about a year before its lists: the summary facts, the grade
counts, the carriers in the office's order and the carrier names beside ids."""

from __future__ import annotations

from typing import Any

import polars as pl

from orchestration.audit.dq_carriers import COUNT_RULE_EN, COUNT_RULE_ZH, collapse_warnings
from orchestration.audit.dq_carriers import counts as dq_counts
from orchestration.publish import history_note, receipt
from orchestration.publish.labels import VALUE_LABELS, value_label

CARRIER_TYPE_ORDER = tuple(VALUE_LABELS["carrier_type"])
GRADES = ("A", "B", "C", "D")


def latest_run(runs: pl.DataFrame) -> dict[str, Any]:
    if runs.is_empty():
        return {}
    if "started_at" in runs.columns:
        runs = runs.sort("started_at", nulls_last=False, maintain_order=True)
    return runs.row(runs.height - 1, named=True)


def column_sum(frame: pl.DataFrame, column: str) -> float:
    if frame.is_empty() or column not in frame.columns:
        return 0.0
    total = frame.get_column(column).cast(pl.Float64).sum()
    return float(total or 0.0)


def grade_counts(scores: pl.DataFrame) -> dict[str, int]:
    counts = {g: 0 for g in GRADES}
    for grade, n in scores.group_by("grade").len().iter_rows():
        counts[str(grade)] = counts.get(str(grade), 0) + int(n)
    return counts


def type_sort_key(carrier_type: Any) -> tuple[int, str]:
    text = str(carrier_type)
    order = (
        CARRIER_TYPE_ORDER.index(text) if text in CARRIER_TYPE_ORDER else len(CARRIER_TYPE_ORDER)
    )
    return (order, text)


def ordered_scores(scores: pl.DataFrame) -> pl.DataFrame:
    """Carriers by type (the contract's order), then rank, then id."""
    if scores.is_empty():
        return scores
    order = {t: i for i, t in enumerate(CARRIER_TYPE_ORDER)}
    return (
        scores.with_columns(
            pl.col("carrier_type")
            .cast(pl.String)
            .replace_strict(order, default=len(order), return_dtype=pl.Int32)
            .alias("__type_order")
        )
        .sort(
            ["__type_order", "carrier_type", "rank_in_type", "carrier_id"],
            nulls_last=True,
            maintain_order=True,
        )
        .drop("__type_order")
    )


def summary_facts(t: dict[str, pl.DataFrame], year: int) -> list[tuple[str, str, Any, str]]:
    """(Chinese label, English label, value, kind) rows of the summary, for both outputs."""
    scores = t["carrier_scores"]
    run = latest_run(t["runs"])
    grades = grade_counts(scores)
    errors, warnings = dq_counts(t["dq_issues"])
    facts: list[tuple[str, str, Any, str]] = [
        ("评价年度", "assessment year", year, "int"),
        ("运行编号", "run id", run.get("run_id"), "text"),
        ("运行状态", "run status", value_label("status", run.get("status")), "text"),
        ("开始时间", "started at", run.get("started_at"), "datetime"),
        ("结束时间", "finished at", run.get("finished_at"), "datetime"),
        ("参评载体数", "carriers assessed", scores.height, "int"),
    ]
    facts += [(f"{g} 等级载体数", f"grade {g}", grades.get(g, 0), "int") for g in GRADES]
    facts += [
        ("处置载体数", "carriers with an action", t["carrier_actions"].height, "int"),
        *receipt.summary_facts(t["rectifications"]),
        ("建议清退企业数", "tenants recommended for clear-out", t["tenant_clearout"].height, "int"),
        ("奖补条目数", "reward lines", t["rewards"].height, "int"),
        (
            "奖补总额（万元）",
            "total reward amount (10k CNY)",
            column_sum(t["rewards"], "amount"),
            "money",
        ),
        ("数据质量错误数", "data-quality errors", errors, "int"),
        ("数据质量警告数", "data-quality warnings", warnings, "int"),
        ("计数口径", "how they are counted", f"{COUNT_RULE_ZH} / {COUNT_RULE_EN}", "text"),
    ]
    facts += history_note.facts(run, year)
    return facts


def names_frame(names: dict[str, str]) -> pl.DataFrame:
    """carrier_id → carrier_name as a frame to join on."""
    return pl.DataFrame(
        {"carrier_id": list(names), "carrier_name": list(names.values())},
        schema={"carrier_id": pl.String, "carrier_name": pl.String},
    )


def with_carrier_names(frame: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """The carrier's name beside its id, on every list that names a carrier by id."""
    if "carrier_id" not in frame.columns or "carrier_name" in frame.columns:
        return frame
    joined = frame.with_columns(pl.col("carrier_id").cast(pl.String)).join(
        names.unique("carrier_id", keep="first"), on="carrier_id", how="left"
    )
    cols = list(frame.columns)
    cols.insert(cols.index("carrier_id") + 1, "carrier_name")
    return joined.select(cols)


def office_dq(dq: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """The data-quality list as the office reads it: carrier names, repeated warnings of one
    kind for one carrier on one line with their count (`results.dq_issues` keeps every row)."""
    return with_carrier_names(collapse_warnings(dq), names)
