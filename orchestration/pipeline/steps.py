"""The only place that knows the order of the steps: ingest, clean, audit, score, publish.

Write–audit–publish: every step before `publish` writes only to the working layers (raw,
staging, intermediate, marts) or to memory; `results.*`, `out/<year>/` and the read-only copy
change only in `publish`, after both audits passed. A failure anywhere leaves them as they were.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from orchestration.audit.dq_carriers import count_line as dq_count_line
from orchestration.config import RunPaths
from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect
from orchestration.pipeline import adjustments as adj
from orchestration.pipeline.options import RunOptions, RunOutcome
from orchestration.pipeline.publishing import (
    LaterTables,
    office_file_names,
    publish_run,
    write_blocked_report,
)
from orchestration.progress import Progress
from orchestration.runlog import RunRecord

if TYPE_CHECKING:
    from orchestration.audit import AuditResult, AuditWorker, PendingAudit
    from orchestration.ingest.adjustments_io import AdjustmentFile
    from orchestration.publish.workbook_worker import WorkbookWorker
    from orchestration.rederive import HistoryBasis
    from orchestration.score import YearScoring
    from orchestration.transform import BuildWorker
    from scoring.rulebook import RulebookSource


@dataclass
class _Run:
    """What every step of one run reads: its options, paths and record, and the two workers."""

    options: RunOptions
    progress: Progress
    paths: RunPaths
    record: RunRecord
    rulebook: RulebookSource
    auditor: AuditWorker
    builder: BuildWorker
    adjustment_file: AdjustmentFile | None
    workers: contextlib.ExitStack
    """Closes the workers started during the run (a large year's workbook writer)."""
    workbook: WorkbookWorker | None = None
    """A large year's workbook writer, started before scoring (`_start_workbook_worker`)."""

    @property
    def year(self) -> int:
        return self.record.assessment_year

    def fault(self, point: str) -> None:
        self.options.fault_hook(point)


@dataclass
class _Ingested:
    """What ingest leaves for the later steps."""

    raw_check: PendingAudit
    adjustments: pl.DataFrame
    reused: bool
    built_with: object
    later_published: list
    later_loaded: list[int]
    rows_read: int = 0


@dataclass
class _Later:
    """A later published year, scored again from the marts as of that year."""

    scoring: YearScoring
    basis: HistoryBasis
    check: PendingAudit
    results: PendingAudit | None = None


@dataclass
class _Audits:
    """Every finding of the run, collected before it decides to block or publish."""

    warehouse: AuditResult
    results: AuditResult
    later: list[tuple[AuditResult, AuditResult]] = field(default_factory=list)


def run_steps(
    options: RunOptions,
    progress: Progress,
    paths: RunPaths,
    record: RunRecord,
    rulebook: RulebookSource,
    adjustment_file: AdjustmentFile | None,
) -> RunOutcome:
    """The steps of one run, under its lock, with the audit and dbt workers."""
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
        run = _Run(
            options, progress, paths, record, rulebook, auditor, builder, adjustment_file, stack
        )
        return _sequence(run)


def _sequence(run: _Run) -> RunOutcome:
    """Ingest, transform, audit, score, re-derive later years, check the results; then block
    (any error) or publish."""
    from orchestration import rederive, score

    ingested = _ingest(run)
    _transform(run, ingested.built_with, ingested.rows_read)
    _start_workbook_worker(run, ingested.rows_read)
    models_checks, year_check = _audit(run)
    main, basis = _score(run, ingested.adjustments)
    later = _rederive(run, main, ingested) if ingested.later_published else []
    audits = _results_audit(run, main, later, [ingested.raw_check, *models_checks], year_check)

    tables = score.assemble_tables(
        scored=main.scored,
        base=main.base,
        findings=[
            audits.warehouse.findings,
            audits.results.findings,
            rederive.history_findings(basis),
        ],
        record=run.record,
    )
    errors = audits.warehouse.error_count + audits.results.error_count
    if errors:
        report = write_blocked_report(run.paths, run.record, tables["dq_issues"], main.base)
        message = (
            f"{errors} 个错误阻止发布，详见 / {errors} error(s) block publishing, see {report}"
        )
        return RunOutcome(ExitCode.AUDIT_BLOCKED, run.record.run_id, message, dq_report=report)
    later_tables = _later_tables(run, later, audits)
    if isinstance(later_tables, RunOutcome):
        return later_tables

    run.fault("before_publish")
    with run.progress.step("publish", "发布结果 / publish") as metric:
        publish_run(run.paths, run.record, run.fault, tables, main.base, later_tables, run.workbook)
        metric.detail = f"{run.paths.out_dir}"
    return _published(run, tables, ingested, basis, later_tables)


def _ingest(run: _Run) -> _Ingested:
    from orchestration import audit, ingest, rederive, transform

    year = run.year
    run.fault("before_ingest")
    with run.progress.step("ingest", "读取报送材料 / ingest reports") as metric:
        with connect(run.paths.warehouse) as con:
            _refuse_unpublished_packages(con, year)
            summary = ingest.ingest_package(con, year, run.paths.reports_dir, run.record.run_id)
            # The raw tables are final once ingest has committed: their suites' frames are
            # read here (as Arrow) and the worker validates them while dbt builds. This
            # step's seconds include the read.
            raw = audit.read_warehouse(con, year, suites=audit.raw_suites())
            raw_check = run.auditor.submit(raw)
            # The office's adjustments: the file's, checked against the rows just ingested
            # (exit 2 when a target is missing), or those the year was last published with;
            # staging applies the report-row ones of every loaded year from raw._adjustments.
            adjustments, reused = adj.year_adjustments(con, run.record, run.adjustment_file)
            built_with = transform.stored_fingerprint(con)  # so the build need not open it
            # Later years loaded: the marts are built as of this year first, as an in-order
            # run saw them, and again as of each later year it re-derives (rederive.py).
            later_published = rederive.later_published_years(con, year)
            later_loaded = rederive.later_loaded_years(con, year)
            rederive.set_as_of(con, year if later_loaded else None)
        metric.detail = summary.one_line()
    run.progress.table(*summary.as_table())
    return _Ingested(
        raw_check, adjustments, reused, built_with, later_published, later_loaded, summary.rows_read
    )


def _transform(run: _Run, built_with: object, rows_read: int) -> None:
    from orchestration import transform

    run.fault("before_transform")
    with run.progress.step("transform", "清洗与建模 / dbt build") as metric:
        threads = transform.build_threads(rows_read)
        result = run.builder.build(built_with, threads)  # in the dbt process; this one holds none
        metric.detail = result.one_line()
        metric.parts = result.model_seconds()


def _start_workbook_worker(run: _Run, rows_read: int) -> None:
    """A large package's workbook writer, started now: its process starts and imports while
    this one audits and scores, not when publishing needs it (`workbook_worker.prestart`)."""
    from orchestration.publish import workbook_worker

    if workbook_worker.prestart(rows_read):
        run.workbook = run.workers.enter_context(workbook_worker.WorkbookWorker())


def _audit(run: _Run) -> tuple[list[PendingAudit], AuditResult]:
    """Hand the staging and marts suites' frames to the worker, which validates them while
    this process scores. The two audit steps' seconds are what the main process spends on the
    audit, not how long GX validates."""
    from orchestration import audit
    from orchestration.audit import yearcheck

    run.fault("before_audit")
    with run.progress.step("audit", "数据质量检查 / quality gate (Great Expectations)") as metric:
        with connect(run.paths.warehouse, read_only=True) as con:
            # one request per suite: the worker starts on the first while the rest are read
            models_checks = [
                run.auditor.submit(audit.read_warehouse(con, run.year, suites=[name]))
                for name in audit.model_suites()
            ]
            year_check = yearcheck.year_mismatch_findings(con, run.year)
        count = len(models_checks)
        metric.detail = f"{count} 套检查在后台校验 / {count} suites validating in the background"
    return models_checks, year_check


def _score(run: _Run, adjustments: pl.DataFrame) -> tuple[YearScoring, HistoryBasis]:
    from orchestration import rederive, score

    run.fault("before_score")
    with run.progress.step("score", "评分定级 / scoring") as metric:
        with connect(run.paths.warehouse, read_only=True) as con:
            basis = rederive.history_basis(con, run.year)
            basis.apply(run.record)
            job = score.YearJob(run.year, run.rulebook, run.record, adjustments=adjustments)
            main = score.score_year_job(con, job, {})
        if run.adjustment_file is not None:
            adj.check_scoring_targets(main.scored["adjustments"], run.adjustment_file)
        metric.detail = score.one_line(main.scored)
    return main, basis


def _rederive(run: _Run, main: YearScoring, ingested: _Ingested) -> list[_Later]:
    """Every later published year, scored again in year order from the marts as of that year,
    with this year's (and each re-derived year's) fresh results as its grade history."""
    from orchestration import audit, rederive, score

    later: list[_Later] = []
    run.fault("before_rederive")
    with run.progress.step("rederive", "重新推导以后年度 / re-deriving later years") as metric:
        fresh = {run.year: main.scored["carrier_scores"]}
        for published in ingested.later_published:
            rederive.rebuild_as_of(
                run.paths.warehouse, published.year, last_loaded=max(ingested.later_loaded)
            )
            source = rederive.stored_rulebook(published)
            job = score.YearJob(
                published.year,
                source,
                rederive.rederive_record(published, run.record, source),
                source_run_id=published.run_id,
            )
            with connect(run.paths.warehouse, read_only=True) as con:
                later_basis = rederive.history_basis(con, published.year)
                later_basis.apply(job.record)
                scoring = score.score_year_job(con, job, fresh)
                # the same checks an in-order run of that year gets
                check = run.auditor.submit(audit.read_warehouse(con, published.year))
            fresh[published.year] = scoring.scored["carrier_scores"]
            later.append(_Later(scoring, later_basis, check))
        years = ", ".join(str(item.scoring.job.year) for item in later)
        metric.detail = f"重新推导 / re-derived {years}"
    return later


def _results_audit(
    run: _Run,
    main: YearScoring,
    later: list[_Later],
    warehouse_checks: list[PendingAudit],
    year_check: AuditResult,
) -> _Audits:
    """Hand over the result frames and wait for every finding (raw, staging, marts, results)."""
    from orchestration import audit

    run.fault("before_results_audit")
    with run.progress.step("audit_results", "结果校验 / results checks") as metric:
        results_check = run.auditor.submit(audit.read_results(main.scored, run.year))
        for item in later:
            item.results = run.auditor.submit(
                audit.read_results(item.scoring.scored, item.scoring.job.year)
            )
        warehouse = audit.AuditResult.combine(
            *(check.result() for check in warehouse_checks), year_check
        )
        audits = _Audits(warehouse, results_check.result())
        audits.later = [(item.check.result(), item.results.result()) for item in later]
        metric.detail = audits.results.one_line()
    run.progress.info(f"数据质量检查 / quality gate: {audits.warehouse.one_line()}")
    return audits


def _later_tables(run: _Run, later: list[_Later], audits: _Audits) -> LaterTables | RunOutcome:
    """Each re-derived year's tables, or the outcome that blocks the run: a later year with
    errors is not published, and neither is this one."""
    from orchestration import rederive, score

    tables: LaterTables = []
    for item, (wh_audit, res_audit) in zip(later, audits.later, strict=True):
        errors = wh_audit.error_count + res_audit.error_count
        if errors:
            later_year = item.scoring.job.year
            return RunOutcome(
                ExitCode.AUDIT_BLOCKED,
                run.record.run_id,
                f"重新推导的 {later_year} 年度有 {errors}"
                f" 个错误，本次不发布 / re-deriving {later_year} found errors; nothing published",
            )
        findings = [
            wh_audit.findings,
            res_audit.findings,
            rederive.history_findings(item.basis),
        ]
        assembled = score.assemble_tables(
            scored=item.scoring.scored,
            base=item.scoring.base,
            findings=findings,
            record=item.scoring.job.record,
        )
        tables.append((item.scoring, assembled))
    return tables


def _published(
    run: _Run,
    tables: dict[str, pl.DataFrame],
    ingested: _Ingested,
    basis: HistoryBasis,
    later_tables: LaterTables,
) -> RunOutcome:
    """The closing outcome of a published run: where, the findings' count, and the notes."""
    from orchestration import rederive

    adjustments = ingested.adjustments
    reused_note = (
        f"沿用上次发布时的 {adjustments.height} 条调整 / applied again the "
        f"{adjustments.height} adjustment(s) stored with the last publish"
        if ingested.reused
        else None
    )
    notes = [
        rulebook_line(run.year, run.rulebook),
        basis.note(),
        reused_note,
        rederive.closing_note([s.job.year for s, _ in later_tables]),
    ]
    return RunOutcome(
        ExitCode.OK,
        run.record.run_id,
        "；".join(
            [
                f"已发布 / published {run.year}: {run.paths.out_dir}",
                dq_count_line(tables["dq_issues"]),
                *(n for n in notes if n),
            ]
        ),
        out_dir=run.paths.out_dir,
        dq_report=run.paths.out_dir / office_file_names(run.year)["dq_report"],
        counts={name: frame.height for name, frame in tables.items()},
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


def rulebook_line(year: int, rulebook: RulebookSource) -> str:
    """How the closing line names the rulebook a year was scored with."""
    if rulebook.origin.startswith("bundled:"):
        if rulebook.rulebook_year == year:
            return f"规则 / rulebook: {year} 年度默认规则 / bundled {year} default"
        return (
            f"规则 / rulebook: 沿用 {rulebook.rulebook_year} 年度默认规则 / "
            f"bundled {rulebook.rulebook_year} default (none bundled for {year})"
        )
    return f"规则 / rulebook: {rulebook.origin}"
