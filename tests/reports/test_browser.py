"""The HTML report in a real browser: headless Chromium renders it offline, without errors.

Needs Debian's `chromium` (and `fonts-noto-cjk` so the Chinese renders as text, not boxes).
Skipped when Chromium is absent on a developer's machine; in CI (CI=true) its absence fails.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from orchestration.publish.html_report import write_html_report

HEADINGS = (
    "一、概要",
    "二、等级分布",
    "三、分类型排名",
    "四、载体评分明细",
    "五、载体处置",
    "六、在孵企业清退建议",
    "七、奖补清单",
    "八、镇（园区）任务",
    "九、三年目标进度",
    "十、数据质量",
)

HOSTILE = "<script>alert(1)</script>"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    reason = "chromium 未安装 / chromium not installed (apt-get install -y chromium fonts-noto-cjk)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _run(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *args,
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, text=True, timeout=90, env=env, check=False)


def _png_facts(path: Path) -> tuple[int, int, int]:
    """(width, height, distinct byte values in the decoded image data) of a PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    idat = b""
    pos = 8
    while pos < len(data):
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    pixels = zlib.decompress(idat)
    return width, height, len(set(pixels))


@pytest.fixture
def report(tables, year, tmp_path) -> Path:
    import polars as pl

    tables["carrier_scores"] = tables["carrier_scores"].with_columns(
        pl.when(pl.col("carrier_id") == "C002")
        .then(pl.lit(HOSTILE + '南山"孵化器"'))
        .otherwise(pl.col("carrier_name"))
        .alias("carrier_name")
    )
    return write_html_report(tables, tmp_path / "report.html", year)


def test_report_renders_in_headless_chromium(report, tmp_path):
    browser = _chromium()
    url = report.resolve().as_uri()

    dom = _run(browser, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for heading in HEADINGS:
        assert heading in dom.stdout, heading
    for anchor in ("summary", "grades", "ranking", "details", "clearout", "rewards", "targets"):
        assert f'id="{anchor}"' in dom.stdout
    # the hostile name is text in the rendered DOM, not an element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout
    assert dom.stdout.count("<script") == 1  # the report's own search script, nothing else
    assert "Uncaught" not in dom.stderr, dom.stderr[-2000:]

    png = tmp_path / "report.png"
    shot = _run(browser, tmp_path, f"--screenshot={png}", "--window-size=1280,4000", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert "Uncaught" not in shot.stderr
    assert png.stat().st_size > 50_000, "screenshot too small to hold the report"
    width, height, distinct = _png_facts(png)
    assert (width, height) == (1280, 4000)
    assert distinct > 64, "screenshot looks blank"


def _typed(report: Path, tmp_path: Path, script: str) -> Path:
    """The report with a last script that acts as the user would (types, chooses), so the
    report's own script answers real input events in a real browser."""
    page = tmp_path / "typed.html"
    html = report.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", f"<script>{script}</script></body>"), "utf-8")
    return page


def _shown_blocks(dom: str) -> list[str]:
    """The carrier blocks the page shows (not hidden), by id."""
    import re

    blocks = re.findall(r'<details id="(carrier-\d+)"([^>]*)>', dom)
    return [anchor for anchor, attrs in blocks if "hidden" not in attrs]


def test_search_box_and_filters_narrow_the_carriers(report, tmp_path, tables):
    browser = _chromium()
    before = _run(browser, tmp_path, "--dump-dom", report.resolve().as_uri())
    assert len(_shown_blocks(before.stdout)) == tables["carrier_scores"].height
    typing = (
        'var q = document.getElementById("q"); q.value = "C004";'
        'q.dispatchEvent(new Event("input", {bubbles: true}));'
    )
    after = _run(browser, tmp_path, "--dump-dom", _typed(report, tmp_path, typing).as_uri())
    assert after.returncode == 0, after.stderr[-2000:]
    shown = _shown_blocks(after.stdout)
    assert len(shown) == 1
    assert "显示 1 个载体" in after.stdout
    grade_d = tables["carrier_scores"].filter(tables["carrier_scores"]["grade"] == "D").height
    choosing = (
        'var g = document.getElementById("f-grade"); g.value = "D";'
        'g.dispatchEvent(new Event("change", {bubbles: true}));'
    )
    graded = _run(browser, tmp_path, "--dump-dom", _typed(report, tmp_path, choosing).as_uri())
    assert len(_shown_blocks(graded.stdout)) == grade_d > 0


def test_a_link_to_a_carrier_opens_its_block(report, tmp_path):
    browser = _chromium()
    dom = _run(browser, tmp_path, "--dump-dom", report.resolve().as_uri() + "#carrier-3")
    assert dom.returncode == 0, dom.stderr[-2000:]
    import re

    opened = re.findall(r'<details id="(carrier-\d+)"[^>]*\bopen\b', dom.stdout)
    assert opened == ["carrier-3"]


def test_printing_opens_every_block_one_carrier_per_page(report, tmp_path, tables):
    browser = _chromium()
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        reason = "pdftotext 未安装 / poppler-utils not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    pdf = tmp_path / "report.pdf"
    printed = _run(
        browser,
        tmp_path,
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        report.resolve().as_uri(),
    )
    assert printed.returncode == 0 and pdf.exists(), printed.stderr[-2000:]
    pages = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.split("\f")
    carriers = tables["carrier_scores"].height
    # every block printed open: each carrier's indicator table is on the page of its title
    with_table = [p for p in pages if "满分基准" in p and "类型内第" in p]
    assert len(with_table) >= carriers
    for page in with_table:
        assert page.count("类型内第") == 1  # one carrier per page
