"""A table's rows in the office workbook written by column expressions, not one xlsxwriter call
per cell (issue 21: a national year's 载体评分, 拨付汇总 and 等级稳健性 sheets are ~1.3 million
cells; cell by cell, the workbook took 8.2 s, with these rows by columns 4.0 s).

xlsxwriter still writes everything else of the sheet: its header row, title and total rows,
print setup, frozen panes, filter, conditional formats, column widths. For a table's rows
(`plan`), it gets only one blank cell per format the rows use, at a cell of those rows, so that
the workbook's style sheet holds that format; after `close`, `splice` reads each format's index,
builds the rows' XML with polars and puts it in place of the rows xlsxwriter wrote.

The cells are those `workbook_cells.write_cell` writes, value for value and format for format
(tests/reports/test_workbook_bodies.py reads every cell of both back and compares them):
text as shared strings (added to xlsxwriter's, a text it holds already stored once), cut at
Excel's limit, with the quote-prefix format when a spreadsheet could read it as a formula,
control characters as Excel's `_xHHHH_` escapes; numbers as
numbers in their kind's format (a non-integer `number` as `decimal`); NaN and infinities as
blank cells; dates and date-times as Excel serial numbers; booleans as 是/否; empty cells as
formatted blanks. Numbers are written with their shortest exact digits (xlsxwriter rounds to
16 significant ones). As in the details workbook (orchestration/xlsx_columns.py), a cell of
these rows carries no reference: ECMA-376 makes it optional (§18.3.1.4).

A table is written cell by cell instead when a value's kind depends on its row
(`kind_varies_by_row`), when adjusted figures are marked in it (`adjustments.mark_row`), or
when a column's type is one this module does not write (lists, structs).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.publish.formatting import EXCEL_MAX_TEXT, FORMULA_TRIGGERS, NUMERIC_KINDS
from orchestration.xlsx_columns import DEFLATE_LEVEL, column_letter

QUOTED = "^(" + "|".join(re.escape(t) for t in FORMULA_TRIGGERS) + ")"
"""Text that a spreadsheet might read as a formula, as a regular expression."""

_CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20))]
_EPOCH = dt.date(1899, 12, 31)


@dataclass
class Body:
    """A table's rows, to be written into its sheet after xlsxwriter closes the workbook."""

    sheet: str
    first_row: int
    """The 0-based row of the table's first data row."""
    cells: pl.DataFrame
    """Per column `c<j>`: the cell's XML after its style attribute, and `s<j>`: its format's
    position in `formats[j]`."""
    formats: list[list[Any]]
    primed: dict[tuple[int, int], str]
    """(column, format's position) -> the cell xlsxwriter wrote with that format (`A5`)."""
    texts: frozenset[int]
    """The columns whose `c<j>` is a shared string's XML (`<t>…</t>`), NULL for a blank."""

    @property
    def rows(self) -> range:
        """The rows' numbers as the sheet XML counts them (from 1)."""
        return range(self.first_row + 1, self.first_row + 1 + self.cells.height)


def plan(
    ws: Any,
    fmt: Any,
    frame: pl.DataFrame,
    cols: list[str],
    kinds: list[str],
    first_row: int,
) -> Body | None:
    """The table's rows as a `Body` (its formats put on blank cells of those rows), or None
    when it is written cell by cell. `frame` holds the shown columns with their labels."""
    if frame.height == 0:
        return None
    exprs: list[pl.Expr] = []
    formats: list[list[Any]] = []
    texts = set()
    for j, (name, kind) in enumerate(zip(cols, kinds, strict=True)):
        cell = _cell(name, frame.schema[name], kind, fmt)
        if cell is None:
            return None
        xml, style, column_formats, is_text = cell
        exprs += [xml.alias(f"c{j}"), style.alias(f"s{j}")]
        formats.append(column_formats)
        if is_text:
            texts.add(j)
    cells = frame.select(exprs)
    primed = _put_formats(ws, cells, formats, first_row)
    return Body(ws.get_name(), first_row, cells, formats, primed, frozenset(texts))


