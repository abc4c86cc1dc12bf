"""The office's files for one assessment year: the Chinese workbook and the HTML report.

Both read the published result tables (the contract's ten tables as polars frames) and share one
mapping of column names to Chinese labels, so the office sees the same words in both. Neither
file evaluates anything it is given: workbook text is written as text (never a formula), and
every HTML value is escaped by Jinja2's autoescape.

Large years: xlsx writing is the slowest step of the batch (STACK.md), so a table of more than
`LARGE_TABLE_ROWS` rows gets a summary, a preview and a note pointing to its Parquet file; the
HTML report lists the first `top_n` rows of long lists with a note.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import secrets
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.audit.dq_carriers import COUNT_RULE_EN, COUNT_RULE_ZH
from orchestration.audit.dq_carriers import count_line as dq_count_line
from orchestration.audit.dq_carriers import counts as dq_counts
from orchestration.contract import datasets
from orchestration.publish import adjustments as reports_adjustments
from orchestration.publish import history_note, receipt
from orchestration.publish import workbook_office as office
from scoring.results_contract import result_contract

LARGE_TABLE_ROWS = 50_000
"""Above this many rows a table's sheet holds a summary and a pointer to the Parquet file."""

PREVIEW_ROWS = 1_000
"""Rows of a large table shown in its sheet, after the summary."""

HTML_TOP_N = 200
"""Rows of a long list shown in the HTML report; the rest is in the workbook and Parquet."""

DETAIL_ROWS_PER_CARRIER = 30
"""Rough sheet rows of one carrier's block, to keep the per-carrier sheet under the limit."""

PARQUET_NAME = "{table}.parquet"
"""The Parquet file of a table, beside the workbook (as orchestration.publish.tables writes it)."""

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

SUMMARY_SHEET = "概要"
DETAIL_SHEET = "载体评分明细"

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

CARRIER_TYPE_ORDER = tuple(VALUE_LABELS["carrier_type"])
GRADES = ("A", "B", "C", "D")

MONEY_COLUMNS = frozenset(
    {"amount_before_cap", "cap", "amount", "amount_before_budget", "budget", "claimed", "paid"}
)
RATIO_COLUMNS = frozenset({"progress_ratio", "p_a", "p_b", "p_c", "p_d", "p_same"})
SCORE_COLUMNS = frozenset({"total_score", "points", "points_max", *receipt.SCORE_COLUMNS})
INDICATOR_VALUE_KINDS: dict[str, str] = {
    "S1": "money",
    "D2": "money",
    "S2": "ratio",
    "D1": "ratio",
    "D3": "ratio",
}
"""How an indicator's raw value and benchmark read: 万元, a ratio, or a plain number."""
TARGET_VALUE_KINDS: dict[str, str] = {"T9": "ratio"}

NUMBER_FORMATS: dict[str, str] = {
    "money": "#,##0.00",
    "ratio": "0.00%",
    "score": "0.00",
    "int": "0",
    "number": "#,##0",
    "decimal": "#,##0.00##",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "text": "@",
    "bool": "@",
}

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these could be read as a formula by a spreadsheet (CSV/formula
injection): such text is written with Excel's quote prefix, as a string, never as a formula."""

EXCEL_MAX_TEXT = 32_767


# --------------------------------------------------------------------------------------------
# shared helpers


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
        from scoring.results_contract import check_label

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


def _prepare(tables: Mapping[str, pl.DataFrame], year: int) -> dict[str, pl.DataFrame]:
    """Check the contract's tables and columns are there and keep the rows of `year`."""
    from orchestration.publish import decision as reports_decision

    tables = reports_decision.complete(tables)
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


def _value_kind(column: str, dtype: pl.DataType) -> str:
    if column in MONEY_COLUMNS or column.endswith("_wan"):
        return "money"
    if column in RATIO_COLUMNS or column.endswith("_ratio"):
        return "ratio"
    if column in SCORE_COLUMNS:
        return "score"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float() or dtype.is_decimal():
        return "number"
    if dtype == pl.Date:
        return "date"
    if dtype.is_temporal() and isinstance(dtype, pl.Datetime):
        return "datetime"
    return "text"


def _row_kind(column: str, base: str, row: Mapping[str, Any]) -> str:
    """Per-row overrides: an indicator's raw value reads as 万元 or a ratio by its code."""
    if column in ("raw_value", "benchmark") and base == "number":
        return INDICATOR_VALUE_KINDS.get(str(row.get("indicator_code")), base)
    if column in ("target_value", "actual_value") and base == "number":
        return TARGET_VALUE_KINDS.get(str(row.get("target_code")), base)
    return base


