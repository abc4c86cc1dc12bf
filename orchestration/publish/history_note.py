"""What the office files say about the year's basis: the rulebook, and the look-back history.

Read from the year's `runs` row (the run that publishes the files): `rulebook_year`,
`history_years`, `history_gaps`. `office_summary.py` adds `facts` to the summary (workbook and HTML)
and shows `banner` above everything when the look-back was incomplete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def rulebook_text(run: Mapping[str, Any], year: int) -> str:
    rulebook_year = run.get("rulebook_year")
    if rulebook_year is None:
        return "—"
    if int(rulebook_year) == year:
        return f"{year} 年度规则 / rulebook of {year}"
    return f"沿用 {rulebook_year} 年度默认规则 / the {rulebook_year} default rulebook"


def history_text(run: Mapping[str, Any]) -> str:
    years = run.get("history_years")
    if years is None:
        return "—"
    if years == "":
        return "首个评价年度，回溯规则无历史数据 / first assessed year: no history to look back at"
    gaps = run.get("history_gaps") or ""
    text = f"{years.replace(',', '、')}"
    return f"{text}（缺 / missing {gaps.replace(',', '、')}）" if gaps else text


def facts(run: Mapping[str, Any], year: int) -> list[tuple[str, str, Any, str]]:
    """(Chinese label, English label, value, kind) rows for the summary."""
    return [
        ("评价规则", "rulebook", rulebook_text(run, year), "text"),
        ("回溯的历史年度", "history years looked back at", history_text(run), "text"),
    ]


def banner(run: Mapping[str, Any], year: int) -> str | None:
    """A warning when the look-back rules saw an incomplete history; None when complete."""
    years = run.get("history_years")
    gaps = run.get("history_gaps") or ""
    if years is None:
        return None
    if years == "":
        return (
            f"{year} 为首个评价年度：处置、首次认定和晋级奖补、清退考察期等回溯规则"
            "看不到以前年度的数据"
            f" / {year} is the first assessed year: the look-back rules (actions, first-time and "
            "top-up rewards, clear-out windows) saw no earlier year"
        )
    if gaps:
        shown = gaps.replace(",", "、")
        return (
            f"缺少 {shown} 年度的报送材料：回溯规则（处置、首次认定和晋级奖补、清退考察期）"
            "看不到该年度"
            f" / the {gaps} package(s) are not loaded: the look-back rules (actions, first-time "
            "and top-up rewards, clear-out windows) do not see them"
        )
    return None
