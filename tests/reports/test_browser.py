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

from orchestration.reports import write_html_report

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
    assert "<script" not in dom.stdout
    assert "Uncaught" not in dom.stderr, dom.stderr[-2000:]

    png = tmp_path / "report.png"
    shot = _run(browser, tmp_path, f"--screenshot={png}", "--window-size=1280,4000", url)
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert "Uncaught" not in shot.stderr
    assert png.stat().st_size > 50_000, "screenshot too small to hold the report"
    width, height, distinct = _png_facts(png)
    assert (width, height) == (1280, 4000)
    assert distinct > 64, "screenshot looks blank"
