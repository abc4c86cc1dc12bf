"""Optional Dagster definitions: the batch's steps as assets partitioned by assessment year.

Install the extra and point Dagster at this module:

    pip install -e '.[dagster]'
    dagster dev -m orchestration.dagster_defs
    dagster asset materialize -m orchestration.dagster_defs --select '*' --partition 2024

Why this shape: `orchestration.pipeline` stays the only place that knows the order of the steps
and the write–audit–publish rule (DESIGN.md). The first four assets call the same step functions
the batch calls, and write only to the working layers (raw, staging, intermediate, marts) or
to memory, so the office can look at, re-run and debug one step of one year from Dagster's UI.
`published_results` is the only asset that changes `results.*` and `out/<year>/`: it runs
`pipeline.run_year` for the year, which repeats the steps under one run lock and one run record,
checks both gates again and publishes atomically, exactly as `carrier-assess run` does. A gate
that fails raises `dagster.Failure` with the batch's one-line reason, so nothing downstream runs.

The base package does not need dagster: nothing else in `orchestration/` or `scoring/` imports
this module (tests/pipeline/test_dagster.py checks that).
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import polars as pl

try:
    import dagster as dg
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "未安装 Dagster / dagster is not installed: pip install -e '.[dagster]'"
    ) from exc

from orchestration.config import RunPaths
from orchestration.errors import ExitCode, PipelineError
from orchestration.lock import connect, run_lock
from orchestration.pipeline import RunOptions, run_year
from orchestration.progress import Progress

FIRST_YEAR = 2023
LAST_YEAR = 2030

YEARS = dg.StaticPartitionsDefinition([str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)])
"""One partition per assessment year; each year's package lives in `<reports_root>/<year>/`."""

GROUP = "carrier_assess"

REPORTS_ROOT_ENV = "CARRIER_ASSESS_REPORTS_ROOT"
OUT_ROOT_ENV = "CARRIER_ASSESS_OUT_ROOT"
WAREHOUSE_ENV = "CARRIER_ASSESS_WAREHOUSE"


class CarrierAssessResource(dg.ConfigurableResource):
    """Where the batch reads and writes: the same three places `carrier-assess run` takes.

    `reports_root/<year>/` is a year's package, `out_root/<year>/` its published folder.
    `rules` is a rulebook file; empty means the bundled rulebook of the year.
    """

    reports_root: str = "reports"
    warehouse: str = "warehouse/carriers.duckdb"
    out_root: str = "out"
    rules: str = ""

    def paths(self, year: int) -> RunPaths:
        return RunPaths.build(
            year,
            Path(self.reports_root) / str(year),
            self.warehouse,
            Path(self.out_root) / str(year),
        )

    def options(self, year: int) -> RunOptions:
        paths = self.paths(year)
        return RunOptions(
            year=year,
            reports=paths.reports_dir,
            warehouse=paths.warehouse,
            out=paths.out_dir,
            rules=Path(self.rules) if self.rules else None,
        )


def _year(context: dg.AssetExecutionContext) -> int:
    return int(context.partition_key)


def _failure(reason: str, code: ExitCode, **metadata: object) -> dg.Failure:
    """A Dagster failure that says, like the batch, in one line why the year stopped."""
    return dg.Failure(
        description=reason,
        metadata={"exit_code": int(code), "reason": reason, **metadata},
        allow_retries=False,
    )


@contextlib.contextmanager
def _as_failure() -> Iterator[None]:
    """The batch's expected failures (PipelineError) become Dagster failures with its reason."""
    try:
        yield
    except PipelineError as exc:
        raise _failure(exc.reason, exc.code) from exc


