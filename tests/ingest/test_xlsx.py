"""Reading .xlsx workbooks into raw.*: headers, sheets, cells as written, row numbers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

PATENT_HEADERS = [
    "载体编号",
    "专利权人",
    "专利权人统一社会信用代码",
    "专利号",
    "专利类型",
    "申请日",
]
PATENT_ROW = ["C001", "某科技公司", "91320500MA1XXXXX0X", "ZL202310123456.6", "发明", "2023-01-02"]


def write_xlsx(
    path: Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()
) -> Path:
    """A workbook whose sheets hold the given rows from A1 (None = empty cell)."""
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    workbook.close()
    return path


def _patent_row(**overrides: str) -> list[str]:
    row = dict(zip(PATENT_HEADERS, PATENT_ROW, strict=True))
    row.update(overrides)
    return list(row.values())


def test_header_below_title_rows_and_source_row_is_the_row_excel_shows(
    package, run_ingest, query
) -> None:
    rows = [
        ["2024年度专利情况表"],
        [None],  # an empty row between title and header
        PATENT_HEADERS,
        _patent_row(专利号="ZL202310000001.X"),
        [None],  # a blank row inside the data is not a data row
        _patent_row(专利号="ZL202310000002.5"),
    ]
    write_xlsx(package / "C001_某孵化器.xlsx", {"专利": rows})
    summary = run_ingest(package)
    assert summary.findings_by_severity["error"] == 0
    got = query("select patent_no, _source_row, _sheet, _source_file from raw.patents order by 2")
    assert got == [
        ("ZL202310000001.X", 4, "专利", "C001_某孵化器.xlsx"),
        ("ZL202310000002.5", 6, "专利", "C001_某孵化器.xlsx"),
    ]
    assert query("select header_row, rows_read, status from raw._ingest_sheets") == [
        (3, 2, "loaded")
    ]


def test_rows_counted_from_row_one_when_the_sheet_starts_lower(package, run_ingest, query) -> None:
    """calamine starts a range at the first used cell; the row number must not shift."""
    workbook = xlsxwriter.Workbook(str(package / "a.xlsx"))
    sheet = workbook.add_worksheet("专利")
    sheet.write_row(4, 2, PATENT_HEADERS)  # header at C5, nothing above or left of it
    sheet.write_row(5, 2, PATENT_ROW)
    workbook.close()
    run_ingest(package)
    assert query("select carrier_id, _source_row from raw.patents") == [("C001", 6)]
    assert query("select header_row from raw._ingest_sheets") == [(5,)]


def test_aliases_full_width_and_unit_headers(package, run_ingest, query) -> None:
    headers = [
        " 载体编号 ",
        "企 业 名 称",
        "信用代码",
        "入孵时间",
        "企业状态",
        "营业收入（元）",
        "ｒｄ＿ｅｘｐｅｎｓｅ",
        "纳税总额 [亿元]",
    ]
    values = ["C001", "某公司", "91320500MA1XXXXX0X", "2020-01-01", "在孵", "500000", "12", "0.1"]
    write_xlsx(package / "a.xlsx", {"在孵企业": [headers, values]})
    summary = run_ingest(package)
    assert summary.findings == []
    got = query(
        "select carrier_id, enterprise_name, uscc, entry_date, revenue, revenue__header_unit,"
        " rd_expense, rd_expense__header_unit, tax_paid, tax_paid__header_unit, _extra"
        " from raw.tenants"
    )
    assert got == [
        ("C001", "某公司", "91320500MA1XXXXX0X", "2020-01-01", "500000", "元", "12", None,
         "0.1", "亿元", None)
    ]  # fmt: skip


def test_sheet_found_by_chinese_name_or_key(package, run_ingest, query) -> None:
    write_xlsx(package / "a.xlsx", {"专利": [PATENT_HEADERS, _patent_row(载体编号="A")]})
    write_xlsx(package / "b.xlsx", {" Patents ": [PATENT_HEADERS, _patent_row(载体编号="B")]})
    write_xlsx(package / "c.xlsx", {"ｐａｔｅｎｔｓ": [PATENT_HEADERS, _patent_row(载体编号="C")]})
    summary = run_ingest(package)
    assert summary.findings == []
    assert query("select carrier_id, _sheet from raw.patents order by 1") == [
        ("A", "专利"),
        ("B", " Patents "),
        ("C", "ｐａｔｅｎｔｓ"),
    ]
    assert summary.rows_by_dataset["patents"] == 3


def test_unknown_sheet_and_unknown_column_are_warnings_and_kept(package, run_ingest, query) -> None:
    write_xlsx(
        package / "a.xlsx",
        {
            "专利": [[*PATENT_HEADERS, "联系人"], [*PATENT_ROW, "张三"], PATENT_ROW],
            "Sheet1": [["whatever"], ["x"]],
        },
    )
    summary = run_ingest(package)
    checks = {(f.check_name, f.severity, f.sheet, f.column_name) for f in summary.findings}
    assert checks == {
        ("unknown_column", "warning", "专利", "联系人"),
        ("ignored_sheet", "warning", "Sheet1", None),
    }
    unknown = next(f for f in summary.findings if f.check_name == "unknown_column")
    assert "a.xlsx" in unknown.message and "联系人" in unknown.message and " / " in unknown.message
    extras = [r[0] for r in query("select _extra from raw.patents order by _source_row")]
    assert json.loads(extras[0]) == {"联系人": "张三"}
    assert extras[1] is None
    stored = query("select check_name, severity from raw._ingest_findings order by 1")
    assert stored == [("ignored_sheet", "warning"), ("unknown_column", "warning")]
    assert ("a.xlsx", "Sheet1", None, "ignored") in query(
        "select source_file, sheet, dataset, status from raw._ingest_sheets"
    )


def test_missing_required_column_skips_the_sheet_with_an_error(package, run_ingest, query) -> None:
    headers = [h for h in PATENT_HEADERS if h != "专利号"]
    row = [v for h, v in zip(PATENT_HEADERS, PATENT_ROW, strict=True) if h != "专利号"]
    write_xlsx(
        package / "a.xlsx",
        {"专利": [headers, row], "载体信息": [["载体编号", "载体名称"], ["C001", "x"]]},
    )
    summary = run_ingest(package)
    errors = [f for f in summary.findings if f.severity == "error"]
    assert {(f.check_name, f.sheet) for f in errors} == {
        ("missing_required_columns", "专利"),
        ("missing_required_columns", "载体信息"),
    }
    patents = next(f for f in errors if f.sheet == "专利")
    assert patents.column_name == "patent_no"
    assert "专利号" in patents.message and "a.xlsx" in patents.message
    assert query("select count(*) from raw.patents") == [(0,)]
    assert query("select count(*) from raw.carriers") == [(0,)]
    assert query("select distinct status from raw._ingest_sheets") == [
        ("missing_required_columns",)
    ]


def test_empty_and_hidden_sheets(package, run_ingest, query) -> None:
    write_xlsx(
        package / "a.xlsx",
        {
            "载体信息": [],
            "专利": [PATENT_HEADERS, PATENT_ROW],
        },
        hidden=("专利",),
    )
    summary = run_ingest(package)
    checks = {(f.check_name, f.severity, f.sheet) for f in summary.findings}
    assert checks == {("empty_sheet", "warning", "载体信息"), ("hidden_sheet", "warning", "专利")}
    assert query("select count(*) from raw.patents") == [(1,)]


def test_cells_as_written(package, run_ingest, query) -> None:
    """Date cells → ISO dates, numbers as typed (15 significant digits), text unchanged."""
    path = package / "a.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "投融资"
    sheet.append(["2024年融资情况"])  # a title row: data rows start at Excel row 3
    sheet.append(["载体编号", "企业名称", "统一社会信用代码", "融资日期", "融资金额（万元）",
                  "融资类型", "投资机构", "轮次"])  # fmt: skip
    cases = [
        # (uscc cell, date cell, amount cell, round cell)
        ("0012", dt.datetime(2024, 3, 5), 1234.5, 100),
        ("12345678901234567", dt.datetime(2024, 3, 5, 13, 45), 0.1, 12345678901234567),
        (" a  b ", dt.date(2024, 12, 31), 1234.4999999999998, 0.30000000000000004),
        ("2024/3/5", 45356, -5.25, True),
    ]
    for uscc, date, amount, round_ in cases:
        sheet.append(["C001", "某公司", uscc, date, amount, "股权投资", '="某"&"基金"', round_])
    workbook.save(path)
    summary = run_ingest(package)
    assert summary.findings_by_severity == {"error": 0, "warning": 0}
    got = query(
        "select _source_row, uscc, financing_date, amount, round, amount__header_unit"
        " from raw.financing order by _source_row"
    )
    assert got == [
        (3, "0012", "2024-03-05", "1234.5", "100", "万元"),
        (4, "12345678901234567", "2024-03-05", "0.1", "12345678901234600", "万元"),
        (5, " a  b ", "2024-12-31", "1234.5", "0.3", "万元"),
        (6, "2024/3/5", "45356", "-5.25", "TRUE", "万元"),
    ]


def test_formula_cells_give_cached_values_and_errors_as_written(package, run_ingest, query) -> None:
    workbook = xlsxwriter.Workbook(str(package / "a.xlsx"))
    sheet = workbook.add_worksheet("专利")
    sheet.write_row(0, 0, [*PATENT_HEADERS, "专利名称"])
    sheet.write_row(1, 0, PATENT_ROW)
    sheet.write_formula(1, 6, '="一种"&"方法"', None, "一种方法")
    sheet.write_row(2, 0, PATENT_ROW)
    sheet.write_formula(2, 5, "=#REF!+1", None, "#REF!")
    sheet.write_formula(2, 6, "=NA()", None, "#N/A")
    workbook.close()
    summary = run_ingest(package)
    got = query("select _source_row, application_date, title from raw.patents order by 1")
    assert got == [(2, "2023-01-02", "一种方法"), (3, "#REF!", "#N/A")]
    errors = sorted(
        (f.source_row, f.column_name, f.value_as_written)
        for f in summary.findings
        if f.check_name == "formula_error"
    )
    assert errors == [(3, "F", "#REF!"), (3, "G", "#N/A")]


def test_fifty_thousand_rows_are_read_whole_with_their_rows(package, run_ingest, query) -> None:
    workbook = xlsxwriter.Workbook(str(package / "big.xlsx"), {"constant_memory": True})
    sheet = workbook.add_worksheet("专利")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, [*PATENT_HEADERS, "专利名称"])
    day = dt.datetime(2023, 1, 2)
    for r in range(1, 50_001):
        sheet.write_row(r, 0, PATENT_ROW[:3])
        sheet.write_string(r, 3, f"ZL2023100{r:05d}.1")
        sheet.write_string(r, 4, "发明")
        sheet.write_datetime(r, 5, day, date_format)
        sheet.write_number(r, 6, r + 0.5)
    workbook.close()
    summary = run_ingest(package)
    assert summary.rows_by_dataset["patents"] == 50_000
    assert query("select title, application_date from raw.patents where _source_row = 50001") == [
        ("50000.5", "2023-01-02")
    ]


def test_year_replacement_leaves_other_years(package, tmp_path, run_ingest, query) -> None:
    y2023 = tmp_path / "reports" / "2023"
    y2023.mkdir(parents=True)
    write_xlsx(y2023 / "a.xlsx", {"专利": [PATENT_HEADERS, _patent_row(载体编号="OLD")]})
    write_xlsx(package / "a.xlsx", {"专利": [PATENT_HEADERS, _patent_row(载体编号="FIRST")]})
    run_ingest(y2023, year=2023, run_id="r2023")
    run_ingest(package, year=2024, run_id="r2024a")
    (package / "a.xlsx").unlink()
    write_xlsx(
        package / "b.xlsx",
        {"专利": [PATENT_HEADERS, _patent_row(载体编号="SECOND"), _patent_row(载体编号="THIRD")]},
    )
    run_ingest(package, year=2024, run_id="r2024b")
    got = query("select _assessment_year, _run_id, carrier_id from raw.patents order by 3")
    assert got == [(2023, "r2023", "OLD"), (2024, "r2024b", "SECOND"), (2024, "r2024b", "THIRD")]
    assert query("select _assessment_year, source_file from raw._ingest_files order by 1") == [
        (2023, "a.xlsx"),
        (2024, "b.xlsx"),
    ]
    tables = {r[0] for r in query("select table_name from information_schema.tables "
                                  "where table_schema = 'raw'")}  # fmt: skip
    assert {"carriers", "tenants", "patents", "high_tech", "graduations", "financing", "awards",
            "evaluations", "recognitions", "subsidy_claims", "_ingest_files", "_ingest_sheets",
            "_ingest_findings"} <= tables  # fmt: skip


def test_all_ten_tables_exist_for_an_empty_package(package, run_ingest, query) -> None:
    summary = run_ingest(package)
    assert summary.files == [] and summary.findings == []
    cols = [
        r[0]
        for r in query(
            "select column_name from information_schema.columns where table_schema = 'raw'"
            " and table_name = 'financing' order by ordinal_position"
        )
    ]
    assert cols[:7] == ["_assessment_year", "_run_id", "_source_file", "_file_sha256", "_sheet",
                        "_source_row", "_extra"]  # fmt: skip
    assert "amount" in cols and "amount__header_unit" in cols
    # the ten datasets, the three _ingest_* tables and the office's _adjustments (empty)
    assert query("select count(*) from information_schema.tables where table_schema = 'raw'") == [
        (14,)
    ]


def test_summary_for_the_cli(package, run_ingest) -> None:
    write_xlsx(package / "a.xlsx", {"专利": [PATENT_HEADERS, PATENT_ROW, PATENT_ROW]})
    (package / "b.txt").write_text("x", encoding="utf-8")
    summary = run_ingest(package)
    title, columns, rows = summary.as_table()
    assert len(columns) == 3 and title
    assert rows == [["patents", 1, "2"]]
    assert summary.files_by_status == {"loaded": 1, "duplicate": 0, "unreadable": 0, "ignored": 1}
    assert summary.findings_by_severity == {"error": 0, "warning": 1}
    assert "2 rows" in summary.one_line() and "1 ignored" in summary.one_line()
