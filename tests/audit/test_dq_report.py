"""The office's data-quality report: an index (totals, by dataset, town and carrier) and one page
per carrier in dq/ (what the office sends back to it), every value escaped."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from orchestration.audit import FINDING_SCHEMA
from orchestration.publish.dq_pages import town_stem
from orchestration.publish.dq_report import write_dq_report


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


def sections(index: Path) -> dict[str, str]:
    """The carrier pages the report links to, in its order (town by town, from the index to a
    town's page to its carriers, then the findings tied to no carrier): carrier id (or
    __none__) -> the page's findings section."""
    page = index.read_text(encoding="utf-8")
    links = []
    for href in re.findall(r'<tr data-town="[^"]*"><td><a href="([^"]+)">', page):
        town_page = index.parent / href
        for carrier, carrier_href in re.findall(
            r'<tr data-carrier="([^"]*)"><td><a href="([^"]+)">',
            town_page.read_text(encoding="utf-8"),
        ):
            links.append((carrier, town_page.parent / carrier_href))
    for href in re.findall(r'<a href="(dq/_unassigned\.html)">', page):
        links.append(("__none__", index.parent / href))
    out = {}
    for carrier, path in links:
        text = path.read_text(encoding="utf-8")
        out[carrier] = re.search(r'<section data-carrier="[^"]*">(.*?)</section>', text, re.S)[1]
    return out


def every_page(index: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in [index, *sorted((index.parent / "dq").glob("*"))]
    )


def test_report_groups_by_carrier_with_names(tmp_path) -> None:
    carriers = pl.DataFrame(
        {"carrier_id": ["C001", "C002"], "carrier_name": ["甲孵化器", "乙空间"]}
    )
    path = write_dq_report(issues(), tmp_path / "out" / "report.html", 2024, carriers)
    groups = sections(path)
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
    summary = page[: page.index('<table id="towns">')]
    # each dataset under its sheet's Chinese name, the code beside it
    assert re.search(r"<td>在孵企业 / tenants</td><td class=\"num\">2</td><td class=\"num\">0</td>",
                     summary)  # fmt: skip
    assert re.search(r"<td>投融资 / financing</td><td class=\"num\">0</td><td class=\"num\">1</td>",
                     summary)  # fmt: skip
    assert "错误 3 条" in page and "警告 1 条" in page


def test_every_value_is_escaped_and_nothing_is_external(tmp_path) -> None:
    page = every_page(write_dq_report(issues(), tmp_path / "r.html", 2024, None))
    assert "<script" not in page
    # Jinja's autoescape (markupsafe) spells quotes as numeric entities
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "a&#34;b&#39;c&amp;d" in page
    # links go only to the report's own pages
    assert set(re.findall(r'href="([^"]*)"', page)) <= {
        "dq/C001.html",
        "dq/C002.html",
        "C001.html",
        "C002.html",
        "dq/_unassigned.html",
        f"dq/{town_stem('—')}.html",
        "../r.html",
    }
    assert "src=" not in page
    assert "http" not in page


def test_carrier_names_are_escaped_too(tmp_path) -> None:
    carriers = pl.DataFrame({"carrier_id": ["C001"], "carrier_name": ['<b onmouseover="x">']})
    page = every_page(write_dq_report(issues(), tmp_path / "r.html", 2024, carriers))
    assert "<b onmouseover" not in page and "&lt;b onmouseover=&#34;x&#34;&gt;" in page


def test_a_year_without_findings_says_so(tmp_path) -> None:
    empty = pl.DataFrame(schema=FINDING_SCHEMA)
    page = write_dq_report(empty, tmp_path / "r.html", 2024, None).read_text(encoding="utf-8")
    assert "未发现数据质量问题" in page


def test_findings_without_carrier_column_still_render(tmp_path) -> None:
    frame = issues().drop("carrier_id", "assessment_year")
    path = write_dq_report(frame, tmp_path / "r.html", 2024, None)
    assert list(sections(path)) == ["__none__"]
    assert sections(path)["__none__"].count("<tr class=") == 4