def _cell(
    name: str, dtype: pl.DataType, kind: str, fmt: Any
) -> tuple[pl.Expr, pl.Expr, list[Any], bool] | None:
    """(the cell XML after `s="…"` or, for text, its shared string's XML; the format's
    position; the formats; whether it is text) for one column."""
    column = pl.col(name)
    blank = pl.lit("/>")
    if kind in NUMERIC_KINDS:
        if not dtype.is_numeric() or dtype == pl.Boolean:
            return None
        number = column.cast(pl.Float64)
        ok = number.is_finite()
        text = column.cast(pl.String) if dtype.is_integer() else number.cast(pl.String)
        xml = pl.when(ok).then(pl.concat_str([pl.lit("><v>"), text, pl.lit("</v></c>")]))
        if kind == "number":  # 1.7316, not 1.731601731601732 (workbook_cells.write_cell)
            whole = (number.floor() == number) if not dtype.is_integer() else pl.lit(True)
            style = pl.when(ok & ~whole).then(pl.lit(1)).otherwise(pl.lit(0))
            return xml.otherwise(blank), style, [fmt.cell("number"), fmt.cell("decimal")], False
        return xml.otherwise(blank), pl.lit(0), [fmt.cell(kind)], False
    if kind in ("date", "datetime"):
        if kind == "date" and dtype == pl.Date:
            serial = _serial(column.dt.epoch("d") - (_EPOCH - dt.date(1970, 1, 1)).days)
        elif kind == "datetime" and isinstance(dtype, pl.Datetime):
            local = column.dt.replace_time_zone(None) if dtype.time_zone else column
            days = local.dt.epoch("us").cast(pl.Float64) / 86_400_000_000
            serial = _serial(days - (_EPOCH - dt.date(1970, 1, 1)).days)
        else:
            return None
        xml = pl.concat_str([pl.lit("><v>"), serial.cast(pl.String), pl.lit("</v></c>")])
        return xml.fill_null(blank), pl.lit(0), [fmt.cell(kind)], False
    if kind == "bool":
        if dtype != pl.Boolean:
            return None
        text = pl.when(column).then(pl.lit("是")).when(~column).then(pl.lit("否"))
        style = pl.when(column.is_null()).then(1).otherwise(0)
        return _shared(text), style, [fmt.cell("text"), fmt.cell("bool")], True
    if not (dtype in (pl.String, pl.Null) or isinstance(dtype, (pl.Categorical, pl.Enum))):
        return None
    text = column.cast(pl.String).str.slice(0, EXCEL_MAX_TEXT)
    quoted = text.str.contains(QUOTED).fill_null(False)
    style = pl.when(quoted).then(pl.lit(1)).otherwise(pl.lit(0))
    return _shared(text), style, [fmt.cell("text"), fmt.cell("text", quote=True)], True


def _serial(days: pl.Expr) -> pl.Expr:
    """Days since 1899-12-31 as Excel's serial number (Excel counts a 29 February 1900)."""
    return pl.when(days > 59).then(days + 1).otherwise(days)


def _shared(text: pl.Expr) -> pl.Expr:
    """A text's item in the shared strings, `<t>…</t>`, escaped as xlsxwriter escapes it (so
    that a text xlsxwriter also wrote is found and stored once): `_xHHHH_` kept as written,
    control characters as `_xHHHH_`, `& < >` as entities, leading or trailing space kept."""
    escaped = text.str.replace_all(r"(_x[0-9a-fA-F]{4}_)", "_x005F$1")
    escaped = pl.when(escaped.str.contains(r"[\x00-\x08\x0B-\x1F\x{FFFE}\x{FFFF}]")).then(
        _control_escapes(escaped)
    ).otherwise(escaped)  # fmt: skip
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        escaped = escaped.str.replace_all(char, entity, literal=True)
    preserve = text.str.contains(r"^\s|\s$")
    opening = pl.when(preserve).then(pl.lit('<t xml:space="preserve">')).otherwise(pl.lit("<t>"))
    return pl.concat_str([opening, escaped, pl.lit("</t>")])


