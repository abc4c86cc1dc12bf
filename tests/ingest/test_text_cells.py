"""Text cells that look like numbers stay text: identifiers are never turned into floats."""

from __future__ import annotations

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