def _markdown(frame: pl.DataFrame, columns: list[str], limit: int = 20) -> dg.MetadataValue:
    """The first rows of a frame as a markdown table for the UI (the full tables are published)."""
    cols = [c for c in columns if c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.select(cols).head(limit).iter_rows():
        cells = (str(v if v is not None else "").replace("|", "/") for v in row)
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def _first_errors(findings: pl.DataFrame) -> dg.MetadataValue:
    errors = findings.filter(pl.col("severity") == "error")
    return _markdown(errors, ["dataset", "check_name", "column_name", "message"])


@dg.asset(partitions_def=YEARS, group_name=GROUP, kinds={"duckdb"})
def raw_reports(
    context: dg.AssetExecutionContext, carrier_assess: CarrierAssessResource
) -> dg.MaterializeResult:
    """raw.* for the year: every report workbook and CSV of `<reports_root>/<year>/`, as text."""
    from orchestration import ingest
    from orchestration.ingest import adjustments_io
    from orchestration.runlog import new_run_id

    year = _year(context)
    paths = carrier_assess.paths(year)
    if not paths.reports_dir.is_dir():
        raise _failure(
            f"报送材料目录不存在 / reports folder not found: {paths.reports_dir}", ExitCode.INPUT
        )
    with _as_failure(), run_lock(paths.warehouse), connect(paths.warehouse) as con:
        run_id = new_run_id(year)
        summary = ingest.ingest_package(con, year, paths.reports_dir, run_id)
        # the decisions the year was last published with, applied again by staging
        stored, _ = adjustments_io.year_adjustments(con, year, None)
        adjustments_io.prepare_raw_adjustments(con, year, stored, run_id)
    context.log.info(summary.one_line())
    rows = summary.rows_by_dataset
    return dg.MaterializeResult(
        metadata={
            "summary": summary.one_line(),
            "rows": sum(rows.values()),
            "rows_by_dataset": rows,
            "files": summary.files_by_status,
            "findings": summary.findings_by_severity,
        }
    )


@dg.asset(partitions_def=YEARS, group_name=GROUP, deps=[raw_reports], kinds={"dbt"})
def dbt_models(
    context: dg.AssetExecutionContext, carrier_assess: CarrierAssessResource
) -> dg.MaterializeResult:
    """staging, intermediate and marts for the year: the batch's `dbt build` (seeds, models)."""
    from orchestration import transform

    year = _year(context)
    paths = carrier_assess.paths(year)
    with _as_failure(), run_lock(paths.warehouse):
        result = transform.build_models(warehouse=paths.warehouse)
    context.log.info(result.one_line())
    return dg.MaterializeResult(
        metadata={
            "summary": result.one_line(),
            "models": result.count("model"),
            "seconds": round(result.elapsed_seconds, 2),
        }
    )


@dg.asset(partitions_def=YEARS, group_name=GROUP, deps=[dbt_models], kinds={"great_expectations"})
def quality_gate(
    context: dg.AssetExecutionContext, carrier_assess: CarrierAssessResource
) -> dg.MaterializeResult:
    """The Great Expectations gate on raw, staging and marts; an error stops the year here."""
    from orchestration import audit

    year = _year(context)
    paths = carrier_assess.paths(year)
    with _as_failure(), run_lock(paths.warehouse), connect(paths.warehouse, read_only=True) as con:
        result = audit.audit_warehouse(con, year)
    context.log.info(result.one_line())
    if result.blocks_publishing:
        errors = result.error_count
        raise _failure(
            f"{errors} 个错误阻止发布 / {errors} error(s) block publishing: {result.one_line()}",
            ExitCode.AUDIT_BLOCKED,
            errors=errors,
            warnings=result.warning_count,
            first_errors=_first_errors(result.findings),
        )
    return dg.MaterializeResult(
        metadata={
            "summary": result.one_line(),
            "errors": result.error_count,
            "warnings": result.warning_count,
        }
    )


@dg.asset(partitions_def=YEARS, group_name=GROUP, deps=[quality_gate], kinds={"polars"})
def scores(
    context: dg.AssetExecutionContext, carrier_assess: CarrierAssessResource
) -> dg.MaterializeResult:
    """The year's scores, grades, clear-out, actions and rewards from the marts, checked by the
    results suites; kept in memory (publishing is `published_results`' job)."""
    from orchestration import audit, score
    from scoring.rulebook import RulebookError, rulebook_for_year

    year = _year(context)
    options = carrier_assess.options(year)
    paths = carrier_assess.paths(year)
    try:
        rulebook = rulebook_for_year(year, options.rules).rulebook
    except (RulebookError, OSError) as exc:
        reason = f"评价规则文件有误 / rulebook {options.rules or year}: {exc}"
        raise _failure(reason, ExitCode.USAGE) from exc
    with _as_failure():
        with run_lock(paths.warehouse), connect(paths.warehouse, read_only=True) as con:
            inputs = score.load_inputs(con, year)
        scored = score.score(rulebook, year, inputs)
        checked = audit.audit_results(scored, year)
    context.log.info(score.one_line(scored))
    if checked.blocks_publishing:
        errors = checked.error_count
        raise _failure(
            f"{errors} 个错误阻止发布 / {errors} error(s) block publishing: {checked.one_line()}",
            ExitCode.AUDIT_BLOCKED,
            first_errors=_first_errors(checked.findings),
        )
    grades = scored["carrier_scores"].group_by("grade").len().sort("grade")
    return dg.MaterializeResult(
        metadata={
            "summary": score.one_line(scored),
            "carriers": scored["carrier_scores"].height,
            "grades": {str(g): int(n) for g, n in grades.iter_rows()},
            "rows": {name: frame.height for name, frame in scored.items()},
            "results_check": checked.one_line(),
            "preview": _markdown(scored["carrier_scores"], ["carrier_id", "total_score", "grade"]),
        }
    )


@dg.asset(partitions_def=YEARS, group_name=GROUP, deps=[scores], kinds={"duckdb"})
def published_results(
    context: dg.AssetExecutionContext, carrier_assess: CarrierAssessResource
) -> dg.MaterializeResult:
    """results.* and `<out_root>/<year>/` for the year, published by `pipeline.run_year`.

    run_year repeats the steps under one lock and one run record and publishes only when both
    gates pass, in one transaction: the same write–audit–publish as `carrier-assess run`.
    """
    year = _year(context)
    outcome = run_year(carrier_assess.options(year), Progress("quiet"))
    if outcome.code != ExitCode.OK:
        extra: dict[str, object] = {"run_id": outcome.run_id or ""}
        if outcome.dq_report is not None:
            extra["dq_report"] = dg.MetadataValue.path(str(outcome.dq_report))
        raise _failure(outcome.message, ExitCode(outcome.code), **extra)
    context.log.info(outcome.message)
    return dg.MaterializeResult(
        metadata={
            "run_id": outcome.run_id or "",
            "out_dir": dg.MetadataValue.path(str(outcome.out_dir)),
            "dq_report": dg.MetadataValue.path(str(outcome.dq_report)),
            "rows": outcome.counts,
        }
    )


ASSETS = [raw_reports, dbt_models, quality_gate, scores, published_results]


def resource_from_env() -> CarrierAssessResource:
    """The places from $CARRIER_ASSESS_REPORTS_ROOT, $CARRIER_ASSESS_WAREHOUSE and
    $CARRIER_ASSESS_OUT_ROOT, else the batch's defaults under the current directory."""
    fields = CarrierAssessResource.model_fields
    return CarrierAssessResource(
        reports_root=os.environ.get(REPORTS_ROOT_ENV) or fields["reports_root"].default,
        warehouse=os.environ.get(WAREHOUSE_ENV) or fields["warehouse"].default,
        out_root=os.environ.get(OUT_ROOT_ENV) or fields["out_root"].default,
    )


yearly_batch = dg.define_asset_job(
    "yearly_batch",
    selection=dg.AssetSelection.assets(*ASSETS),
    description="读取、清洗、检查、评分、发布 / ingest, clean, audit, score, publish one year",
)

defs = dg.Definitions(
    assets=ASSETS,
    jobs=[yearly_batch],
    resources={"carrier_assess": resource_from_env()},
)
