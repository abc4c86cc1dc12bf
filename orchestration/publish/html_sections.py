"""The HTML report's list sections: actions and clear-out, rewards, targets, data quality and
the row counts. Each returns the keys its part of the template reads."""

from __future__ import annotations

from typing import Any

import polars as pl

from orchestration.audit.dq_carriers import count_line as dq_count_line
from orchestration.publish.formatting import TARGET_VALUE_KINDS, as_number, as_text, display
from orchestration.publish.html_tables import html_rows, top
from orchestration.publish.office_summary import column_sum, names_frame, office_dq
from orchestration.publish.office_tables import CONTRACT_COLUMNS

ROW_COUNTS = ("rows_read", "rows_kept", "rows_rejected", "rows_duplicate")


def with_names(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """The carrier's name beside its id (a list that has no rows keeps its columns)."""
    if "carrier_name" in frame.columns or frame.is_empty():
        return frame
    joined = frame.with_columns(pl.col("carrier_id").cast(pl.String)).join(
        names_frame(names), on="carrier_id", how="left"
    )
    cols = list(frame.columns)
    cols.insert(cols.index("carrier_id") + 1, "carrier_name")
    return joined.select(cols)


def action_sections(t: dict[str, pl.DataFrame], names: dict[str, str], top_n: int) -> dict:
    """处置, 整改跟踪 and 清退建议."""
    actions, actions_note = top(with_names(t["carrier_actions"], names), top_n)
    clearout_all = with_names(t["tenant_clearout"], names)
    clearout, clearout_note = top(clearout_all, top_n)
    return {
        "actions": html_rows("carrier_actions", actions),
        "actions_note": actions_note,
        "rectifications": html_rows(
            "rectifications", top(with_names(t["rectifications"], names), top_n)[0]
        ),
        "clearout": html_rows("tenant_clearout", clearout),
        "clearout_note": clearout_note,
        "clearout_total": clearout_all.height,
    }


def reward_sections(rewards: pl.DataFrame, names: dict[str, str], top_n: int) -> dict:
    """奖补: totals per rule, per payee, and the lines."""
    amount = pl.col("amount").cast(pl.Float64)
    before = pl.col("amount_before_cap").cast(pl.Float64)
    keys = [c for c in ("rule_code", "rule_name_zh", "article") if c in rewards.columns]
    by_rule = (
        rewards.group_by(keys)
        .agg(
            pl.len().alias("line_count"),
            before.sum().alias("amount_before_cap"),
            amount.sum().alias("amount"),
        )
        .sort(keys, nulls_last=True)
    )
    payee = ["payee_kind", "payee_name", "payee_uscc"]
    by_payee, by_payee_note = top(
        rewards.group_by(payee)
        .agg(pl.len().alias("line_count"), amount.sum().alias("amount"))
        .sort(
            ["amount", "payee_name", "payee_kind", "payee_uscc"],
            descending=[True, False, False, False],
            nulls_last=True,
        ),
        top_n,
    )
    lines, lines_note = top(
        with_names(rewards, names).sort(
            ["rule_code", "carrier_id"], nulls_last=True, maintain_order=True
        ),
        top_n,
    )
    return {
        "rewards_total": f"{column_sum(rewards, 'amount'):,.2f}",
        "rewards_before_cap": f"{column_sum(rewards, 'amount_before_cap'):,.2f}",
        "rewards_count": rewards.height,
        "by_rule": html_rows(
            "rewards", by_rule, [*keys, "line_count", "amount_before_cap", "amount"]
        ),
        "by_payee": html_rows("rewards", by_payee, [*payee, "line_count", "amount"]),
        "by_payee_note": by_payee_note,
        "reward_lines": html_rows("rewards", lines),
        "rewards_note": lines_note,
    }


def dq_sections(dq: pl.DataFrame, names: dict[str, str], top_n: int) -> dict:
    """数据质量: counts per dataset and per check, then the findings, errors first."""
    by_dataset = (
        dq.group_by("dataset")
        .agg(
            (pl.col("severity") == "error").sum().cast(pl.Int64).alias("error_count"),
            (pl.col("severity") == "warning").sum().cast(pl.Int64).alias("warning_count"),
            pl.len().alias("row_count"),
        )
        .sort("dataset", nulls_last=True)
    )
    by_check = (
        dq.group_by(["dataset", "severity", "check_name"])
        .agg(pl.len().alias("row_count"))
        .sort(
            ["dataset", "severity", "row_count", "check_name"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
    )
    listed, note = top(
        office_dq(dq, names_frame(names))
        .with_columns((pl.col("severity") != "error").alias("__sev"))
        .sort(
            ["__sev", "dataset", "source_file", "source_row"], nulls_last=True, maintain_order=True
        )
        .drop("__sev"),
        top_n,
    )
    return {
        "dq_by_dataset": html_rows(
            "dq_issues", by_dataset, ["dataset", "error_count", "warning_count", "row_count"]
        ),
        "dq_by_check": html_rows(
            "dq_issues", by_check, ["dataset", "severity", "check_name", "row_count"]
        ),
        "dq_list": html_rows("dq_issues", listed),
        "dq_note": note,
        "dq_total": dq.height,
        "dq_count_line": dq_count_line(dq),
    }


def count_sections(counts: pl.DataFrame, top_n: int) -> dict:
    """数据集行数: rows read, kept, rejected and duplicate per file, and whether they add up."""
    frame = counts.with_columns(
        (
            pl.col("rows_read")
            == pl.col("rows_kept") + pl.col("rows_rejected") + pl.col("rows_duplicate")
        ).alias("is_balanced")
    )
    shown, note = top(frame, top_n)
    return {
        "counts": html_rows(
            "dataset_counts", shown, [*CONTRACT_COLUMNS["dataset_counts"], "is_balanced"]
        ),
        "counts_note": note,
        "counts_totals": {c: int(frame.get_column(c).sum() or 0) for c in ROW_COUNTS},
        "unbalanced": frame.filter(~pl.col("is_balanced").fill_null(False)).height,
    }


def targets(progress: pl.DataFrame) -> list[dict[str, Any]]:
    """目标进度: each target with its progress bar (240 wide at 100 %)."""
    out = []
    for record in progress.sort("target_code", maintain_order=True).iter_rows(named=True):
        ratio = as_number(record["progress_ratio"])
        kind = TARGET_VALUE_KINDS.get(str(record["target_code"]), "number")
        fill = 0.0 if ratio is None else max(0.0, min(float(ratio), 1.0))
        out.append(
            {
                "code": as_text(record["target_code"]),
                "name": as_text(record["target_zh"]),
                "target": display("target_value", record["target_value"], kind),
                "actual": display("actual_value", record["actual_value"], kind),
                "ratio": display("progress_ratio", record["progress_ratio"], "ratio"),
                "fill": round(fill * 240, 1),
                "done": ratio is not None and ratio >= 1,
            }
        )
    return out
