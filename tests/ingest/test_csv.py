"""Reading CSV files: names, encodings, line numbers, speed."""

from __future__ import annotations

import polars as pl
import pytest

HEADER = "载体编号,专利权人,专利权人统一社会信用代码,专利号,专利类型,申请日"
ROW = "C001,某科技公司,91320500MA1XXXXX0X,ZL202310123456.6,发明,2023-01-02"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b"")],
    ids=["utf-8", "utf-8-bom", "gb18030"],
)
def test_csv_encodings(package, run_ingest, query, encoding: str, prefix: bytes) -> None:
    text = f"{HEADER}\r\n{ROW}\r\n"
    (package / "patents.csv").write_bytes(prefix + text.encode(encoding))
    summary = run_ingest(package)
    assert summary.findings == []
    got = query("select carrier_id, enterprise_name, patent_type, _sheet, _source_row"
                " from raw.patents")  # fmt: skip
    assert got == [("C001", "某科技公司", "发明", "", 2)]


@pytest.mark.parametrize(
    "data",
    [
        (HEADER + "\n" + ROW + "\n").encode("utf-16"),  # with BOM
        (HEADER + "\n" + ROW + "\n").encode("utf-16-le"),  # NUL bytes, no BOM
        b"carrier_id,enterprise_name\nC001,Caf\xe9,\xe9\n",  # Latin-1, not UTF-8 nor GB18030
        b"carrier_id,enterprise_name\nC001,\xfe\xfe\xfe\xfe\n",  # GB18030 private-use area
    ],
    ids=["utf-16", "utf-16-le", "latin-1", "private-use"],
)
def test_undecodable_csv_is_an_unreadable_finding(package, run_ingest, query, data) -> None:
    (package / "patents_C001.csv").write_bytes(data)
    (package / "patents_C002.csv").write_text(f"{HEADER}\n{ROW}\n", encoding="utf-8")
    summary = run_ingest(package)
    assert [(f.check_name, f.severity, f.source_file) for f in summary.findings] == [
        ("unreadable_file", "error", "patents_C001.csv")
    ]
    assert "patents_C001.csv" in summary.findings[0].message
    assert summary.files_by_status["unreadable"] == 1
    assert query("select source_file, status from raw._ingest_files order by 1") == [
        ("patents_C001.csv", "unreadable"),
        ("patents_C002.csv", "loaded"),
    ]
    assert query("select count(*) from raw.patents") == [(1,)]


def test_a_line_with_nul_bytes_is_a_row_to_reject(package, run_ingest, query) -> None:
    """Only the line with the NUL is lost to the year: it is loaded with its `_row_error` (so
    staging rejects it at its line and counts it), the lines around it are loaded as usual."""
    nul_row = ROW.replace("某科技", "某\x00科技")
    data = f"{HEADER}\n{ROW}\n{nul_row}\n{ROW}\n".encode()
    (package / "patents.csv").write_bytes(data)
    summary = run_ingest(package)
    assert summary.findings == []
    got = query("select _source_row, enterprise_name, _row_error is not null from raw.patents")
    assert got == [(2, "某科技公司", False), (3, "某科技公司", True), (4, "某科技公司", False)]
    (error,) = query("select _row_error from raw.patents where _source_row = 3")[0]
    assert '"check_name": "nul_bytes"' in error and "line 3" in error


def test_nul_bytes_in_the_header_line_are_removed_with_a_warning(
    package, run_ingest, query
) -> None:
    (package / "patents.csv").write_bytes(f"{HEADER}\x00\n{ROW}\n".encode())
    summary = run_ingest(package)
    assert [(f.check_name, f.severity, f.source_row) for f in summary.findings] == [
        ("nul_bytes", "warning", 1)
    ]
    assert query("select _source_row, _row_error from raw.patents") == [(2, None)]


def test_csv_line_numbers_with_line_breaks_in_quoted_cells(package, run_ingest, query) -> None:
    text = (
        f"{HEADER},专利名称\n"
        f'{ROW},"第一行\n第二行"\n'  # line 2, spans 2 lines
        "\n"  # line 4: blank, not a row
        f'{ROW},"a\r\nb\r\nc"\n'  # line 5, spans 3 lines
        f"{ROW},\n"  # line 8
    )
    (package / "专利_某孵化器.csv").write_bytes(text.encode("utf-8"))
    run_ingest(package)
    got = query("select _source_row, title from raw.patents order by 1")
    assert got == [(2, "第一行\n第二行"), (5, "a\r\nb\r\nc"), (8, None)]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("a\nb\nc\n", 3),
        ("a\nb\nc", 3),  # no break after the last line
        ("a\r\nb\r\nc\r\n", 3),
        ("a\rb\rc\r", 3),  # old Mac breaks
        ("a\rb\r\nc\nd", 4),  # mixed
        ("", 1),
    ],
)
def test_line_count_counts_every_kind_of_break_once(text: str, lines: int) -> None:
    from orchestration.ingest.csv_read import _line_count

    assert _line_count(text.encode()) == lines


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("h1,h2\n1,x\n2,y\n", [1, 2, 3]),
        ("h1,h2\r\n1,x\r\n2,y", [1, 2, 3]),
        ('h1,h2\n1,"a\nb"\n2,y\n', [1, 2, 4]),  # a break inside a quoted cell
        ('h1,h2\r\n1,"a\r\nb\r\nc"\r\n2,y\r\n', [1, 2, 5]),
    ],
)
def test_line_numbers_with_and_without_breaks_in_cells(text: str, starts: list[int]) -> None:
    """A file of one line per record is answered from its line count alone (record i on line
    i); a file with a break in a cell gets the cell-by-cell count: the line each record starts
    on, header = line 1."""
    from orchestration.ingest.csv_read import csv_line_numbers

    data = text.encode()
    table = pl.read_csv(data, has_header=False, infer_schema=False)
    assert csv_line_numbers(table, data).to_list() == starts


