"""The office's adjustments in a run: the file read and checked before anything happens, the
year's adjustments resolved against the rows just ingested, and the scoring targets checked.

Every problem with the office's file is a usage error (exit 2), raised before publishing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from orchestration.errors import ExitCode, PipelineError
from orchestration.runlog import RunRecord

if TYPE_CHECKING:
    import duckdb

    from orchestration.ingest.adjustments_io import AdjustmentFile


def read_adjustments(path: Path | None) -> AdjustmentFile | None:
    """The office's adjustments file, read and checked before anything happens (exit 2)."""
    if path is None:
        return None
    from orchestration.ingest.adjustments_file import AdjustmentError
    from orchestration.ingest.adjustments_file import read_adjustments as read_file

    try:
        return read_file(Path(path))
    except AdjustmentError as exc:
        raise PipelineError(ExitCode.USAGE, str(exc)) from exc


def year_adjustments(
    con: duckdb.DuckDBPyConnection, record: RunRecord, given: AdjustmentFile | None
) -> tuple[pl.DataFrame, bool]:
    """The year's resolved adjustments and whether they are the stored ones; writes
    raw._adjustments for every loaded year. A file whose targets do not exist: exit 2."""
    from orchestration.ingest import adjustments_io

    try:
        resolved, reused = adjustments_io.year_adjustments(con, record.assessment_year, given)
    except adjustments_io.AdjustmentError as exc:
        raise PipelineError(ExitCode.USAGE, str(exc)) from exc
    if reused:
        record.adjustments_sha256 = adjustments_io.stored_sha256(con, record.assessment_year)
    adjustments_io.prepare_raw_adjustments(con, record.assessment_year, resolved, record.run_id)
    return resolved, reused


def check_scoring_targets(applied: pl.DataFrame, given: AdjustmentFile) -> None:
    """An accepted set_grade or set_reward of the office's file that found no target: exit 2."""
    missing = applied.filter(
        pl.col("kind").is_in(["set_grade", "set_reward"])
        & (pl.col("status") == "accepted")
        & ~pl.col("applied")
    )
    if missing.is_empty():
        return
    problems = [
        f"{given.rows.get(row['adjustment_id'], '')} 编号 {row['adjustment_id']} 【对象】"
        f"{row['target']}：{row['effect_zh']}"
        for row in missing.iter_rows(named=True)
    ]
    raise PipelineError(
        ExitCode.USAGE,
        "调整文件有误，未发布 / adjustments rejected, nothing published: " + "；".join(problems),
    )
