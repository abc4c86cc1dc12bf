"""`carrier-assess whatif`: the published year scored again under another rulebook, compared.

Reads what a run's scoring step reads (`score.load_inputs`: the marts and the grades published
for earlier years) and the year's published `carrier_scores` and `rewards`, from the warehouse
opened read-only; scores in memory (`scoring.engine.score_year`, without the robustness draws);
writes the comparison to its own folder. No ingest, no dbt, no publish: no table changes, no run
is added, `out/<year>/` and the read-only copy stay as they are.

While a batch runs, the warehouse is being written (and half-built between steps): `whatif`
then stops with a message instead of reading it. It takes the batch lock shared, non-blocking,
only while it reads (well under a second at district scale), so a batch that starts in that
moment is told another one is running. Readers of the published copy are never affected.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from orchestration.config import DEFAULT_OUT, RESULTS_SCHEMA, warehouse_path
from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect, table_exists
from orchestration.score.compare import Comparison, compare


def default_out(year: int) -> Path:
    return DEFAULT_OUT / "whatif" / str(year)


@dataclass
class WhatifOutcome:
    out_dir: Path
    files: dict[str, Path]
    comparison: Comparison
    timings: dict[str, float] = field(default_factory=dict)
    scored: dict[str, pl.DataFrame] = field(default_factory=dict)
    """The result tables under the rulebook compared (as a run would publish them)."""

    def one_line(self) -> str:
        facts = {en: v for _, en, v, _ in self.comparison.facts()}
        return (
            f"{facts['carriers whose grade changes']} of {facts['carriers']} carriers change "
            f"grade; rewards {facts['rewards published (10k CNY)']:,.2f} → "
            f"{facts['rewards under the rulebook']:,.2f} 万元"
        )


@contextlib.contextmanager
def _no_batch_running(warehouse: Path) -> Iterator[None]:
    """Hold the batch lock shared while reading; a running batch holds it exclusively."""
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except FileNotFoundError:  # no batch has ever run here
        yield
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise PipelineError(
                ExitCode.WAREHOUSE,
                f"批次正在运行，数据仓库正在写入，请在其结束后再试 / a batch is running on "
                f"{warehouse}; try again when it has finished (the published results stay "
                f"readable meanwhile)",
            ) from exc
        yield
    finally:
        os.close(fd)


def read_year(warehouse: Path, year: int):  # -> tuple[ScoringInputs, DataFrame, DataFrame]
    """The scoring inputs of `year` as a run reads them, and its published scores and rewards,
    from the warehouse opened read-only."""
    from orchestration.score import load_inputs, read_frame

    if not warehouse.is_file():
        raise PipelineError(
            ExitCode.WAREHOUSE, f"数据仓库不存在 / warehouse not found: {warehouse}"
        )
    with _no_batch_running(warehouse), connect(warehouse, read_only=True) as con:
        published = table_exists(con, RESULTS_SCHEMA, "carrier_scores")
        rows = 0
        if published:
            rows = con.execute(
                f"select count(*) from {RESULTS_SCHEMA}.carrier_scores where assessment_year = ?",
                [year],
            ).fetchall()[0][0]
        if not rows:
            raise PipelineError(
                ExitCode.USAGE,
                f"{year} 年度尚未发布，无法对比 / year {year} has not been published in "
                f"{warehouse}: run it first",
            )
        inputs = load_inputs(con, year)
        old_scores = read_frame(
            con, f"select * from {RESULTS_SCHEMA}.carrier_scores where assessment_year = ?", [year]
        )
        old_rewards = read_frame(
            con, f"select * from {RESULTS_SCHEMA}.rewards where assessment_year = ?", [year]
        )
    return inputs, old_scores, old_rewards


def run_whatif(
    year: int,
    rules: Path,
    *,
    warehouse: Path | None = None,
    out: Path | None = None,
) -> WhatifOutcome:
    """Score the published `year` under `rules` and write the comparison; publishes nothing."""
    from orchestration.publish import whatif_report
    from scoring.engine import score_year
    from scoring.rulebook import RulebookError, load_rulebook

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        rulebook = load_rulebook(rules)
    except (RulebookError, OSError) as exc:
        raise PipelineError(ExitCode.USAGE, f"评价规则文件有误 / rulebook {rules}: {exc}") from exc
    if rulebook.assessment_year != year:
        raise PipelineError(
            ExitCode.USAGE,
            f"规则文件年度 {rulebook.assessment_year} 与 --year {year} 不一致 / the rulebook "
            f"{rules} is for {rulebook.assessment_year}, not {year}",
        )
    timings["rulebook"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    inputs, old_scores, old_rewards = read_year(warehouse_path(warehouse), year)
    timings["read"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    new = score_year(rulebook, year, inputs, robustness=False)
    timings["score"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    comparison = compare(year, str(rules), old_scores, old_rewards, new, rulebook)
    timings["compare"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out_dir = Path(os.path.abspath(out if out is not None else default_out(year)))
    files = whatif_report.write_files(comparison, out_dir)
    timings["write"] = time.perf_counter() - t0
    return WhatifOutcome(out_dir, files, comparison, timings, new)
