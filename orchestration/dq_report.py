"""The data-quality report for the assessment office: one self-contained HTML page in Chinese.

Findings are grouped by carrier so that each carrier can be sent its own list; findings that
belong to no carrier get their own group. This module builds the page's view (groups, counts,
rows of text); `report_templates/dq_report.html.j2` lays it out, rendered by Jinja with
autoescape on, like the main report: report files are written by the carriers, and a cell may
hold anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from orchestration.config import REPORT_TEMPLATES_DIR

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

TEMPLATE_PATH = REPORT_TEMPLATES_DIR / "dq_report.html.j2"


def _text(value: object) -> str:
    """A cell's text: empty for a missing value."""
    return "" if value is None else str(value)


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


def _summary(issues: pl.DataFrame) -> list[dict[str, Any]]:
    counts = (
        issues.group_by("dataset")
        .agg(
            (pl.col("severity") == "error").sum().alias("errors"),
            (pl.col("severity") == "warning").sum().alias("warnings"),
        )
        .sort("dataset", nulls_last=True)
    )
    return [
        {"dataset": r["dataset"] or "—", "errors": r["errors"], "warnings": r["warnings"]}
        for r in counts.iter_rows(named=True)
    ]


def _rows(group: pl.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in group.iter_rows(named=True):
        cells = []
        for col, _ in _COLUMNS:
            value = r.get(col)
            if col == "severity":
                cells.append({"cls": "sev", "text": _text(SEVERITY_LABEL.get(value, value))})
            else:
                cells.append({"cls": "num" if col == "source_row" else "", "text": _text(value)})
        rows.append({"severity": _text(r.get("severity")), "cells": cells})
    return rows


def _view(issues: pl.DataFrame, year: int, carriers: pl.DataFrame | None) -> dict[str, Any]:
    """What the template shows: totals, the summary by dataset and the groups by carrier."""
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

    groups = []
    for group_id in sorted(frame["_group"].unique().to_list(), key=lambda g: (g == NO_CARRIER, g)):
        group = frame.filter(pl.col("_group") == group_id).sort(
            ["_sev_order", "dataset", "source_file", "sheet", "source_row"], nulls_last=True
        )
        groups.append(
            {
                "key": group_id,
                "carrier_id": None if group_id == NO_CARRIER else group_id,
                "name": names.get(group_id, ""),
                "errors": int((group["severity"] == "error").sum()),
                "warnings": int((group["severity"] == "warning").sum()),
                "rows": _rows(group),
            }
        )
    return {
        "year": year,
        "total_errors": int((frame["severity"] == "error").sum()),
        "total_warnings": int((frame["severity"] == "warning").sum()),
        "summary": _summary(frame) if frame.height else [],
        "groups": groups,
        "headers": [label for _, label in _COLUMNS],
    }


def render_dq_report(issues: pl.DataFrame, year: int, carriers: pl.DataFrame | None = None) -> str:
    """The year's data-quality page as one HTML string (no external resources)."""
    import jinja2

    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.from_string(TEMPLATE_PATH.read_text(encoding="utf-8"))
    return template.render(**_view(issues, year, carriers))


def write_dq_report(
    issues: pl.DataFrame, path: Path, year: int, carriers: pl.DataFrame | None = None
) -> Path:
    """Write the year's data-quality findings as one HTML page (no external assets)."""
    page = render_dq_report(issues, year, carriers)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