def _control_escapes(text: pl.Expr) -> pl.Expr:
    for char in [*_CONTROL, "\ufffe", "\uffff"]:
        text = text.str.replace_all(char, f"_x{ord(char):04X}_", literal=True)
    return text


def _put_formats(
    ws: Any, cells: pl.DataFrame, formats: list[list[Any]], first_row: int
) -> dict[tuple[int, int], str]:
    """One blank cell per format the rows use, where it is first used, and one in the last row:
    xlsxwriter then puts the formats in the style sheet (the index it gives each is read back
    from these cells) and counts the rows in the sheet's dimension. `splice` replaces every one
    of these rows. Returns where each format went."""
    primed = {}
    for j, column_formats in enumerate(formats):
        styles = cells.get_column(f"s{j}")
        for k, cell_format in enumerate(column_formats):
            hits = (styles == k).arg_true()
            if hits.len():
                ws.write_blank(first_row + int(hits[0]), j, None, cell_format)
                primed[(j, k)] = f"{column_letter(j)}{first_row + int(hits[0]) + 1}"
    last = cells.height - 1
    ws.write_blank(first_row + last, 0, None, formats[0][int(cells.get_column("s0")[last])])
    return primed


def _rows_xml(body: Body, written: dict[str, str], strings: pl.DataFrame) -> str:
    """The rows' XML, each cell with its format's index in the closed workbook's style sheet
    (`written`: cell -> the index xlsxwriter wrote there) and each text as its index in the
    shared strings (`strings`: item, index)."""
    cells = body.cells.with_columns(
        pl.when(pl.col(f"c{j}").is_null())
        .then(pl.lit("/>"))
        .otherwise(
            pl.concat_str(
                [
                    pl.lit(' t="s"><v>'),
                    pl.col(f"c{j}")
                    .replace_strict(strings["item"], strings["index"], default=None)
                    .cast(pl.String),
                    pl.lit("</v></c>"),
                ]
            )
        )
        .alias(f"c{j}")
        for j in body.texts
    )
    parts: list[pl.Expr] = []
    for j, column_formats in enumerate(body.formats):
        ids = [written.get(body.primed.get((j, k), ""), "0") for k in range(len(column_formats))]
        style = pl.col(f"s{j}")
        index = pl.lit(ids[0])
        for k in range(1, len(ids)):
            index = pl.when(style == k).then(pl.lit(ids[k])).otherwise(index)
        parts += [pl.lit('<c s="'), index, pl.lit('"'), pl.col(f"c{j}")]
    numbered = cells.with_row_index("r", offset=body.first_row + 1)
    xml = numbered.select(
        pl.concat_str(
            [
                pl.lit('<row r="'),
                pl.col("r").cast(pl.String),
                pl.lit('">'),
                *parts,
                pl.lit("</row>"),
            ]
        )
    )
    return "".join(xml.to_series().to_list())


def splice(path: Path, bodies: list[Body]) -> None:
    """Put each body's rows into its sheet of the closed workbook at `path`, in place of the
    rows xlsxwriter wrote there (only the blank cells of `_put_formats`)."""
    if not bodies:
        return
    path = Path(path)
    with zipfile.ZipFile(path) as zin:
        members = _sheet_members(zin)
        by_member: dict[str, list[Body]] = {}
        for body in bodies:
            by_member.setdefault(members[body.sheet], []).append(body)
        sst, strings = _shared_strings(zin.read(SHARED_STRINGS).decode("utf-8"), bodies)
        tmp = path.with_name(path.name + ".bodies")
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
                for info in zin.infolist():
                    data = zin.read(info)
                    if info.filename in by_member:
                        sheet = data.decode("utf-8")
                        data = _spliced(sheet, by_member[info.filename], strings).encode()
                    elif info.filename == SHARED_STRINGS:
                        data = sst.encode()
                    zout.writestr(
                        info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL
                    )
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)


