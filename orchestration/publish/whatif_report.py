"""The files of `carrier-assess whatif`: two Parquet files, a workbook and an HTML page.

Old (published) beside new (under the rulebook compared): carriers whose grade changes first,
reward lines added, removed or changed, totals per rule, payee and responsible department, the
budget under the new rulebook. Cells are written as the year's workbook writes them
(`workbook_cells`, `html_tables`: typed numbers, text never a formula, every HTML value escaped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from orchestration.publish.atomic import atomic_write
from orchestration.publish.formatting import display, text_width, value_kind
from orchestration.publish.html_report import HTML_TOP_N
from orchestration.publish.html_tables import cell_class, top
from orchestration.publish.labels import table_headers, value_label
from orchestration.publish.workbook_cells import Formats, set_widths, write_cell
from orchestration.publish.workbook_sheets import LARGE_TABLE_ROWS
from orchestration.score.compare import CARRIER_COLUMNS, REWARD_COLUMNS, Comparison, file_names

TEMPLATE_PATH = Path(__file__).resolve().parent / "report_templates" / "whatif.html.j2"

LABELS: dict[str, str] = {
    **table_headers("rewards"),  # the comparison's lines are reward lines
    "total_score_old": "总分（现行）",
    "total_score_new": "总分（新规则）",
    "grade_old": "等级（现行）",
    "grade_new": "等级（新规则）",
    "rank_in_type_old": "类型内排名（现行）",
    "rank_in_type_new": "类型内排名（新规则）",
    "score_change": "总分变化",
    "grade_changed": "等级变化",
    "change_zh": "变化",
    "rule_name_zh": "规则名称",
    "amount_old": "金额（现行，万元）",
    "amount_new": "金额（新规则，万元）",
    "amount_change": "金额变化（万元）",
    "count_old": "载体数（现行）",
    "count_new": "载体数（新规则）",
}
"""Column → Chinese label (the year's reward-list headers plus the comparison's)."""

CARRIER_SHOWN = (
    "carrier_id", "carrier_name", "carrier_type", "grade_old", "grade_new", "total_score_old",
    "total_score_new", "score_change", "rank_in_type_old", "rank_in_type_new",
)  # fmt: skip
REWARD_SHOWN = (
    "change_zh", "rule_code", "rule_name_zh", "payee_kind", "payee_name", "payee_uscc",
    "carrier_id", "amount_old", "amount_new", "amount_change", "basis_zh",
)  # fmt: skip
TOTAL_SHOWN = ("amount_old", "amount_new", "amount_change")

SHEETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("等级变化", "carriers", CARRIER_SHOWN),
    ("奖补变化", "changed_lines", REWARD_SHOWN),
    ("按规则汇总", "by_rule", ("rule_code", *TOTAL_SHOWN)),
    ("按收款方汇总", "by_payee", ("payee_kind", "payee_name", "payee_uscc", *TOTAL_SHOWN)),
    ("按部门汇总", "by_department", ("department_zh", *TOTAL_SHOWN)),
    ("等级分布", "grades", ("grade", "count_old", "count_new")),
    ("奖补预算（新规则）", "budget", ("scope", "budget", "claimed", "paid", "factor")),
)
"""Sheet name, the comparison's frame, the columns shown."""


def kind(column: str, dtype: pl.DataType) -> str:
    if column.startswith("amount") or column in ("budget", "claimed", "paid"):
        return "money"
    if column.startswith("total_score") or column == "score_change":
        return "score"
    return value_kind(column, dtype)


