"""The office's data-quality page: grouped by carrier, summary on top, every value escaped."""

from __future__ import annotations

import re

import polars as pl

from orchestration.audit import FINDING_SCHEMA
from orchestration.dq_report import write_dq_report


def issues() -> pl.DataFrame:
    rows = [
        # dataset, file, sheet, row, carrier, column, check, severity, value, message
        (
            "tenants",
            "C001_甲.xlsx",
            "在孵企业",
            5,
            "C001",
            "tenant_status",
            "x.in_set",
            "error",
            "<script>alert('x')</script>",
            "企业状态不在允许的取值范围内 / not allowed",
        ),
        (
            "tenants",
            "C001_甲.xlsx",
            "在孵企业",
            7,
            None,
            "uscc",
            "uscc_check",
            "error",
            "a\"b'c&d",
            "统一社会信用代码校验失败 / check character fails",
        ),
        (
            "financing",
            "C002_乙.xlsx",
            "投融资",
            3,
            "C002",
            "amount_wan",
            "y.large",
            "warning",
            "5000000",
            "融资金额过大 / too large",
        ),
        (
            "carriers",
            None,
            None,
            None,
            None,
            "financing_total_wan",
            "recon",
            "error",
            "difference=1",
            "对账不一致 / does not reconcile",
        ),
    ]
    cols = [
        "dataset",
        "source_file",
        "sheet",
        "source_row",
        "carrier_id",
        "column_name",
        "check_name",
        "severity",
        "value_as_written",
        "message",
    ]
    frame = pl.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])
    return frame.with_columns(pl.lit(2024).alias("assessment_year")).select(
        [pl.col(c).cast(t) for c, t in FINDING_SCHEMA.items()]
    )


def sections(page: str) -> dict[str, str]:
    return dict(
        re.findall(r'<section id="g\d+" data-carrier="([^"]*)">(.*?)</section>', page, re.S)
    )


def test_report_groups_by_carrier_with_names(tmp_path) -> None:
    carriers = pl.DataFrame(
        {"carrier_id": ["C001", "C002"], "carrier_name": ["甲孵化器", "乙空间"]}
    )
    path = write_dq_report(issues(), tmp_path / "dq" / "report.html", 2024, carriers)
    page = path.read_text(encoding="utf-8")
    groups = sections(page)
    assert list(groups) == ["C001", "C002", "__none__"]
    assert "甲孵化器" in groups["C001"] and "乙空间" in groups["C002"]
    # the row without carrier_id comes from C001's workbook, so it goes to C001's list
    assert groups["C001"].count("<tr class=") == 2
    assert "C002_乙.xlsx" in groups["C002"] and "C001" not in groups["C002"]
    assert "对账不一致" in groups["__none__"]
    # within a carrier, findings are listed by file, sheet and row
    assert groups["C001"].index(">5<") < groups["C001"].index(">7<")


def test_report_summary_counts_per_dataset(tmp_path) -> None:
    page = write_dq_report(issues(), tmp_path / "r.html", 2024, None).read_text(encoding="utf-8")
    summary = page[: page.index("<ul>")]
    assert re.search(r"<td>tenants</td><td class=\"num\">2</td><td class=\"num\">0</td>", summary)
    assert re.search(r"<td>financing</td><td class=\"num\">0</td><td class=\"num\">1</td>", summary)
    assert "错误 3 条" in page and "警告 1 条" in page


def test_every_value_is_escaped_and_nothing_is_external(tmp_path) -> None:
    page = write_dq_report(issues(), tmp_path / "r.html", 2024, None).read_text(encoding="utf-8")
    assert "<script" not in page
    # Jinja's autoescape (markupsafe) spells quotes as numeric entities
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "a&#34;b&#39;c&amp;d" in page
    assert not re.search(r"(src|href)=\"(?!#)", page)
    assert "http" not in page


def test_carrier_names_are_escaped_too(tmp_path) -> None:
    carriers = pl.DataFrame({"carrier_id": ["C001"], "carrier_name": ['<b onmouseover="x">']})
    page = write_dq_report(issues(), tmp_path / "r.html", 2024, carriers).read_text("utf-8")
    assert "<b onmouseover" not in page and "&lt;b onmouseover=&#34;x&#34;&gt;" in page


def test_a_year_without_findings_says_so(tmp_path) -> None:
    empty = pl.DataFrame(schema=FINDING_SCHEMA)
    page = write_dq_report(empty, tmp_path / "r.html", 2024, None).read_text(encoding="utf-8")
    assert "未发现数据质量问题" in page


def test_findings_without_carrier_column_still_render(tmp_path) -> None:
    frame = issues().drop("carrier_id", "assessment_year")
    page = write_dq_report(frame, tmp_path / "r.html", 2024, None).read_text(encoding="utf-8")
    assert list(sections(page)) == ["__none__"]
    assert page.count("<tr class=") == 4
