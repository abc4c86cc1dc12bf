"""The validating half: Great Expectations decides pass or fail on the frames read for it.

Reads: `AuditFrames` (frames.py). Writes: nothing; returns findings (one per failing row, capped
per expectation with a summary row). GX is imported only inside these functions (the import
costs ~3 s of CPU): in the audit worker process during a run, never in the batch's main
process. Only GX's pandas path is used (its SQL datasource on DuckDB is broken, STACK.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from orchestration.audit.findings import (
    FINDING_SCHEMA,
    MAX_FINDINGS_PER_EXPECTATION,
    AuditResult,
    empty_findings,
    format_value,
    message,
)
from orchestration.audit.frames import AuditFrames
from orchestration.audit.suites import (
    SOURCE_COLUMNS,
    SuiteDoc,
    columns_of,
    load_suite_doc,
    suite_parameters,
)
from orchestration.config import EXPECTATIONS_DIR

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from great_expectations.core.expectation_suite import ExpectationSuite

ROW_COLUMN = "__audit_row"
"""A row's position in the validated frame: GX's index column for every finding."""


@cache
def gx_batch_definition() -> Any:
    """One ephemeral GX context per process, created once: reruns never hit 'already exists'."""
    from orchestration.internals.gx import ephemeral_context

    context = ephemeral_context()
    source = context.data_sources.add_or_update_pandas("carrier_assess_audit")
    asset = source.add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def suite_from_doc(doc: SuiteDoc) -> ExpectationSuite:
    """The GX suite of a suite file's content, strictly.

    GX drops an expectation of an unknown type with a log line only; a dropped check would
    silently pass, so a count mismatch raises here.
    """
    gx_batch_definition()  # imports GX with analytics and progress bars off
    from great_expectations.core.expectation_suite import ExpectationSuite

    listed = doc["expectations"]
    # a copy of meta: GX adds its version to the dict it is given
    suite = ExpectationSuite(name=doc["name"], expectations=listed, meta=dict(doc["meta"]))
    if len(suite.expectations) != len(listed):
        loaded = {e.meta.get("check_name") for e in suite.expectations}
        dropped = [e["type"] for e in listed if e["meta"]["check_name"] not in loaded]
        raise ValueError(
            f"{doc['name']}.json: {len(listed)} expectations listed, "
            f"{len(suite.expectations)} loaded; dropped: {dropped}"
        )
    return suite


def load_suite(name: str, directory: Path = EXPECTATIONS_DIR) -> ExpectationSuite:
    """Load a suite file into a GX suite, strictly (`load_suite_doc`, then `suite_from_doc`)."""
    return suite_from_doc(load_suite_doc(name, directory))


def validate_frames(frames: AuditFrames) -> AuditResult:
    """Validate every read suite with GX; findings in the order the suites were read."""
    parts: list[pl.DataFrame] = []
    for read in frames.suites:
        if read.finding is not None:
            parts.append(read.finding)
            continue
        parts.append(
            validate(
                read.frame,
                suite_from_doc(read.suite),
                year=frames.year,
                max_findings=frames.max_findings,
                failing_counts=read.failing_counts,
            )
        )
    return AuditResult(pl.concat(parts) if parts else empty_findings())


def validate(
    frame: pl.DataFrame | pd.DataFrame | pa.Table,
    suite: ExpectationSuite,
    *,
    year: int | None = None,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
    failing_counts: Mapping[str, int] | None = None,
    quick_pass: bool = True,
) -> pl.DataFrame:
    """Validate one table against one suite with GX; return one finding per failing row.

    Rows are referenced by `_source_file, _sheet, _source_row` when the frame has them (GX's
    `unexpected_index_column_names`), and by carrier_id / assessment year when it has those.
    Suite meta may name `value_columns` to show as the value and `column_name_from`, a column
    whose value names the finding's column (for computed tables such as reconciliations).
    `failing_counts` (check_name -> rows) are exact counts from DuckDB when the frame holds only
    a capped sample of the failing rows; they only size the summary row, GX still decides.
    An expectation that cannot run (a missing column, a type clash) is an error finding: a check
    that did not run must never pass.
    `quick_pass` off: one detailed pass over every check (the tests compare the two).
    """
    df = _to_pandas(frame).reset_index(drop=True)
    df[ROW_COLUMN] = range(len(df))
    index_columns = [c for c in SOURCE_COLUMNS if c in df.columns] + [ROW_COLUMN]
    batch = gx_batch_definition().get_batch(batch_parameters={"dataframe": df})
    results = _failing_results(batch, suite, suite_parameters(year), index_columns, quick_pass)
    table = _Table(df, suite, year, max_findings, failing_counts or {})
    rows = [row for res in results for row in table.findings(res)]
    if not rows:
        return empty_findings()
    return pl.DataFrame(rows, schema=FINDING_SCHEMA)


def _to_pandas(frame: pl.DataFrame | pd.DataFrame | pa.Table) -> pd.DataFrame:
    """The frame GX validates. Warehouse rows come as Arrow (`reading.fetch`) and become pandas
    here, through DuckDB, exactly as DuckDB's own `.df()` would have made them (dtypes
    included)."""
    import pyarrow as pa

    if isinstance(frame, pl.DataFrame):
        return frame.to_pandas()
    if isinstance(frame, pa.Table):
        import duckdb

        return duckdb.from_arrow(frame).df()
    return frame


def _check_name(config: Any) -> str:
    return (config.meta or {}).get("check_name", config.type)


def _sub_suite(suite: ExpectationSuite, names: Sequence[str]) -> ExpectationSuite:
    """The suite's expectations whose check names are among `names`, as a suite of their own."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    picked = [e.configuration.to_json_dict() for e in suite.expectations]
    picked = [e for e in picked if (e.get("meta") or {}).get("check_name", e["type"]) in names]
    return ExpectationSuite(name=suite.name, expectations=picked, meta=dict(suite.meta or {}))


