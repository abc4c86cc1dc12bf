"""One run of the batch for a year: the rulebook and the office's file checked first, then the
steps under the warehouse's lock with a run record that always says how the run ended.

Reads: the options (`RunOptions`). Writes: the run record (`results.runs`), and on an
unexpected defect a traceback in `<warehouse folder>/logs/<run_id>.log`; the steps write the rest.
"""

from __future__ import annotations

import contextlib
import traceback
from pathlib import Path

from orchestration.config import RunPaths
from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect, run_lock
from orchestration.pipeline.adjustments import read_adjustments
from orchestration.pipeline.options import RunOptions, RunOutcome
from orchestration.pipeline.steps import rulebook_line, run_steps
from orchestration.progress import Progress
from orchestration.publish import tables as pub
from orchestration.runlog import (
    RunRecord,
    code_version,
    finish_run,
    inputs_sha256,
    new_run_id,
    now_utc,
    start_run,
)


def run_year(options: RunOptions, progress: Progress) -> RunOutcome:
    """Run the whole batch for one year. Never raises for expected failures: returns the code."""
    try:
        return _run_year(options, progress)
    except PipelineError as exc:
        progress.fail(f"未发布 / not published: {exc.reason}")
        return RunOutcome(exc.code, None, exc.reason)


def _run_year(options: RunOptions, progress: Progress) -> RunOutcome:
    from orchestration.ingest.package_check import check_reports_dir
    from scoring.rulebook import RulebookError, rulebook_for_year

    year = options.year
    paths = RunPaths.build(year, options.reports, options.warehouse, options.out)
    try:
        rules_file = Path(options.rules).resolve() if options.rules else None
        rulebook = rulebook_for_year(year, rules_file)
    except (RulebookError, OSError) as exc:
        raise PipelineError(
            ExitCode.USAGE,
            f"评价规则文件有误 / rulebook {options.rules or year}: {exc}"
            "（可用 --rules FILE 指定规则文件；carrier-assess rulebook --year Y --out FILE "
            "生成默认规则 / give one with --rules FILE; `carrier-assess rulebook --year Y "
            "--out FILE` writes the default)",
        ) from exc
    adjustment_file = read_adjustments(options.adjustments)
    check_reports_dir(paths.reports_dir)  # after the usage errors (exit 2), before any work
    progress.info(rulebook_line(year, rulebook))

    with run_lock(paths.warehouse):
        record = RunRecord(
            run_id=new_run_id(year),
            assessment_year=year,
            started_at=now_utc(),
            inputs_sha256=inputs_sha256(paths.reports_dir),
            rules_sha256=rulebook.sha256,
            code_version=code_version(),
            reports_dir=str(paths.reports_dir),
            rules_file=rulebook.origin,
            out_dir=str(paths.out_dir),
            rulebook_year=rulebook.rulebook_year,
            rulebook_text=rulebook.text,
            adjustments_sha256=adjustment_file.sha256 if adjustment_file else None,
        )
        with connect(paths.warehouse) as con:
            for line in pub.reconcile(con, paths.warehouse):
                progress.info(f"已修复上次中断的发布 / repaired an interrupted publish: {line}")
            start_run(con, record)
        progress.info(f"批次 / run {record.run_id}")
        try:
            outcome = run_steps(options, progress, paths, record, rulebook, adjustment_file)
        except PipelineError as exc:
            _record_failure(paths.warehouse, record, "failed", exc.reason)
            raise
        except KeyboardInterrupt:
            _record_failure(paths.warehouse, record, "failed", "中断 / interrupted")
            raise PipelineError(ExitCode.INTERRUPTED, "中断 / interrupted") from None
        except Exception as exc:  # an unexpected defect: keep the traceback, say one line
            log = _write_traceback(paths.warehouse, record.run_id)
            reason = f"内部错误 / internal error: {type(exc).__name__}: {exc} (详见 / see {log})"
            _record_failure(paths.warehouse, record, "failed", reason)
            raise PipelineError(ExitCode.INTERNAL, reason) from exc
        if outcome.code == ExitCode.AUDIT_BLOCKED:
            _record_failure(paths.warehouse, record, "blocked", outcome.message)
            progress.fail(f"未发布 / not published: {outcome.message}")
        return outcome


def _record_failure(warehouse: Path, record: RunRecord, status: str, reason: str) -> None:
    """Best effort: a run that cannot even record its failure must still exit with its reason."""
    with contextlib.suppress(PipelineError, Exception), connect(warehouse) as con:
        finish_run(con, record, status, reason)


def _write_traceback(warehouse: Path, run_id: str) -> Path:
    folder = warehouse.parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}.log"
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return path
