"""The data-quality report for the assessment office: one self-contained HTML page in Chinese.

Findings are grouped by carrier so that each carrier can be sent its own list; findings that
belong to no carrier get their own group. Every value is HTML-escaped: report files are
written by the carriers, and a cell may hold anything.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import polars as pl

NO_CARRIER = "__none__"

SEVERITY_LABEL = {"error": "错误 / error", "warning": "警告 / warning"}

_COLUMNS = (
    ("source_file", "文件 / File"),
    ("sheet", "工作表 / Sheet"),
    ("source_row", "行号 / Row"),
    ("column_name", "列 / Column"),
    ("value_as_written", "填报值 / Value"),
    ("message", "问题 / Problem"),
    ("severity", "严重程度 / Severity"),
)

_CSS = """
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif;
       margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
.en { color: #666; font-weight: normal; font-size: 0.85em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
tr.error td.sev { color: #b00020; font-weight: bold; }
tr.warning td.sev { color: #8a5a00; }
td.num { text-align: right; }
"""


def _e(value: object) -> str:
    """Escape for HTML text and attribute values alike (quotes included)."""
    if value is None:
        return ""
    return escape(str(value), quote=True)


def _with_carrier(issues: pl.DataFrame) -> pl.DataFrame:
    """Give each finding a carrier: its own carrier_id, else the one carrier its file belongs to.

    Rejected rows and ingest findings often carry no carrier_id, but a workbook is usually one
    carrier's; a file whose findings name exactly one carrier is taken as that carrier's.
    """
    frame = issues
    if "carrier_id" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("carrier_id"))
    frame = frame.with_columns(pl.col("carrier_id").cast(pl.String))
    by_file = (
        frame.filter(pl.col("carrier_id").is_not_null() & pl.col("source_file").is_not_null())
        .group_by("source_file")
        .agg(pl.col("carrier_id").unique().alias("ids"))
        .filter(pl.col("ids").list.len() == 1)
        .select("source_file", pl.col("ids").list.first().alias("_file_carrier"))
    )
    return (
        frame.join(by_file, on="source_file", how="left")
        .with_columns(
            pl.coalesce("carrier_id", "_file_carrier").fill_null(NO_CARRIER).alias("_group")
        )
        .drop("_file_carrier")
    )


def _summary_table(issues: pl.DataFrame) -> str:
    counts = (
        issues.group_by("dataset")
        .agg(
            (pl.col("severity") == "error").sum().alias("errors"),
            (pl.col("severity") == "warning").sum().alias("warnings"),
        )
        .sort("dataset", nulls_last=True)
    )
    rows = "".join(
        f'<tr><td>{_e(r["dataset"] or "—")}</td><td class="num">{r["errors"]}</td>'
        f'<td class="num">{r["warnings"]}</td></tr>'
        for r in counts.iter_rows(named=True)
    )
    total_e = int((issues["severity"] == "error").sum())
    total_w = int((issues["severity"] == "warning").sum())
    return (
        "<table><thead><tr><th>数据集 / Dataset</th><th>错误 / Errors</th>"
        "<th>警告 / Warnings</th></tr></thead><tbody>"
        f'{rows}<tr><th>合计 / Total</th><th class="num">{total_e}</th>'
        f'<th class="num">{total_w}</th></tr></tbody></table>'
    )


def _group_table(group: pl.DataFrame) -> str:
    head = "".join(f"<th>{_e(label)}</th>" for _, label in _COLUMNS)
    body = []
    for r in group.iter_rows(named=True):
        cells = []
        for col, _ in _COLUMNS:
            value = r.get(col)
            if col == "severity":
                cells.append(f'<td class="sev">{_e(SEVERITY_LABEL.get(value, value))}</td>')
            elif col == "source_row":
                cells.append(f'<td class="num">{_e(value)}</td>')
            else:
                cells.append(f"<td>{_e(value)}</td>")
        body.append(f'<tr class="{_e(r.get("severity"))}">{"".join(cells)}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_dq_report(
    issues: pl.DataFrame, path: Path, year: int, carriers: pl.DataFrame | None = None
) -> Path:
    """Write the year's data-quality findings as one HTML page (no external assets)."""
    for col, _ in _COLUMNS:
        if col not in issues.columns:
            issues = issues.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    if "dataset" not in issues.columns:
        issues = issues.with_columns(pl.lit(None, dtype=pl.String).alias("dataset"))
    frame = _with_carrier(issues).with_columns(
        pl.when(pl.col("severity") == "error").then(0).otherwise(1).alias("_sev_order")
    )
    names: dict[str, str] = {}
    if carriers is not None and "carrier_id" in carriers.columns:
        name_col = "carrier_name" if "carrier_name" in carriers.columns else None
        for r in carriers.iter_rows(named=True):
            names[str(r["carrier_id"])] = str(r[name_col]) if name_col and r[name_col] else ""

    groups = sorted(frame["_group"].unique().to_list(), key=lambda g: (g == NO_CARRIER, g))
    toc: list[str] = []
    sections: list[str] = []
    for i, group_id in enumerate(groups, start=1):
        group = frame.filter(pl.col("_group") == group_id).sort(
            ["_sev_order", "dataset", "source_file", "sheet", "source_row"], nulls_last=True
        )
        n_err = int((group["severity"] == "error").sum())
        n_warn = int((group["severity"] == "warning").sum())
        if group_id == NO_CARRIER:
            title = '未关联载体的问题 <span class="en">Findings not tied to a carrier</span>'
        else:
            name = names.get(group_id, "")
            title = f'载体 {_e(group_id)} {_e(name)} <span class="en">Carrier {_e(group_id)}</span>'
        counts = f"错误 {n_err} 条，警告 {n_warn} 条 / {n_err} errors, {n_warn} warnings"
        toc.append(f'<li><a href="#g{i}">{title}</a>：{counts}</li>')
        sections.append(
            f'<section id="g{i}" data-carrier="{_e(group_id)}"><h2>{title}</h2>'
            f"<p>{counts}</p>{_group_table(group)}</section>"
        )

    total_e = int((frame["severity"] == "error").sum())
    total_w = int((frame["severity"] == "warning").sum())
    if frame.height == 0:
        body = "<p>本年度未发现数据质量问题。 / No data-quality findings this year.</p>"
    else:
        body = (
            '<h2>汇总 <span class="en">Summary by dataset</span></h2>'
            f"{_summary_table(frame)}"
            '<h2>按载体 <span class="en">By carrier</span></h2>'
            f"<ul>{''.join(toc)}</ul>{''.join(sections)}"
        )
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{year}年度数据质量报告 / Data-quality report {year}</title>"
        f"<style>{_CSS}</style></head><body>"
        f'<h1>{year}年度科创载体报送数据质量报告 <span class="en">Data-quality report, '
        f"assessment year {year}</span></h1>"
        f"<p>错误 {total_e} 条，警告 {total_w} 条。错误：该行（或文件）未被采用，请更正后重新报送；"
        f"质量门检查（整体校验）的错误会阻止发布。警告：仅提示，请核实。 / "
        f"{total_e} errors, {total_w} warnings. An error means the row (or file) was not used: "
        f"correct it and hand it in again; errors of the quality gate's whole-table checks "
        f"block publishing. A warning is for review.</p>"
        f"{body}</body></html>\n"
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
