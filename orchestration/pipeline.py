"""The only place that knows the order of the steps: ingest, clean, audit, score, publish.

Write–audit–publish: every step before `publish` writes only to the working layers (raw,
staging, intermediate, marts) or to memory; `results.*`, `out/<year>/` and the read-only copy
change only in `publish`, after both audits passed. A failure anywhere leaves them as they were.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from orchestration import publish as pub
from orchestration.config import RunPaths
from orchestration.dq_carriers import count_line as dq_count_line
from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect, run_lock
from orchestration.progress import Progress
from orchestration.runlog import (
    RunRecord,
    code_version,
    finish_run,
    inputs_sha256,
    new_run_id,
    now_utc,
    start_run,
)

if TYPE_CHECKING:
    from orchestration.audit import AuditWorker
    from orchestration.transform import BuildWorker

FaultHook = Callable[[str], None]
"""Called with the name of every step boundary and publishing stage (tests inject faults)."""


def _no_fault(_point: str) -> None:
    return None


FAULT_ENV = "CARRIER_ASSESS_INJECT_FAULT"
"""Fault injection for the reliability tests: `<point>=kill|raise|disk_full`, e.g.
`publish:before_commit=kill` sends SIGKILL to the run at that point. Unset in production."""


def env_fault_hook() -> FaultHook:
    """The fault hook named by $CARRIER_ASSESS_INJECT_FAULT, or none."""
    spec = os.environ.get(FAULT_ENV, "")
    if not spec:
        return _no_fault
    point, _, action = spec.partition("=")

    def hook(current: str) -> None:
        if current != point:
            return
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if action == "disk_full":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), f"injected at {current}")
        raise RuntimeError(f"injected fault at {current}")

    return hook


@dataclass
class RunOptions:
    year: int
    reports: Path
    warehouse: Path | None = None
    out: Path | None = None
    rules: Path | None = None
    fault_hook: FaultHook = field(default_factory=env_fault_hook)
    build_worker: BuildWorker | None = None
    """A dbt process the caller spawned ahead, not yet told where to build (the `run` command
    spawns it before it imports the batch, so dbt's import overlaps that too). The run warms it
    once it holds the lock; the caller closes it. None: the run spawns its own."""


@dataclass
class RunOutcome:
    code: ExitCode
    run_id: str | None
    message: str
    out_dir: Path | None = None
    dq_report: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)


def run_year(options: RunOptions, progress: Progress) -> RunOutcome:
    """Run the whole batch for one year. Never raises for expected failures: returns the code."""
    try:
        return _run_year(options, progress)
    except PipelineError as exc:
        progress.fail(f"未发布 / not published: {exc.reason}")
        return RunOutcome(exc.code, None, exc.reason)


def _run_year(options: RunOptions, progress: Progress) -> RunOutcome:
    from scoring.rulebook import RulebookError, load_rulebook, rulebook_path_for, rulebook_sha256

    year = options.year
    paths = RunPaths.build(year, options.reports, options.warehouse, options.out)
    if not paths.reports_dir.is_dir():
        raise PipelineError(
            ExitCode.INPUT, f"报送材料目录不存在 / reports folder not found: {paths.reports_dir}"
        )
    try:
        rules_file = Path(options.rules).resolve() if options.rules else rulebook_path_for(year)
        rulebook = load_rulebook(rules_file)
    except (RulebookError, OSError) as exc:
        raise PipelineError(
            ExitCode.USAGE, f"评价规则文件有误 / rulebook {options.rules or year}: {exc}"
        ) from exc

    with run_lock(paths.warehouse):
        record = RunRecord(
            run_id=new_run_id(year),
            assessment_year=year,
            started_at=now_utc(),
            inputs_sha256=inputs_sha256(paths.reports_dir),
            rules_sha256=rulebook_sha256(rules_file),
            code_version=code_version(),
            reports_dir=str(paths.reports_dir),
            rules_file=str(rules_file),
            out_dir=str(paths.out_dir),
        )
        with connect(paths.warehouse) as con:
            for line in pub.reconcile(con, paths.warehouse):
                progress.info(f"已修复上次中断的发布 / repaired an interrupted publish: {line}")
            start_run(con, record)
        progress.info(f"批次 / run {record.run_id}")
        try:
            outcome = _steps(options, progress, paths, record, rulebook)
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


def _steps(
    options: RunOptions,
    progress: Progress,
    paths: RunPaths,
    record: RunRecord,
    rulebook: object,
) -> RunOutcome:
    from orchestration import audit, transform

    # Great Expectations lives in a second process: its import (~3 s of CPU) overlaps ingest
    # and dbt, and it validates the frames this process reads while this process goes on
    # building and scoring (docs/benchmarks.md). This process never imports it.
    # dbt lives in a third: its import and the parsed project (~1.3 s of CPU) overlap ingest.
    with audit.AuditWorker() as auditor, contextlib.ExitStack() as stack:
        builder = options.build_worker
        if builder is None:
            builder = stack.enter_context(transform.BuildWorker())
        builder.warm(paths.warehouse)  # under the run lock: now it may read the project
        return _run_steps(options, progress, paths, record, rulebook, auditor, builder)


def _run_steps(
    options: RunOptions,
    progress: Progress,
    paths: RunPaths,
    record: RunRecord,
    rulebook: object,
    auditor: AuditWorker,
    builder: BuildWorker,
) -> RunOutcome:
    from orchestration import audit, ingest, score, transform

    year = record.assessment_year
    fault = options.fault_hook

    fault("before_ingest")
    with progress.step("ingest", "读取报送材料 / ingest reports") as metric:
        with connect(paths.warehouse) as con:
            summary = ingest.ingest_package(con, year, paths.reports_dir, record.run_id)
            # The raw tables are final once ingest has committed: their suites' frames are
            # read here (as Arrow) and the worker validates them while dbt builds. This
            # step's seconds include the read.
            raw_check = auditor.submit(audit.read_warehouse(con, year, suites=audit.raw_suites()))
            built_with = transform.stored_fingerprint(con)  # so the build need not open it
        metric.detail = summary.one_line()
    progress.table(*summary.as_table())

    fault("before_transform")
    with progress.step("transform", "清洗与建模 / dbt build") as metric:
        result = builder.build(built_with)  # in the dbt process; this one holds no connection now
        metric.detail = result.one_line()

    # The two audit steps' seconds are what the main process spends on the audit, not how
    # long GX validates: `audit` reads the staging and marts suites' frames and hands them to
    # the worker, which validates them while `score` runs; `audit_results` hands over the
    # result frames and waits for every finding (raw, staging, marts, results).
    fault("before_audit")
    with progress.step("audit", "数据质量检查 / quality gate (Great Expectations)") as metric:
        with connect(paths.warehouse, read_only=True) as con:
            # one request per suite: the worker starts on the first while the rest are read
            models_checks = [
                auditor.submit(audit.read_warehouse(con, year, suites=[name]))
                for name in audit.model_suites()
            ]
        count = len(models_checks)
        metric.detail = f"{count} 套检查在后台校验 / {count} suites validating in the background"

    fault("before_score")
    with progress.step("score", "评分定级 / scoring") as metric:
        with connect(paths.warehouse, read_only=True) as con:
            inputs = score.load_inputs(con, year)
            base_tables = score.load_base_tables(con, year)
        scored = score.score(rulebook, year, inputs)
        metric.detail = score.one_line(scored)

    fault("before_results_audit")
    with progress.step("audit_results", "结果校验 / results checks") as metric:
        results_check = auditor.submit(audit.read_results(scored, year))
        warehouse_audit = audit.AuditResult.combine(
            raw_check.result(), *(check.result() for check in models_checks)
        )
        results_audit = results_check.result()
        metric.detail = results_audit.one_line()
    progress.info(f"数据质量检查 / quality gate: {warehouse_audit.one_line()}")

    tables = score.assemble_tables(
        scored=scored,
        base=base_tables,
        findings=[warehouse_audit.findings, results_audit.findings],
        record=record,
    )
    dq_issues = tables["dq_issues"]
    errors = warehouse_audit.error_count + results_audit.error_count
    if errors:
        report = _write_blocked_report(paths, record, dq_issues, base_tables)
        message = (
            f"{errors} 个错误阻止发布，详见 / {errors} error(s) block publishing, see {report}"
        )
        return RunOutcome(ExitCode.AUDIT_BLOCKED, record.run_id, message, dq_report=report)

    fault("before_publish")
    with progress.step("publish", "发布结果 / publish") as metric:
        out_version = pub.version_dir(paths.out_dir, record.run_id)
        tables["runs"] = _published_runs_frame(tables["runs"], record)
        try:
            pub.prepare_year_dir(paths.out_dir)  # only ever writes inside --out
            pub.write_year_files(
                tables, out_version, year, writers=_office_writers(year, base_tables)
            )
            fault("files_written")
        except OSError as exc:
            shutil.rmtree(out_version, ignore_errors=True)
            raise PipelineError(
                ExitCode.PUBLISH,
                f"写出结果文件失败，已发布结果未改变 / could not write the result files "
                f"({exc.strerror or exc}); published results unchanged",
            ) from exc

        def mark_published(con: object) -> None:
            finish_run(con, record, "published", None)

        with connect(paths.warehouse) as con:
            try:
                pub.publish_year(
                    con,
                    tables=tables,
                    year=year,
                    run_id=record.run_id,
                    mark_published=mark_published,
                    hook=lambda stage: fault(f"publish:{stage}"),
                )
            except (OSError, duckdb.Error) as exc:
                shutil.rmtree(out_version, ignore_errors=True)
                raise PipelineError(
                    ExitCode.PUBLISH,
                    f"写入结果表失败，已发布结果未改变 / could not write the result tables "
                    f"({exc}); published results unchanged",
                ) from exc
            # Committed: the year is published. What follows only makes the files and the
            # read-only copy catch up; reconcile() finishes it if this run dies here.
            pub.switch_year_dir(paths.out_dir, out_version)
            fault("publish:after_switch")
            pub.export_published_copy(con, paths.warehouse)
        pub.prune_versions(paths.out_dir)
        metric.detail = f"{paths.out_dir}"
    counts = {name: frame.height for name, frame in tables.items()}
    return RunOutcome(
        ExitCode.OK,
        record.run_id,
        f"已发布 / published {year}: {paths.out_dir}；{dq_count_line(tables['dq_issues'])}",
        out_dir=paths.out_dir,
        dq_report=paths.out_dir / office_file_names(year)["dq_report"],
        counts=counts,
    )


def office_file_names(year: int) -> dict[str, str]:
    """The office files of a year's folder, by role."""
    return {
        "workbook": f"carrier_assessment_{year}.xlsx",
        "report": f"report_{year}.html",
        "dq_report": f"dq_report_{year}.html",
    }


def _office_writers(year: int, base_tables: dict[str, pl.DataFrame]) -> dict[str, Callable]:
    from orchestration import dq_report, reports

    def dq_writer(tables: dict[str, pl.DataFrame], path: Path, year: int) -> Path:
        return dq_report.write_dq_report(
            tables["dq_issues"], path, year, base_tables.get("carriers")
        )

    names = office_file_names(year)
    return {
        names["workbook"]: reports.write_workbook,
        names["report"]: reports.write_html_report,
        names["dq_report"]: dq_writer,
    }


def _published_runs_frame(runs: pl.DataFrame, record: RunRecord) -> pl.DataFrame:
    """The runs rows of the year as they will read once this run is published."""
    finished = now_utc()
    return runs.with_columns(
        pl.when(pl.col("run_id") == record.run_id)
        .then(pl.lit("published"))
        .otherwise(pl.col("status"))
        .alias("status"),
        pl.when(pl.col("run_id") == record.run_id)
        .then(pl.lit(finished))
        .otherwise(pl.col("finished_at"))
        .alias("finished_at"),
    )


def _write_blocked_report(
    paths: RunPaths,
    record: RunRecord,
    dq_issues: pl.DataFrame,
    base_tables: dict[str, pl.DataFrame],
) -> Path:
    from orchestration import dq_report

    pub.prepare_year_dir(paths.out_dir)  # inside --out: its parent may not be writable
    folder = pub.blocked_dir(paths.out_dir, record.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    dq_issues.write_parquet(folder / "dq_issues.parquet")
    return dq_report.write_dq_report(
        dq_issues, folder / "dq_report.html", record.assessment_year, base_tables.get("carriers")
    )


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
