"""The per-carrier score details as a workbook of their own: `carrier_details_<year>.xlsx`.

The office workbook's detail sheet (载体评分明细) lays each carrier out as a printable block and
so lists at most `LARGE_TABLE_ROWS / DETAIL_ROWS_PER_CARRIER` carriers (2,083: a national year has
16,000). This workbook keeps every carrier's detail within Excel's limits instead: one flat,
filterable sheet per carrier type (one row per carrier and indicator, the carrier's score, grade
and rank beside each row), a type's rows continued on a further sheet (`孵化器 (2)`) past
Excel's 1,048,576 rows. Written column-wise (orchestration/xlsx_columns.py): a national year's
256,000 rows in a few seconds, no Python loop per cell; text is never stored as a formula.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from orchestration import xlsx_columns

COLUMNS: tuple[tuple[str, str], ...] = (
    ("carrier_id", "载体编号"),
    ("carrier_name", "载体名称"),
    ("town", "镇（园区）"),
    ("total_score", "总分"),
    ("grade", "等级"),
    ("rank_in_type", "类型内排名"),
    ("indicator_order", "指标序号"),
    ("dimension", "维度"),
    ("indicator_code", "指标代码"),
    ("indicator_name_zh", "指标名称"),
    ("raw_value", "指标值"),
    ("benchmark", "基准值"),
    ("points_max", "满分"),
    ("points", "得分"),
    ("note_zh", "说明"),
    ("basis_zh", "计算依据"),
)
"""The columns of every sheet, in order, with their Chinese headers."""

SHEET_ROWS = xlsx_columns.MAX_ROWS - 1
"""Data rows per sheet (the header row takes one)."""


def file_name(year: int) -> str:
    return f"carrier_details_{year}.xlsx"


def detail_rows(tables: Mapping[str, pl.DataFrame], year: int) -> pl.DataFrame:
    """Every score-detail row of `year` with its carrier's name, town, type, score, grade and
    rank, ordered by type, rank, carrier and indicator."""
    scores = tables["carrier_scores"]
    details = tables["score_details"]
    if "assessment_year" in scores.columns:
        scores = scores.filter(pl.col("assessment_year") == year)
    if "assessment_year" in details.columns:
        details = details.filter(pl.col("assessment_year") == year)
    carrier_cols = ["carrier_id", "carrier_name", "town", "carrier_type", "total_score"]
    carrier_cols += ["grade", "rank_in_type"]
    carriers = scores.select([c for c in carrier_cols if c in scores.columns])
    joined = details.join(carriers, on="carrier_id", how="left")
    for name, _ in (*COLUMNS, ("carrier_type", "")):
        if name not in joined.columns:
            joined = joined.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    return joined.sort(
        ["carrier_type", "rank_in_type", "carrier_id", "indicator_order"], nulls_last=True
    )


def _type_label(code: str | None) -> str:
    from orchestration.publish.labels import value_label

    label = value_label("carrier_type", code) if code is not None else "未分类"
    # a sheet name: at most 31 characters, none of []:*?/\
    return "".join(ch for ch in str(label) if ch not in "[]:*?/\\")[:24] or "未分类"


def sheets(rows: pl.DataFrame) -> list[tuple[str, pl.DataFrame, list[str]]]:
    """One sheet per carrier type (its Chinese label), continued past Excel's row limit."""
    headers = [label for _, label in COLUMNS]
    names = [name for name, _ in COLUMNS]
    out: list[tuple[str, pl.DataFrame, list[str]]] = []
    if rows.is_empty():
        return [("载体评分明细", rows.select(names), headers)]
    for (code,), part in rows.partition_by(
        "carrier_type", as_dict=True, maintain_order=True
    ).items():
        label = _type_label(code)
        for k, start in enumerate(range(0, part.height, SHEET_ROWS)):
            name = label if k == 0 else f"{label} ({k + 1})"
            out.append((name, part.slice(start, SHEET_ROWS).select(names), headers))
    return out


def write_details_workbook(tables: Mapping[str, pl.DataFrame], path: Path, year: int) -> Path:
    """Write the year's per-carrier details workbook to `path` (via a temporary file)."""
    from orchestration.publish.labels import value_label

    rows = detail_rows(tables, year)
    if "dimension" in rows.columns and rows.schema["dimension"] == pl.String:
        labels = {v: value_label("dimension", v) for v in rows["dimension"].unique().drop_nulls()}
        rows = rows.with_columns(pl.col("dimension").replace(labels))
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        xlsx_columns.write_xlsx(tmp, sheets(rows))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
