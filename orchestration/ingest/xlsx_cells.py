"""A workbook's cells as the text the clerk sees, from fastexcel's loads.

How fastexcel (calamine) reports cells, and what we make of it (checked on fastexcel 0.21):

- Loaded with `dtypes="string"`, text cells come back unchanged, numbers in Rust's shortest
  round-trip form (`12345678901234570`, `0.30000000000000004`), booleans as `true`/`false`, date
  cells as `YYYY-MM-DD HH:MM:SS`, and formula error cells as null plus a cell error
  (`Error(Ref)`); formula cells give their cached value.
- Loaded with `dtypes="float"`, numeric cells (and text that parses as a number, `0012` → 12)
  give their value; dates, errors and other text give null.

So a cell is a number cell when the float load has a value and the string load shows exactly
that value's shortest form; such cells are written with 15 significant digits (what Excel keeps
and shows), integers without `.0`. A long identifier typed as text (`12345678901234567`) or a
code with leading zeros (`0012`) does not pass that test and stays as written. Text of digits
that does pass it (`913210120440821400` typed as text) is told apart by a third, boolean load
(number cells give true/false, text cells null) and stays as written too. A cell is a date
cell when the float load is null and the string load has the datetime form; it is written as the
ISO date and a time part is dropped (an event date with a clock time is still that date). Text
typed in exactly the `YYYY-MM-DD HH:MM:SS` form is read the same way, which loses nothing staging
would keep.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import polars as pl

_DATETIME_TEXT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"
_PLAIN_NUMBER = r"^-?(0|[1-9]\d*)(\.\d*[1-9])?$"


@dataclass
class LoadedSheet:
    """One sheet of a workbook as fastexcel loaded it, on its way to `read_sheet`."""

    index: int
    name: str
    dataset: str | None
    hidden: bool = False
    hidden_letters: set[str] = field(default_factory=set)
    """Letters of the sheet's hidden columns."""
    height: int | None = None
    width: int | None = None
    letters: list[str] = field(default_factory=list)
    text: pl.DataFrame | None = None
    """The string load (None: not loaded: not a dataset sheet, too large, or it failed)."""
    numbers: pl.DataFrame | None = None
    """The float load (None when the sheet has no cells)."""
    errors: list[Any] = field(default_factory=list)
    """fastexcel's cell errors of the string load (formula errors)."""
    cells: pl.DataFrame | None = None
    """Every cell as the text it shows, before `keep_text_cells` and formula-error patches."""
    changed: dict[int, pl.Series] = field(default_factory=dict)
    """Per column position, the cells the number formatting changed (`_changed_mask`)."""
    failure: Exception | None = None


def cells_as_text(sheets: list[LoadedSheet]) -> None:
    """Fill `cells` and `changed` of every sheet that has cells, for a whole workbook at once.

    The sheets are stacked into one frame (column i of every sheet is `t<i>`, its float load
    `n<i>`, and `__sheet` says whose row it is), so the per-column expressions are planned and
    run once per workbook instead of once per sheet: on a district's small sheets, planning
    costs more than running (docs/benchmarks.md). Should the stacked pass fail, each sheet is
    done alone, so only a sheet that fails alone is reported unreadable.
    """
    todo = [s for s in sheets if s.text is not None and s.text.width and s.text.height]
    if not todo:
        return
    try:
        _stacked_cell_text(todo)
    except Exception:
        for sheet in todo:
            try:
                _stacked_cell_text([sheet])
            except Exception as exc:
                sheet.failure = exc


def _stacked_cell_text(sheets: list[LoadedSheet]) -> None:
    width = max(sheet.text.width for sheet in sheets if sheet.text is not None)
    done = (
        _stack(sheets, width)
        .lazy()
        .with_columns(_cell_text_at(i) for i in range(width))
        .select(
            "__sheet", *(f"o{i}" for i in range(width)), *(_changed_mask(i) for i in range(width))
        )
        .collect()
    )
    by_sheet = done.partition_by("__sheet", as_dict=True, include_key=False, maintain_order=True)
    for k, sheet in enumerate(sheets):
        assert sheet.text is not None
        part = by_sheet[(k,)]
        cols = sheet.text.columns
        sheet.cells = part.select(pl.col(f"o{i}").alias(col) for i, col in enumerate(cols))
        sheet.changed = {
            i: mask for i in range(len(cols)) if (mask := part.get_column(f"m{i}")).any()
        }