def _as_number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _as_text(value: Any) -> str:
    """Plain text for a cell or an HTML table cell: lists joined, booleans as 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(_as_text(v) for v in value)
    if isinstance(value, pl.Series):
        return "、".join(_as_text(v) for v in value.to_list())
    return str(value)


def display(column: str, value: Any, kind: str) -> str:
    """A value as the office reads it in the HTML report (unescaped; the template escapes)."""
    value = value_label(column, value)
    if value is None:
        return "—"
    if kind in ("money", "ratio", "score", "number", "int") and not isinstance(value, bool):
        num = _as_number(value)
        if num is None:
            return "—"
        if isinstance(num, (int, float)):
            if kind == "money":
                return f"{num:,.2f}"
            if kind == "ratio":
                return f"{num * 100:.1f}%"
            if kind == "score":
                return f"{num:.2f}"
            if kind == "int":
                return str(num)
            return _plain_number(float(num))
    if isinstance(value, dt.datetime):
        zone = f" {value.tzname()}" if value.tzinfo is not None else ""
        return value.strftime("%Y-%m-%d %H:%M:%S") + zone
    if isinstance(value, dt.date):
        return value.isoformat()
    return _as_text(value)


def _plain_number(num: float) -> str:
    if num.is_integer():
        return f"{int(num):,}"
    return f"{num:,.4f}".rstrip("0").rstrip(".")


def _text_width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file in the same folder and rename it into place, so a reader
    never sees a half-written file and a failure leaves the previous file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # not mkstemp: its 0600 mode would stick to the published file; the writer creates the
    # file with the usual umask-derived mode instead
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _latest_run(runs: pl.DataFrame) -> dict[str, Any]:
    if runs.is_empty():
        return {}
    if "started_at" in runs.columns:
        runs = runs.sort("started_at", nulls_last=False, maintain_order=True)
    return runs.row(runs.height - 1, named=True)


def _sum(frame: pl.DataFrame, column: str) -> float:
    if frame.is_empty() or column not in frame.columns:
        return 0.0
    total = frame.get_column(column).cast(pl.Float64).sum()
    return float(total or 0.0)


def _grade_counts(scores: pl.DataFrame) -> dict[str, int]:
    counts = {g: 0 for g in GRADES}
    for grade, n in scores.group_by("grade").len().iter_rows():
        counts[str(grade)] = counts.get(str(grade), 0) + int(n)
    return counts


def _type_sort_key(carrier_type: Any) -> tuple[int, str]:
    text = str(carrier_type)
    order = (
        CARRIER_TYPE_ORDER.index(text) if text in CARRIER_TYPE_ORDER else len(CARRIER_TYPE_ORDER)
    )
    return (order, text)


def _ordered_scores(scores: pl.DataFrame) -> pl.DataFrame:
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


def _summary_facts(t: dict[str, pl.DataFrame], year: int) -> list[tuple[str, str, Any, str]]:
    """(Chinese label, English label, value, kind) rows of the summary, for both outputs."""
    scores = t["carrier_scores"]
    run = _latest_run(t["runs"])
    grades = _grade_counts(scores)
    dq = t["dq_issues"]
    errors, warnings = dq_counts(dq)
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
            _sum(t["rewards"], "amount"),
            "money",
        ),
        ("数据质量错误数", "data-quality errors", errors, "int"),
        ("数据质量警告数", "data-quality warnings", warnings, "int"),
        ("计数口径", "how they are counted", f"{COUNT_RULE_ZH} / {COUNT_RULE_EN}", "text"),
    ]
    facts += history_note.facts(run, year)
    return facts


# --------------------------------------------------------------------------------------------
# the workbook


class _Formats:
    """xlsxwriter formats, created once per workbook."""

    def __init__(self, workbook: Any) -> None:
        self._wb = workbook
        self._cache: dict[tuple[str, bool], Any] = {}
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.header_en = workbook.add_format(
            {"italic": True, "font_color": "#595959", "bg_color": "#F2F2F2", "border": 1}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.block_title = workbook.add_format(
            {"bold": True, "font_size": 12, "bg_color": "#FCE4D6", "border": 1}
        )
        self.block_title_quoted = workbook.add_format(
            {
                "bold": True,
                "font_size": 12,
                "bg_color": "#FCE4D6",
                "border": 1,
                "quote_prefix": True,
            }
        )
        self.label = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.note = workbook.add_format(
            {"italic": True, "font_color": "#C00000", "text_wrap": True}
        )
        self.grades = office.grade_formats(workbook)
        self.total = workbook.add_format(
            {"bold": True, "top": 2, "num_format": NUMBER_FORMATS["money"]}
        )
        self.shown: list[tuple[str, str, list[str]]] = []
        """(sheet, table, columns) of every table written: the dictionary sheet's rows."""
        self.run_id = ""
        self.year = 0

    def cell(self, kind: str, quote: bool = False) -> Any:
        key = (kind, quote)
        if key not in self._cache:
            props: dict[str, Any] = {"num_format": NUMBER_FORMATS[kind]}
            if quote:
                props["quote_prefix"] = True
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]


def _write_cell(ws: Any, fmt: _Formats, row: int, col: int, value: Any, kind: str) -> None:
    """Write one value with its type: numbers as numbers, dates as dates, text as text (never
    a formula: text that a spreadsheet might evaluate gets Excel's quote prefix)."""
    if value is None:
        ws.write_blank(row, col, None, fmt.cell(kind))
        return
    if kind in ("money", "ratio", "score", "number", "int") and not isinstance(value, bool):
        num = _as_number(value)
        if isinstance(num, (int, float)):
            if kind == "number" and not float(num).is_integer():
                kind = "decimal"  # 1.7316, not 1.731601731601732
            ws.write_number(row, col, num, fmt.cell(kind))
            return
        if num is None:
            ws.write_blank(row, col, None, fmt.cell(kind))
            return
    if kind in ("date", "datetime") and isinstance(value, (dt.date, dt.datetime)):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        ws.write_datetime(row, col, value, fmt.cell(kind))
        return
    text = _as_text(value)[:EXCEL_MAX_TEXT]
    ws.write_string(row, col, text, fmt.cell("text", quote=text.startswith(FORMULA_TRIGGERS)))


