"""The HTML report: sections, content, escaping, self-containment, large years."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import polars as pl
import pytest

from orchestration.audit.dq_carriers import COUNT_RULE_EN, COUNT_RULE_ZH
from orchestration.publish.html_report import render_html_report, write_html_report

SECTION_IDS = (
    "summary",
    "grades",
    "ranking",
    "details",
    "actions",
    "clearout",
    "rewards",
    "towns",
    "targets",
    "dq",
)

HOSTILE_NAME = "<script>alert(1)</script>\"引号\" & 'single'"
HOSTILE_ATTR = '"><img src=x onerror=alert(2)>'
HOSTILE_URL = "http://evil.example/x.png"


class _Collect(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collect:
    parser = _Collect()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def html(tables, year) -> str:
    return render_html_report(tables, year)


def test_every_key_section_has_its_anchor(html):
    parsed = _parse(html)
    ids = {attrs.get("id") for _tag, attrs in parsed.tags}
    for section in SECTION_IDS:
        assert section in ids, section
        assert f'href="#{section}"' in html  # reachable from the navigation
    assert '<html lang="zh-CN">' in html


def test_summary_figures(html, tables):
    text = " ".join(_parse(html).text)
    run_id = tables["runs"].item(0, "run_id")
    assert run_id in text and "已发布" in text
    amount = float(tables["rewards"].get_column("amount").cast(pl.Float64).sum())
    assert f"{amount:,.2f}" in text  # 283.60
    grades = tables["carrier_scores"].get_column("grade").value_counts()
    counts = dict(grades.iter_rows())
    # one bar per grade, labelled with its count
    for grade, n in counts.items():
        assert re.search(rf"<title>{grade}: {n}</title>", html), grade
    # a figure in a figure's card; how the counts are made, a sentence, in a sentence's card
    cards = re.findall(r'<div class="card( sentence)?"><div class="v[^"]*">([^<]*)</div>', html)
    assert ("", run_id) in cards and ("", "已发布") in cards
    notes = [value for note, value in cards if note]
    assert f"{COUNT_RULE_ZH} / {COUNT_RULE_EN}" in notes
    assert str(tables["carrier_scores"].height) not in notes


def test_sections_hold_their_rows(html, tables):
    text = " ".join(_parse(html).text)
    for name in tables["carrier_scores"].get_column("carrier_name"):
        assert name in text
    for name in tables["tenant_clearout"].get_column("enterprise_name"):
        assert name in text
    for target in tables["targets_progress"].get_column("target_zh"):
        assert target in text
    for town in tables["town_tasks"].get_column("town"):
        assert town in text
    # one collapsible block per carrier, with its sixteen indicator rows
    details = re.findall(r'<details id="carrier-\d+"[^>]*>(.*?)</details>', html, flags=re.S)
    assert len(details) == tables["carrier_scores"].height
    # (the indicator table; the score receipt above it has rows of its own)
    indicators = [block.split('<div class="scroll">')[-1] for block in details]
    assert all(table.count("<tr>") == 1 + 16 for table in indicators)
    # totals per rule: R09 pays 10 + 3 after its cap
    r09 = re.search(r"<td[^>]*>R09</td>(.*?)</tr>", html, flags=re.S).group(1)
    assert "13.00" in r09 and "18.00" in r09
    # carrier actions in Chinese
    assert "转专业机构运营" in text and "整改" in text


def test_unbalanced_dataset_counts_are_flagged(tables, year):
    assert "所有文件行数守恒" in render_html_report(tables, year)
    counts = tables["dataset_counts"]
    tables["dataset_counts"] = counts.with_columns(
        pl.when(pl.col("source_file") == "financing_2024.csv")
        .then(pl.col("rows_read") + 1)
        .otherwise(pl.col("rows_read"))
        .alias("rows_read")
    )
    html = render_html_report(tables, year)
    assert "有 1 个文件行数不守恒" in html
    assert '<span class="bad">否</span>' in html


def test_hostile_values_are_escaped(tables, year):
    scores = tables["carrier_scores"]
    tables["carrier_scores"] = scores.with_columns(
        pl.when(pl.col("carrier_id") == "C001")
        .then(pl.lit(HOSTILE_NAME))
        .otherwise(pl.col("carrier_name"))
        .alias("carrier_name"),
        pl.lit(HOSTILE_ATTR).alias("town"),
    )
    tables["rewards"] = tables["rewards"].with_columns(pl.lit(HOSTILE_URL).alias("basis_zh"))
    tables["dq_issues"] = tables["dq_issues"].with_columns(
        pl.lit("<b>bold</b>").alias("value_as_written")
    )
    html = render_html_report(tables, year)
    assert html.lower().count("<script") == 1  # the report's own search script only
    assert "<img" not in html.lower() and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;引号&#34; &amp; &#39;single&#39;" in html
    parsed = _parse(html)
    assert [tag for tag, _ in parsed.tags].count("script") == 1
    for tag, attrs in parsed.tags:
        assert tag not in ("img", "iframe", "object"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    # the values still read correctly once the browser decodes them
    text = "".join(parsed.text)
    assert HOSTILE_NAME in text and HOSTILE_ATTR in text and HOSTILE_URL in text


def test_no_external_resources(tables, year):
    tables["rewards"] = tables["rewards"].with_columns(pl.lit(HOSTILE_URL).alias("basis_zh"))
    html = render_html_report(tables, year)
    for tag, attrs in _parse(html).tags:
        for name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith("#"), (tag, name, value)
        assert tag not in ("link", "iframe", "img")
        assert tag != "script" or "src" not in attrs  # inline only
    style = "".join(re.findall(r"<style>(.*?)</style>", html, flags=re.S))
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html)


def test_large_lists_show_top_n_with_a_note(tables, year):
    html = render_html_report(tables, year, top_n=3)
    assert "仅列出前 3 条" in html
    assert len(re.findall(r'<details id="carrier-\d+"', html)) == 3
    text = " ".join(_parse(html).text)
    assert "共 10 条" in text  # carriers
    # totals still count every row, not only the ones shown
    amount = float(tables["rewards"].get_column("amount").cast(pl.Float64).sum())
    assert f"{amount:,.2f}" in text


def test_very_large_year_keeps_the_report_small(tables, year):
    n = 120_000
    i = pl.int_range(0, n, eager=True)
    tables["dq_issues"] = pl.DataFrame(
        {
            "assessment_year": pl.Series([year] * n),
            "run_id": pl.Series(["r"] * n),
            "dataset": pl.Series(["tenants"] * n),
            "source_file": pl.Series(["big.csv"] * n),
            "sheet": pl.Series([""] * n),
            "source_row": (i + 2).cast(pl.Int32),
            "column_name": pl.Series(["uscc"] * n),
            "check_name": pl.Series(["uscc_check"] * n),
            "severity": pl.Series(["error"] * n),
            "value_as_written": i.cast(pl.String),
            "message": pl.Series(["校验失败 / check fails"] * n),
        }
    )
    html = render_html_report(tables, year)
    assert len(html.encode()) < 400_000
    assert f"共 {n:,} 条" in html
    assert f"共发现问题 {n} 条" in html


def test_write_is_atomic_and_utf8(tables, year, tmp_path):
    path = write_html_report(tables, tmp_path / "report.html", year)
    assert path == tmp_path / "report.html"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    content = path.read_text(encoding="utf-8")
    assert content.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in content
    # same tables, same report: nothing time-dependent in it
    assert content == render_html_report(tables, year)


def test_rendering_is_deterministic(tables, year):
    """Group-bys have no order of their own: the same tables must give the same bytes."""
    assert len({render_html_report(tables, year) for _ in range(6)}) == 1