def test_csv_file_names(package, run_ingest, query) -> None:
    (package / "high_tech_2024.csv").write_text(
        "载体编号,企业名称,统一社会信用代码,证书编号,发证日期,认定类型\n"
        "C001,某公司,91320500MA1XXXXX0X,GR202432001234,2024-12-01,首次认定\n",
        encoding="utf-8",
    )
    (package / "清单.csv").write_text("a\n1\n", encoding="utf-8")
    summary = run_ingest(package)
    assert query("select certificate_no from raw.high_tech") == [("GR202432001234",)]
    assert [(f.check_name, f.severity, f.source_file) for f in summary.findings] == [
        ("ignored_file", "warning", "清单.csv")
    ]


def test_a_million_row_csv_is_read_whole(package, run_ingest, query) -> None:
    n = 1_000_000
    frame = pl.DataFrame(
        {
            "载体编号": ["C001"] * n,
            "专利权人": ["某科技公司"] * n,
            "专利权人统一社会信用代码": ["91320500MA1XXXXX0X"] * n,
            "专利号": pl.int_range(n, eager=True).cast(pl.String),
            "专利类型": ["发明"] * n,
            "申请日": ["2023-01-02"] * n,
        }
    )
    frame.write_csv(package / "patents.csv")
    summary = run_ingest(package)
    assert summary.rows_by_dataset["patents"] == n
    assert query("select patent_no from raw.patents where _source_row = ?", [n + 1]) == [
        (str(n - 1),)
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"abc",
        "中文,甲".encode(),
        "😀".encode(),
        b"",
        b"\xff",
        b"\xed\xa0\x80",
        b"\xc0\xaf",
        b"a\xe4\xb8",
        b"\xf4\x90\x80\x80",
    ],
    ids=["ascii", "cjk", "emoji", "empty", "ff", "surrogate", "overlong", "cut", "too-high"],
)
def test_the_fast_utf8_check_agrees_with_pythons_decoder(data: bytes) -> None:
    """A CSV polars refused is checked (csv_decode.is_utf8, by polars) and, when it is not
    UTF-8, read line by line. The verdict is Python's strict decoder's, on every edge of the
    standard."""
    from orchestration.ingest.csv_decode import is_utf8

    try:
        data.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    assert is_utf8(data) is valid


def _parse_checked_first(data: bytes):
    """The reading before the check moved into the parse: UTF-8 checked first, then parsed;
    the text's warnings stand when its records cannot be parsed."""
    from orchestration.ingest import csv_decode as cd
    from orchestration.ingest.csv_read import _records, csv_error_text

    body = data[3:] if data.startswith(cd.UTF8_BOM) else data
    decoded = cd.CsvText(body) if cd._is_plain(body) and cd.is_utf8(body) else cd.decode_lines(data)
    if isinstance(decoded, tuple):
        return None, decoded
    try:
        table = _records(decoded.data)
    except Exception as exc:
        return decoded.warnings, csv_error_text(exc, decoded.data)
    return decoded.data, decoded.line_errors, decoded.warnings, table.rows()


_MANY = "".join(f"C{i:04d},某科技公司{i}\n" for i in range(60_000)).encode("utf-8")


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\nC001,\xc4\xb3\xbc\xbc\n",  # GB18030 only
        _MANY + "C9999,末行\n".encode("gb18030"),  # one GB18030 line after polars' first chunk
        "C0,某\n".encode("gb18030") + _MANY,  # and before it
        _MANY + b"C9999,\xff\xfe\xfd\n",  # a line in neither encoding
        b'a,b\nC001,"unclosed\nC002,x\n',  # malformed, UTF-8
        b'a,b\nC001,"\xc4\xb3\nC002,x\n',  # malformed, GB18030
        'a,b\nC001,中\nC002,"末\n'.encode() + "C3,中\n".encode("gb18030"),  # malformed, mixed
        b"\xef\xbb\xbfa,b\nC001,\xc4\xb3\n",  # a BOM, then GB18030
        b"a,b\r\nC001,\xe4\xb8\xad\r\n",  # plain UTF-8
    ],
    ids=[
        "gb",
        "gb-last",
        "gb-first",
        "neither",
        "malformed",
        "malformed-gb",
        "malformed-mixed",
        "bom-gb",
        "utf8",
    ],
)
def test_polars_checks_utf8_as_it_parses(data: bytes) -> None:
    """A file is parsed as it is and checked only when polars refuses it (csv_read._parse):
    the text, the line findings, the warnings and the rows are the ones the check before the
    parse gave, for files that are UTF-8, GB18030, mixed, in neither, or malformed."""
    from orchestration.ingest.csv_read import _parse

    decoded, parsed = _parse(data)
    if decoded is None:
        got = None, parsed
    elif isinstance(parsed, tuple):
        got = decoded.warnings, parsed
    else:
        got = decoded.data, decoded.line_errors, decoded.warnings, parsed.rows()
    assert got == _parse_checked_first(data)
    if data.endswith(b"\xff\xfe\xfd\n"):
        assert got[1] and got[3][-1][1] is not None  # the line kept, to be rejected by staging
    if b'"\xe6\x9c\xab' in data:  # malformed and mixed: refused, and the mixing still told
        assert got[0] and got[0][0][0] == "mixed_encoding"
