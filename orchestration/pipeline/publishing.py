"""The run's last step: publish the year (and every re-derived later year) in one go.

Reads: the assembled result tables of each year. Writes: each year's files into a new version
folder of `out/<year>/` (Parquet, the office workbook, the HTML report, the data-quality report,
the details workbook), then `results.*` in one transaction, which waits before its commit for
the files still being written (a large year's workbooks, by their worker), then switches the year
folders and rebuilds the read-only copy. A failure before the commit leaves the published
results as they were; after it, `publish.reconcile` finishes the switch at the next run's start.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from orchestration.config import RunPaths
from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect
from orchestration.pipeline.faults import FaultHook
from orchestration.publish import tables as pub
from orchestration.publish import workbook_worker, year_files
from orchestration.runlog import RunRecord, finish_run, insert_run, now_utc

if TYPE_CHECKING:
    from orchestration.publish.workbook_worker import WorkbookWorker
    from orchestration.score import YearScoring

LaterTables = list[tuple["YearScoring", dict[str, pl.DataFrame]]]
"""Each re-derived later year: its scoring and its assembled tables."""


def office_file_names(year: int) -> dict[str, str]:
    """The office files of a year's folder, by role."""
    return {
        "workbook": f"carrier_assessment_{year}.xlsx",
        "report": f"report_{year}.html",
        "dq_report": f"dq_report_{year}.html",
        "details": f"carrier_details_{year}.xlsx",
    }


BY_WORKER = ("workbook", "report")
"""The office files a large year's workbook worker writes (workbook_worker.py), in this order:
the office workbook, the longest of the year's files, and the HTML report, which balances the
worker's time with the main process's (the rest of the files and the result tables)."""


def publish_run(
    paths: RunPaths,
    record: RunRecord,
    fault: FaultHook,
    tables: dict[str, pl.DataFrame],
    base_tables: dict[str, pl.DataFrame],
    later_tables: LaterTables,
    workbook: WorkbookWorker | None = None,
) -> None:
    """Write the files, publish the tables, switch the year folders: this year and each later
    year re-derived. Raises PipelineError(PUBLISH) with the published results unchanged.
    `workbook`: a workbook worker started earlier for this year (its owner closes it).

    A large year's workbooks are still being written by their worker while the tables' rows are
    replaced: the transaction waits for it (`files_written`) before it commits, so the tables
    are never published without their files (national: ~1 s of the worker's tail overlapped,
    docs/benchmarks.md, issue 21)."""
    year = record.assessment_year
    out_version = pub.version_dir(paths.out_dir, record.run_id)
    tables["runs"] = _published_runs_frame(tables["runs"], record)
    later_dirs: list[tuple[Path, Path]] = []  # (out_dir, version folder) per later year
    with contextlib.ExitStack() as workers:  # the workbook workers, until the files are written
        try:
            pub.prepare_year_dir(paths.out_dir)  # only ever writes inside --out
            pending = [_start_files(tables, out_version, year, base_tables, workers, workbook)]
            for scoring, later_year_tables in later_tables:
                later_out, later_version = _later_year_record(paths, scoring, later_year_tables)
                later_dirs.append((later_out, later_version))
                pub.prepare_year_dir(later_out)
                pending.append(
                    _start_files(
                        later_year_tables, later_version, scoring.job.year, scoring.base, workers
                    )
                )
        except PipelineError:  # a writer process that died: nothing was published
            _remove_versions(out_version, later_dirs)
            raise
        except OSError as exc:
            _remove_versions(out_version, later_dirs)
            raise _files_failed(exc) from exc

        def files_written() -> None:
            try:
                for finish in pending:
                    finish()
                fault("files_written")
            except OSError as exc:
                raise _files_failed(exc) from exc

        def mark_published(con: object) -> None:
            finish_run(con, record, "published", None)

        def insert_rederived(job_record):
            return lambda con: insert_run(con, job_record)

        items = [pub.YearTables(year, tables, mark_published)] + [
            pub.YearTables(s.job.year, t, insert_rederived(s.job.record)) for s, t in later_tables
        ]
        with connect(paths.warehouse) as con:
            try:
                pub.publish_years(
                    con,
                    items,
                    hook=lambda stage: fault(f"publish:{stage}"),
                    before_commit=files_written,
                )
            except PipelineError:  # a file not written (files_written): nothing was published
                _remove_versions(out_version, later_dirs)
                raise
            except (OSError, duckdb.Error) as exc:
                _remove_versions(out_version, later_dirs)
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


def _files_failed(exc: OSError) -> PipelineError:
    return PipelineError(
        ExitCode.PUBLISH,
        f"写出结果文件失败，已发布结果未改变 / could not write the result files "
        f"({exc.strerror or exc}); published results unchanged",
    )


def _later_year_record(
    paths: RunPaths, scoring: YearScoring, tables: dict[str, pl.DataFrame]
) -> tuple[Path, Path]:
    """A re-derived year's run record and runs rows as they will read once published; its out
    folder and the new version folder its files go to."""
    job = scoring.job
    job.record.status = "published"
    job.record.finished_at = now_utc()
    tables["runs"] = _with_runs_row(tables["runs"], job.record)
    later_out = _later_out_dir(job.record, paths)
    job.record.out_dir = str(later_out)
    return later_out, pub.version_dir(later_out, job.record.run_id)


def _remove_versions(out_version: Path, later_dirs: list[tuple[Path, Path]]) -> None:
    shutil.rmtree(out_version, ignore_errors=True)
    for _, later_version in later_dirs:
        shutil.rmtree(later_version, ignore_errors=True)


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


def _start_files(
    tables: dict[str, pl.DataFrame],
    version: Path,
    year: int,
    base: dict[str, pl.DataFrame],
    workers: contextlib.ExitStack,
    started: WorkbookWorker | None = None,
) -> Callable[[], list[Path]]:
    """A year's files into its version folder; a large year's workbooks by a workbook worker
    meanwhile (publish/workbook_worker.py): `started` if one was started for it, else a new one
    closed with `workers`. Returns what waits for those workbooks
    (`year_files.start_year_files`)."""
    writers = _office_writers(year, base)
    if not workbook_worker.use_worker(tables):
        return year_files.start_year_files(tables, version, year, writers=writers)
    names = office_file_names(year)
    by_worker = {names[role]: writers.pop(names[role]) for role in BY_WORKER}
    worker = started or workers.enter_context(workbook_worker.WorkbookWorker())
    return year_files.start_year_files(
        tables, version, year, writers=writers, background=(worker, by_worker)
    )


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


def write_blocked_report(
    paths: RunPaths,
    record: RunRecord,
    dq_issues: pl.DataFrame,
    base_tables: dict[str, pl.DataFrame],
) -> Path:
    """A blocked run's findings (Parquet) and data-quality report, in a folder of their own
    beside the year's: the published results stay as they were."""
    from orchestration.publish import dq_report

    pub.prepare_year_dir(paths.out_dir)  # inside --out: its parent may not be writable
    folder = pub.blocked_dir(paths.out_dir, record.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    dq_issues.write_parquet(folder / "dq_issues.parquet")
    return dq_report.write_dq_report(
        dq_issues, folder / "dq_report.html", record.assessment_year, base_tables.get("carriers")
    )
