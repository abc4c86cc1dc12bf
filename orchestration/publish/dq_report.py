"""The data-quality report for the assessment office, in Chinese: an index page, a page per town
and one page per carrier (orchestration/publish/dq_pages.py writes them; issue 21: one page of
a national year's findings was 56 MB).

Findings are grouped by carrier so that each carrier can be sent its own list; findings that
belong to no carrier get their own group. Every value is escaped, as Jinja's autoescape does
in the main report: report files are written by the carriers, and a cell may hold anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from orchestration.contract import datasets

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
        {"dataset": _dataset_label(r["dataset"]), "errors": r["errors"], "warnings": r["warnings"]}
        for r in counts.iter_rows(named=True)
    ]


def _dataset_label(dataset: str | None) -> str:
    """The dataset as the office knows it, its sheet's Chinese name, with the code beside it;
    findings of no dataset (a history gap, a whole-package check) as 其他."""
    known = datasets()
    if dataset in known:
        return f"{known[dataset].sheet_zh} / {dataset}"
    return dataset or "其他 / other"


def _frame(issues: pl.DataFrame) -> pl.DataFrame:
    """The findings with every shown column, their group (`_group`) and `_sev_order`."""
    for col, _ in _COLUMNS:
        if col not in issues.columns:
            issues = issues.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    if "dataset" not in issues.columns:
        issues = issues.with_columns(pl.lit(None, dtype=pl.String).alias("dataset"))
    return _with_carrier(issues).with_columns(
        pl.when(pl.col("severity") == "error").then(0).otherwise(1).alias("_sev_order")
    )


def _lookup(carriers: pl.DataFrame | None, column: str) -> dict[str, str]:
    """carrier_id -> `column` of the carriers frame (empty when it has no such column)."""
    if carriers is None or "carrier_id" not in carriers.columns or column not in carriers.columns:
        return {}
    pairs = carriers.select(
        pl.col("carrier_id").cast(pl.String), pl.col(column).cast(pl.String).fill_null("")
    )
    return dict(pairs.iter_rows())


def with_towns(carriers: pl.DataFrame | None, scores: pl.DataFrame | None) -> pl.DataFrame | None:
    """The carriers frame with each carrier's town from the year's scores, where both are known
    (the index counts findings by town)."""
    if carriers is None or scores is None or not {"carrier_id", "town"} <= set(scores.columns):
        return carriers
    towns = scores.select(
        pl.col("carrier_id").cast(pl.String), pl.col("town").cast(pl.String)
    ).unique("carrier_id", keep="first")
    return carriers.with_columns(pl.col("carrier_id").cast(pl.String)).join(
        towns, on="carrier_id", how="left"
    )


def write_dq_report(
    issues: pl.DataFrame, path: Path, year: int, carriers: pl.DataFrame | None = None
) -> Path:
    """Write the year's data-quality report: the index at `path` (totals, counts by dataset and
    by town), one page per town (its carriers' counts) and one per carrier in `dq/` beside it
    (orchestration/publish/dq_pages.py).
    `carriers`: carrier_id with carrier_name and, where known, town."""
    from orchestration.publish import dq_pages

    frame = _frame(issues)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return dq_pages.write_pages(
        frame,
        path,
        year,
        _lookup(carriers, "carrier_name"),
        _lookup(carriers, "town"),
        columns=_COLUMNS,
        labels=SEVERITY_LABEL,
        no_carrier=NO_CARRIER,
        summary=_summary(frame) if frame.height else [],
    )
