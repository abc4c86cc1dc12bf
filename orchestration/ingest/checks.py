"""Ingest's checks of whole lines, rows and files, beside `ingest.py` (which reads cells).

- `decode_csv`: a CSV's bytes as UTF-8 text for polars, line by line where the file needs it:
  a line holding NUL bytes, or in neither UTF-8 nor GB18030, becomes a rejected row at its line
  (not a refused file); a file mixing UTF-8 and GB18030 lines is read with a warning; old Mac
  line ends (a lone CR) are read as line ends.
- `row_error`: the JSON a raw row carries in `_row_error` when ingest already knows the row
  cannot be used; staging turns it into the row's rejection (macros/staging_checks.sql), so the
  row is read, rejected at its place and counted like any other.
- `repeated_header_mask`: data rows that repeat the header (a sheet pasted twice).
- `mark_other_year_files`: a file of the package whose dated events fall mostly in another year
  (a carrier handed in last year's workbook): a warning naming that year, and its rows that
  repeat a carrier's, tenant's or claim's key another file of the package reports are rejected
  (the year's own file speaks for them). Its other rows are kept and the rules place them.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from orchestration.config import RAW_SCHEMA
from orchestration.xlsx_columns import column_letter as _column_letter

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class CsvText:
    """A CSV as UTF-8 bytes for polars, and what the decoding found."""

    data: bytes
    line_errors: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    """Line number → (check_name, 中文, English) of a line whose row cannot be used."""
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    """(check_name, 中文, English) about the whole file, rows still used."""


def _gb18030(line: bytes) -> str | None:
    try:
        text = line.decode("gb18030")
    except UnicodeDecodeError:
        return None
    for ch in text:
        if ord(ch) >= 0x80 and unicodedata.category(ch) in ("Co", "Cc", "Cn", "Cs"):
            return None  # GB18030 accepts many byte strings: never a silently wrong decoding
    return text


def decode_csv(data: bytes) -> CsvText | tuple[str, str]:
    """The CSV as UTF-8 (no BOM), or the (中文, English) reason the whole file cannot be read.

    Valid UTF-8 without NUL bytes or lone CRs is checked, not copied (the fast path). Otherwise
    the file is decoded line by line: a UTF-8 line stays UTF-8, else a GB18030 line is read as
    GB18030; a line with NUL bytes (they are dropped) or in neither encoding is kept as a row
    that staging rejects at its line number. UTF-16 (a BOM, or NULs between most characters)
    and a file most of whose lines decode in neither encoding are refused whole, as before.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        return (
            "编码为 UTF-16，请另存为 UTF-8 或 GB18030",
            "UTF-16 encoded; save as UTF-8 or GB18030",
        )
    body = data[3:] if data.startswith(UTF8_BOM) else data
    lone_cr = b"\r" in body and re.search(rb"\r(?!\n)", body) is not None
    if b"\x00" not in body and not lone_cr:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return CsvText(body)
    result = CsvText(b"")
    lines = body.splitlines(keepends=True)
    out: list[bytes] = []
    kinds: Counter[str] = Counter()
    for number, raw in enumerate(lines, start=1):
        line = raw
        if b"\x00" in line:
            line = line.replace(b"\x00", b"")
            result.line_errors[number] = (
                "nul_bytes",
                f"第 {number} 行含有 NUL 字节（二进制字符），该行未采用",
                f"line {number} contains NUL bytes (binary characters); the row is not used",
            )
        if line.endswith(b"\r") and not line.endswith(b"\r\n"):
            line = line[:-1] + b"\n"
        if line.isascii():
            out.append(line)
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            text = _gb18030(line)
            if text is None:
                kinds["neither"] += 1
                result.line_errors.setdefault(
                    number,
                    (
                        "unreadable_line",
                        f"第 {number} 行编码无法识别（不是 UTF-8 或 GB18030），该行未采用",
                        f"line {number} is in an unknown encoding (neither UTF-8 nor GB18030); "
                        "the row is not used",
                    ),
                )
                out.append(line.decode("utf-8", errors="replace").encode("utf-8"))
                continue
            kinds["gb18030"] += 1
            out.append(text.encode("utf-8"))
        else:
            kinds["utf-8"] += 1
            out.append(line)
    if kinds["neither"] and kinds["neither"] >= kinds["utf-8"] + kinds["gb18030"]:
        return (
            "编码无法识别（不是 UTF-8 或 GB18030）",
            "unknown encoding (neither UTF-8 nor GB18030)",
        )
    if kinds["utf-8"] and kinds["gb18030"]:
        result.warnings.append(
            (
                "mixed_encoding",
                f"文件混用了两种编码：{kinds['utf-8']} 行为 UTF-8、{kinds['gb18030']} 行为 "
                "GB18030，已逐行识别读取，请核对并统一另存为 UTF-8",
                f"the file mixes encodings: {kinds['utf-8']} lines in UTF-8 and "
                f"{kinds['gb18030']} in GB18030; each line was read in its own, please check "
                "and save the file as UTF-8",
            )
        )
    result.data = b"".join(out)
    return result


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: NUL at every other byte of most of the start."""
    head = data[:400]
    if len(head) < 8:
        return False
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4


def row_error(check: str, column: str | None, value: str | None, zh: str, en: str) -> str:
    """The `_row_error` JSON of a raw row ingest already knows staging must reject."""
    return json.dumps(
        {
            "column_name": column or "_row",
            "check_name": check,
            "value_as_written": value,
            "message": f"{zh} / {en}",
        },
        ensure_ascii=False,
    )


def repeated_header_mask(body: pl.DataFrame, header: tuple, columns: list[str]) -> pl.Series:
    """True for a data row whose mapped cells repeat the header's text (at least two of them,
    and all the row's non-empty mapped cells). Eager Series work, and none past the first
    column that never repeats its header (the usual case): no query to plan per sheet."""
    none = pl.Series([False] * body.height, dtype=pl.Boolean)
    same: pl.Series | None = None
    filled: pl.Series | None = None
    counted = 0
    for col in columns:
        text = header[body.columns.index(col)]
        if text is None:
            continue
        cells = body.get_column(col).cast(pl.String)
        hits = (cells.str.strip_chars() == str(text).strip()).fill_null(False)
        if not hits.any():
            return none
        present = cells.is_not_null()
        same = hits.cast(pl.Int32) if same is None else same + hits.cast(pl.Int32)
        filled = present.cast(pl.Int32) if filled is None else filled + present.cast(pl.Int32)
        counted += 1
    if counted < 2 or same is None or filled is None:
        return none
    return (same >= 2) & (same == filled)


def record_errors(
    starts: pl.Series, line_errors: dict[int, tuple[str, str, str]], name: str
) -> dict[int, str]:
    """The `_row_error` of each CSV record holding a bad line (a quoted cell may span lines:
    the record is the one starting at or before the line), by the record's first line."""
    if not line_errors:
        return {}
    first_lines = starts.to_list()
    out: dict[int, str] = {}
    for line, (check, zh, en) in sorted(line_errors.items()):
        pos = max(0, bisect.bisect_right(first_lines, line) - 1)
        out.setdefault(
            first_lines[pos],
            row_error(check, None, None, f"文件“{name}”{zh}", f"file '{name}': {en}"),
        )
    return out