def _write_frame(
    ws: Any,
    fmt: _Formats,
    table: str,
    frame: pl.DataFrame,
    first_row: int,
    *,
    autofilter: bool,
    widths: dict[int, int],
) -> int:
    """Write a frame as a table under one Chinese header row (the filter sits on it; the keys
    are in the dictionary sheet); return the next free row."""
    cols = shown_columns(table, frame)
    fmt.shown.append((ws.get_name(), table, cols))
    kinds = [_value_kind(c, frame.schema[c]) for c in cols]
    for j, c in enumerate(cols):
        ws.write_string(first_row, j, COLUMN_LABELS[c], fmt.header)
        widths[j] = max(widths.get(j, 0), min(_text_width(COLUMN_LABELS[c]), 24))
    row = first_row + 1
    for i, record in enumerate(frame.select(cols).iter_rows(named=True)):
        for j, c in enumerate(cols):
            value = value_label(c, record[c])
            kind = _row_kind(c, kinds[j], record)
            _write_cell(ws, fmt, row, j, value, kind)
            if i < 500:
                widths[j] = max(widths.get(j, 0), _text_width(display(c, record[c], kind)))
        if getattr(fmt, "adjusted", None):  # an adjusted grade or reward amount
            reports_adjustments.mark_row(ws, fmt.adjusted, table, cols, record, row)
        row += 1
    if autofilter and cols:
        ws.autofilter(first_row, 0, max(row - 1, first_row), len(cols) - 1)
    if "grade" in cols:
        office.colour_grades(ws, fmt.grades, cols.index("grade"), first_row + 1, row - 1)
    return row


def _set_widths(ws: Any, widths: dict[int, int]) -> None:
    for j, w in widths.items():
        ws.set_column(j, j, min(max(w + 2, 8), 60))


