"""Cell forms: the ways clerks type a date, an amount, a yes/no, a number or a credit code, as
polars expressions over the canonical value, and a per-row draw of which form each row gets.

Text meant for a number or date cell of a workbook carries a sentinel prefix (CELL_NUM,
CELL_DATE); the workbook writer turns it into a typed cell, `as_csv_text` strips it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

CELL_NUM = "\x01N"
CELL_DATE = "\x01D"
"""Sentinels: the rendered text is written to .xlsx as a number / date cell, not a string."""
EXCEL_EPOCH_OFFSET = 25569
"""Excel serial number of 1970-01-01 (serials count days from 1899-12-30)."""

DATE_W_XLSX = (0.25, 0.10, 0.05, 0.05, 0.10, 0.35, 0.10)
DATE_W_CSV = (0.45, 0.15, 0.08, 0.10, 0.17, 0.0, 0.05)
MONEY_W = (0.50, 0.12, 0.10, 0.08, 0.08, 0.07, 0.05)
BOOLS = (("是", "否"), ("Y", "N"), ("√", "×"), ("1", "0"), ("yes", "no"), ("true", "false"))
BOOL_W = (0.55, 0.12, 0.12, 0.12, 0.05, 0.04)
"""Weights of the forms below, in their order."""

_FW_FROM = [chr(c) for c in range(0x21, 0x7F)]
_FW_TO = [chr(c + 0xFEE0) for c in range(0x21, 0x7F)]


def fullwidth(expr: pl.Expr) -> pl.Expr:
    """ASCII letters, digits and punctuation → their full-width forms (NFKC undoes it)."""
    return expr.str.replace_many(_FW_FROM, _FW_TO)


def choose(options: list[pl.Expr]) -> pl.Expr:
    """Option k for the rows whose form (column `_f`) is k; the last option otherwise."""
    f = pl.col("_f")
    out = options[-1]
    for k in range(len(options) - 2, -1, -1):
        out = pl.when(f == k).then(options[k]).otherwise(out)
    return out


def draw_forms(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """Which form each of n rows gets, by weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), n, p=p / p.sum()).astype(np.int8)