def _failing_results(
    batch: Any,
    suite: ExpectationSuite,
    parameters: Mapping[str, Any],
    index_columns: list[str],
    quick_pass: bool,
) -> list[Any]:
    """GX's detailed results of the checks that fail, in the suite's order.

    Two passes: the first says only which checks fail (no row detail gathered: ~40% cheaper,
    and most checks pass), the second gathers the failing rows of those checks alone.
    Whether a check passes does not depend on the result format, so the findings are those
    of one detailed pass over the whole suite, in the suite's order.
    """
    if quick_pass:
        quick = batch.validate(
            suite, result_format="BOOLEAN_ONLY", expectation_parameters=parameters
        )
        failed = [_check_name(res.expectation_config) for res in quick.results if not res.success]
        if not failed:
            return []
        detail_suite = _sub_suite(suite, failed)
    else:
        failed = [_check_name(e.configuration) for e in suite.expectations]
        detail_suite = suite
    position = {name: i for i, name in enumerate(failed)}
    detail = batch.validate(
        detail_suite,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": index_columns,
            "return_unexpected_index_query": False,
        },
        expectation_parameters=parameters,
    )
    results = sorted(detail.results, key=lambda res: position[_check_name(res.expectation_config)])
    return [res for res in results if not res.success]


def _exception_text(res: Any) -> str | None:
    """GX's message when the check could not run (it raised), else None."""
    exc = res.exception_info or {}
    nested = [v for v in exc.values() if isinstance(v, dict)]
    if not (exc.get("raised_exception") or any(v.get("raised_exception") for v in nested)):
        return None
    return exc.get("exception_message") or next(
        (v.get("exception_message") for v in nested if v.get("exception_message")), ""
    )


