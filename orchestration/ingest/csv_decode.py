"""A CSV's bytes as UTF-8 text for polars, line by line where the file needs it.

A line holding NUL bytes, or in neither UTF-8 nor GB18030, becomes a rejected row at its line
(not a refused file); a file mixing UTF-8 and GB18030 lines is read with a warning; old Mac
line ends (a lone CR) are read as line ends. UTF-16, and a file most of whose lines decode in
neither encoding, are refused whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class CsvText:
    """A CSV as UTF-8 bytes for polars, and what the decoding found."""

    data: bytes
    line_errors: dict[int, tuple[str, str, str]] = field(default_factory=dict)
    """Line number → (check_name, 中文, English) of a line whose row cannot be used."""
    warnings: list[tuple[str, str, str]] = field(default_factory=list)
    """(check_name, 中文, English) about the whole file, rows still used."""
    unverified: bool = False
    """The bytes as handed in, not yet checked to be UTF-8: polars checks them as it parses
    (`read_csv` calls `decode_lines` when it refuses them)."""


def decode_csv(data: bytes) -> CsvText | tuple[str, str]:
    """The CSV for polars (no BOM), or the (中文, English) reason the whole file cannot be read.

    A file without NUL bytes or lone CRs is handed on as it is, `unverified`: polars' parse
    checks that it is UTF-8 (the fast path: no copy, no second pass over the bytes), and
    `read_csv` decodes it with `decode_lines` when it is not. Otherwise see `decode_lines`.
    UTF-16 (a BOM, or NULs between most characters) is refused whole.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        return (
            "编码为 UTF-16，请另存为 UTF-8 或 GB18030",
            "UTF-16 encoded; save as UTF-8 or GB18030",
        )
    body = data[3:] if data.startswith(UTF8_BOM) else data
    if _is_plain(body):
        return CsvText(body, unverified=True)
    return decode_lines(data)


def decode_lines(data: bytes) -> CsvText | tuple[str, str]:
    """The CSV (not UTF-16) decoded line by line: a UTF-8 line stays UTF-8, else a GB18030
    line is read as GB18030; a line with NUL bytes (they are dropped) or in neither encoding is
    kept as a row that staging rejects at its line number; lone CRs end lines. A file most of
    whose lines decode in neither encoding is refused whole."""
    body = data[3:] if data.startswith(UTF8_BOM) else data
    result = CsvText(b"")
    kinds: Counter[str] = Counter()
    out = [
        _decode_line(number, raw, result, kinds)
        for number, raw in enumerate(body.splitlines(keepends=True), start=1)
    ]
    if kinds["neither"] and kinds["neither"] >= kinds["utf-8"] + kinds["gb18030"]:
        return (
            "编码无法识别（不是 UTF-8 或 GB18030）",
            "unknown encoding (neither UTF-8 nor GB18030)",
        )
    if kinds["utf-8"] and kinds["gb18030"]:
        result.warnings.append(_mixed_encoding(kinds))
    result.data = b"".join(out)
    return result


def _is_plain(body: bytes) -> bool:
    """No NUL bytes or lone CRs: polars reads it as it is, if it is UTF-8."""
    lone_cr = b"\r" in body and re.search(rb"\r(?!\n)", body) is not None
    return b"\x00" not in body and not lone_cr


def is_utf8(body: bytes) -> bool:
    """Whether `body` is valid UTF-8: polars' check in Rust, ~3x faster than decoding the bytes
    into a Python string; the standard's one definition of valid UTF-8 either way (no
    surrogates, no overlong forms). Asked only of a file polars' parse refused (`read_csv`)."""
    import polars as pl

    try:
        pl.Series([body], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return False
    return True


def _decode_line(number: int, raw: bytes, result: CsvText, kinds: Counter[str]) -> bytes:
    """Line `number` as UTF-8; a line whose row cannot be used is noted in `result`, and the
    line's encoding counted in `kinds` (`utf-8`, `gb18030`, `neither`; ASCII is not counted)."""
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
        return line
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        kinds["utf-8"] += 1
        return line
    text = _gb18030(line)
    if text is not None:
        kinds["gb18030"] += 1
        return text.encode("utf-8")
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
    return line.decode("utf-8", errors="replace").encode("utf-8")


def _mixed_encoding(kinds: Counter[str]) -> tuple[str, str, str]:
    return (
        "mixed_encoding",
        f"文件混用了两种编码：{kinds['utf-8']} 行为 UTF-8、{kinds['gb18030']} 行为 "
        "GB18030，已逐行识别读取，请核对并统一另存为 UTF-8",
        f"the file mixes encodings: {kinds['utf-8']} lines in UTF-8 and "
        f"{kinds['gb18030']} in GB18030; each line was read in its own, please check "
        "and save the file as UTF-8",
    )


def _gb18030(line: bytes) -> str | None:
    try:
        text = line.decode("gb18030")
    except UnicodeDecodeError:
        return None
    for ch in text:
        if ord(ch) >= 0x80 and unicodedata.category(ch) in ("Co", "Cc", "Cn", "Cs"):
            return None  # GB18030 accepts many byte strings: never a silently wrong decoding
    return text


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: NUL at every other byte of most of the start."""
    head = data[:400]
    if len(head) < 8:
        return False
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