def _large_summary(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Counts (and amounts) by the columns the office filters a large table by."""
    keys = {
        "dq_issues": ["dataset", "severity", "check_name"],
        "tenant_clearout": ["carrier_id"],
        "score_details": ["indicator_code", "indicator_name_zh"],
        "rewards": ["rule_code", "payee_kind"],
        "dataset_counts": ["dataset"],
        "carrier_scores": ["carrier_type", "grade"],
        "carrier_actions": ["action"],
    }.get(table, [])
    keys = [k for k in keys if k in frame.columns]
    money = [c for c in frame.columns if c in MONEY_COLUMNS]
    counts = [c for c in ("rows_read", "rows_kept", "rows_rejected", "rows_duplicate")]
    sums = [c for c in money + counts if c in frame.columns]
    aggs = [pl.len().alias("row_count"), *[pl.col(c).sum() for c in sums]]
    if not keys:
        return frame.select(aggs)
    return frame.group_by(keys).agg(aggs).sort(keys, nulls_last=True)


def _sheet_title(fmt: _Formats, name: str) -> str:
    return f"{fmt.year} 年度科创载体绩效评价 · {name}"


def _write_table_sheet(
    wb: Any, fmt: _Formats, table: str, frame: pl.DataFrame, max_rows: int
) -> None:
    ws = wb.add_worksheet(TABLE_LABELS[table])
    if table == "carrier_scores":
        frame = _ordered_scores(frame)
    widths: dict[int, int] = {}
    if frame.height <= max_rows:
        cols = shown_columns(table, frame)
        ws.freeze_panes(1, office.frozen_column_count(cols, table))
        office.print_setup(ws, _sheet_title(fmt, TABLE_LABELS[table]), fmt.run_id, repeat=(0, 0))
        _write_frame(ws, fmt, table, frame, 0, autofilter=True, widths=widths)
        _set_widths(ws, widths)
        return
    parquet = PARQUET_NAME.format(table=table)
    preview = min(PREVIEW_ROWS, max_rows)
    note = (
        f"本表共 {frame.height:,} 行，超过工作簿上限 {max_rows:,} 行："
        f"下面是汇总和前 {preview:,} 行，"
        f"完整数据见同目录下的 Parquet 文件 {parquet}。 / This table has {frame.height:,} rows, "
        f"more than the workbook's limit of {max_rows:,}: below are a summary and the first "
        f"{preview:,} rows; the full table is in {parquet} beside this workbook."
    )
    ws.merge_range(0, 0, 0, 7, note, fmt.note)
    ws.set_row(0, 48)
    ws.write_string(1, 0, "汇总 / Summary", fmt.title)
    summary = _large_summary(table, frame)
    next_row = _write_frame(ws, fmt, table, summary, 2, autofilter=False, widths=widths)
    ws.write_string(next_row + 1, 0, f"前 {preview:,} 行 / First {preview:,} rows", fmt.title)
    _write_frame(ws, fmt, table, frame.head(preview), next_row + 2, autofilter=True, widths=widths)
    ws.freeze_panes(1, 0)
    office.print_setup(ws, _sheet_title(fmt, TABLE_LABELS[table]), fmt.run_id, repeat=None)
    _set_widths(ws, widths)


def _write_rewards_sheet(
    wb: Any, fmt: _Formats, rewards: pl.DataFrame, names: pl.DataFrame, max_rows: int
) -> None:
    """奖补清单: paid lines first (filterable), then the zero lines with their reason, then
    拨付汇总: one row per payee and a 合计 equal to the list's total."""
    if rewards.height > max_rows:
        _write_table_sheet(wb, fmt, "rewards", rewards, max_rows)
    else:
        paid, zero = office.office_rewards(rewards, names)
        ws = wb.add_worksheet(TABLE_LABELS["rewards"])
        cols = shown_columns("rewards", paid)
        ws.freeze_panes(1, office.frozen_column_count(cols, "rewards"))
        office.print_setup(
            ws, _sheet_title(fmt, TABLE_LABELS["rewards"]), fmt.run_id, repeat=(0, 0)
        )
        widths: dict[int, int] = {}
        row = _write_frame(ws, fmt, "rewards", paid, 0, autofilter=True, widths=widths)
        amount_col = cols.index("amount")
        ws.write_string(row, 0, "合计", fmt.total)
        ws.write_number(row, amount_col, _sum(paid, "amount"), fmt.total)
        row += 2
        ws.write_string(
            row, 0, f"不予支付或待个案审议的条目（金额为 0，共 {zero.height} 条）", fmt.title
        )
        _write_frame(ws, fmt, "rewards", zero, row + 1, autofilter=False, widths=widths)
        _set_widths(ws, widths)
    _write_payment_sheet(wb, fmt, rewards)


def office_dq(dq: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """The data-quality list as the office reads it: carrier names, repeated warnings of one
    kind for one carrier on one line with their count (`results.dq_issues` keeps every row)."""
    from orchestration.audit.dq_carriers import collapse_warnings

    return _with_carrier_names(collapse_warnings(dq), names)


def _with_carrier_names(frame: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """The carrier's name beside its id, on every list that names a carrier by id."""
    if "carrier_id" not in frame.columns or "carrier_name" in frame.columns:
        return frame
    joined = frame.with_columns(pl.col("carrier_id").cast(pl.String)).join(
        names.unique("carrier_id", keep="first"), on="carrier_id", how="left"
    )
    cols = list(frame.columns)
    cols.insert(cols.index("carrier_id") + 1, "carrier_name")
    return joined.select(cols)


def _write_payment_sheet(wb: Any, fmt: _Formats, rewards: pl.DataFrame) -> None:
    ws = wb.add_worksheet(office.PAYMENT_SHEET)
    frame = office.payments(rewards)
    cols = shown_columns("rewards", frame)
    ws.freeze_panes(1, office.frozen_column_count(cols, "rewards"))
    office.print_setup(ws, _sheet_title(fmt, office.PAYMENT_SHEET), fmt.run_id, repeat=(0, 0))
    widths: dict[int, int] = {}
    row = _write_frame(ws, fmt, "rewards", frame, 0, autofilter=True, widths=widths)
    ws.write_string(row, 0, "合计", fmt.total)
    ws.write_number(row, cols.index("line_count"), frame.get_column("line_count").sum(), fmt.total)
    ws.write_number(row, cols.index("amount"), _sum(frame, "amount"), fmt.total)
    _set_widths(ws, widths)


def _write_dictionary_sheet(wb: Any, fmt: _Formats) -> None:
    """字段说明: every column header of every sheet with its key and description."""
    ws = wb.add_worksheet(office.DICTIONARY_SHEET)
    headers = ("工作表", "列名", "字段 / key", "说明 / description")
    for j, text in enumerate(headers):
        ws.write_string(0, j, text, fmt.header)
    rows = office.dictionary_rows(fmt.shown, COLUMN_LABELS)
    seen: set[tuple[str, str]] = set()
    row = 1
    for sheet, label, key, description in rows:
        if (sheet, key) in seen:
            continue
        seen.add((sheet, key))
        for j, text in enumerate((sheet, label, key, description)):
            ws.write_string(row, j, text)
        row += 1
    ws.autofilter(0, 0, max(row - 1, 0), len(headers) - 1)
    ws.freeze_panes(1, 0)
    office.print_setup(ws, _sheet_title(fmt, office.DICTIONARY_SHEET), fmt.run_id, repeat=(0, 0))
    for j, width in enumerate((16, 26, 30, 90)):
        ws.set_column(j, j, width)


def _write_summary_sheet(
    wb: Any, fmt: _Formats, t: dict[str, pl.DataFrame], year: int, max_rows: int
) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    ws.write_string(0, 0, f"{year} 年度科创载体绩效评价结果 / Carrier assessment {year}", fmt.title)
    banner = history_note.banner(_latest_run(t["runs"]), year)
    if banner:
        ws.write_string(1, 0, f"⚠ {banner}", fmt.title)
    ws.write_string(2, 0, "项目", fmt.header)
    ws.write_string(2, 1, "item", fmt.header_en)
    ws.write_string(2, 2, "值 / value", fmt.header)
    row = 3
    for zh, en, value, kind in _summary_facts(t, year):
        ws.write_string(row, 0, zh, fmt.label)
        ws.write_string(row, 1, en)
        _write_cell(ws, fmt, row, 2, value, kind)
        row += 1
    row += 1
    ws.write_string(row, 0, "工作表 / Sheets", fmt.title)
    row += 1
    for table in RESULT_TABLES:
        frame = t[table]
        ws.write_string(row, 0, TABLE_LABELS[table], fmt.label)
        ws.write_string(row, 1, result_contract().tables[table].en)
        note = f"{frame.height:,} 行 / rows"
        if frame.height > max_rows:
            note += f"；仅汇总，完整数据见 / summary only, see {PARQUET_NAME.format(table=table)}"
        ws.write_string(row, 2, note)
        row += 1
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 40)
    office.print_setup(ws, _sheet_title(fmt, SUMMARY_SHEET), fmt.run_id, repeat=None)


def _write_detail_sheet(
    wb: Any, fmt: _Formats, t: dict[str, pl.DataFrame], year: int, max_rows: int
) -> None:
    """One block per carrier: its score, grade and rank, then its indicator rows."""
    ws = wb.add_worksheet(DETAIL_SHEET)
    scores = _ordered_scores(t["carrier_scores"])
    details = t["score_details"]
    ws.write_string(0, 0, f"{year} 年度载体评分明细 / Per-carrier score details {year}", fmt.title)
    ws.freeze_panes(1, 0)
    limit = max(1, max_rows // DETAIL_ROWS_PER_CARRIER)
    row = 2
    if scores.height > limit:
        note = (
            f"共 {scores.height:,} 个载体，本表列出前 {limit:,} 个（按类型、排名）；全部明细见 "
            f"carrier_details_{year}.xlsx 及 {PARQUET_NAME.format(table='score_details')}。 / "
            f"{scores.height:,} carriers; the first {limit:,} by type and rank are listed, all "
            f"details are in carrier_details_{year}.xlsx and "
            f"{PARQUET_NAME.format(table='score_details')}."
        )
        ws.merge_range(1, 0, 1, 7, note, fmt.note)
        ws.set_row(1, 36)
        row = 3
        scores = scores.head(limit)
        details = details.filter(
            pl.col("carrier_id").is_in(scores.get_column("carrier_id").implode())
        )
    detail_cols = [
        c
        for c in details.columns
        if c in COLUMN_LABELS and c not in ("carrier_id", "assessment_year", "run_id")
    ]
    kinds = [_value_kind(c, details.schema[c]) for c in detail_cols]
    by_carrier = (
        {key[0]: frame for key, frame in details.partition_by("carrier_id", as_dict=True).items()}
        if not details.is_empty()
        else {}
    )
    widths: dict[int, int] = {j: _text_width(COLUMN_LABELS[c]) for j, c in enumerate(detail_cols)}
    head_fields = [
        ("carrier_type", "载体类型"),
        ("total_score", "总分"),
        ("grade", "等级"),
        ("rank_in_type", "类型内排名"),
    ]
    score_kinds = {c: _value_kind(c, scores.schema[c]) for c in scores.columns}
    views = receipt.receipt_views(
        scores,
        details,
        t["rectifications"],
        year,
        all_scores=t["carrier_scores"],
        robustness=t["grade_robustness"],
    )
    breaks: list[int] = []
    for record in scores.iter_rows(named=True):
        if row > 2:
            breaks.append(row)
        title = f"{_as_text(record['carrier_id'])}  {_as_text(record['carrier_name'])}"
        last_col = max(len(detail_cols) - 1, 7)
        ws.merge_range(row, 0, row, last_col, "", fmt.block_title)
        quoted = title.startswith(FORMULA_TRIGGERS)
        ws.write_string(row, 0, title, fmt.block_title_quoted if quoted else fmt.block_title)
        row += 1
        for k, (col, label) in enumerate(head_fields):
            ws.write_string(row, 2 * k, label, fmt.label)
            value = value_label(col, record.get(col))
            _write_cell(ws, fmt, row, 2 * k + 1, value, score_kinds.get(col, "text"))
            for j, text in ((2 * k, label), (2 * k + 1, _as_text(value))):
                widths[j] = max(widths.get(j, 0), _text_width(text))
        row += 1
        extras = [("veto_reason", "否决原因"), ("town", "镇（园区）")]
        extras = [(c, lab) for c, lab in extras if record.get(c) not in (None, "")]
        for k, (col, label) in enumerate(extras):
            ws.write_string(row, 2 * k, label, fmt.label)
            _write_cell(ws, fmt, row, 2 * k + 1, record.get(col), "text")
        if extras:
            row += 1
        row = receipt.write_rows(wb, ws, fmt, row, views.get(str(record["carrier_id"])), last_col)
        for j, c in enumerate(detail_cols):
            ws.write_string(row, j, COLUMN_LABELS[c], fmt.header)
        row += 1
        rows = by_carrier.get(record["carrier_id"])
        if rows is None or rows.is_empty():
            ws.write_string(row, 0, "无指标明细 / no indicator details", fmt.note)
            row += 2
            continue
        for detail in rows.iter_rows(named=True):
            for j, c in enumerate(detail_cols):
                kind = _row_kind(c, kinds[j], detail)
                _write_cell(ws, fmt, row, j, value_label(c, detail[c]), kind)
                widths[j] = max(widths[j], _text_width(display(c, detail[c], kind)))
            row += 1
        row += 1
    _set_widths(ws, widths)
    ws.set_h_pagebreaks(breaks[: office.MAX_PAGE_BREAKS])
    office.print_setup(ws, _sheet_title(fmt, DETAIL_SHEET), fmt.run_id, repeat=None)


def write_workbook(
    tables: Mapping[str, pl.DataFrame],
    path: Path,
    year: int,
    *,
    max_rows: int = LARGE_TABLE_ROWS,
) -> Path:
    """Write the office's workbook for `year` to `path` (atomically) and return the path.

    Sheets: a summary, one sheet per result table (Chinese name, Chinese header row, English
    header row, frozen, filterable) and the per-carrier detail sheet.
    """
    import xlsxwriter

    from orchestration.publish import decision as reports_decision

    prepared = _prepare(tables, year)

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "remove_timezone": True,
            },
        )
        try:
            fmt = _Formats(wb)
            fmt.year = year
            fmt.run_id = _as_text(_latest_run(prepared["runs"]).get("run_id"))
            fmt.adjusted = reports_adjustments.workbook_marks(wb, tables, year)
            _write_summary_sheet(wb, fmt, prepared, year, max_rows)
            _write_table_sheet(wb, fmt, "carrier_scores", prepared["carrier_scores"], max_rows)
            _write_detail_sheet(wb, fmt, prepared, year, max_rows)
            names = prepared["carrier_scores"].select(
                pl.col("carrier_id").cast(pl.String), pl.col("carrier_name").cast(pl.String)
            )
            for table in RESULT_TABLES[1:]:
                if table == "rewards":
                    _write_rewards_sheet(wb, fmt, prepared[table], names, max_rows)
                    continue
                if table == "dq_issues" and prepared[table].height <= max_rows:
                    _write_table_sheet(wb, fmt, table, office_dq(prepared[table], names), max_rows)
                    continue
                _write_table_sheet(
                    wb, fmt, table, _with_carrier_names(prepared[table], names), max_rows
                )
                reports_decision.write_sheets_after(wb, fmt, table, prepared, max_rows)
            reports_adjustments.write_workbook_sheets(
                wb, tables, year, lambda ws, name: office.print_setup(
                    ws, _sheet_title(fmt, name), fmt.run_id, repeat=(0, 0)
                ),
            )  # fmt: skip
            _write_dictionary_sheet(wb, fmt)
        finally:
            wb.close()

    return _atomic_write(Path(path), write)


# --------------------------------------------------------------------------------------------
# the HTML report


def _html_rows(
    table: str, frame: pl.DataFrame, columns: Iterable[str] | None = None
) -> dict[str, Any]:
    """Headers and display strings of a frame, for the template's generic table macro."""
    cols = [c for c in (columns or shown_columns(table, frame)) if c in frame.columns]
    cols = [c for c in cols if c in COLUMN_LABELS and (columns or c not in HTML_HIDDEN_COLUMNS)]
    kinds = [_value_kind(c, frame.schema[c]) for c in cols]
    numeric = {"money", "ratio", "score", "number", "int"}
    rows = [
        [display(c, record[c], _row_kind(c, kinds[j], record)) for j, c in enumerate(cols)]
        for record in frame.select(cols).iter_rows(named=True)
    ]
    return {
        "headers": [(COLUMN_LABELS[c], c) for c in cols],
        "numeric": [k in numeric for k in kinds],
        "classes": [
            "num" if k in numeric else ("wide" if c in WIDE_TEXT_COLUMNS else "")
            for c, k in zip(cols, kinds, strict=True)
        ],
        "rows": rows,
    }


HTML_HIDDEN_COLUMNS = frozenset({"assessment_year", "run_id"})
"""Shown once in the report's summary rather than on every row."""

WIDE_TEXT_COLUMNS = frozenset(
    {
        "basis_zh",
        "reasons_zh",
        "message",
        "note_zh",
        "indicator_name_zh",
        "target_zh",
        "veto_reason",
        "value_as_written",
        "enterprise_name",
        "payee_name",
        "source_file",
    }
)
"""Long text that may wrap in the HTML report; other cells stay on one line."""


def _top(frame: pl.DataFrame, n: int) -> tuple[pl.DataFrame, str | None]:
    """The first n rows and, when rows were left out, the note that says so."""
    if frame.height <= n:
        return frame, None
    return frame.head(n), (
        f"仅列出前 {n:,} 条，共 {frame.height:,} 条；完整清单见工作簿和 Parquet 文件。"
        f" / Showing the first {n:,} of {frame.height:,}; the full list is in the workbook "
        "and the Parquet files."
    )


def _grade_chart(counts: dict[str, int]) -> dict[str, Any]:
    """Bar geometry for the grade distribution (drawn as inline SVG by the template)."""
    colours = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}
    top = max([1, *counts.values()])
    width, height, bar, gap, base = 440, 240, 70, 30, 200
    bars = []
    for i, grade in enumerate(GRADES):
        n = counts.get(grade, 0)
        h = round(160 * n / top)
        x = 40 + i * (bar + gap)
        bars.append(
            {
                "grade": grade,
                "count": n,
                "x": x,
                "y": base - h,
                "w": bar,
                "h": h,
                "cx": x + bar / 2,
                "colour": colours[grade],
            }
        )
    return {"width": width, "height": height, "base": base, "bars": bars}


