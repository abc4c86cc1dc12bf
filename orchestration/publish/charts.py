"""Chart geometry for the HTML report, drawn as inline SVG by the template (no scripts, no
external resources)."""

from __future__ import annotations

from typing import Any

GRADE_COLOURS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}


def grade_chart(counts: dict[str, int]) -> dict[str, Any]:
    """Bar geometry for the grade distribution: one bar per grade, the tallest 160 high."""
    top = max([1, *counts.values()])
    width, height, bar, gap, base = 440, 240, 70, 30, 200
    bars = []
    for i, grade in enumerate(GRADE_COLOURS):
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
                "colour": GRADE_COLOURS[grade],
            }
        )
    return {"width": width, "height": height, "base": base, "bars": bars}
