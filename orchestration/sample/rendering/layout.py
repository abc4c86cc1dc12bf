"""One year's package laid out: the rendered frames, the carriers chosen for the special cases
(a GB18030 CSV, a workbook handed in twice, amounts in 元, an extra column, an unknown sheet, a
repeated row), the file and position of every row, and each sheet's name and title rows."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from orchestration.contract import datasets
from orchestration.sample.entities import World
from orchestration.sample.rendering.cells import CELL_NUM
from orchestration.sample.rendering.columns import render

CSV_PART_ROWS = 1_000_000
"""Bench CSVs are split into parts of at most this many rows."""


class YearLayout:
    """One year's package being laid out: canonical and rendered frames, file of each row."""

    def __init__(self, world: World, year: int, seed: int, xlsx: bool) -> None:
        self.world, self.year, self.seed, self.xlsx = world, year, seed, xlsx
        self.canon = world.package(year)
        self.frames = {
            name: render(name, frame, seed, year, native=xlsx) for name, frame in self.canon.items()
        }
        self.scenarios: dict[str, Any] = {}
        carriers = world.carriers.frame
        self.ids: list[str] = carriers["carrier_id"].to_list()
        self.names = dict(zip(self.ids, carriers["carrier_name"].to_list(), strict=True))
        self.role_ids = {role: self.ids[c] for role, c in world.carriers.roles.items()}

    def workbook_name(self, cid: str) -> str:
        return f"{cid}_{self.names[cid]}.xlsx"

    # -- special cases ---------------------------------------------------------------------------

    def plan_specials(self) -> None:
        """Choose the carriers of the special cases (near fixed ids, with at least three rows),
        state one carrier's amounts in 元 and repeat one financing row."""
        width = len(self.ids[0]) - 1

        def near(k: int) -> str:
            return f"C{k:0{width}d}"

        self.gb_cid = self._carrier_with("financing", near(31), set()) if self.xlsx else None
        gb = self.gb_cid or ""
        self.dup_cid = self._carrier_with("tenants", near(5), {gb})
        self.yuan_cid = self._carrier_with("financing", near(12), {gb, self.dup_cid})
        self.extra_cid = self._carrier_with("tenants", near(20), {self.dup_cid})
        self.unknown_cid = self._carrier_with("tenants", near(8), {self.dup_cid})
        self.rep_cid = self._carrier_with("financing", near(17), {gb, self.dup_cid, self.yuan_cid})
        fin = self.frames["financing"]
        if self.xlsx:
            fin = self._amounts_in_yuan(fin)
        # A row handed in twice in the same sheet.
        rows = np.flatnonzero((fin["_cid"] == self.rep_cid).to_numpy())
        r = int(rows[len(rows) // 2])
        self.frames["financing"] = pl.concat([fin[: r + 1], fin[r : r + 1], fin[r + 1 :]])
        self.rep_index = r

    def _carrier_with(self, name: str, prefer: str, avoid: set[str]) -> str:
        """`prefer` if it has three rows of `name` and is not avoided or in a role, else the
        middle one of those that do."""
        counts = self.frames[name].group_by("_cid").len()
        ok = (
            set(counts.filter(pl.col("len") >= 3)["_cid"].to_list())
            - avoid
            - set(self.role_ids.values())
        )
        if prefer in ok:
            return prefer
        return sorted(ok)[len(ok) // 2]

    def _amounts_in_yuan(self, fin: pl.DataFrame) -> pl.DataFrame:
        """The yuan carrier's amounts as numbers in 元 (its header says so), no unit column.
        Rows still align with the canonical frame here (nothing inserted yet)."""
        canon_amount = self.canon["financing"]["amount"]
        yuan = pl.col("_cid") == self.yuan_cid
        fin = fin.with_columns((canon_amount * 100).cast(pl.String).alias("_yuan"))
        return fin.with_columns(
            pl.when(yuan)
            .then(pl.concat_str([pl.lit(CELL_NUM), pl.col("_yuan")]))
            .otherwise(pl.col("amount"))
            .alias("amount"),
            pl.when(yuan).then(None).otherwise(pl.col("amount_unit")).alias("amount_unit"),
        ).drop("_yuan")

    # -- files and sheets ------------------------------------------------------------------------

    def assign_files(self) -> None:
        """Which file each rendered row goes to (`_file`), and its position there (`_pos`):
        per-carrier workbooks (the GB18030 carrier's financing in a CSV), or CSV parts."""
        for name, frame in self.frames.items():
            file = self._xlsx_file(name) if self.xlsx else self._csv_file(name, frame.height)
            self.frames[name] = frame.with_columns(file.alias("_file")).with_columns(
                pl.int_range(pl.len()).over("_file").alias("_pos")
            )

    def _xlsx_file(self, name: str) -> pl.Expr:
        wb = pl.concat_str(
            [pl.col("_cid"), pl.lit("_"), pl.col("_cid").replace_strict(self.names)]
        ) + pl.lit(".xlsx")
        return (
            pl.when(pl.lit(name == "financing") & (pl.col("_cid") == self.gb_cid))
            .then(pl.lit(f"financing_{self.gb_cid}.csv"))
            .otherwise(wb)
        )

    @staticmethod
    def _csv_file(name: str, n: int) -> pl.Expr:
        parts = max(1, math.ceil(n / CSV_PART_ROWS))
        if parts == 1:
            return pl.lit(f"{name}.csv")
        k = (pl.int_range(n) * parts // n + 1).cast(pl.String).str.zfill(2)
        return pl.concat_str([pl.lit(f"{name}_part"), k, pl.lit(".csv")])

    def sheet_of(self, name: str, file: str) -> tuple[str, int]:
        """Sheet name and number of title rows above the header, fixed per (file, dataset)."""
        if not file.endswith(".xlsx"):
            return "", 0
        rng = np.random.default_rng([self.seed, self.year, sum(map(ord, file)), len(name)])
        ds = datasets()[name]
        sheet = ds.name if rng.random() < 0.1 else ds.sheet_zh
        titles = int(rng.choice(3, p=(0.62, 0.26, 0.12)))
        return sheet, titles

    def spreadsheet_row(self, name: str, row: dict[str, Any]) -> tuple[str, int]:
        """Sheet and row number (as a spreadsheet shows it) of a laid-out row of `name`."""
        sheet, titles = self.sheet_of(name, row["_file"])
        return sheet, row["_pos"] + 2 + titles
