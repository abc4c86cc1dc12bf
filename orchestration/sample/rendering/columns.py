"""Rendering a dataset: each contract column of canonical values becomes the text clerks type,
one form drawn per row (cells.py has the forms), each column from its own generator seeded by
(seed, year, dataset, column)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from orchestration.contract import Column, datasets
from orchestration.sample.rendering.cells import (
    BOOL_W,
    CELL_NUM,
    DATE_W_CSV,
    DATE_W_XLSX,
    MONEY_W,
    bool_forms,
    choose,
    date_forms,
    draw_forms,
    fullwidth,
    money_forms,
    patent_no_forms,
    plain_money,
    uscc_forms,
)

SPACED_COLUMNS = ("town", "attracted_by_town", "industry")
"""Columns that also arrive with a plain space between Chinese characters (`樊川 镇`)."""
CODE_COLUMNS = ("carrier_id", "certificate_no", "tech_sme_reg_no", "document_no")
"""Codes: typed as they are, now and then with a trailing space."""


def render(name: str, frame: pl.DataFrame, seed: int, year: int, native: bool) -> pl.DataFrame:
    """A dataset's canonical frame → text cells; keeps `_cid` (carrier) for the layout and `_i`
    (the canonical row). `native`: workbook cells (numbers and dates allowed)."""
    ds = datasets()[name]
    cols = []
    for j, col in enumerate(ds.columns):
        rng = np.random.default_rng([seed, year, list(datasets()).index(name), j])
        cols.append(render_column(frame, col, rng, native))
    out = pl.DataFrame(cols).with_columns(
        frame["carrier_id"].alias("_cid"), pl.int_range(frame.height).alias("_i")
    )
    if name == "financing":
        out = _financing_units(out, frame, np.random.default_rng([seed, year, 99]), native)
    return out


def render_column(
    frame: pl.DataFrame, col: Column, rng: np.random.Generator, native: bool
) -> pl.Series:
    """One contract column of canonical values → text as written (sentinels for Excel cells)."""
    v = pl.col(col.name)
    n = frame.height
    if col.type == "enum":
        opts = [_enum_label(col, v)]
        forms = rng.integers(0, 12, n).astype(np.int8)
        forms = np.where(rng.random(n) < 0.8, 0, forms).astype(np.int8)
    else:
        opts, weights = _options(col, v, native)
        forms = draw_forms(rng, n, weights)
    out = frame.select(v, pl.Series("_f", forms)).select(choose(opts).alias(col.name))
    return out.to_series().cast(pl.String)


def _options(col: Column, v: pl.Expr, native: bool) -> tuple[list[pl.Expr], Sequence[float]]:
    """The forms a column's values are written in, and their weights."""
    if col.type == "date":
        return date_forms(v, native), DATE_W_XLSX if native else DATE_W_CSV
    if col.type == "money":
        return money_forms(v, native), MONEY_W
    if col.type == "bool":
        return bool_forms(v), BOOL_W
    if col.type in ("int", "decimal"):
        text = v.cast(pl.String)
        if col.type == "decimal":
            text = text.str.replace(r"\.0$", "")
        number = pl.concat_str([pl.lit(CELL_NUM), text]) if native else text
        return [number, text, fullwidth(text)], (0.75, 0.2, 0.05) if native else (0.0, 0.95, 0.05)
    if col.type == "uscc":
        return uscc_forms(v), (0.70, 0.09, 0.07, 0.05, 0.05, 0.04)
    if col.name == "patent_no":
        return patent_no_forms(v), (0.4, 0.25, 0.15, 0.2)
    if col.name in CODE_COLUMNS:
        return [v, pl.concat_str([v, pl.lit(" ")])], (0.97, 0.03)
    return _text_forms(col, v, native), (0.86, 0.05, 0.04 if native else 0.0, 0.03, 0.02)


def _enum_label(col: Column, v: pl.Expr) -> pl.Expr:
    """A code's label (aliases included), the alias chosen by the row's form."""
    labels: dict[str, list[str]] = {}
    for label, code in col.values.items():
        labels.setdefault(str(code), []).append(label)
    pick = pl.lit(None, pl.String)
    for code, labs in labels.items():
        inner = pl.lit(labs[-1])
        for k in range(len(labs) - 2, -1, -1):
            inner = pl.when(pl.col("_f") % len(labs) == k).then(pl.lit(labs[k])).otherwise(inner)
        pick = pl.when(v.cast(pl.String) == code).then(inner).otherwise(pick)
    return pick


def _text_forms(col: Column, v: pl.Expr, native: bool) -> list[pl.Expr]:
    """Free text: as is, padded, broken before 有限公司 (workbooks), full-width, split by a
    space. Towns and industries also arrive with a plain space between Chinese characters
    (`樊川 镇`, `生物 医药`) and towns without 镇 (`樊川`): the same town, industry."""
    broken = v.str.replace("有限公司", "\n有限公司") if native else v
    split = pl.lit(" " if col.name in SPACED_COLUMNS else "\u3000")
    town = col.name in ("town", "attracted_by_town")
    wide = v.str.strip_suffix("镇") if town else v
    return [
        v,
        pl.concat_str([pl.lit(" "), v, pl.lit("  ")]),
        broken,
        fullwidth(wide),
        pl.concat_str([v.str.slice(0, 2), split, v.str.slice(2)])
        if col.name != "enterprise_name"
        else v,
    ]


def _financing_units(
    out: pl.DataFrame, frame: pl.DataFrame, rng: np.random.Generator, native: bool
) -> pl.DataFrame:
    """Some rows state the unit in 金额单位: the amount is then a plain number in that unit."""
    u = rng.random(out.height)
    unit = pl.Series("amount_unit", np.where(u < 0.06, "元", np.where(u < 0.14, "万元", "")))
    m = pl.col("amount")
    text = (
        frame.select(m.alias("m"))
        .with_columns(unit)
        .select(
            pl.when(pl.col("amount_unit") == "元")
            .then((pl.col("m") * 100).cast(pl.String))
            .otherwise(plain_money(pl.col("m")))
            .alias("a")
        )["a"]
    )
    if native:
        text = CELL_NUM + text
    stated = unit != ""
    return out.with_columns(
        pl.when(stated).then(text).otherwise(pl.col("amount")).alias("amount"),
        pl.when(stated).then(unit).otherwise(None).alias("amount_unit"),
    )