def write_files(comparison: Comparison, out_dir: Path) -> dict[str, Path]:
    """Write the four files into `out_dir` (each atomically); return them by role."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = file_names(comparison.year)
    files = {role: out_dir / name for role, name in names.items()}
    atomic_write(
        files["carriers"],
        lambda tmp: comparison.carriers.select(CARRIER_COLUMNS).write_parquet(tmp),
    )
    atomic_write(
        files["rewards"], lambda tmp: comparison.rewards.select(REWARD_COLUMNS).write_parquet(tmp)
    )
    write_workbook(comparison, files["workbook"])
    html = render_html(comparison)
    atomic_write(files["report"], lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return files


def _frame(comparison: Comparison, attr: str) -> pl.DataFrame:
    return getattr(comparison, attr)


def write_workbook(comparison: Comparison, path: Path) -> Path:
    import xlsxwriter

    def write(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        try:
            fmt = Formats(wb)
            ws = wb.add_worksheet("概要")
            ws.write_string(
                0,
                0,
                f"{comparison.year} 年度规则变更影响对比 / What-if {comparison.year}",
                fmt.title,
            )
            for i, (zh, en, value, k) in enumerate(comparison.facts(), start=2):
                ws.write_string(i, 0, zh, fmt.label)
                ws.write_string(i, 1, en)
                write_cell(ws, fmt, i, 2, value, k)
            ws.set_column(0, 0, 26)
            ws.set_column(1, 1, 30)
            ws.set_column(2, 2, 40)
            for sheet, attr, cols in SHEETS:
                _write_sheet(wb.add_worksheet(sheet), fmt, _frame(comparison, attr), cols)
        finally:
            wb.close()

    return atomic_write(Path(path), write)


def _write_sheet(ws: Any, fmt: Any, frame: pl.DataFrame, columns: tuple[str, ...]) -> None:
    """A frame under a Chinese and an English header row; beyond the workbook's row limit the
    first rows and a note (every row is in the Parquet files)."""
    limit = LARGE_TABLE_ROWS
    if frame.height > limit:
        ws.write_string(
            limit + 3,
            0,
            f"仅列出前 {limit:,} 行，共 {frame.height:,} 行；完整数据见 Parquet 文件。 / The first "
            f"{limit:,} of {frame.height:,} rows; all are in the Parquet files.",
            fmt.note,
        )
        frame = frame.head(limit)
    cols = [c for c in columns if c in frame.columns]
    kinds = [kind(c, frame.schema[c]) for c in cols]
    widths: dict[int, int] = {}
    for j, c in enumerate(cols):
        ws.write_string(0, j, LABELS[c], fmt.header)
        ws.write_string(1, j, c, fmt.header_en)
        widths[j] = max(text_width(LABELS[c]), len(c))
    for i, record in enumerate(frame.select(cols).iter_rows(named=True), start=2):
        for j, c in enumerate(cols):
            write_cell(ws, fmt, i, j, value_label(c, record[c]), kinds[j])
            if i < 500:
                widths[j] = max(widths[j], text_width(display(c, record[c], kinds[j])))
    ws.freeze_panes(2, 0)
    if cols:
        ws.autofilter(1, 0, max(frame.height + 1, 1), len(cols) - 1)
    set_widths(ws, widths)


def _rows(frame: pl.DataFrame, columns: tuple[str, ...]) -> dict[str, Any]:
    cols = [c for c in columns if c in frame.columns]
    kinds = [kind(c, frame.schema[c]) for c in cols]
    return {
        "headers": [(LABELS[c], c) for c in cols],
        "classes": [cell_class(c, k) for c, k in zip(cols, kinds, strict=True)],
        "rows": [
            [display(c, r[c], kinds[j]) for j, c in enumerate(cols)]
            for r in frame.select(cols).iter_rows(named=True)
        ],
    }


def render_html(comparison: Comparison, top_n: int = HTML_TOP_N) -> str:
    import jinja2

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    moved = comparison.carriers.filter(pl.col("grade_changed"))
    lines = comparison.changed_lines
    moved_shown, moved_note = top(moved, top_n)
    lines_shown, lines_note = top(lines, top_n)
    view = {
        "year": comparison.year,
        "rules_file": comparison.rules_file,
        "facts": [(zh, en, display("", v, k)) for zh, en, v, k in comparison.facts()],
        "moved": _rows(moved_shown, CARRIER_SHOWN),
        "moved_note": moved_note,
        "lines": _rows(lines_shown, tuple(c for c in REWARD_SHOWN if c != "basis_zh")),
        "lines_note": lines_note,
        "grades": _rows(comparison.grades, ("grade", "count_old", "count_new")),
        **{
            attr: _rows(_frame(comparison, attr), cols)
            for _, attr, cols in SHEETS
            if attr in ("by_rule", "by_payee", "by_department", "budget")
        },
    }
    view["by_payee"]["rows"] = view["by_payee"]["rows"][:top_n]
    for row in view["budget"]["rows"]:  # scope, budget, …: a NULL budget is no limit
        row[0] = "合计 / total" if row[0] == "total" else row[0]
        row[1] = "不限 / no limit" if row[1] == "—" else row[1]
    template = env.from_string(TEMPLATE_PATH.read_text(encoding="utf-8"))
    return template.render(**view)
