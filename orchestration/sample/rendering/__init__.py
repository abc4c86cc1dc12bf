"""Rendering a year's package as carriers hand it in: canonical values become the text clerks
type (dates, amounts, yes/no, codes in their many forms), rows are laid out in files and sheets
with the special cases, and the files are written (per-carrier workbooks, or large CSVs).

Interface: `YearLayout(world, year, seed, xlsx)` renders and lays out a year (`plan_specials`,
`assign_files`, `sheet_of`); `write_package(layout, folder)` writes its files and returns their
names."""

from orchestration.sample.rendering.files import write_package
from orchestration.sample.rendering.layout import YearLayout

__all__ = ["YearLayout", "write_package"]
