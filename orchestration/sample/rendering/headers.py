"""Header and title rows as offices write them: the Chinese header, now and then mixed with
keys, aliases, spaced or half-width brackets, units dropped or added; title rows above."""

from __future__ import annotations

import numpy as np

from orchestration.contract import Column, datasets


def headers(name: str, rng: np.random.Generator, plain: bool = False) -> list[str]:
    """How one sheet's header row is written: Chinese, key, alias, spaced, unit dropped."""
    style = "zh" if plain else rng.choice(["zh", "zh", "zh", "mixed"])
    out = []
    for col in datasets()[name].columns:
        out.append(_mixed(col, rng) if style == "mixed" else col.zh)
    return out


def _mixed(col: Column, rng: np.random.Generator) -> str:
    """One header of a mixed row: mostly Chinese, else one of the variants."""
    h = col.zh
    k = rng.integers(0, 8)
    if k == 1:
        h = col.name
    elif k == 2 and col.aliases:
        h = col.aliases[int(rng.integers(0, len(col.aliases)))]
    elif k == 3:
        h = f" {h[:2]} {h[2:]} " if len(h) > 2 else f" {h} "
    elif k == 4:
        h = h.replace("（", "(").replace("）", ")")
    elif k == 5 and h.endswith("）") and col.type != "money":
        h = h[: h.rindex("（")]
    elif k == 6 and col.type == "money" and "（" not in h:
        h = f"{h}（万元）"
    return h


def title_rows(year: int, carrier: str, sheet_zh: str, n: int) -> list[str]:
    """The first `n` title rows above a sheet's header (a heading, then who filed and when)."""
    rows = [
        f"{year}年度{carrier}{sheet_zh}情况表",
        f"填报单位（盖章）：{carrier}    填报日期：{year + 1}年1月10日",
    ]
    return rows[:n]