SHARED_STRINGS = "xl/sharedStrings.xml"
_COUNTS = re.compile(r'<sst ([^>]*?)count="(\d+)" uniqueCount="(\d+)"')


def _shared_strings(sst: str, bodies: list[Body]) -> tuple[str, pl.DataFrame]:
    """xlsxwriter's shared strings with the bodies' texts it does not hold added, and every
    text's index (item, index). The workbook always holds strings (its headers)."""
    items = re.findall(r"<si>(.*?)</si>", sst, flags=re.S)
    existing = pl.DataFrame({"item": items}, schema={"item": pl.String}).with_row_index("index")
    texts = [body.cells.get_column(f"c{j}") for body in bodies for j in sorted(body.texts)]
    used = (
        pl.concat([t.alias("item") for t in texts]) if texts else pl.Series("item", [], pl.String)
    )
    referenced = used.drop_nulls()
    new = (
        referenced.unique(maintain_order=True)
        .to_frame()
        .join(existing, on="item", how="anti")
        .with_row_index("index", offset=len(items))
    )
    strings = pl.concat([existing, new.select(existing.columns)])
    counts = _COUNTS.search(sst)
    if counts is None:
        raise ValueError("the workbook's shared strings have no count")
    head = (
        f'<sst {counts.group(1)}count="{int(counts.group(2)) + referenced.len()}" '
        f'uniqueCount="{len(items) + new.height}"'
    )
    added = "".join(f"<si>{item}</si>" for item in new.get_column("item").to_list())
    end = sst.rindex("</sst>")
    return sst[: counts.start()] + head + sst[counts.end() : end] + added + sst[end:], strings


def _sheet_members(zin: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's name -> its part in the package (from the workbook and its relations)."""
    workbook = zin.read("xl/workbook.xml").decode("utf-8")
    rels = zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'<Relationship Id="([^"]+)" Type="[^"]+" Target="([^"]+)"', rels))
    out = {}
    for name, rid in re.findall(
        r'<sheet name="([^"]*)" sheetId="\d+"[^>]*? r:id="([^"]+)"', workbook
    ):
        name = name.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
        out[name.replace("&amp;", "&")] = "xl/" + targets[rid].removeprefix("/xl/")
    return out


_ROW = re.compile(r'<row r="(\d+)"')
_STYLED = re.compile(r'<c r="([A-Z]+\d+)" s="(\d+)"')


def _spliced(sheet: str, bodies: list[Body], strings: pl.DataFrame) -> str:
    """The sheet XML with the bodies' rows in place of xlsxwriter's rows of the same numbers."""
    start = sheet.index("<sheetData>") + len("<sheetData>")
    end = sheet.index("</sheetData>")
    data = sheet[start:end]
    marks = [(int(m.group(1)), m.start()) for m in _ROW.finditer(data)]
    rows = [(r, data[pos : marks[i + 1][1] if i + 1 < len(marks) else len(data)])
            for i, (r, pos) in enumerate(marks)]  # fmt: skip
    written = dict(_STYLED.findall(data))
    pending = sorted(bodies, key=lambda b: b.first_row)
    out: list[str] = []
    for number, xml in rows:
        while pending and pending[0].rows.stop <= number:  # a body ends before this row
            out.append(_rows_xml(pending.pop(0), written, strings))
        if any(number in b.rows for b in bodies):
            continue
        out.append(xml)
    out += [_rows_xml(b, written, strings) for b in pending]
    return sheet[:start] + "".join(out) + sheet[end:]
