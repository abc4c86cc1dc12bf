"""The deliberate bad rows: about ten cells a year of the kinds the contract rejects (a credit
code with a wrong check character, an impossible date, negative amounts and areas, an unreadable
number, missing required values, patent numbers with a wrong check or type digit, a certificate
number of the wrong year), never in the carriers sheet nor in a special case's rows; and where a
person finds each one (file, sheet, row)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from orchestration.sample.identifiers import corrupt_uscc, patent_check_char
from orchestration.sample.manifest import PlantedDefect
from orchestration.sample.rendering.layout import YearLayout

ValueFn = Callable[[pl.DataFrame, int], str | None]
"""The bad value, from the canonical frame and row."""
CHECK_CHARS = "0123456789X"


class _Planter:
    """Writes bad values into a layout's rendered frames, one row each, never the same row
    twice, and records them (dataset, rendered row, column, value, kind)."""

    def __init__(self, layout: YearLayout) -> None:
        self.layout = layout
        self.rng = np.random.default_rng([layout.seed, layout.year, 3])
        self.avoid = sorted(set(layout.role_ids.values()) | {layout.dup_cid, layout.rep_cid})
        self.used: dict[str, set[int]] = {}
        self.planted: list[dict[str, Any]] = []

    def pick(self, name: str, where: pl.Expr | None, file: str | None) -> int | None:
        """A random rendered row of `name` (in `file`, or in a workbook when there are any)."""
        frame = self.layout.frames[name].with_row_index("_r")
        cond = ~pl.col("_cid").is_in(self.avoid)
        if file:
            cond = pl.col("_file") == file
        elif self.layout.xlsx:
            cond &= pl.col("_file").str.ends_with(".xlsx")
        if where is not None:
            cond &= where
        cand = frame.filter(cond)["_r"].to_numpy()
        cand = np.setdiff1d(cand, np.fromiter(self.used.get(name, set()), dtype=np.int64))
        if cand.size == 0:
            return None
        r = int(self.rng.choice(cand))
        self.used.setdefault(name, set()).add(r)
        return r

    def plant(
        self,
        name: str,
        column: str,
        kind: str,
        value_fn: ValueFn,
        where: pl.Expr | None = None,
        file: str | None = None,
    ) -> None:
        r = self.pick(name, where, file)
        if r is None:
            return
        frame = self.layout.frames[name]
        value = value_fn(self.layout.canon[name], int(frame["_i"][r]))
        self.layout.frames[name] = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == r)
            .then(pl.lit(value, pl.String))
            .otherwise(pl.col(column))
            .alias(column)
        )
        self.planted.append(
            {"dataset": name, "r": r, "column": column, "value": value or "", "kind": kind}
        )


def plant_defects(layout: YearLayout) -> list[dict[str, Any]]:
    """Plant the year's bad cells into `layout.frames`; returns what was planted where (the
    rendered row `r` of each dataset)."""
    p = _Planter(layout)
    y = layout.year
    p.plant("tenants", "uscc", "uscc_check", lambda f, i: corrupt_uscc(f["uscc"][i]))
    p.plant("tenants", "revenue", "unreadable_number", lambda f, i: "12..5")
    p.plant("tenants", "entry_date", "missing_required", lambda f, i: None)
    p.plant("tenants", "occupied_area_m2", "negative_area", lambda f, i: "-120")
    p.plant("financing", "financing_date", "invalid_date", lambda f, i: f"{y}-02-30")
    gb_file = f"financing_{layout.gb_cid}.csv" if layout.gb_cid else None
    p.plant("financing", "amount", "negative_amount", lambda f, i: "-50", file=gb_file)
    long_no = pl.col("_i").is_in(
        layout.canon["patents"]
        .with_row_index("_j")
        .filter(pl.col("patent_no").str.len_chars() == 14)["_j"]
        .implode()
    )
    p.plant("patents", "patent_no", "patent_check", _bad_check, where=long_no)
    p.plant("patents", "patent_no", "patent_type_mismatch", _bad_type, where=long_no)
    p.plant("high_tech", "certificate_no", "certificate_year_mismatch", _wrong_year)
    target = "awards" if layout.frames["awards"].height else "graduations"
    p.plant(target, "uscc", "missing_required", lambda f, i: None)
    return p.planted


def _bad_check(f: pl.DataFrame, i: int) -> str:
    """The patent number with another check character."""
    body, check = f["patent_no"][i].split(".")
    wrong = CHECK_CHARS[(CHECK_CHARS.index(check) + 3) % 11]
    return f"{body}.{wrong}"


def _bad_type(f: pl.DataFrame, i: int) -> str:
    """The patent number with another type's digit (and a correct check character)."""
    body = f["patent_no"][i].split(".")[0]
    digit = {"invention": "3", "utility_model": "1", "design": "2"}[f["patent_type"][i]]
    body = body[:4] + digit + body[5:]
    return f"{body}.{patent_check_char(body)}"


def _wrong_year(f: pl.DataFrame, i: int) -> str:
    """The certificate number of the year before its issue."""
    return f"GR{f['issue_date'][i].year - 1}{f['certificate_no'][i][6:]}"


def placed_defects(layout: YearLayout, planted: list[dict[str, Any]]) -> list[PlantedDefect]:
    """Where a person finds each planted cell: file, sheet and spreadsheet row."""
    out = []
    for d in planted:
        rec = layout.frames[d["dataset"]].row(d["r"], named=True)
        sheet, row = layout.spreadsheet_row(d["dataset"], rec)
        out.append(
            PlantedDefect(
                dataset=d["dataset"],
                file=rec["_file"],
                sheet=sheet,
                row=row,
                column=d["column"],
                value=d["value"],
                kind=d["kind"],
            )
        )
    return out