def other_year_findings(con: duckdb.DuckDBPyConnection, year: int) -> list[tuple]:
    """Inside ingest's transaction: mark the stray files' rows (`mark_other_year_files`) and
    return a `file_year_mismatch` warning (as `Finding` fields) for each stray file."""
    out = []
    for file, other, n, total, rejected in mark_other_year_files(con, year):
        dropped = "、".join(f"{ds} {k} 行" for ds, k in sorted(rejected.items()))
        dropped_en = ", ".join(f"{k} {ds} rows" for ds, k in sorted(rejected.items()))
        zh = (
            f"文件“{file}”中 {total} 个有日期的事件有 {n} 个在 {other} 年，不在本年度 "
            f"{year} 年：疑为 {other} 年的报表误交。其事件按各自年份计算（不计入 "
            f"{year} 年）" + (f"；与其他文件重复报送的 {dropped} 未采用" if dropped else "")
        )
        en = (
            f"file '{file}': {n} of its {total} dated events fall in {other}, not in "
            f"{year}: probably the {other} report handed in by mistake. Its events "
            f"count in their own year (not in {year})"
            + (f"; {dropped_en} repeating another file's are not used" if dropped else "")
        )
        out.append(
            (
                None,
                file,
                None,
                None,
                None,
                "file_year_mismatch",
                "warning",
                str(other),
                f"{zh} / {en}",
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# A stray file of another year

EVENT_DATES = {
    "financing": "financing_date",
    "patents": "grant_date",
    "high_tech": "issue_date",
    "graduations": "graduation_date",
    "awards": "award_date",
    "recognitions": "recognized_date",
}
"""The date of each event dataset that places the event in its year (rules.md)."""

PER_YEAR_KEYS = {
    "carriers": ("carrier_id",),
    "tenants": ("carrier_id", "uscc"),
    "subsidy_claims": ("carrier_id", "claim_kind", "claimant_uscc"),
}
"""Datasets a package lists afresh every year: a stray file's row repeating one of these keys
reported by another file is not used (the year's own file speaks for it)."""

MIN_DATED_EVENTS = 3
"""A file is judged by its events' years only when it holds this many dated events."""


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def other_year_files(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, tuple[int, int, int]]:
    """Files of the year's package whose dated events fall mostly in one other year:
    file → (that year, events in it, dated events)."""
    parts = [
        f"select _source_file as f, try_cast(regexp_extract(trim({_q(col)}), "
        f"'^((19|20)[0-9][0-9])', 1) as integer) as y "
        f"from {_q(RAW_SCHEMA)}.{_q(ds)} where _assessment_year = ? and _row_error is null"
        for ds, col in EVENT_DATES.items()
    ]
    rows = con.execute(
        "with e as (" + " union all ".join(parts) + ") "
        "select f, y, count(*) from e where y is not null group by all",
        [year] * len(parts),
    ).fetchall()
    per_file: dict[str, Counter[int]] = {}
    for file, event_year, n in rows:
        per_file.setdefault(file, Counter())[event_year] += n
    found: dict[str, tuple[int, int, int]] = {}
    for file, years in per_file.items():
        total = sum(years.values())
        top, n = years.most_common(1)[0]
        if total >= MIN_DATED_EVENTS and top != year and n * 2 > total and years[year] * 5 < total:
            found[file] = (top, n, total)
    return found


def mark_other_year_files(
    con: duckdb.DuckDBPyConnection, year: int
) -> list[tuple[str, int, int, int, dict[str, int]]]:
    """Inside ingest's transaction: find the stray files, reject their rows that repeat a key
    another file reports (`_row_error`), and return (file, other year, events in it, dated
    events, rows rejected per dataset) for the findings."""
    stray = other_year_files(con, year)
    if len(stray) == 0:
        return []
    frame = pl.DataFrame(
        {"f": list(stray), "y": [v[0] for v in stray.values()]},
        schema={"f": pl.String, "y": pl.Int32},
    )
    con.register("_stray_files", frame.to_arrow())
    out = []
    try:
        rejected: dict[str, dict[str, int]] = {f: {} for f in stray}
        for ds, key in PER_YEAR_KEYS.items():
            table = f"{_q(RAW_SCHEMA)}.{_q(ds)}"

            def norm(alias: str, key: tuple[str, ...] = key) -> str:
                return " || '|' || ".join(
                    f"coalesce(upper(trim({alias}.{_q(k)})), '')" for k in key
                )

            marked = con.execute(
                f"update {table} as t set _row_error = json_object("
                "'column_name', '_row', 'check_name', 'other_year_file', "
                "'value_as_written', s.f, 'message', "
                "'此行所在文件的事件多属 ' || s.y || ' 年（疑为往年报表误交），同一对象已在“' "
                "|| o.files || '”中报送，此行未采用 / the events of this row''s file fall "
                "mostly in ' || s.y || ' (probably an earlier year''s report handed in by "
                "mistake); the same record is reported in ' || o.files || ', so this row is "
                "not used') "
                f"from (select {norm('r')} as k, string_agg(distinct r._source_file, '、' "
                f"order by r._source_file) as files from {table} as r "
                "where r._assessment_year = ? and r._source_file not in "
                "(select f from _stray_files) group by 1) as o, _stray_files as s "
                f"where t._assessment_year = ? and t._row_error is null "
                f"and t._source_file = s.f and {norm('t')} = o.k "
                "returning t._source_file",
                [year, year],
            ).fetchall()
            for (file,) in marked:
                rejected[file][ds] = rejected[file].get(ds, 0) + 1
        for file, (other, n, total) in sorted(stray.items()):
            out.append((file, other, n, total, rejected[file]))
    finally:
        con.unregister("_stray_files")
    return out


# --------------------------------------------------------------------------------------------
# Hidden columns of a workbook's sheets

_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b[^>]*>")
HEAD_BYTES = 1 << 20
"""How much of a sheet's XML is read for its column definitions: they come before the cells."""


def _attrs(tag: bytes) -> dict[str, str]:
    return {
        k.decode().split(":")[-1] if k != b"r:id" else "rid": v.decode("utf-8", "replace")
        for k, v in _ATTR.findall(tag)
    }


def _sheet_parts(zf: Any) -> dict[str, str]:
    """Sheet name → the zip part holding its XML (workbook.xml and its relationships)."""
    import html
    import posixpath

    names = set(zf.namelist())
    book = zf.read("xl/workbook.xml")
    rels = zf.read("xl/_rels/workbook.xml.rels")
    targets = {}
    for tag in _REL_TAG.findall(rels):
        a = _attrs(tag)
        target = a.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[a.get("Id")] = posixpath.normpath(path)
    parts = {}
    for tag in _SHEET_TAG.findall(book):
        a = _attrs(tag)
        part = targets.get(a.get("rid") or a.get("id"))
        if part in names:
            parts[html.unescape(a.get("name", ""))] = part
    return parts


def hidden_columns(data: bytes) -> dict[str, set[int]]:
    """Sheet name → 0-based indexes of its hidden columns (`<cols><col hidden="1">`), for the
    sheets that have any. calamine reads hidden columns like the others and does not say which
    they are; only the head of each sheet's XML (before its cells) is read. Best effort: a
    workbook whose parts cannot be read this way gives {}."""
    import io
    import zipfile

    found: dict[str, set[int]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for name, part in _sheet_parts(zf).items():
                head = b""
                with zf.open(part) as handle:  # the columns come before the cells: stop there
                    while b"<sheetData" not in head and len(head) < HEAD_BYTES:
                        chunk = handle.read(8192)
                        if not chunk:
                            break
                        head += chunk
                head = head.split(b"<sheetData", 1)[0]
                hidden: set[int] = set()
                for col in _COL_TAG.findall(head):
                    c = _attrs(col)
                    if c.get("hidden") in ("1", "true"):
                        first, last = int(c.get("min", "0")), int(c.get("max", "0"))
                        hidden.update(range(first - 1, min(last, first + 16_384)))
                if hidden:
                    found[name] = hidden
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        return {}
    return found


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode():
        index = index * 26 + ord(ch) - 64
    return index - 1


def merged_ranges(data: bytes, sheet: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of one sheet as 0-based (first row, first column, last row, last
    column). Reads the sheet's whole XML (the merges follow the cells): called only for a sheet
    whose required cells are missing somewhere. Best effort: [] when it cannot be read."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = _sheet_parts(zf).get(sheet)
            if part is None:
                return []
            xml = zf.read(part)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        return []
    tail = xml[xml.rfind(b"</sheetData>") :]
    return [
        (int(r1) - 1, _column_index(c1), int(r2) - 1, _column_index(c2))
        for c1, r1, c2, r2 in _MERGE.findall(tail)
    ]


def merged_row_errors(
    cells: pl.DataFrame,
    header_index: int,
    letters: list[str],
    required: list[str],
    merges: Callable[[], list[tuple[int, int, int, int]]],
    where: tuple[str, str],
) -> dict[int, str]:
    """The `_row_error` of each data row lying under the first row of a merged range that
    covers a required column: Excel keeps a merged value in the range's first cell only, and
    the rows below are rejected with that said (never filled in by guess: a merged amount
    would count twice). Looked up only when a required cell of a data row is empty."""
    body = cells.slice(header_index + 1)
    if not any(body.get_column(col).null_count() for col in required):
        return {}
    name, sheet = where
    required_letters = {letters[cells.columns.index(col)] for col in required}
    out: dict[int, str] = {}
    for r1, c1, r2, c2 in merges():
        if r2 <= r1 or r1 <= header_index:
            continue
        covered = {_column_letter(c) for c in range(c1, c2 + 1)} & required_letters
        if not covered:
            continue
        span = f"{_column_letter(c1)}{r1 + 1}:{_column_letter(c2)}{r2 + 1}"
        for row in range(r1 + 2, r2 + 2):
            out.setdefault(
                row,
                row_error(
                    "merged_cell",
                    None,
                    span,
                    f"文件“{name}”工作表“{sheet}”第 {row} 行在合并单元格 {span} 中，"
                    f"合并单元格的值只存于第 {r1 + 1} 行；该行未采用，请取消合并并逐行填写",
                    f"file '{name}' sheet '{sheet}' row {row} lies in the merged cells {span}, "
                    f"whose value Excel keeps in row {r1 + 1} only; the row is not used: unmerge "
                    "and fill in every row",
                ),
            )
    return out


def hidden_column_findings(
    cells: pl.DataFrame,
    header_index: int,
    letters: list[str],
    hidden: set[str] | frozenset[str],
    mapped: dict[str, str],
    where: tuple[str, str, str],
) -> list[tuple]:
    """A warning (as `Finding` fields) for each hidden column holding data: whether it was
    read as a column of the dataset or kept aside in `_extra` (a visible column with the same
    header wins)."""
    if not hidden:
        return []
    dataset, name, sheet = where
    used = {col: contract for contract, col in mapped.items()}
    header = cells.row(header_index)
    out = []
    for pos, col in enumerate(cells.columns):
        letter = letters[pos]
        below = cells.get_column(col).slice(header_index + 1)
        if letter not in hidden or below.null_count() == below.len():
            continue
        label = "" if header[pos] is None else str(header[pos])
        if col in used:
            zh, en = "已作为数据读取", f"it was read as '{used[col]}'"
        else:
            zh, en = "未采用，原样保留在 _extra 中", "not used; kept in _extra"
        row = header_index + 1
        out.append(
            (
                dataset,
                name,
                sheet,
                row,
                label or letter,
                "hidden_column",
                "warning",
                label or None,
                f"文件“{name}”工作表“{sheet}”第 {letter} 列（表头“{label}”）是隐藏列，{zh} / "
                f"file '{name}' sheet '{sheet}' column {letter} (header '{label}') is hidden; "
                f"{en}",
            )
        )
    return out