class _Table:
    """One validated frame and what its suite says about it: turns GX results into findings."""

    def __init__(
        self,
        df: pd.DataFrame,
        suite: ExpectationSuite,
        year: int | None,
        max_findings: int,
        failing_counts: Mapping[str, int],
    ) -> None:
        self.df = df
        self.meta = suite.meta or {}
        self.dataset = self.meta.get("dataset") or suite.name
        self.year = year
        self.max_findings = max_findings
        self.failing_counts = failing_counts

    def findings(self, res: Any) -> list[dict[str, Any]]:
        """The findings of one failing check: could not run, table-level, or one per row."""
        cfg = res.expectation_config
        emeta = cfg.meta or {}
        base = {
            "assessment_year": self.year,
            "dataset": self.dataset,
            "source_file": None,
            "sheet": None,
            "source_row": None,
            "carrier_id": None,
            "column_name": ",".join(columns_of(cfg.type, cfg.kwargs)) or None,
            "check_name": emeta.get("check_name", cfg.type),
            "severity": emeta.get("severity", "error"),
            "value_as_written": None,
        }
        error = _exception_text(res)
        if error is not None:
            return [
                {
                    **base,
                    "severity": "error",
                    "value_as_written": format_value(error),
                    "message": f"检查无法执行：{emeta.get('message_zh', '')} / "
                    f"the check could not run: {emeta.get('message_en', '')}",
                }
            ]
        details = res.result or {}
        if details.get("unexpected_index_list") is None:
            return [self._table_finding(cfg, emeta, base, details)]
        return self._row_findings(cfg, emeta, base, details)

    def _table_finding(
        self, cfg: Any, emeta: Mapping[str, Any], base: dict[str, Any], details: Mapping
    ) -> dict[str, Any]:
        """A table-level expectation: one finding for the table."""
        observed = details.get("observed_value")
        if cfg.type == "expect_table_columns_to_match_set":
            missing = [c for c in cfg.kwargs["column_set"] if c not in self.df.columns]
            base["column_name"] = ",".join(missing) or None
            observed = "缺少 / missing: " + ", ".join(missing)
        return {**base, "value_as_written": format_value(observed), "message": message(emeta)}

    def _row_findings(
        self, cfg: Any, emeta: Mapping[str, Any], base: dict[str, Any], details: Mapping
    ) -> list[dict[str, Any]]:
        """One finding per failing row up to the cap, then one summary row for the rest.

        With `column_name_from`, each listed row names its own column, and the summary row
        takes the last listed row's.
        """
        df = self.df
        index_list = details["unexpected_index_list"]
        columns = self.meta.get("value_columns") or columns_of(cfg.type, cfg.kwargs)
        label_column = self.meta.get("column_name_from")
        year_column = self.meta.get("year_column")
        rows = []
        for item in index_list[: self.max_findings]:
            record = df.iloc[int(item[ROW_COLUMN])]
            if len(columns) == 1:
                value = format_value(record[columns[0]])
            else:
                value = "; ".join(f"{c}={format_value(record[c])}" for c in columns)
            if label_column in df.columns:
                base["column_name"] = format_value(record[label_column])
            row_year = record[year_column] if year_column in df.columns else self.year
            carrier = format_value(record["carrier_id"]) if "carrier_id" in df.columns else None
            source_row = format_value(item.get("_source_row"))
            rows.append(
                {
                    **base,
                    "assessment_year": None if format_value(row_year) is None else int(row_year),
                    "source_file": format_value(item.get("_source_file")),
                    "sheet": format_value(item.get("_sheet")),
                    "source_row": None if source_row is None else int(item["_source_row"]),
                    "carrier_id": carrier,
                    "value_as_written": value,
                    "message": message(emeta),
                }
            )
        failing = int(details.get("unexpected_count") or len(index_list))
        failing = max(failing, int(self.failing_counts.get(base["check_name"], 0)))
        hidden = failing - min(len(index_list), self.max_findings)
        if hidden > 0:
            rows.append(
                {
                    **base,
                    "value_as_written": f"另有{hidden}行 / {hidden} more rows",
                    "message": message(
                        emeta,
                        f"（另有{hidden}行同类问题未逐行列出）",
                        f" ({hidden} more rows not listed one by one)",
                    ),
                }
            )
        return rows