def _names_frame(names: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"carrier_id": list(names), "carrier_name": list(names.values())},
        schema={"carrier_id": pl.String, "carrier_name": pl.String},
    )


def _search_text(values: Iterable[Any]) -> str:
    """What the report's search box matches a carrier on (lower case)."""
    return " ".join(_as_text(v) for v in values).lower()


def _build_view(t: dict[str, pl.DataFrame], year: int, top_n: int) -> dict[str, Any]:
    scores = _ordered_scores(t["carrier_scores"])
    names = dict(
        zip(
            scores.get_column("carrier_id").cast(pl.String).to_list(),
            scores.get_column("carrier_name").cast(pl.String).to_list(),
            strict=True,
        )
    )
    anchors = {cid: f"carrier-{i}" for i, cid in enumerate(names, start=1)}
    counts = _grade_counts(scores)

    # grade × carrier type
    grade_by_type = []
    for ctype, frame in sorted(
        scores.partition_by("carrier_type", as_dict=True).items() if scores.height else [],
        key=lambda kv: _type_sort_key(kv[0][0]),
    ):
        c = _grade_counts(frame)
        grade_by_type.append(
            {
                "type": value_label("carrier_type", ctype[0]),
                "counts": [c.get(g, 0) for g in GRADES],
                "total": frame.height,
            }
        )

    # ranking per type
    ranking = []
    rank_cols = [
        c
        for c in (
            "rank_in_type",
            "carrier_id",
            "carrier_name",
            "town",
            "total_score",
            "grade",
            "prev_total_score",
            "prev_grade",
            "veto_reason",
        )
        if c in scores.columns
    ]
    if scores.height:
        for key, frame in sorted(
            scores.partition_by("carrier_type", as_dict=True).items(),
            key=lambda kv: _type_sort_key(kv[0][0]),
        ):
            shown, note = _top(frame, top_n)
            table = _html_rows("carrier_scores", shown, rank_cols)
            table["anchors"] = [
                anchors.get(str(cid)) for cid in shown.get_column("carrier_id").cast(pl.String)
            ]
            table["search"] = [
                _search_text(r) for r in shown.select("carrier_id", "carrier_name").iter_rows()
            ]
            table["row_grades"] = shown.get_column("grade").cast(pl.String).to_list()
            ranking.append(
                {"type": value_label("carrier_type", key[0]), "table": table, "note": note}
            )

    # per-carrier details
    shown_scores, details_note = _top(scores, top_n)
    details = t["score_details"].filter(
        pl.col("carrier_id").is_in(shown_scores.get_column("carrier_id").implode())
    )
    by_carrier = (
        {str(k[0]): f for k, f in details.partition_by("carrier_id", as_dict=True).items()}
        if details.height
        else {}
    )
    detail_cols = [
        c
        for c in details.columns
        if c in COLUMN_LABELS and c not in ("carrier_id", "assessment_year", "run_id")
    ]
    carriers = []
    views = receipt.receipt_views(
        shown_scores,
        details,
        t["rectifications"],
        year,
        all_scores=scores,
        robustness=t["grade_robustness"],
    )
    for record in shown_scores.iter_rows(named=True):
        cid = str(record["carrier_id"])
        frame = by_carrier.get(cid, details.clear())
        carriers.append(
            {
                "anchor": anchors[cid],
                "id": cid,
                "name": _as_text(record["carrier_name"]),
                "type": value_label("carrier_type", record["carrier_type"]),
                "score": display("total_score", record["total_score"], "score"),
                "grade": _as_text(record["grade"]),
                "rank": _as_text(record["rank_in_type"]),
                "veto": _as_text(record.get("veto_reason")),
                "search": _search_text((record["carrier_id"], record["carrier_name"])),
                "table": _html_rows("score_details", frame, detail_cols),
                "receipt": views.get(cid),
            }
        )

    # actions and clear-out, with carrier names
    def with_names(frame: pl.DataFrame) -> pl.DataFrame:
        if "carrier_name" in frame.columns or frame.is_empty():
            return frame
        lookup = pl.DataFrame(
            {"carrier_id": list(names), "carrier_name": list(names.values())},
            schema={"carrier_id": pl.String, "carrier_name": pl.String},
        )
        joined = frame.with_columns(pl.col("carrier_id").cast(pl.String)).join(
            lookup, on="carrier_id", how="left"
        )
        cols = list(frame.columns)
        cols.insert(cols.index("carrier_id") + 1, "carrier_name")
        return joined.select(cols)

    actions, actions_note = _top(with_names(t["carrier_actions"]), top_n)
    clearout_all = with_names(t["tenant_clearout"])
    clearout, clearout_note = _top(clearout_all, top_n)

    # rewards
    rewards = t["rewards"]
    amount = pl.col("amount").cast(pl.Float64)
    before = pl.col("amount_before_cap").cast(pl.Float64)
    by_rule_keys = [c for c in ("rule_code", "rule_name_zh", "article") if c in rewards.columns]
    by_rule = (
        rewards.group_by(by_rule_keys)
        .agg(
            pl.len().alias("line_count"),
            before.sum().alias("amount_before_cap"),
            amount.sum().alias("amount"),
        )
        .sort(by_rule_keys, nulls_last=True)
    )
    by_payee, by_payee_note = _top(
        rewards.group_by(["payee_kind", "payee_name", "payee_uscc"])
        .agg(pl.len().alias("line_count"), amount.sum().alias("amount"))
        .sort(
            ["amount", "payee_name", "payee_kind", "payee_uscc"],
            descending=[True, False, False, False],
            nulls_last=True,
        ),
        top_n,
    )
    reward_lines, rewards_note = _top(
        with_names(rewards).sort(["rule_code", "carrier_id"], nulls_last=True, maintain_order=True),
        top_n,
    )

    # data quality
    dq = t["dq_issues"]
    dq_by_dataset = (
        dq.group_by("dataset")
        .agg(
            (pl.col("severity") == "error").sum().cast(pl.Int64).alias("error_count"),
            (pl.col("severity") == "warning").sum().cast(pl.Int64).alias("warning_count"),
            pl.len().alias("row_count"),
        )
        .sort("dataset", nulls_last=True)
    )
    dq_by_check = (
        dq.group_by(["dataset", "severity", "check_name"])
        .agg(pl.len().alias("row_count"))
        .sort(
            ["dataset", "severity", "row_count", "check_name"],
            descending=[False, False, True, False],
            nulls_last=True,
        )
    )
    dq_list, dq_note = _top(
        office_dq(dq, _names_frame(names))
        .with_columns((pl.col("severity") != "error").alias("__sev"))
        .sort(
            ["__sev", "dataset", "source_file", "source_row"], nulls_last=True, maintain_order=True
        )
        .drop("__sev"),
        top_n,
    )
    counts_frame = t["dataset_counts"].with_columns(
        (
            pl.col("rows_read")
            == pl.col("rows_kept") + pl.col("rows_rejected") + pl.col("rows_duplicate")
        ).alias("is_balanced")
    )
    unbalanced = counts_frame.filter(~pl.col("is_balanced").fill_null(False)).height
    counts_cols = [*CONTRACT_COLUMNS["dataset_counts"], "is_balanced"]
    totals = {
        c: int(counts_frame.get_column(c).sum() or 0)
        for c in ("rows_read", "rows_kept", "rows_rejected", "rows_duplicate")
    }
    counts_shown, counts_note = _top(counts_frame, top_n)

    # targets
    targets = []
    for record in (
        t["targets_progress"].sort("target_code", maintain_order=True).iter_rows(named=True)
    ):
        ratio = _as_number(record["progress_ratio"])
        kind = TARGET_VALUE_KINDS.get(str(record["target_code"]), "number")
        fill = 0.0 if ratio is None else max(0.0, min(float(ratio), 1.0))
        targets.append(
            {
                "code": _as_text(record["target_code"]),
                "name": _as_text(record["target_zh"]),
                "target": display("target_value", record["target_value"], kind),
                "actual": display("actual_value", record["actual_value"], kind),
                "ratio": display("progress_ratio", record["progress_ratio"], "ratio"),
                "fill": round(fill * 240, 1),
                "done": ratio is not None and ratio >= 1,
            }
        )

    run = _latest_run(t["runs"])
    return {
        "year": year,
        "facts": [(zh, en, display("", v, kind)) for zh, en, v, kind in _summary_facts(t, year)],
        "run_status": _as_text(run.get("status")),
        "grade_counts": counts,
        "chart": _grade_chart(counts),
        "grade_by_type": grade_by_type,
        "type_options": [r["type"] for r in grade_by_type],
        "grades": GRADES,
        "ranking": ranking,
        "carriers": carriers,
        "details_note": details_note,
        "actions": _html_rows("carrier_actions", actions),
        "actions_note": actions_note,
        "rectifications": _html_rows(
            "rectifications", _top(with_names(t["rectifications"]), top_n)[0]
        ),
        "clearout": _html_rows("tenant_clearout", clearout),
        "clearout_note": clearout_note,
        "clearout_total": clearout_all.height,
        "rewards_total": f"{_sum(rewards, 'amount'):,.2f}",
        "rewards_before_cap": f"{_sum(rewards, 'amount_before_cap'):,.2f}",
        "rewards_count": rewards.height,
        "by_rule": _html_rows(
            "rewards", by_rule, [*by_rule_keys, "line_count", "amount_before_cap", "amount"]
        ),
        "by_payee": _html_rows(
            "rewards", by_payee, ["payee_kind", "payee_name", "payee_uscc", "line_count", "amount"]
        ),
        "by_payee_note": by_payee_note,
        "reward_lines": _html_rows("rewards", reward_lines),
        "rewards_note": rewards_note,
        "towns": _html_rows("town_tasks", t["town_tasks"].sort("town", maintain_order=True)),
        "targets": targets,
        "dq_by_dataset": _html_rows(
            "dq_issues", dq_by_dataset, ["dataset", "error_count", "warning_count", "row_count"]
        ),
        "dq_by_check": _html_rows(
            "dq_issues", dq_by_check, ["dataset", "severity", "check_name", "row_count"]
        ),
        "dq_list": _html_rows("dq_issues", dq_list),
        "dq_note": dq_note,
        "dq_total": dq.height,
        "dq_count_line": dq_count_line(dq),
        "counts": _html_rows("dataset_counts", counts_shown, counts_cols),
        "counts_note": counts_note,
        "counts_totals": totals,
        "unbalanced": unbalanced,
        "run_id": _as_text(run.get("run_id")) or "—",
        "history_banner": history_note.banner(run, year),
        "rulebook": history_note.rulebook_text(run, year),
    }


TEMPLATE_PATH = Path(__file__).resolve().parent / "report_templates" / "report.html.j2"


def render_html_report(
    tables: Mapping[str, pl.DataFrame], year: int, *, top_n: int = HTML_TOP_N
) -> str:
    """The report as one HTML string (no external resources; every value escaped)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_PATH.parent),  # the receipt's macros
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from orchestration.publish import decision as reports_decision

    template = env.from_string(TEMPLATE_PATH.read_text(encoding="utf-8"))
    prepared = _prepare(tables, year)
    view = _build_view(prepared, year, top_n)
    view.update(reports_decision.html_sections(prepared, year, top_n))
    view.update(reports_adjustments.html_view(tables, year, view))
    return template.render(**view)


def write_html_report(
    tables: Mapping[str, pl.DataFrame],
    path: Path,
    year: int,
    *,
    top_n: int = HTML_TOP_N,
) -> Path:
    """Write the self-contained Chinese HTML report for `year` (atomically); return the path."""
    html = render_html_report(tables, year, top_n=top_n)
    return _atomic_write(Path(path), lambda tmp: tmp.write_text(html, encoding="utf-8"))
