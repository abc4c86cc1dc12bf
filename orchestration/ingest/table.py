"""One sheet's (or CSV's) cells → one raw frame: find the header, map its columns to the
dataset's, and keep the data rows with their lineage and any `_row_error` already known.

Findings of the header (unknown, repeated or hidden columns, an unknown money unit, missing
required columns) go to the summary; a sheet lacking a required column is skipped whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from orchestration.contract import Dataset, datasets
from orchestration.ingest.headers import (
    EXAMPLE_MARK,
    HeaderMatcher,
    find_header_row,
    is_money_unit,
)
from orchestration.ingest.recorder import Recorder
from orchestration.ingest.row_errors import repeated_header_mask, row_error
from orchestration.ingest.summary import Finding, IngestSummary, SheetResult
from orchestration.ingest.xlsx_layout import hidden_column_findings, merged_row_errors

HEADER_SCAN_ROWS = 10
"""How many rows from the top of a sheet may hold the header (title rows above it)."""


@dataclass
class _Columns:
    """How a header's columns were mapped."""

    mapped: dict[str, str] = field(default_factory=dict)
    """Contract column → frame column."""
    units: dict[str, str | None] = field(default_factory=dict)
    """Contract column → the unit its header names (money columns), or None."""
    extras: dict[str, str] = field(default_factory=dict)
    """Unknown header as written → frame column (kept in `_extra`)."""
    findings: list[Finding] = field(default_factory=list)
    """Unknown, repeated and hidden columns: recorded only if the sheet is read."""


def load_table(
    rec: Recorder,
    cells: pl.DataFrame,
    letters: list[str],
    dataset: str,
    name: str,
    sha: str,
    sheet_name: str,
    *,
    is_csv: bool,
    lines: pl.Series | None = None,
    row_errors: dict[int, str] | None = None,
    hidden: set[str] | frozenset[str] = frozenset(),
    merges: Callable[[], list[tuple[int, int, int, int]]] | None = None,
) -> None:
    """Find the header, map columns, and keep the data rows as a raw frame in `rec.frames`.

    `row_errors`: row (line) number → `_row_error` of rows ingest already knows staging must
    reject; a row repeating the header is added to them here. `hidden`: letters of hidden
    columns: a visible column wins over a hidden one with the same header."""
    if cells.height == 0 or cells.width == 0 or _all_null(cells):
        rec.empty_sheet(name, sheet_name, dataset)
        return
    ds = datasets()[dataset]
    where = (dataset, name, sheet_name)
    header_index, score = _find_header(cells, rec.matchers[dataset], is_csv)
    header = cells.row(header_index)
    header_row = int(lines[header_index]) if lines is not None else header_index + 1
    columns = _map_columns(
        cells, header_index, header_row, letters, hidden, rec.matchers[dataset], ds, where
    )
    columns.findings += [
        Finding(*found)
        for found in hidden_column_findings(
            cells, header_index, letters, hidden, columns.mapped, where
        )
    ]
    missing = [c for c in ds.required_columns if c not in columns.mapped]
    if score == 0 or missing:
        _skip_missing_required(rec, ds, missing, header_row if score else None, where)
        return
    rec.summary.findings.extend(columns.findings)
    _unit_findings(rec, ds, columns.units, header_row, where)
    body = _data_rows(cells, header_index, lines)
    errors = dict(row_errors or {})
    if merges is not None:
        required = [columns.mapped[c] for c in ds.required_columns]
        errors |= merged_row_errors(
            cells, header_index, letters, required, merges, (name, sheet_name)
        )
    _add_repeated_headers(errors, body, header, columns, header_row, (name, sheet_name))
    body = _with_row_errors(body, errors)
    frame = body.select(_raw_select(rec.summary, ds, columns, name, sha, sheet_name))
    rec.frames[dataset].append(frame)
    rec.sheet_status(SheetResult(name, sheet_name, dataset, header_row, frame.height, "loaded"))


def _find_header(cells: pl.DataFrame, matcher: HeaderMatcher, is_csv: bool) -> tuple[int, int]:
    """(index of the header row, its match score): a CSV's first line, else the best of the
    first HEADER_SCAN_ROWS rows (the first row when none matches)."""
    if is_csv:
        return 0, matcher.score(cells.row(0))
    head = [cells.row(i) for i in range(min(HEADER_SCAN_ROWS, cells.height))]
    found, score = find_header_row(head, matcher, HEADER_SCAN_ROWS)
    return (found if found is not None else 0), score


