"""Decision support in the year's office files: grade robustness and the reward budget.

The workbook and the HTML report call this module: `complete` (tables published before these
existed read as "no draws, no budget"), `write_sheets_after` (the sheet of totals per
responsible department, after the budget sheet) and `html_sections` (the HTML sections 等级稳健性
and 奖补预算, rendered from `report_templates/decision_sections.html.j2`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.publish import workbook_office as office
from orchestration.publish.html_tables import html_rows, top
from orchestration.publish.workbook_cells import set_widths, sheet_title, write_frame
from scoring.budget import TOTAL_SCOPE, department_totals
from scoring.schemas import OUTPUT_SCHEMAS

DEPARTMENT_SHEET = "责任部门奖补"
"""The sheet after 奖补预算: lines, amounts before the budget and paid, per department."""

SECTIONS_TEMPLATE = (
    Path(__file__).resolve().parent / "report_templates" / ("decision_sections.html.j2")
)

_EMPTY: dict[str, dict[str, pl.DataType]] = {
    name: OUTPUT_SCHEMAS[name] for name in ("grade_robustness", "reward_budget")
}
"""The decision-support tables as scoring defines them, for a year published before them."""


def complete(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The tables with the decision-support tables and columns present: a year published
    before them (or a caller without them) reads as no draws and no budget. The robustness
    table is ordered borderline first, least sure first."""
    out = dict(tables)
    for name, schema in _EMPTY.items():
        if name not in out:
            out[name] = pl.DataFrame(schema=schema)
    rewards = out.get("rewards")
    if rewards is not None:
        fill = {
            "amount_before_budget": pl.col("amount"),
            "budget_factor": pl.lit(1.0),
            "departments_zh": pl.lit(None, dtype=pl.String),
        }
        missing = {c: e for c, e in fill.items() if c not in rewards.columns}
        if missing:
            out["rewards"] = rewards.with_columns(**missing)
    out["grade_robustness"] = out["grade_robustness"].sort(
        ["borderline", "p_same", "carrier_id"], descending=[True, False, False], nulls_last=True
    )
    return out


def departments_frame(rewards: pl.DataFrame) -> pl.DataFrame:
    """Totals per responsible department, the largest first (rewards as `complete` leaves them)."""
    return department_totals(rewards).sort(
        ["amount", "department_zh"], descending=[True, False], maintain_order=True
    )


def write_sheets_after(
    wb: Any, fmt: Any, table: str, t: Mapping[str, pl.DataFrame], max_rows: int
) -> None:
    """After the budget sheet: the totals per responsible department."""
    if table != "reward_budget":
        return
    ws = wb.add_worksheet(DEPARTMENT_SHEET)
    ws.freeze_panes(1, 0)
    office.print_setup(ws, sheet_title(fmt, DEPARTMENT_SHEET), fmt.run_id, repeat=(0, 0))
    widths: dict[int, int] = {}
    frame = departments_frame(t["rewards"])
    write_frame(ws, fmt, "rewards", frame, 0, autofilter=True, widths=widths)
    note_row = frame.height + 2
    ws.write_string(
        note_row,
        0,
        "一条奖补计入其规则的每个责任部门，各部门合计相互重叠。 / A line counts for every "
        "department of its rule, so the departments' totals overlap.",
        fmt.note,
    )
    set_widths(ws, widths)


def _render(part: str, **view: Any) -> Any:
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    template = env.from_string(SECTIONS_TEMPLATE.read_text(encoding="utf-8"))
    # rendered with autoescape: every value in it is escaped already
    return Markup(template.render(part=part, **view))  # noqa: S704


def robustness_view(t: Mapping[str, pl.DataFrame], top_n: int) -> dict[str, Any]:
    rob = t["grade_robustness"]
    scores = t["carrier_scores"].select(
        [
            c
            for c in ("carrier_id", "carrier_name", "carrier_type", "total_score")
            if c in t["carrier_scores"].columns
        ]
    )
    borderline = rob.filter(pl.col("borderline").fill_null(False)).join(
        scores, on="carrier_id", how="left", maintain_order="left"
    )
    shown, note = top(borderline, top_n)
    cols = ["carrier_id", "carrier_name", "carrier_type", "total_score", "grade",
            "p_a", "p_b", "p_c", "p_d", "p_same"]  # fmt: skip
    return {
        "borderline": html_rows("grade_robustness", shown, [c for c in cols if c in shown.columns]),
        "borderline_count": borderline.height,
        "carrier_count": rob.height,
        "borderline_note": note,
    }


def budget_view(t: Mapping[str, pl.DataFrame], top_n: int) -> dict[str, Any]:
    table = t["reward_budget"]
    shown = table.with_columns(
        scope=pl.when(pl.col("scope") == TOTAL_SCOPE)
        .then(pl.lit("合计 / total"))
        .otherwise(pl.col("scope"))
    )
    limited = table.filter(pl.col("budget").is_not_null())
    scaled = table.filter(pl.col("factor").cast(pl.Float64) < 1)
    if limited.is_empty():
        text = (
            "本年度规则文件未设奖补预算，奖补按核定金额全额列示。 / No budget in the rulebook: "
            "every line is paid as computed."
        )
    else:
        text = (
            f"设有预算的范围 {limited.height} 个，其中 {scaled.height} 个超出预算、按同一系数"
            "（预算 ÷ 应付）折算，每条向下取整到 0.01 万元；先按规则预算，再按总预算。"
            f" / {limited.height} scopes have a budget, {scaled.height} over it are pro-rated "
            "by one factor (budget ÷ claimed), each line rounded down to 0.01; rule budgets "
            "first, then the total."
        )
    rows = html_rows("reward_budget", shown, ["scope", "budget", "claimed", "paid", "factor"])
    budget_col = 1
    rows["rows"] = [
        [*(r[:budget_col]), "不限 / no limit" if r[budget_col] == "—" else r[budget_col],
         *(r[budget_col + 1:])]
        for r in rows["rows"]
    ]  # fmt: skip
    departments = departments_frame(t["rewards"])
    return {
        "budget_text": text,
        "budget": rows,
        "departments": html_rows(
            "rewards",
            departments,
            ["department_zh", "line_count", "amount_before_budget", "amount"],
        ),
    }


def html_sections(t: Mapping[str, pl.DataFrame], year: int, top_n: int) -> dict[str, Any]:
    """The report's blocks `robustness_section` and `budget_section` (safe HTML)."""
    return {
        "robustness_section": _render("robustness", **robustness_view(t, top_n)),
        "budget_section": _render("budget", **budget_view(t, top_n)),
    }