def _stack(sheets: list[LoadedSheet], width: int) -> pl.DataFrame:
    """The sheets' string and float loads in one frame: column i of every sheet is `t<i>`
    (`n<i>` its float load, null where a sheet has no such column), `__sheet` its position."""
    parts = []
    for k, sheet in enumerate(sheets):
        assert sheet.text is not None and sheet.numbers is not None
        text, numbers = sheet.text, sheet.numbers
        numbers = numbers.select(numbers.columns[: text.width])
        parts.append(
            pl.concat(
                [
                    text.rename({c: f"t{i}" for i, c in enumerate(text.columns)}),
                    numbers.rename({c: f"n{i}" for i, c in enumerate(numbers.columns)}),
                ],
                how="horizontal",
            ).with_columns(pl.lit(k, dtype=pl.UInt32).alias("__sheet"))
        )
    stacked = pl.concat(parts, how="diagonal_relaxed")
    for i in range(width):  # a sheet's missing columns are null; a column never loaded too
        for name, dtype in ((f"t{i}", pl.String), (f"n{i}", pl.Float64)):
            if name not in stacked.columns:
                stacked = stacked.with_columns(pl.lit(None, dtype=dtype).alias(name))
    return stacked


@functools.cache
def _cell_text_at(i: int) -> pl.Expr:
    """`_cell_text` of column i (`t<i>`, float load `n<i>`) as `o<i>`, built once per position
    (building polars expressions costs more than running them on a small sheet)."""
    return _cell_text(pl.col(f"t{i}"), pl.col(f"n{i}")).alias(f"o{i}")


@functools.cache
def _changed_mask(i: int) -> pl.Expr:
    """Column i's cells that the number formatting changed and that are neither dates nor
    booleans (keep_text_cells); t/n/o are the string load, float load and formatted text."""
    return (
        pl.col(f"n{i}").is_not_null()
        & pl.col(f"t{i}").is_not_null()
        & (pl.col(f"o{i}") != pl.col(f"t{i}")).fill_null(False)
        & ~pl.col(f"t{i}").str.contains(_DATETIME_TEXT).fill_null(False)
        & ~pl.col(f"t{i}").is_in(["true", "false"]).fill_null(False)
    ).alias(f"m{i}")


def _cell_text(text: pl.Expr, number: pl.Expr) -> pl.Expr:
    """One column's cells as written: dates → ISO date, numbers → 15 significant digits,
    booleans → TRUE/FALSE as Excel shows them, text unchanged."""
    is_date = number.is_null() & text.str.contains(_DATETIME_TEXT)
    is_bool = number.is_not_null() & text.is_in(["true", "false"])
    is_number = (
        number.is_not_null()
        & text.str.contains(_PLAIN_NUMBER)
        & (_significant_digits(text) == _significant_digits(number.cast(pl.String)))
    )
    return (
        pl.when(is_date)
        .then(text.str.slice(0, 10))
        .when(is_bool)
        .then(text.str.to_uppercase())
        .when(is_number)
        .then(_format_number(number))
        .otherwise(text)
    )


def _significant_digits(text: pl.Expr) -> pl.Expr:
    """The digit string of a number's text (`-0.0120` → `12`, `1.5e16` → `15`)."""
    return (
        text.str.replace(r"[eE].*$", "")
        .str.replace_all(r"[-+.]", "")
        .str.strip_chars_start("0")
        .str.strip_chars_end("0")
    )


def _format_number(number: pl.Expr) -> pl.Expr:
    """A float as Excel keeps it: 15 significant digits, no exponent, no trailing `.0`."""
    rounded = number.round_sig_figs(15)
    plain = rounded.cast(pl.String)
    big_integer = (rounded.abs() >= 1e15) & (rounded.abs() < 9e18)
    small = plain.str.contains("e") & (rounded.abs() < 1)
    small_text = (
        rounded.cast(pl.Decimal(38, 30))
        .cast(pl.String)
        .str.strip_chars_end("0")
        .str.strip_chars_end(".")
    )
    return (
        pl.when(big_integer)
        .then(rounded.cast(pl.Int64).cast(pl.String))
        .when(small)
        .then(small_text)
        .otherwise(plain.str.replace(r"\.0$", ""))
    )
