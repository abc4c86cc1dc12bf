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

from orchestration.audit.dq_carriers import count_line as dq_count_line
from orchestration.config import RunPaths
from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect, run_lock
from orchestration.progress import Progress
from orchestration.publish import tables as pub
from orchestration.runlog import (
    RunRecord,
    code_version,
    finish_run,
    inputs_sha256,
    insert_run,
    new_run_id,
    now_utc,
    start_run,
)

if TYPE_CHECKING:
    from orchestration.audit import AuditWorker
    from orchestration.ingest.adjustments_io import AdjustmentFile
    from orchestration.score import YearScoring
    from orchestration.transform import BuildWorker
    from scoring.rulebook import RulebookSource

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
    adjustments: Path | None = None
    """The office's adjustments file (`--adjustments`): replaces the year's adjustments. None:
    the adjustments the year was last published with are applied again."""
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
    adjustment_file = _read_adjustments(options.adjustments)
    check_reports_dir(paths.reports_dir)  # after the usage errors (exit 2), before any work
    progress.info(_rulebook_line(year, rulebook))

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
            outcome = _steps(options, progress, paths, record, rulebook, adjustment_file)
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


def _read_adjustments(path: Path | None) -> AdjustmentFile | None:
    """The office's adjustments file, read and checked before anything happens (exit 2)."""
    if path is None:
        return None
    from orchestration.ingest.adjustments_file import AdjustmentError, read_adjustments

    try:
        return read_adjustments(Path(path))
    except AdjustmentError as exc:
        raise PipelineError(ExitCode.USAGE, str(exc)) from exc