def test_the_index_counts_by_town_and_links_each_carrier_to_its_page(tmp_path) -> None:
    carriers = pl.DataFrame(
        {
            "carrier_id": ["C001", "C002", "C003"],
            "carrier_name": ["甲", "乙", "丙"],
            "town": ["东镇", "西镇", "东镇"],
        }
    )
    path = write_dq_report(issues(), tmp_path / "r.html", 2024, carriers)
    index = path.read_text(encoding="utf-8")
    east, west = town_stem("东镇"), town_stem("西镇")
    # C001: 2 errors in 东镇; C002: 1 warning in 西镇; C003 has no findings
    assert (
        f'<td><a href="dq/{east}.html">东镇</a></td><td class="num">1</td>'
        '<td class="num">2</td><td class="num">0</td>'
    ) in index
    assert (
        f'<td><a href="dq/{west}.html">西镇</a></td><td class="num">1</td>'
        '<td class="num">0</td><td class="num">1</td>'
    ) in index
    # the index lists neither carriers nor findings: a town's page lists its carriers
    assert "data-carrier" not in index and "<tr class=" not in index
    assert 'href="dq/_unassigned.html"' in index
    east_page = (tmp_path / "dq" / f"{east}.html").read_text(encoding="utf-8")
    assert '<a href="C001.html">C001</a></td><td>甲</td><td>东镇</td>' in east_page
    assert "C002" not in east_page and 'href="../r.html"' in east_page
    pages = sorted(p.name for p in (tmp_path / "dq").iterdir())
    assert pages == sorted(
        ["C001.html", "C002.html", "_unassigned.html", f"{east}.html", f"{west}.html"]
    )
    c002 = (tmp_path / "dq" / "C002.html").read_text(encoding="utf-8")
    assert "融资金额过大" in c002 and "C001_甲.xlsx" not in c002
    assert 'href="../r.html"' in c002


def test_a_town_page_is_named_after_a_digest_of_the_town(tmp_path) -> None:
    carriers = pl.DataFrame(
        {"carrier_id": ["C001", "C002"], "carrier_name": ["甲", "乙"], "town": ["../x", "<b>"]}
    )
    path = write_dq_report(issues(), tmp_path / "out" / "r.html", 2024, carriers)
    created = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.html"))
    assert all(p.startswith("out/") for p in created)
    assert f"out/dq/{town_stem('../x')}.html" in created
    assert "<b>" not in path.read_text(encoding="utf-8")
    # towns in name order ("../x" before "<b>"), then the findings tied to no carrier
    assert list(sections(path)) == ["C001", "C002", "__none__"]


def test_each_carrier_page_is_the_template_rendered_for_it(tmp_path) -> None:
    """The carrier pages are filled into a shell rendered once (dq_pages._carrier_shells): each
    page is exactly what rendering the template for that page gives, names to escape, the page
    of the findings tied to no carrier, and a name that looks like the shell's marks included."""
    from markupsafe import Markup

    from orchestration.publish import dq_pages

    carriers = pl.DataFrame(
        {"carrier_id": ["C001", "C002"], "carrier_name": ['<b x="1">&\'', "\x00rows\x00 乙"]}
    )
    index = write_dq_report(issues(), tmp_path / "r.html", 2024, carriers)
    template = dq_pages._template("dq_carrier.html.j2")
    pages = sorted((index.parent / "dq").glob("*.html"))
    checked = 0
    for path in pages:
        if path.name.startswith("town-"):
            continue
        text = path.read_text(encoding="utf-8")
        rows = re.search(r"<tbody>\n(.*)\n</tbody>", text, re.S)[1]
        carrier = None if path.stem == dq_pages.UNASSIGNED_PAGE else path.stem
        name = dict(zip(carriers["carrier_id"], carriers["carrier_name"], strict=True))
        errors = int(re.search(r"错误 (\d+) 条", text)[1])
        warnings = int(re.search(r"警告 (\d+) 条", text)[1])
        group = {"carrier_id": carrier, "name": name.get(carrier, ""), "errors": errors}
        expected = template.render(
            year=2024,
            group=group | {"warnings": warnings},
            headers=re.findall(r"<th>(.*?)</th>", text),
            rows=Markup(rows),
            index="../r.html",
        )
        assert text == expected, path.name
        checked += 1
    assert checked == 3  # C001, C002 and the findings tied to no carrier