def plain_money(m: pl.Expr) -> pl.Expr:
    """Hundredths of 万元 → `1234.5` (no trailing zeros)."""
    ip = (m // 100).cast(pl.String)
    fr = (m % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    return pl.when(fr == "").then(ip).otherwise(pl.concat_str([ip, pl.lit("."), fr]))


def _comma_money(m: pl.Expr) -> pl.Expr:
    """Hundredths of 万元 → `1,234.5`."""
    ip = m // 100
    fr = (m % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    frac = pl.when(fr == "").then(pl.lit("")).otherwise(pl.concat_str([pl.lit("."), fr]))
    a, b, c = ip // 1_000_000, (ip // 1000) % 1000, ip % 1000

    def z3(x: pl.Expr) -> pl.Expr:
        return x.cast(pl.String).str.zfill(3)

    comma_int = (
        pl.when(a > 0)
        .then(pl.concat_str([a.cast(pl.String), pl.lit(","), z3(b), pl.lit(","), z3(c)]))
        .when(b > 0)
        .then(pl.concat_str([b.cast(pl.String), pl.lit(","), z3(c)]))
        .otherwise(c.cast(pl.String))
    )
    return pl.concat_str([comma_int, frac])


def _yi_money(m: pl.Expr) -> pl.Expr:
    """Hundredths of 万元 → `1.2亿` (from 1亿 up), `1234.5万元` below."""
    yi_fr = (m % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    yi = pl.concat_str(
        [
            (m // 1_000_000).cast(pl.String),
            pl.when(yi_fr == "").then(pl.lit("")).otherwise(pl.concat_str([pl.lit("."), yi_fr])),
            pl.lit("亿"),
        ]
    )
    return pl.when(m >= 100_000).then(yi).otherwise(pl.concat_str([plain_money(m), pl.lit("万元")]))


def money_forms(m: pl.Expr, native: bool) -> list[pl.Expr]:
    """An amount (hundredths of 万元) as clerks write it; `native`: a number cell allowed."""
    plain = plain_money(m)
    return [
        pl.concat_str([pl.lit(CELL_NUM), plain]) if native else plain,  # 0 number
        plain,  # 1 text
        _comma_money(m),  # 2 1,234.5
        pl.concat_str([plain, pl.lit("万")]),  # 3
        pl.concat_str([plain, pl.lit("万元")]),  # 4
        pl.concat_str([(m * 100).cast(pl.String), pl.lit("元")]),  # 5
        _yi_money(m),  # 6
    ]


def date_forms(d: pl.Expr, native: bool) -> list[pl.Expr]:
    """A date as clerks write it; `native`: date and serial-number cells allowed."""
    y, mo, da = (
        d.dt.year().cast(pl.String),
        d.dt.month().cast(pl.String),
        d.dt.day().cast(pl.String),
    )
    iso = d.dt.strftime("%Y-%m-%d")
    serial = (d.cast(pl.Int32) + EXCEL_EPOCH_OFFSET).cast(pl.String)
    return [
        iso,
        pl.concat_str([y, pl.lit("/"), mo, pl.lit("/"), da]),
        pl.concat_str([y, pl.lit("."), mo, pl.lit("."), da]),
        d.dt.strftime("%Y%m%d"),
        pl.concat_str([y, pl.lit("年"), mo, pl.lit("月"), da, pl.lit("日")]),
        pl.concat_str([pl.lit(CELL_DATE), iso]) if native else iso,
        pl.concat_str([pl.lit(CELL_NUM), serial]) if native else serial,
    ]


def bool_forms(v: pl.Expr) -> list[pl.Expr]:
    return [pl.when(v).then(pl.lit(t)).otherwise(pl.lit(f)) for t, f in BOOLS]


def uscc_forms(v: pl.Expr) -> list[pl.Expr]:
    """A credit code as typed: plain, lower case, grouped by spaces, dashed, full-width, padded."""
    grouped = pl.concat_str(
        [v.str.slice(0, 4), v.str.slice(4, 4), v.str.slice(8, 4), v.str.slice(12, 6)],
        separator=" ",
    )
    dashed = pl.concat_str(
        [v.str.slice(0, 8), v.str.slice(8, 9), v.str.slice(17, 1)], separator="-"
    )
    return [
        v,
        v.str.to_lowercase(),
        grouped,
        dashed,
        fullwidth(v),
        pl.concat_str([pl.lit(" "), v, pl.lit(" ")]),
    ]


def patent_no_forms(v: pl.Expr) -> list[pl.Expr]:
    """A patent number as typed: plain, `ZL 2023 1 0123456.7`, `CN…`, digits only."""
    digits = v.str.replace(r"\.", "")
    body = v.str.split(".").list.first()
    check = v.str.split(".").list.last()
    spaced = pl.concat_str(
        [
            pl.lit("ZL "),
            body.str.slice(0, 4),
            pl.lit(" "),
            body.str.slice(4, 1),
            pl.lit(" "),
            body.str.slice(5, 7),
            pl.lit("."),
            check,
        ]
    )
    zl = (
        pl.when(body.str.len_chars() == 12).then(spaced).otherwise(pl.concat_str([pl.lit("ZL"), v]))
    )
    return [v, zl, pl.concat_str([pl.lit("CN"), v]), digits]


def as_csv_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Rendered cells for a CSV: Excel-cell sentinels become their text, no line breaks."""
    return frame.with_columns(
        pl.col(c)
        .str.replace(f"^{CELL_DATE}", "")
        .str.replace(f"^{CELL_NUM}", "")
        .str.replace_all("\n", "")
        for c in frame.columns
        if frame[c].dtype == pl.String
    )
