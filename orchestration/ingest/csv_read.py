"""Reading one .csv of the package: the dataset its name gives, the text decoded
(`csv_decode`), the records parsed by polars with the line each starts on, then
`table.load_table` (the header is the first line)."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from orchestration.contract import datasets
from orchestration.ingest.csv_decode import CsvText, decode_csv, decode_lines, is_utf8
from orchestration.ingest.headers import match_csv_name
from orchestration.ingest.recorder import Recorder
from orchestration.ingest.row_errors import record_errors
from orchestration.ingest.summary import FileResult
from orchestration.ingest.table import load_table
from orchestration.xlsx_columns import column_letter as _column_letter

_LINE_BREAK = r"\r\n|\r|\n"


def read_csv(rec: Recorder, name: str, data: bytes, sha: str, size: int) -> None:
    """Read a CSV into `rec`, or record why it is ignored or cannot be read."""
    dataset = match_csv_name(Path(name).stem, datasets().values())
    if dataset is None:
        _not_a_dataset(rec, name, sha, size)
        return
    decoded, parsed = _parse(data)
    if decoded is not None:
        for check, zh, en in decoded.warnings:
            rec.finding(check, "warning", f"文件“{name}”：{zh} / file '{name}': {en}", file=name)
    if decoded is None or not isinstance(parsed, pl.DataFrame):
        rec.unreadable(name, sha, size, *parsed)
        return
    encoded, table = decoded.data, parsed
    rec.file_status(FileResult(name, "loaded", sha, size))
    if table.height == 0:
        rec.empty_sheet(name, "", dataset)
        return
    table = table.with_columns(pl.all().replace("", None))
    lines = csv_line_numbers(table, encoded)
    letters = [_column_letter(i) for i in range(table.width)]
    errors = record_errors(lines, decoded.line_errors, name)
    if errors.get(int(lines[0])) is not None:  # the header's own line: cleaned, still read
        errors.pop(int(lines[0]))
        _header_nul_bytes(rec, name, dataset, int(lines[0]))
    load_table(
        rec, table, letters, dataset, name, sha, "", is_csv=True, lines=lines, row_errors=errors
    )


def _parse(data: bytes) -> tuple[CsvText | None, pl.DataFrame | tuple[str, str]]:
    """The file's text (None: the file is refused whole) and its records as text cells, or the
    (中文, English) reason it cannot be read. A file handed on `unverified` (`decode_csv`) is
    parsed as it is: polars refuses bytes that are not UTF-8, and only then is the file checked
    and, when it is not UTF-8, decoded line by line and parsed again (national: one pass over
    ~650 MB less a year). The text's warnings stand when its records cannot be parsed."""
    decoded = decode_csv(data)
    if isinstance(decoded, tuple):
        return None, decoded
    try:
        return decoded, _records(decoded.data)
    except Exception as exc:  # polars' parse errors: reworded for the office
        if not decoded.unverified or is_utf8(decoded.data):
            return decoded, csv_error_text(exc, decoded.data)
    decoded = decode_lines(data)
    if isinstance(decoded, tuple):
        return None, decoded
    try:
        return decoded, _records(decoded.data)
    except Exception as exc:
        return decoded, csv_error_text(exc, decoded.data)


def _records(encoded: bytes) -> pl.DataFrame:
    return pl.read_csv(encoded, has_header=False, infer_schema=False, raise_if_empty=False)


def _not_a_dataset(rec: Recorder, name: str, sha: str, size: int) -> None:
    """A CSV whose name is no dataset's: ignored."""
    msg = (
        f"CSV 文件“{name}”的文件名不是数据集名称，已忽略（应为 <数据集>.csv 或 "
        f"<数据集>_<任意>.csv） / CSV file '{name}' is not named after a dataset and was "
        "ignored (expected <dataset>.csv or <dataset>_<anything>.csv)"
    )
    rec.file_status(FileResult(name, "ignored", sha, size, None, msg))
    rec.finding("ignored_file", "warning", msg, file=name, value=name)


def _header_nul_bytes(rec: Recorder, name: str, dataset: str, line: int) -> None:
    rec.finding(
        "nul_bytes",
        "warning",
        f"文件“{name}”的表头行含有 NUL 字节，已去除后读取 / file '{name}': the header "
        "line contains NUL bytes; they were removed and the header read",
        dataset=dataset,
        file=name,
        row=line,
    )


def csv_error_text(exc: Exception, data: bytes) -> tuple[str, str]:
    """A polars CSV parse error as (Chinese, English) for the office: the cause and the line,
    without the developer hints polars appends (dtype and `ignore_errors` advice)."""
    text = str(exc)
    original = re.search(r"Original error: ```(.*?)```", text, re.S)
    cause = " ".join((original.group(1) if original else text.split("\n", 1)[0]).split())
    cause = cause[:200]
    offset = re.search(r"offset in the file is (\d+) bytes", text)
    if offset is None:
        return f"CSV 格式错误（{cause}）", f"malformed CSV ({cause})"
    line = data[: int(offset.group(1))].count(b"\n") + 1
    return (
        f"CSV 格式错误，约在第 {line} 行（{cause}；常见原因：引号未闭合）",
        f"malformed CSV near line {line} ({cause}; usually an unclosed quote)",
    )


def _line_count(data: bytes) -> int:
    r"""Lines in UTF-8 text: \r\n, \r and \n each end one; a last line without a break counts.

    A file without \r (found by one `in`, a memchr) is counted in one pass: its \n alone;
    national: ~0.27 s of the reading thread less a year (docs/benchmarks.md, issue 21)."""
    breaks = data.count(b"\n")
    if b"\r" in data:
        breaks += data.count(b"\r") - data.count(b"\r\n")
    return breaks + (0 if data.endswith((b"\r", b"\n")) else 1)


def csv_line_numbers(table: pl.DataFrame, data: bytes) -> pl.Series:
    """The line on which each CSV record starts (header = line 1).

    A quoted cell may hold line breaks, so record i starts after every break of the records
    before it. Computed column-wise from the parsed cells; checked against the text's line count
    and, when a quirk makes them disagree, recounted with the csv module.

    When the text has exactly one line per record (header included), no cell holds a line
    break and record i starts on line i: the usual file is answered from the line count alone,
    without searching every cell for breaks (national patents: 2.9 M rows x 9 cells).
    """
    lines = _line_count(data)
    if lines == table.height:
        return pl.int_range(1, lines + 1, dtype=pl.Int32, eager=True)
    breaks = pl.sum_horizontal(
        [pl.col(c).str.count_matches(_LINE_BREAK).fill_null(0) for c in table.columns]
    )
    per_record = table.select((breaks + 1).alias("n")).get_column("n")
    starts = (per_record.cum_sum() - per_record + 1).cast(pl.Int32)
    if int(per_record.sum()) == lines:
        return starts
    import csv
    import io

    numbers = []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    line = 1
    for _ in reader:
        numbers.append(line)
        line = reader.line_num + 1
    return pl.Series(numbers[: table.height], dtype=pl.Int32)