def _steps(
    options: RunOptions,
    progress: Progress,
    paths: RunPaths,
    record: RunRecord,
    rulebook: RulebookSource,
    adjustment_file: AdjustmentFile | None,
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
        return _run_steps(
            options, progress, paths, record, rulebook, auditor, builder, adjustment_file
        )


def _run_steps(
    options: RunOptions,
    progress: Progress,
    paths: RunPaths,
    record: RunRecord,
    rulebook: RulebookSource,
    auditor: AuditWorker,
    builder: BuildWorker,
    adjustment_file: AdjustmentFile | None,
) -> RunOutcome:
    from orchestration import audit, ingest, rederive, score, transform
    from orchestration.ingest import yearcheck

    year = record.assessment_year
    fault = options.fault_hook

    fault("before_ingest")
    with progress.step("ingest", "读取报送材料 / ingest reports") as metric:
        with connect(paths.warehouse) as con:
            _refuse_unpublished_packages(con, year)
            summary = ingest.ingest_package(con, year, paths.reports_dir, record.run_id)
            # The raw tables are final once ingest has committed: their suites' frames are
            # read here (as Arrow) and the worker validates them while dbt builds. This
            # step's seconds include the read.
            raw_check = auditor.submit(audit.read_warehouse(con, year, suites=audit.raw_suites()))
            # The office's adjustments: the file's, checked against the rows just ingested
            # (exit 2 when a target is missing), or those the year was last published with;
            # staging applies the report-row ones of every loaded year from raw._adjustments.
            adjustments, reused = _year_adjustments(con, record, adjustment_file)
            built_with = transform.stored_fingerprint(con)  # so the build need not open it
            # Later years loaded: the marts are built as of this year first, as an in-order
            # run saw them, and again as of each later year it re-derives (rederive.py).
            later_published = rederive.later_published_years(con, year)
            later_loaded = rederive.later_loaded_years(con, year)
            rederive.set_as_of(con, year if later_loaded else None)
        metric.detail = summary.one_line()
    progress.table(*summary.as_table())

    fault("before_transform")
    with progress.step("transform", "清洗与建模 / dbt build") as metric:
        result = builder.build(built_with)  # in the dbt process; this one holds no connection now
        metric.detail = result.one_line()
        metric.parts = result.model_seconds()

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
            year_check = yearcheck.year_mismatch_findings(con, year)
        count = len(models_checks)
        metric.detail = f"{count} 套检查在后台校验 / {count} suites validating in the background"

    fault("before_score")
    with progress.step("score", "评分定级 / scoring") as metric:
        with connect(paths.warehouse, read_only=True) as con:
            basis = rederive.history_basis(con, year)
            basis.apply(record)
            job = score.YearJob(year, rulebook, record, adjustments=adjustments)
            main = score.score_year_job(con, job, {})
        scored = main.scored
        base_tables = main.base
        if adjustment_file is not None:
            _check_scoring_targets(scored["adjustments"], adjustment_file)
        metric.detail = score.one_line(scored)

    # Every later published year, scored again in year order from the marts as of that year,
    # with this year's (and each re-derived year's) fresh results as its grade history.
    later: list[tuple[YearScoring, rederive.HistoryBasis, object]] = []
    if later_published:
        fault("before_rederive")
        with progress.step("rederive", "重新推导以后年度 / re-deriving later years") as metric:
            fresh = {year: main.scored["carrier_scores"]}
            for published in later_published:
                rederive.rebuild_as_of(
                    paths.warehouse, published.year, last_loaded=max(later_loaded)
                )
                source = rederive.stored_rulebook(published)
                job = score.YearJob(
                    published.year,
                    source,
                    rederive.rederive_record(published, record, source),
                    source_run_id=published.run_id,
                )
                with connect(paths.warehouse, read_only=True) as con:
                    later_basis = rederive.history_basis(con, published.year)
                    later_basis.apply(job.record)
                    scoring = score.score_year_job(con, job, fresh)
                    # the same checks an in-order run of that year gets
                    check = auditor.submit(audit.read_warehouse(con, published.year))
                fresh[published.year] = scoring.scored["carrier_scores"]
                later.append((scoring, later_basis, check))
            years = ", ".join(str(s.job.year) for s, _, _ in later)
            metric.detail = f"重新推导 / re-derived {years}"

    fault("before_results_audit")
    with progress.step("audit_results", "结果校验 / results checks") as metric:
        results_check = auditor.submit(audit.read_results(scored, year))
        later_results = [
            auditor.submit(audit.read_results(s.scored, s.job.year)) for s, _, _ in later
        ]
        warehouse_audit = audit.AuditResult.combine(
            raw_check.result(), *(check.result() for check in models_checks), year_check
        )
        results_audit = results_check.result()
        later_audits = [
            (check.result(), results.result())
            for (_, _, check), results in zip(later, later_results, strict=True)
        ]
        metric.detail = results_audit.one_line()
    progress.info(f"数据质量检查 / quality gate: {warehouse_audit.one_line()}")

    tables = score.assemble_tables(
        scored=scored,
        base=base_tables,
        findings=[
            warehouse_audit.findings,
            results_audit.findings,
            rederive.history_findings(basis),
        ],
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
    later_tables: list[tuple[YearScoring, dict[str, pl.DataFrame]]] = []
    for (scoring, later_basis, _), (wh_audit, res_audit) in zip(later, later_audits, strict=True):
        if wh_audit.error_count + res_audit.error_count:
            later_year = scoring.job.year
            return RunOutcome(
                ExitCode.AUDIT_BLOCKED,
                record.run_id,
                f"重新推导的 {later_year} 年度有 {wh_audit.error_count + res_audit.error_count}"
                f" 个错误，本次不发布 / re-deriving {later_year} found errors; nothing published",
            )
        later_tables.append(
            (
                scoring,
                score.assemble_tables(
                    scored=scoring.scored,
                    base=scoring.base,
                    findings=[
                        wh_audit.findings,
                        res_audit.findings,
                        rederive.history_findings(later_basis),
                    ],
                    record=scoring.job.record,
                ),
            )
        )

    fault("before_publish")
    with progress.step("publish", "发布结果 / publish") as metric:
        out_version = pub.version_dir(paths.out_dir, record.run_id)
        tables["runs"] = _published_runs_frame(tables["runs"], record)
        later_dirs: list[tuple[Path, Path]] = []  # (out_dir, version folder) per later year
        try:
            pub.prepare_year_dir(paths.out_dir)  # only ever writes inside --out
            pub.write_year_files(
                tables, out_version, year, writers=_office_writers(year, base_tables)
            )
            for scoring, later_year_tables in later_tables:
                job = scoring.job
                job.record.status = "published"
                job.record.finished_at = now_utc()
                later_year_tables["runs"] = _with_runs_row(later_year_tables["runs"], job.record)
                later_out = _later_out_dir(job.record, paths)
                job.record.out_dir = str(later_out)
                later_version = pub.version_dir(later_out, job.record.run_id)
                later_dirs.append((later_out, later_version))
                pub.prepare_year_dir(later_out)
                pub.write_year_files(
                    later_year_tables,
                    later_version,
                    job.year,
                    writers=_office_writers(job.year, scoring.base),
                )
            fault("files_written")
        except OSError as exc:
            shutil.rmtree(out_version, ignore_errors=True)
            for _, later_version in later_dirs:
                shutil.rmtree(later_version, ignore_errors=True)
            raise PipelineError(
                ExitCode.PUBLISH,
                f"写出结果文件失败，已发布结果未改变 / could not write the result files "
                f"({exc.strerror or exc}); published results unchanged",
            ) from exc

        def mark_published(con: object) -> None:
            finish_run(con, record, "published", None)

        def insert_rederived(job_record):
            return lambda con: insert_run(con, job_record)

        items = [pub.YearTables(year, tables, mark_published)] + [
            pub.YearTables(s.job.year, t, insert_rederived(s.job.record)) for s, t in later_tables
        ]
        with connect(paths.warehouse) as con:
            try:
                pub.publish_years(con, items, hook=lambda stage: fault(f"publish:{stage}"))
            except (OSError, duckdb.Error) as exc:
                shutil.rmtree(out_version, ignore_errors=True)
                for _, later_version in later_dirs:
                    shutil.rmtree(later_version, ignore_errors=True)
                raise PipelineError(
                    ExitCode.PUBLISH,
                    f"写入结果表失败，已发布结果未改变 / could not write the result tables "
                    f"({exc}); published results unchanged",
                ) from exc
            # Committed: the years are published. What follows only makes the files and the
            # read-only copy catch up; reconcile() finishes it if this run dies here.
            pub.switch_year_dir(paths.out_dir, out_version)
            for later_out, later_version in later_dirs:
                pub.switch_year_dir(later_out, later_version)
            fault("publish:after_switch")
            pub.export_published_copy(con, paths.warehouse)
        pub.prune_versions(paths.out_dir)
        for later_out, _ in later_dirs:
            pub.prune_versions(later_out)
        metric.detail = f"{paths.out_dir}"
    counts = {name: frame.height for name, frame in tables.items()}
    reused_note = (
        f"沿用上次发布时的 {adjustments.height} 条调整 / applied again the "
        f"{adjustments.height} adjustment(s) stored with the last publish"
        if reused
        else None
    )
    notes = [
        _rulebook_line(year, rulebook),
        basis.note(),
        reused_note,
        rederive.closing_note([s.job.year for s, _ in later_tables]),
    ]
    return RunOutcome(
        ExitCode.OK,
        record.run_id,
        "；".join(
            [
                f"已发布 / published {year}: {paths.out_dir}",
                dq_count_line(tables["dq_issues"]),
                *(n for n in notes if n),
            ]
        ),
        out_dir=paths.out_dir,
        dq_report=paths.out_dir / office_file_names(year)["dq_report"],
        counts=counts,
    )


def _year_adjustments(
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


def _check_scoring_targets(applied: pl.DataFrame, given: AdjustmentFile) -> None:
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


def _refuse_unpublished_packages(con: object, year: int) -> None:
    """Before anything changes: a later year to re-derive must still hold its published package."""
    from orchestration import rederive

    stale = rederive.unpublished_packages(con, rederive.later_published_years(con, year))
    if stale:
        years = ", ".join(str(y) for y in stale)
        raise PipelineError(
            ExitCode.INPUT,
            f"仓库中 {years} 年度的报送材料不是已发布的那一份（之后有一次未发布的运行替换了它），"
            f"无法据此重新推导；请先用正确的材料重新运行 {years} 年度 / the warehouse's {years} "
            f"package is not the published one (a later run of that year replaced it and did not "
            f"publish), so it cannot be re-derived: run {years} again with its right package first",
        )


def _rulebook_line(year: int, rulebook: RulebookSource) -> str:
    """How the closing line names the rulebook a year was scored with."""
    if rulebook.origin.startswith("bundled:"):
        if rulebook.rulebook_year == year:
            return f"规则 / rulebook: {year} 年度默认规则 / bundled {year} default"
        return (
            f"规则 / rulebook: 沿用 {rulebook.rulebook_year} 年度默认规则 / "
            f"bundled {rulebook.rulebook_year} default (none bundled for {year})"
        )
    return f"规则 / rulebook: {rulebook.origin}"


def _later_out_dir(record: RunRecord, paths: RunPaths) -> Path:
    """A re-derived year's out folder: the one its last published run wrote, else the default
    beside this run's."""
    if record.out_dir:
        return Path(record.out_dir)
    return paths.out_dir.parent / str(record.assessment_year)


def _with_runs_row(runs: pl.DataFrame, record: RunRecord) -> pl.DataFrame:
    """The year's runs rows with a re-derived run's row added (as it will read once published)."""
    from scoring.results_contract import schema_version

    row = {column: getattr(record, column, None) for column in runs.columns}
    if "schema_version" in row:
        row["schema_version"] = schema_version()  # as insert_run writes it
    added = pl.DataFrame([row], schema={c: runs.schema[c] for c in row}, strict=False)
    return pl.concat([runs, added], how="diagonal_relaxed")


def office_file_names(year: int) -> dict[str, str]:
    """The office files of a year's folder, by role."""
    return {
        "workbook": f"carrier_assessment_{year}.xlsx",
        "report": f"report_{year}.html",
        "dq_report": f"dq_report_{year}.html",
        "details": f"carrier_details_{year}.xlsx",
    }


def _office_writers(year: int, base_tables: dict[str, pl.DataFrame]) -> dict[str, Callable]:
    from orchestration.publish import details_workbook, dq_report, html_report, workbook

    def dq_writer(tables: dict[str, pl.DataFrame], path: Path, year: int) -> Path:
        carriers = dq_report.with_towns(base_tables.get("carriers"), tables.get("carrier_scores"))
        return dq_report.write_dq_report(tables["dq_issues"], path, year, carriers)

    names = office_file_names(year)
    return {
        names["workbook"]: workbook.write_workbook,
        names["report"]: html_report.write_html_report,
        names["dq_report"]: dq_writer,
        names["details"]: details_workbook.write_details_workbook,
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
        *(
            pl.when(pl.col("run_id") == record.run_id)
            .then(pl.lit(getattr(record, column), dtype=pl.String))
            .otherwise(pl.col(column))
            .alias(column)
            for column in ("history_years", "history_gaps", "adjustments_sha256")
            if column in runs.columns
        ),
    )


def _write_blocked_report(
    paths: RunPaths,
    record: RunRecord,
    dq_issues: pl.DataFrame,
    base_tables: dict[str, pl.DataFrame],
) -> Path:
    from orchestration.publish import dq_report

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
