"""Write polars frames as the sheets of an .xlsx file by column expressions, not a Python loop
per cell (issue 21: a national year's 256,000 score-detail rows are ~3 million cells, ~10 s
through xlsxwriter).

Each sheet's XML is built by polars: one string per row (`<row>` of `<c>` cells; text as
shared strings, never formulas; numbers as numbers; an empty cell as `<c/>`; no cell with its
reference, `_cell`), XML-escaped, characters XML 1.0 forbids removed. The file holds the parts
every spreadsheet program needs (content types, relationships, workbook, a style sheet with a
bold header style, one worksheet per frame), with the header row frozen and filterable. Sheets
are cut at Excel's row limit by the caller (`MAX_ROWS`); this module refuses a frame that would
not fit.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import polars as pl

MAX_ROWS = 1_048_576
"""Excel's rows per sheet (the header row included)."""

DEFLATE_LEVEL = 3
"""zlib's level for the parts of the workbooks the batch zips itself (this module's, and the
office workbook's tables spliced in, publish/workbook_bodies.py). National details workbook:
level 6 (zipfile's default) 0.51 s and 5.2 MB, level 3 0.20 s and 6.2 MB, level 1 0.20 s and
9.1 MB (docs/benchmarks.md, issue 21, tenth pass)."""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(expr: pl.Expr) -> pl.Expr:
    """Text made safe for an XML text node: forbidden control characters dropped, & < > escaped."""
    expr = expr.str.replace_all(r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]", "")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        expr = expr.str.replace_all(char, entity, literal=True)
    return expr


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _text_value(name: str, dtype: pl.DataType) -> pl.Expr:
    """A non-numeric column's cell text (是/否 for a boolean); NULL for an empty cell."""
    column = pl.col(name)
    if dtype == pl.Boolean:
        value = pl.when(column).then(pl.lit("是")).when(~column).then(pl.lit("否"))
    else:
        value = column.cast(pl.String)
    return pl.when(value != "").then(value).alias(name)


def _cell(name: str, dtype: pl.DataType, is_text: bool) -> pl.Expr:
    """One cell's XML for every row (`<c/>` for an empty value). A text column holds, by now,
    the index of its value in the shared strings (`write_xlsx`).

    No cell carries its reference (`r="B17"`): ECMA-376 makes it optional (§18.3.1.4), a cell
    without one is the next in its row, and every row writes all its cells, an empty one as
    `<c/>`. The references were a third of a sheet's XML and, being all different, most of its
    compressed size (a national details workbook at zlib level 6: 16 MB with them, 5 MB
    without)."""
    column = pl.col(name)
    if dtype.is_integer():
        number, ok = column, column.is_not_null()
    else:
        number = column.cast(pl.Float64)
        ok = number.is_not_null() & number.is_finite()
    opening = '<c t="s"><v>' if is_text else "<c><v>"
    return (
        pl.when(ok)
        .then(pl.concat_str([pl.lit(opening), number.cast(pl.String), pl.lit("</v></c>")]))
        .otherwise(pl.lit("<c/>"))
    )


def sheet_xml(frame: pl.DataFrame, headers: list[str], text: frozenset[str] = frozenset()) -> str:
    """A worksheet: the header row (bold), then the frame's rows; header frozen, filterable.
    `text`: the columns holding shared-string indexes (every other column is a number)."""
    if frame.height + 1 > MAX_ROWS:
        raise ValueError(f"{frame.height:,} rows do not fit in one sheet ({MAX_ROWS:,} rows)")
    letters = [column_letter(i) for i in range(frame.width)]
    head = "".join(
        f'<c r="{letters[i]}1" s="1" t="inlineStr"><is><t>{_escape(h)}</t></is></c>'
        for i, h in enumerate(headers)
    )
    body = ""
    if frame.height:
        rows = frame.with_row_index("__row", offset=2).select(
            pl.concat_str(
                [
                    pl.lit('<row r="'),
                    pl.col("__row").cast(pl.String),
                    pl.lit('">'),
                    *[_cell(n, frame.schema[n], n in text) for n in frame.columns],
                    pl.lit("</row>"),
                ]
            ).alias("xml")
        )
        body = "".join(rows.get_column("xml").to_list())
    last = letters[-1] if letters else "A"
    widths = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{min(60, max(10, 2 * len(h) + 2))}" '
        'customWidth="1"/>'
        for i, h in enumerate(headers)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        + (f"<cols>{widths}</cols>" if widths else "")
        + f'<sheetData><row r="1">{head}</row>{body}</sheetData>'
        + (f'<autoFilter ref="A1:{last}{frame.height + 1}"/>' if headers else "")
        + "</worksheet>"
    )


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _shared_strings(
    sheets: list[tuple[str, pl.DataFrame, list[str]]],
) -> tuple[list[tuple[str, pl.DataFrame, list[str], frozenset[str]]], str]:
    """Every text cell's value once, in the shared-strings part, and each sheet's text columns
    as indexes into it: a value repeated down a column (an indicator's name, a town) is stored
    once, which keeps a national details workbook far below 20 MB."""
    prepared = []
    for name, frame, headers in sheets:
        text = frozenset(c for c in frame.columns if not frame.schema[c].is_numeric())
        values = frame.with_columns([_text_value(c, frame.schema[c]) for c in text])
        prepared.append((name, values, headers, text))
    parts = [
        frame.select(pl.col(c).alias("s")) for _, frame, _, text in prepared for c in sorted(text)
    ]
    table = (
        pl.concat(parts).drop_nulls().unique(maintain_order=True)
        if parts
        else pl.DataFrame({"s": []}, schema={"s": pl.String})
    ).with_row_index("i")
    out = []
    for name, frame, headers, text in prepared:
        indexed = frame.with_columns(
            [pl.col(c).replace_strict(table["s"], table["i"], default=None).alias(c) for c in text]
        )
        out.append((name, indexed, headers, text))
    items = table.select(
        pl.concat_str(
            [pl.lit('<si><t xml:space="preserve">'), _xml_text(pl.col("s")), pl.lit("</t></si>")]
        )
    ).to_series()
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{table.height}" uniqueCount="{table.height}">'
        + "".join(items.to_list())
        + "</sst>"
    )
    return out, xml


def write_xlsx(path: Path, sheets: list[tuple[str, pl.DataFrame, list[str]]]) -> Path:
    """Write `sheets` (name, frame, header labels) to `path` as one workbook."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    prepared, strings = _shared_strings(sheets)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = f"{rel}/worksheet"
    content = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{office}.sharedStrings+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            f'ContentType="{office}.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )  # fmt: skip
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        + "".join(
            f'<sheet name="{_escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (name, _, _) in enumerate(sheets, start=1)
        )
        + "</sheets>"
        + "<definedNames>"
        + "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{_escape(name)}'!$A$1:${column_letter(max(frame.width - 1, 0))}"
            f"${frame.height + 1}</definedName>"
            for i, (name, frame, _) in enumerate(sheets)
        )
        + "</definedNames></workbook>"
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{sheet_type}" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{rel}/styles" Target="styles.xml"/>'
        + f'<Relationship Id="rId{len(sheets) + 2}" Type="{rel}/sharedStrings" '
        'Target="sharedStrings.xml"/>' + "</Relationships>"
    )
    path = Path(path)
    with zipfile.ZipFile(
        path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL
    ) as zf:
        zf.writestr("[Content_Types].xml", content)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        zf.writestr("xl/styles.xml", _STYLES)
        zf.writestr("xl/sharedStrings.xml", strings)
        for i, (_, frame, headers, text) in enumerate(prepared, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", sheet_xml(frame, headers, text))
    return path