def _map_columns(
    cells: pl.DataFrame,
    header_index: int,
    header_row: int,
    letters: list[str],
    hidden: set[str] | frozenset[str],
    matcher: HeaderMatcher,
    ds: Dataset,
    where: tuple[str, str, str],
) -> _Columns:
    """Each header cell to its contract column (visible columns first); the first column of a
    contract column wins, the others and unknown headers go to `_extra` with a warning, and a
    column blank from header to bottom is dropped."""
    out = _Columns()
    header = cells.row(header_index)
    for pos in sorted(range(len(header)), key=lambda p: letters[p] in hidden):
        text, col, letter = header[pos], cells.columns[pos], letters[pos]
        match = matcher.match(text)
        if match.column is not None and match.column not in out.mapped:
            out.mapped[match.column] = col
            out.units[match.column] = match.unit
            continue
        if text is None or not str(text).strip():
            below = cells.get_column(col).slice(header_index + 1)
            if below.null_count() == cells.height - header_index - 1:
                continue  # a blank column: nothing to keep
            label = f"列{letter}"
        else:
            label = str(text)
        while label in out.extras:
            label += "#"
        out.extras[label] = col
        out.findings.append(_extra_column(ds, match.column, label, letter, header_row, where))
    return out


def _extra_column(
    ds: Dataset,
    repeats: str | None,
    label: str,
    letter: str,
    header_row: int,
    where: tuple[str, str, str],
) -> Finding:
    """The warning of a column kept in `_extra`: it `repeats` a contract column read before,
    or (None) is not a column of the dataset."""
    dataset, name, sheet_name = where
    kind = "duplicate_column" if repeats is not None else "unknown_column"
    if repeats is not None:
        what_zh = f"与前面的“{ds.column(repeats).zh}”列重复"
        what_en = f"repeats the column '{repeats}' already read"
    else:
        what_zh, what_en = "不是该数据集的列", "is not a column of this dataset"
    return Finding(
        dataset,
        name,
        sheet_name,
        header_row,
        label,
        kind,
        "warning",
        label,
        f"文件“{name}”工作表“{sheet_name}”第 {header_row} 行 {letter} 列的表头"
        f"“{label}”{what_zh}，已原样保留在 _extra 中 / file '{name}' sheet "
        f"'{sheet_name}' row {header_row} column {letter}: header '{label}' "
        f"{what_en}; kept in _extra",
    )


def _skip_missing_required(
    rec: Recorder,
    ds: Dataset,
    missing: list[str],
    header_row: int | None,
    where: tuple[str, str, str],
) -> None:
    """Record a sheet skipped for lacking required columns (or any recognisable header)."""
    dataset, name, sheet_name = where
    names_zh = "、".join(ds.column(c).zh for c in missing)
    names_en = ", ".join(missing)
    rec.sheet_status(
        SheetResult(name, sheet_name, dataset, header_row, 0, "missing_required_columns")
    )
    rec.finding(
        "missing_required_columns",
        "error",
        f"文件“{name}”工作表“{sheet_name}”缺少必填列：{names_zh}；该表未读取（表头应在前 "
        f"{HEADER_SCAN_ROWS} 行内） / file '{name}' sheet '{sheet_name}' lacks the "
        f"required columns {names_en}; the sheet was skipped (the header must be within "
        f"the first {HEADER_SCAN_ROWS} rows)",
        dataset=dataset,
        file=name,
        sheet=sheet_name,
        row=header_row,
        column=names_en,
    )


def _unit_findings(
    rec: Recorder,
    ds: Dataset,
    units: dict[str, str | None],
    header_row: int,
    where: tuple[str, str, str],
) -> None:
    """A warning for each money column whose header names a unit other than 元, 万元, 亿元."""
    dataset, name, sheet_name = where
    for column, unit in units.items():
        if ds.column(column).type == "money" and unit is not None and not is_money_unit(unit):
            rec.finding(
                "unknown_header_unit",
                "warning",
                f"文件“{name}”工作表“{sheet_name}”表头“{ds.column(column).zh}”中的单位“{unit}”"
                f"无法识别（应为 元、万元 或 亿元） / file '{name}' sheet '{sheet_name}': the "
                f"unit '{unit}' in the header of '{column}' is not one of 元, 万元, 亿元",
                dataset=dataset,
                file=name,
                sheet=sheet_name,
                row=header_row,
                column=column,
                value=unit,
            )


