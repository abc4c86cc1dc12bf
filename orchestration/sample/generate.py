"""Generating a sample: the district drawn once, then each year laid out, planted with its bad
cells, written to `root/<year>/` with `root/manifest_<year>.json`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from orchestration.contract import datasets
from orchestration.sample.defects import placed_defects, plant_defects
from orchestration.sample.entities import World
from orchestration.sample.manifest import (
    SampleManifest,
    YearManifest,
    scenario_facts,
    write_year_manifest,
)
from orchestration.sample.rendering import YearLayout, write_package

Fmt = Literal["auto", "xlsx", "csv"]

XLSX_MAX_SCALE = 5.0
"""fmt "auto" writes per-carrier workbooks up to this scale, large CSV files above it."""


def generate_sample(
    root: Path,
    years: Sequence[int] = (2023, 2024),
    scale: float = 1.0,
    fmt: Fmt = "auto",
    seed: int = 2024,
) -> SampleManifest:
    """Write `root/<year>/` report packages of a simulated district and `root/manifest_<year>.json`.

    scale 1 ≈ a district of 60 carriers and 3,000 tenants a year; scale multiplies everything.
    fmt "auto" writes per-carrier workbooks up to scale 5 and large UTF-8 CSVs above.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    xlsx = fmt == "xlsx" or (fmt == "auto" and scale <= XLSX_MAX_SCALE)
    world = World(scale, years, seed)
    manifest = SampleManifest(seed=seed, scale=scale, years={})
    for year in sorted(years):
        ym = write_year(world, year, root, seed, xlsx)
        manifest.years[year] = ym
        write_year_manifest(root, ym)
    return manifest


def sample_tables(
    years: Sequence[int] = (2023, 2024), scale: float = 1.0, seed: int = 2024
) -> dict[int, dict[str, pl.DataFrame]]:
    """The canonical (clean, typed) tables behind `generate_sample` with the same arguments, per
    year: what the batch should read back, for calibration and tests."""
    world = World(scale, years, seed)
    return {year: world.package(year) for year in sorted(years)}


def write_year(world: World, year: int, root: Path, seed: int, xlsx: bool) -> YearManifest:
    """Lay out, plant and write one year's package into `root/<year>/` (its old .xlsx and .csv
    files removed first)."""
    layout = YearLayout(world, year, seed, xlsx)
    layout.plan_specials()
    layout.assign_files()
    planted = plant_defects(layout)
    layout.scenarios.update(scenario_facts(layout))
    folder = _clean_folder(root / str(year))
    rows_written = {name: layout.frames[name].height for name in datasets()}
    defects = placed_defects(layout, planted)
    layout.scenarios["repeated_row"] = _repeated_row(layout)
    files = write_package(layout, folder)
    return YearManifest(
        year=year,
        package_dir=str(year),
        fmt="xlsx" if xlsx else "csv",
        files=sorted(files),
        rows=rows_written,
        defects=defects,
        scenarios=layout.scenarios,
    )


def _clean_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file() and old.suffix in (".xlsx", ".csv"):
            old.unlink()
    return folder


def _repeated_row(layout: YearLayout) -> dict[str, object]:
    """Where the financing row handed in twice is: file, sheet and its two spreadsheet rows."""
    rep = layout.frames["financing"].row(layout.rep_index, named=True)
    sheet, row = layout.spreadsheet_row("financing", rep)
    return {"dataset": "financing", "file": rep["_file"], "sheet": sheet, "rows": [row, row + 1]}
