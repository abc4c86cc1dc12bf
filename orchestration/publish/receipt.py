"""The score receipt (评分回执) in the office files: one block per carrier, above its indicators.

Reads the receipt columns of `carrier_scores` (scoring/receipt.py), `score_details` and
`rectifications`, and says in words what they mean: total, grade and rank beside last year's,
the four dimension subtotals, why this grade, what the next grade takes ("距 A 级还差 2.37 分：
P4 当年发明专利授权数 由 3 件增至 5 件即可") and how last year's rectification went. The
workbook's detail sheet writes it as rows (`write_rows`), the HTML report draws it with the
macro of `report_templates/receipt.html.j2`, with a small chart of the four dimensions against
the type's average (`_chart`). Columns the tables lack (an older year) leave their line out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import polars as pl

from orchestration.publish.formatting import text_width
from orchestration.publish.labels import value_label
from orchestration.publish.workbook_cells import write_cell
from scoring.robustness import borderline_note_zh

DIMENSIONS = (
    ("service_points", "service", "服务能力"),
    ("incubation_points", "performance", "孵化绩效"),
    ("sustainability_points", "sustainability", "可持续发展"),
    ("bonus_points", "bonus", "加分项"),
)
"""(carrier_scores column, score_details dimension, Chinese name) of the four subtotals."""

UNITS: dict[str, str] = {
    "S1": "万元",
    "S4": "家/千平方米",
    "S5": "家",
    "P1": "家",
    "P2": "家",
    "P3": "家",
    "P4": "件",
    "P5": "件",
    "P6": "人",
    "D2": "万元",
}
SHARES = frozenset({"S2", "D1", "D3"})


def summary_facts(rectifications: pl.DataFrame) -> list[tuple[str, str, Any, str]]:
    """The summary's lines on last year's rectification orders: how many were met, missed."""
    if "status" not in rectifications.columns:
        return []
    status = rectifications.get_column("status")
    return [
        ("上年整改达标载体数", "rectifications met", int((status == "met").sum()), "int"),
        ("上年整改未达标载体数", "rectifications missed", int((status == "missed").sum()), "int"),
    ]


def _num(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (Decimal, int, float)) else None


def _score(value: Any) -> str:
    num = _num(value)
    return "—" if num is None else f"{num:.2f}"


def raw_text(code: str, value: Any) -> str:
    """An indicator's raw value in its unit: 5 件, 2,421 万元, 70.33%."""
    num = _num(value) or 0.0
    if code in SHARES:
        return f"{num * 100:.2f}".rstrip("0").rstrip(".") + "%"
    if code == "S3":
        return "有" if num >= 1 else "无"
    text = f"{num:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {UNITS.get(code, '')}".strip()


def _dimension_max(details: pl.DataFrame) -> dict[str, float]:
    """The points a dimension can give (its indicators' maxima), from one carrier's details."""
    if details.is_empty() or "dimension" not in details.columns:
        return {}
    one = details.filter(pl.col("carrier_id") == details.item(0, "carrier_id"))
    sums = one.group_by("dimension").agg(pl.col("points_max").cast(pl.Float64).sum())
    return {str(d): float(v) for d, v in sums.iter_rows()}


def _type_means(scores: pl.DataFrame) -> dict[str, dict[str, float]]:
    cols = [c for c, _, _ in DIMENSIONS if c in scores.columns]
    if not cols or scores.is_empty():
        return {}
    means = scores.group_by("carrier_type").agg(pl.col(c).cast(pl.Float64).mean() for c in cols)
    return {str(r["carrier_type"]): r for r in means.iter_rows(named=True)}