def _data_rows(cells: pl.DataFrame, header_index: int, lines: pl.Series | None) -> pl.DataFrame:
    """The rows below the header with their row (line) number in `__row`, without empty rows
    and the template's example row (first cell marked: it is not data)."""
    data_cols = cells.columns
    row_numbers = (
        lines if lines is not None else pl.Series(range(1, cells.height + 1), dtype=pl.Int32)
    )
    body = cells.with_columns(row_numbers.cast(pl.Int32).alias("__row")).slice(header_index + 1)
    body = body.filter(~pl.all_horizontal(pl.col(data_cols).is_null()))
    return body.filter(
        ~pl.col(data_cols[0]).cast(pl.String).str.starts_with(EXAMPLE_MARK).fill_null(False)
    )


def _add_repeated_headers(
    errors: dict[int, str],
    body: pl.DataFrame,
    header: tuple,
    columns: _Columns,
    header_row: int,
    where: tuple[str, str],
) -> None:
    """Add a `repeated_header` row error for each data row repeating the header (a row that
    already has an error keeps it)."""
    name, sheet_name = where
    repeated = repeated_header_mask(body, header, list(columns.mapped.values()))
    for row in body.get_column("__row").filter(repeated).to_list():
        errors.setdefault(
            row,
            row_error(
                "repeated_header",
                None,
                None,
                f"文件“{name}”工作表“{sheet_name}”第 {row} 行重复了第 {header_row} "
                "行的表头，不是数据，该行未采用",
                f"file '{name}' sheet '{sheet_name}' row {row} repeats the header of row "
                f"{header_row}; it is not data and is not used",
            ),
        )


def _with_row_errors(body: pl.DataFrame, errors: dict[int, str]) -> pl.DataFrame:
    """`__row_error`: each row's known error by its `__row`, else null."""
    if not errors:
        return body.with_columns(pl.lit(None, dtype=pl.String).alias("__row_error"))
    return body.with_columns(
        pl.col("__row")
        .replace_strict(list(errors), list(errors.values()), default=None, return_dtype=pl.String)
        .alias("__row_error")
    )


def _raw_select(
    summary: IngestSummary, ds: Dataset, columns: _Columns, name: str, sha: str, sheet_name: str
) -> list[pl.Expr]:
    """The columns of raw.<dataset> (`raw_tables.raw_columns`): lineage, every contract column
    as text (null when absent), and each money column's header unit."""
    select: list[pl.Expr] = [
        pl.lit(summary.year, dtype=pl.Int32).alias("_assessment_year"),
        pl.lit(summary.run_id, dtype=pl.String).alias("_run_id"),
        pl.lit(name, dtype=pl.String).alias("_source_file"),
        pl.lit(sha, dtype=pl.String).alias("_file_sha256"),
        pl.lit(sheet_name, dtype=pl.String).alias("_sheet"),
        pl.col("__row").alias("_source_row"),
        _extra_json(columns.extras).alias("_extra"),
        pl.col("__row_error").alias("_row_error"),
    ]
    for col in ds.columns:
        if col.name in columns.mapped:
            select.append(pl.col(columns.mapped[col.name]).cast(pl.String).alias(col.name))
        else:
            select.append(pl.lit(None, dtype=pl.String).alias(col.name))
    for col in ds.columns:
        if col.type == "money":
            unit = columns.units.get(col.name)
            select.append(pl.lit(unit, dtype=pl.String).alias(f"{col.name}__header_unit"))
    return select


def _extra_json(extras: dict[str, str]) -> pl.Expr:
    """The unknown columns of a row as a JSON object, NULL when the row has none of them."""
    if not extras:
        return pl.lit(None, dtype=pl.String)
    fields = [pl.col(col).cast(pl.String).alias(label) for label, col in extras.items()]
    any_value = pl.any_horizontal([pl.col(col).is_not_null() for col in extras.values()])
    return pl.when(any_value).then(pl.struct(fields).struct.json_encode()).otherwise(None)


def _all_null(frame: pl.DataFrame) -> bool:
    return bool(frame.select(pl.all_horizontal(pl.all().is_null()).all()).item())
