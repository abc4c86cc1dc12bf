"""Text cells that look like numbers stay text: identifiers are never turned into floats."""

from __future__ import annotations

import duckdb
import openpyxl
import xlsxwriter

HEADERS = ["载体编号", "企业名称", "统一社会信用代码", "融资日期", "融资金额", "融资类型", "轮次"]


def test_all_digit_credit_code_typed_as_text_is_kept_digit_for_digit(
    package, run_ingest, query
) -> None:
    """913210120440821400 typed as text once came back as 913210120440820992."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "投融资"
    sheet.append(HEADERS)
    sheet.append(
        ["C001", "甲", "913210120440821400", "2024-03-05", 12.5, "股权投资", "123456789012345678"]
    )
    sheet.append(
        ["C001", "乙", "0.30000000000000004", "2024-03-05", "100", "股权投资", 0.30000000000000004]
    )
    sheet.append(
        ["C001", "丙", "12345678901234567", "2024-03-05", 1234.4999999999998, "股权投资", "1e5"]
    )
    workbook.save(package / "a.xlsx")
    run_ingest(package)
    got = query(
        "select enterprise_name, uscc, amount, round from raw.financing order by _source_row"
    )
    assert got == [
        ("甲", "913210120440821400", "12.5", "123456789012345678"),
        # text stays exactly as typed; a number cell still gets Excel's 15 digits
        ("乙", "0.30000000000000004", "100", "0.3"),
        ("丙", "12345678901234567", "1234.5", "1e5"),
    ]


def test_text_format_cells_written_by_xlsxwriter_keep_their_digits(
    package, run_ingest, query
) -> None:
    """The sample generator's path: xlsxwriter write_string of an all-digit code."""
    workbook = xlsxwriter.Workbook(str(package / "b.xlsx"))
    sheet = workbook.add_worksheet("投融资")
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ["C001", "甲"])
    sheet.write_string(1, 2, "913210120440821400")
    sheet.write_string(1, 3, "2024-03-05")
    sheet.write_number(1, 4, 1234.4999999999998)
    sheet.write_string(1, 5, "股权投资")
    workbook.close()
    run_ingest(package)
    assert query("select uscc, amount from raw.financing") == [("913210120440821400", "1234.5")]


def _write_sheets(path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()):
    """Sheets of openpyxl-typed cells (numbers, text of digits, dates, formulas) from A1."""
    workbook = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, tuple):  # (formula, cached value)
                    sheet.write_formula(r, c, value[0], None, value[1])
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)  # text, even when it is all digits
                elif value is not None:
                    sheet.write(r, c, value)
        if name in hidden:
            sheet.hide()
    workbook.close()


def test_a_workbook_of_many_sheets_reads_as_each_sheet_alone(tmp_path) -> None:
    """The sheets of a workbook are turned into text together (one stacked pass, for speed):
    sheets of different widths, text of digits, formula errors, a hidden and an ignored sheet
    give exactly the rows, files' findings and sheets that reading each sheet alone gives."""
    import datetime as dt

    from orchestration.ingest import ingest_package
    from tests.ingest.conftest import DUCKDB_CONFIG

    sheets = {
        "说明": [["填报说明"]],
        "投融资": [
            ["2024年融资情况"],
            HEADERS + ["投资机构", "备注"],
            ["C001", "甲", "913210120440821400", dt.datetime(2024, 3, 5), 12.5, "股权投资",
             "123456789012345678", ("=\"某\"&\"基金\"", "某基金"), None],
            ["C001", "乙", "0012", "2024-03-05", 1234.4999999999998, "股权投资", 0.1, None, "x"],
        ],
        "专利": [
            ["载体编号", "专利权人", "专利权人统一社会信用代码", "专利号", "专利类型", "申请日"],
            ["C001", "某公司", "91320500MA1XXXXX0X", "ZL202310123456.6", "发明",
             ("=#REF!+1", "#REF!")],
            ["C001", "某公司", 12345678901234567, "ZL202310123457.6", "发明", 45356],
        ],
        "在孵企业": [
            ["载体编号", "企业名称", "统一社会信用代码"],
            ["C001", "甲", "913210120440821400"],
        ],
        "杂项": [["a", "b"], [1, 2]],
    }  # fmt: skip
    together, alone = tmp_path / "together", tmp_path / "alone"
    together.mkdir()
    alone.mkdir()
    _write_sheets(together / "all.xlsx", sheets, hidden=("专利",))
    for i, (name, rows) in enumerate(sheets.items()):
        _write_sheets(alone / f"all_{i}.xlsx", {name: rows})  # a lone sheet cannot be hidden

    def read(folder):
        with duckdb.connect(str(tmp_path / f"{folder.name}.duckdb"), config=DUCKDB_CONFIG) as con:
            summary = ingest_package(con, 2024, folder, "run-test")
            rows = {
                table: con.execute(
                    f"select * exclude (_run_id, _source_file, _file_sha256) from raw.{table} "
                    "order by _sheet, _source_row"
                ).fetchall()
                for table in ("financing", "patents", "tenants")
            }
        findings = [
            (f.check_name, f.severity, f.sheet, f.source_row, f.column_name, f.value_as_written)
            for f in summary.findings
            if f.check_name != "hidden_sheet"
        ]
        sheet_rows = [(s.sheet, s.dataset, s.header_row, s.rows_read, s.status)
                      for s in summary.sheets]  # fmt: skip
        return rows, findings, sheet_rows

    assert read(together) == read(alone)
    rows, findings, _ = read(together)
    # each sheet kept its own rows and cells through the stacked pass
    assert [("913210120440821400" in r, "0012" in r) for r in rows["financing"]] == [
        (True, False),
        (False, True),
    ]
    assert "12345678901234600" in rows["patents"][1]  # a number cell: 15 digits
    assert ("formula_error", "warning", "专利", 2, "F", "#REF!") in findings
    assert findings[-2][:3] == ("missing_required_columns", "error", "在孵企业")