def next_sentence(record: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One sentence on the next grade, in Chinese then English."""
    grade = record.get("grade")
    nxt = record.get("next_grade")
    if grade == "A":
        return "已为最高等级 A / top grade"
    if nxt is None:
        return ""
    if record.get("veto_reason"):
        return (
            f"一票否决（{record['veto_reason']}）：补报数据前等级不随分数变化"
            " / veto: the grade does not follow the points until the data is reported"
        )
    gap = record.get("points_to_next_grade")
    if gap is None:
        return "等级经考核办公室调整，不按分数计算 / grade set by the office" if nxt else ""
    head = f"距 {nxt} 级还差 {_score(gap)} 分"
    head_en = f"{_score(gap)} points short of {nxt}"
    total = _num(record.get("total_score"))
    target = None if total is None else _score(total + float(gap))
    if record.get("score_grade") == "A" and grade == "B":
        head += f"（本类型 A 级名额已满，须赶上本类型最低的 A 级 {target} 分）"
        head_en += f" (its type's A places are taken: it must reach the lowest A, {target})"
    elif target is not None:
        head += f"（总分须达到 {target} 分）"
        head_en += f" (a total of {target})"
    code = record.get("lift_indicator")
    if code is None:
        return (
            f"{head}：单项指标无法补足，需多项指标共同提升"
            f" / {head_en}: no single indicator closes it"
        )
    name = names.get(code, "")
    now, need = record.get("_lift_from"), record.get("lift_raw_value")
    if code == "S3":
        move = "设立自有种子资金或合作孵化资金即可"
        move_en = "a seed fund would do"
    else:
        move = f"由 {raw_text(code, now)}增至 {raw_text(code, need)}即可"
        move_en = f"{raw_text(code, now)} → {raw_text(code, need)} would do"
    return f"{head}：{code} {name} {move} / {head_en}: {code} {move_en}"


def _previous(record: Mapping[str, Any], year: int) -> dict[str, str] | None:
    if "prev_grade" not in record:
        return None
    if record.get("prev_grade") is None:
        return {
            "grade": None,
            "text": f"{year - 1} 年无评价结果（本年新参评） / no result in {year - 1}",
        }
    now, before = _num(record.get("total_score")), _num(record.get("prev_total_score"))
    delta = None if now is None or before is None else now - before
    arrow = "" if delta is None else ("↑" if delta > 0 else "↓" if delta < 0 else "→")
    return {
        "score": _score(record.get("prev_total_score")),
        "grade": str(record["prev_grade"]),
        "rank": str(record.get("prev_rank_in_type") or "—"),
        "delta": "—" if delta is None else f"{delta:+.2f} {arrow}",
        "numbers": (before, record.get("prev_rank_in_type"), delta),
        "trend": "up" if (delta or 0) > 0 else ("down" if (delta or 0) < 0 else "same"),
        "text": (
            f"{year - 1} 年：总分 {_score(before)}，{record['prev_grade']} 级，"
            f"类型内第 {record.get('prev_rank_in_type') or '—'} 名；"
            f"本年 {'—' if delta is None else f'{delta:+.2f}'} 分"
        ),
    }


def _chart(record: Mapping[str, Any], means: Mapping[str, float], maxima: Mapping[str, float]):
    """Geometry of the small chart: per dimension a bar of the carrier's points and a thin one
    of the type's average, as shares of the dimension's maximum (inline SVG in the template)."""
    width, left, bar_w = 390, 84, 220
    rows = []
    for i, (col, dim, zh) in enumerate(DIMENSIONS):
        if col not in record:
            return None
        value = _num(record.get(col)) or 0.0
        mean = float(means.get(col) or 0.0)
        top = maxima.get(dim) or max(value, mean, 1.0)
        y = 8 + i * 30
        rows.append(
            {
                "label": zh,
                "y": y,
                "w": round(bar_w * min(value / top, 1.0), 1),
                "mean_w": round(bar_w * min(mean / top, 1.0), 1),
                "text": f"{value:.1f} / {top:g}",
                "mean_text": f"{mean:.1f}",
            }
        )
    return {"width": width, "height": 8 + 4 * 30 + 18, "left": left, "bar_w": bar_w, "rows": rows}


def receipt_views(
    scores: pl.DataFrame,
    details: pl.DataFrame,
    rectifications: pl.DataFrame | None,
    year: int,
    *,
    all_scores: pl.DataFrame | None = None,
    robustness: pl.DataFrame | None = None,
) -> dict[str, dict[str, Any]]:
    """carrier_id → what its receipt shows (both office files), for the carriers of `scores`;
    the type averages of the chart are over `all_scores` (default: `scores`); a borderline
    grade in `robustness` (`grade_robustness`) adds its sentence."""
    borderline = _borderline_notes(robustness)
    means = _type_means(scores if all_scores is None else all_scores)
    maxima = _dimension_max(details)
    names, lift_from = _indicator_names(scores, details)
    rect = _rectification_lines(rectifications)
    views = {}
    for record in scores.iter_rows(named=True):
        cid = str(record["carrier_id"])
        rec = {**record, "_lift_from": lift_from.get(record["carrier_id"])}
        ctype = str(record.get("carrier_type"))
        views[cid] = {
            "total": _score(record.get("total_score")),
            "grade": str(record.get("grade") or ""),
            "rank": str(record.get("rank_in_type") or "—"),
            "of": str(record.get("carriers_in_type") or ""),
            "type": value_label("carrier_type", ctype),
            "previous": _previous(record, year),
            "subtotals": _subtotals(record),
            "note": record.get("grade_note_zh") or "",
            "borderline": borderline.get(cid, ""),
            "next": next_sentence(rec, names) if "next_grade" in record else "",
            "rectifications": rect.get(cid, []),
            "chart": _chart(record, means.get(ctype, {}), maxima),
        }
    return views


def _borderline_notes(robustness: pl.DataFrame | None) -> dict[str, str]:
    """carrier_id → the sentence of a borderline grade (scoring.robustness)."""
    if robustness is None or "borderline" not in robustness.columns or not robustness.height:
        return {}
    notes = robustness.select("carrier_id", borderline_note_zh()).drop_nulls()
    return {str(c): str(n) for c, n in notes.iter_rows()}


def _indicator_names(
    scores: pl.DataFrame, details: pl.DataFrame
) -> tuple[dict[str, str], dict[Any, Any]]:
    """Indicator code → its name, and carrier_id → the raw value of its lift indicator."""
    if details.is_empty() or "indicator_name_zh" not in details.columns:
        return {}, {}
    names = dict(
        details.select("indicator_code", "indicator_name_zh")
        .unique("indicator_code", keep="first", maintain_order=True)
        .iter_rows()
    )
    if "lift_indicator" not in scores.columns:
        return names, {}
    lifted = scores.select("carrier_id", "lift_indicator").join(
        details.select("carrier_id", pl.col("indicator_code").alias("lift_indicator"), "raw_value"),
        on=["carrier_id", "lift_indicator"],
    )
    return names, dict(lifted.select("carrier_id", "raw_value").iter_rows())


def _rectification_lines(rectifications: pl.DataFrame | None) -> dict[str, list[str]]:
    """carrier_id → one line per rectification order: when, the grade then and how it went."""
    rect: dict[str, list[str]] = {}
    if rectifications is None or rectifications.is_empty():
        return rect
    for r in rectifications.sort("carrier_id", "ordered_year").iter_rows(named=True):
        due = r.get("grade_in_due_year")
        head = f"{r['ordered_year']} 年 {r['grade_then']} 级，责令整改"
        head += f"；{r['due_year']} 年 {due} 级" if due else ""
        label = value_label("status", r["status"])
        rect.setdefault(str(r["carrier_id"]), []).append(
            f"{head}：{r.get('next_action_zh') or label}"
        )
    return rect


def _subtotals(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": zh, "value": _score(record.get(col)), "number": _num(record.get(col))}
        for col, _, zh in DIMENSIONS
        if col in record
    ]


def write_rows(
    wb: Any, ws: Any, fmt: Any, row: int, view: Mapping[str, Any] | None, width: int
) -> int:
    """The receipt as rows of the workbook's detail sheet, from `row` (columns 0 to `width`);
    returns the next free row."""
    if not view:
        return row
    wrap = getattr(fmt, "receipt_wrap", None)
    if wrap is None:
        wrap = wb.add_format({"text_wrap": True, "valign": "top", "num_format": "@"})
        fmt.receipt_wrap = wrap
    ws.merge_range(row, 0, row, width, "评分回执 / Score receipt", fmt.label)
    row = _write_previous(ws, fmt, row + 1, view.get("previous"), width, wrap)
    if view["subtotals"]:
        for k, item in enumerate(view["subtotals"]):
            ws.write_string(row, 2 * k, item["label"], fmt.label)
            write_cell(ws, fmt, row, 2 * k + 1, item["number"], "score")
        row += 1
    lines = [("等级说明", view["note"]), ("晋级所需", view["next"])]
    lines += [("等级稳健性", view["borderline"])]
    lines += [("整改跟踪", text) for text in view["rectifications"]]
    for label, text in lines:
        if text:
            _write_text_row(ws, fmt, row, label, text, width, wrap)
            row += 1
    return row


def _write_previous(
    ws: Any, fmt: Any, row: int, prev: Mapping[str, Any] | None, width: int, wrap: Any
) -> int:
    """Last year's total, grade, rank and change on one row (or the sentence saying why not)."""
    if prev and prev["grade"]:
        score, rank, delta = prev["numbers"]
        pairs = [
            ("上年总分", score, "score"),
            ("上年等级", prev["grade"], "text"),
            ("上年类型内排名", rank, "int"),
            ("较上年变化", None if delta is None else round(delta, 2), "score"),
        ]
        for k, (label, value, kind) in enumerate(pairs):
            ws.write_string(row, 2 * k, label, fmt.label)
            write_cell(ws, fmt, row, 2 * k + 1, value, kind)
        return row + 1
    if prev:
        ws.write_string(row, 0, "上年", fmt.label)
        ws.merge_range(row, 1, row, width, prev["text"], wrap)
        return row + 1
    return row


def _write_text_row(
    ws: Any, fmt: Any, row: int, label: str, text: str, width: int, wrap: Any
) -> None:
    ws.write_string(row, 0, label, fmt.label)
    # a merged cell keeps one row's height: give long text the lines it needs
    quoted = text.startswith(("=", "+", "-", "@"))
    ws.merge_range(row, 1, row, width, text, fmt.cell("text", quote=True) if quoted else wrap)
    lines = max(1, -(-text_width(text) // (12 * width)))
    ws.set_row(row, 16 * lines)
