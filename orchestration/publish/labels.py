"""The office's words: column headers, sheet names and the labels of codes.

The workbook, the HTML report, the details workbook and the whatif files read one mapping of
column names to Chinese labels, so the office sees the same words everywhere. A column outside
`COLUMN_LABELS` is not shown in the office files (it is still in the Parquet file).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl

from orchestration.contract import datasets
from orchestration.publish import receipt
from scoring.results_contract import check_label, result_contract

TABLE_LABELS: dict[str, str] = {
    "carrier_scores": "载体评分",
    "score_details": "指标得分",
    "carrier_actions": "载体处置",
    "rectifications": "整改跟踪",
    "tenant_clearout": "清退建议",
    "rewards": "奖补清单",
    "town_tasks": "镇（园区）任务",
    "targets_progress": "目标进度",
    "grade_robustness": "等级稳健性",
    "reward_budget": "奖补预算",
    "dq_issues": "数据质量问题",
    "dataset_counts": "数据集行数",
    "runs": "运行记录",
}
"""Sheet names (Chinese, at most 31 characters, none of []:*?/\\)."""

COLUMN_LABELS: dict[str, str] = {
    # every table
    "assessment_year": "评价年度",
    "run_id": "运行编号",
    # carriers
    "carrier_id": "载体编号",
    "carrier_name": "载体名称",
    "carrier_type": "载体类型",
    "level": "认定级别",
    "town": "镇（园区）",
    "operator_name": "运营主体",
    "operator_kind": "运营方式",
    "total_score": "总分",
    "grade": "等级",
    "grade_before_cap": "限额前等级",
    "rank_in_type": "类型内排名",
    "veto_reason": "否决原因",
    # score details
    "dimension": "维度",
    "indicator_code": "指标代码",
    "indicator_name_zh": "指标名称",
    "raw_value": "原始值",
    "benchmark": "满分基准",
    "points_max": "满分",
    "points": "得分",
    "note_zh": "说明",
    # actions and clear-out
    "action": "处置措施",
    "reasons_zh": "原因",
    "uscc": "统一社会信用代码",
    "enterprise_name": "企业名称",
    "industry": "所属行业",
    "tenant_status": "企业状态",
    "action_zh": "处置措施（中文）",
    "entry_date": "入孵日期",
    "months_in_incubation": "在孵月数",
    "reason_codes": "原因代码",
    # rewards
    "rule_code": "奖补规则",
    "rule_name_zh": "规则名称",
    "article": "政策条款",
    "payee_kind": "收款方类型",
    "payee_name": "收款方",
    "payee_uscc": "收款方统一社会信用代码",
    "basis_zh": "依据",
    "amount_before_cap": "封顶前金额（万元）",
    "cap": "封顶额（万元）",
    "amount": "奖补金额（万元）",
    "needs_review": "需复核",
    "adjustment_ids": "调整编号",
    "amount_before_budget": "预算前金额（万元）",
    "budget_factor": "预算系数",
    "departments_zh": "责任部门",
    # robustness and the budget (orchestration/publish/decision.py)
    "p_a": "A等概率",
    "p_b": "B等概率",
    "p_c": "C等概率",
    "p_d": "D等概率",
    "p_same": "维持本等级概率",
    "borderline": "临界",
    "scope": "预算范围",
    "budget": "预算（万元）",
    "claimed": "应付金额（万元）",
    "paid": "实付金额（万元）",
    "factor": "调整系数",
    "department_zh": "责任部门",
    # town tasks and targets
    "tech_enterprises_attracted": "招引科技型企业数",
    "tech_sme_registered": "入库科技型中小企业数",
    "high_tech_cultivated": "首次认定高新技术企业数",
    "target_code": "目标代码",
    "target_zh": "目标",
    "target_value": "目标值",
    "actual_value": "实际值",
    "progress_ratio": "完成进度",
    # data quality
    "dataset": "数据集",
    "source_file": "来源文件",
    "sheet": "工作表",
    "source_row": "行号",
    "column_name": "列名",
    "check_name": "检查项",
    "severity": "严重程度",
    "value_as_written": "原值",
    "message": "说明（中文 / English）",
    "finding_count": "问题条数",
    "rows_read": "读取行数",
    "rows_kept": "保留行数",
    "rows_rejected": "拒收行数",
    "rows_duplicate": "重复行数",
    "is_balanced": "行数守恒",
    # runs
    "started_at": "开始时间",
    "finished_at": "结束时间",
    "status": "状态",
    "inputs_sha256": "输入文件摘要（SHA-256）",
    "rules_sha256": "规则文件摘要（SHA-256）",
    "code_version": "代码版本",
    "message_zh": "说明",
    # summaries written by this module
    "row_count": "行数",
    "error_count": "错误数",
    "warning_count": "警告数",
    "carrier_count": "载体数",
    "line_count": "条数",
    **receipt.COLUMN_LABELS,
}
"""Column name → Chinese label, for the workbook and the HTML report alike.

A column outside this mapping is not shown (it is still in the Parquet file)."""

VALUE_LABELS: dict[str, dict[str, str]] = {
    column: {code: label.zh for code, label in labels.items()}
    for column, labels in result_contract().codes.items()
    if column not in ("grade", "check_name")
}
"""Canonical codes → the words the office uses. Unknown codes are shown as they are."""


def column_label(name: str) -> str | None:
    """The Chinese label of a column, or None when the column is not shown."""
    return COLUMN_LABELS.get(name)


@cache
def _dataset_labels() -> dict[str, str]:
    return {name: ds.sheet_zh for name, ds in datasets().items()}


@cache
def _report_column_labels() -> dict[str, str]:
    """A report column's key → its Chinese header (the first dataset that has it)."""
    labels: dict[str, str] = {}
    for ds in datasets().values():
        for col in ds.columns:
            labels.setdefault(col.name, col.zh)
    return labels


def value_label(column: str, value: Any) -> Any:
    """The office's word for a code (enum values, datasets, report columns, checks, lists of
    action codes); any other value unchanged. The keys stay in the dictionary sheet."""
    if not isinstance(value, str):
        return value
    if column == "dataset":
        return _dataset_labels().get(value, value)
    if column == "column_name":
        return _report_column_labels().get(value, value)
    if column == "check_name":
        return check_label(value).zh
    if column == "reason_codes":
        return "、".join(VALUE_LABELS["action"].get(part, part) for part in value.split(","))
    labels = VALUE_LABELS.get(column)
    if labels is None:
        return value
    return labels.get(value, value)


def shown_columns(table: str, frame: pl.DataFrame) -> list[str]:
    """The columns shown for a table: those with a label, in the frame's order, with the
    bookkeeping columns (`assessment_year`, `run_id`) last."""
    cols = [c for c in frame.columns if c in COLUMN_LABELS]
    tail = [c for c in ("assessment_year", "run_id") if c in cols and table != "runs"]
    return [c for c in cols if c not in tail] + tail
