"""The scoring step's edges: read the marts into polars, call `scoring`, shape the result tables.

The rules themselves live in `scoring/`; this module only moves frames in and out. Beside it:
`run_changes` (the differences from the year's previous publish) and `compare` (the whatif
comparison's data, read by `orchestration/whatif.py` and `publish/whatif_report.py`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pyarrow as pa

from orchestration.config import RESULTS_SCHEMA
from orchestration.lock import table_exists
from scoring.results_contract import table_schema

if TYPE_CHECKING:
    from orchestration.runlog import RunRecord
    from scoring.rulebook import RulebookSource

MART_FILTERS: dict[str, str] = {
    "carrier_year_indicators": "assessment_year <= $year",
    "tenant_year_facts": "assessment_year = $year "
    "or (assessment_year < $year and tech_sme_reg_date is not null)",
    "enterprise_activity": "activity_year <= $year",
    "attributed_events": "(event_year = $year "
    "and event_kind in ('high_tech_certificate', 'graduation', 'award')) "
    "or (event_year < $year and event_kind = 'graduation')",
    "subsidy_claims": "assessment_year <= $year",
    "carrier_recognitions": "assessment_year <= $year",
    "carrier_evaluations": "assessment_year <= $year",
}
"""The marts scoring reads, each with the rows of the loaded years up to the assessed one that
a rule reads (history). Every column is read; the two large marts only in part:
`tenant_year_facts` of earlier years only where a tech-SME registration date is known (the
district targets' T6 counts registrations in the target window across years; every other rule
reads year Y), `attributed_events` only the kinds a rule
reads (R09 and the town tasks: first high-tech certificates and graduations of Y; R10: awards of
Y; T7: graduations in the target window, any year), not the patents and financing events (~85 %
of its 4.2 million national rows). `enterprise_activity` holds only the enterprises C2 could
flag (models/marts/enterprise_activity.sql) and is read whole up to Y. A rule that reads more
rows must widen its filter here (tests/pipeline/test_golden.py and
tests/pipeline/test_score_inputs.py compare with the marts read whole). An event dated
outside the loaded years is in `attributed_events` only when it is a graduation
(models/intermediate/int_events_unioned.sql): a rule reading another kind of event of a year
not loaded must be kept there too (tests/pipeline/test_score_inputs.py fails on a filter here
that reads any other kind of an earlier year)."""

READ_BATCH_ROWS = 1_000_000
"""Rows per Arrow batch when a mart becomes a polars frame: one batch at a time is held twice
(Arrow and polars), not the whole table."""

DQ_COLUMNS: dict[str, pl.DataType] = table_schema("dq_issues")
"""`results.dq_issues` before run_id, from the result contract (scoring/results_contract.yaml)."""

COUNT_COLUMNS: dict[str, pl.DataType] = table_schema("dataset_counts")
"""`results.dataset_counts` before run_id (scoring/results_contract.yaml)."""


def read_frame(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[object] | dict[str, object] | None = None,
) -> pl.DataFrame:
    """A query's result as a polars frame, through Arrow (types kept, no pandas), converted a
    batch at a time (`READ_BATCH_ROWS`) so the whole result is never held twice."""
    reader = con.sql(sql, params=params or None).to_arrow_reader(READ_BATCH_ROWS)
    parts = [pl.from_arrow(batch) for batch in reader]
    if not parts:  # not `schema.empty_table()`: pyarrow imports pandas for it
        return pl.from_arrow(pa.Table.from_batches([], schema=reader.schema))
    return pl.concat(parts, how="vertical", rechunk=False) if len(parts) > 1 else parts[0]


def load_inputs(
    con: duckdb.DuckDBPyConnection, year: int, adjustments: pl.DataFrame | None = None
):  # -> scoring.engine.ScoringInputs
    """The marts up to `year`, the results published for earlier years (`grade_history`:
    grade, total and rank; the previous year's is the score receipt's `prev_*`), and the
    year's adjustments: `adjustments` when given (resolved,
    orchestration.ingest.adjustments_io), else
    the ones `year` was last published with (so a re-derivation applies them again)."""
    from orchestration.ingest.adjustments_io import year_adjustments
    from scoring.engine import ScoringInputs
    from scoring.schemas import empty_input

    frames: dict[str, pl.DataFrame] = {}
    for mart, condition in MART_FILTERS.items():
        frames[mart] = read_frame(
            con, f"select * from marts.{mart} where {condition}", {"year": year}
        )
    if table_exists(con, RESULTS_SCHEMA, "carrier_scores"):
        frames["grade_history"] = read_frame(
            con,
            "select assessment_year, carrier_id, grade, total_score, rank_in_type "
            f"from {RESULTS_SCHEMA}.carrier_scores "
            "where assessment_year < ? order by assessment_year, carrier_id",
            [year],
        )
    else:
        frames["grade_history"] = empty_input("grade_history")
    if adjustments is None:
        adjustments, _ = year_adjustments(con, year, None)
    frames["adjustments"] = adjustments
    return ScoringInputs(**frames)


def load_base_tables(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, pl.DataFrame]:
    """What the publish step takes from the warehouse as is: data-quality rows, counts, runs,
    and the carriers (for grouping the data-quality report)."""
    out = {
        "dq_issues": read_frame(
            con, "select * from marts.data_quality_issues where assessment_year = ?", [year]
        ),
        "dataset_counts": read_frame(
            con,
            "select * from marts.dataset_counts where assessment_year = ? "
            "order by dataset, source_file",
            [year],
        ),
        "runs": read_frame(
            con,
            f"select * from {RESULTS_SCHEMA}.runs where assessment_year = ? order by run_id",
            [year],
        ),
        "carriers": read_frame(
            con,
            "select carrier_id, carrier_name from marts.carrier_year_indicators "
            "where assessment_year = ? order by carrier_id",
            [year],
        ),
    }
    from orchestration.audit.dq_carriers import attribute_carriers, raw_row_carriers

    out["dq_issues"] = attribute_carriers(
        out["dq_issues"], raw_row_carriers(con, year), out["carriers"].get_column("carrier_id")
    )
    return out


def score(rulebook, year: int, inputs) -> dict[str, pl.DataFrame]:
    """Apply the rulebook (pure; see scoring.engine)."""
    from scoring.engine import score_year

    return score_year(rulebook, year, inputs)


def with_fresh_history(inputs, fresh: Mapping[int, pl.DataFrame]):  # -> ScoringInputs
    """`inputs` whose grade history holds, for every year in `fresh`, that year's freshly scored
    `carrier_scores` rows instead of the published ones (re-derivation scores years in order in
    one run, before any of them is committed). Whole rows: every column the history frame has."""
    if not fresh:
        return inputs
    history = inputs.grade_history
    kept = history.filter(~pl.col("assessment_year").is_in(list(fresh)))
    parts = [kept]
    for year, scores in sorted(fresh.items()):
        frame = scores.with_columns(pl.lit(year, dtype=pl.Int32).alias("assessment_year"))
        parts.append(
            frame.select(
                (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
                for c, t in history.schema.items()
            )
        )
    merged = pl.concat(parts, how="vertical").sort(["assessment_year", "carrier_id"])
    return dataclasses.replace(inputs, grade_history=merged)


@dataclass
class YearJob:
    """One year to score and publish in a run: the run's own year, or a later year re-derived.

    Both go through `score_year_job`, so whatever the scoring path does (the rulebook, the
    office's adjustments, the receipt's look-back) it does the same for a re-derived year."""

    year: int
    rulebook: RulebookSource
    record: RunRecord
    """The `runs` row the year's results are published under."""
    source_run_id: str | None = None
    """For a re-derivation: the run whose published settings (rulebook, adjustments) are used."""
    adjustments: pl.DataFrame | None = None
    """The year's resolved adjustments (the run's own year: the office's file, or the stored
    set); None: those the year was last published with (a re-derivation)."""


@dataclass
class YearScoring:
    job: YearJob
    scored: dict[str, pl.DataFrame]
    base: dict[str, pl.DataFrame]


def score_year_job(
    con: duckdb.DuckDBPyConnection, job: YearJob, fresh: Mapping[int, pl.DataFrame]
) -> YearScoring:
    """Read the year's inputs (earlier years scored in this run taken from `fresh`), score them
    with the job's rulebook, and read what publishing takes from the warehouse as is."""
    from orchestration.ingest import adjustments_io
    from orchestration.score import run_changes

    inputs = with_fresh_history(load_inputs(con, job.year, job.adjustments), fresh)
    if job.adjustments is None and job.record.adjustments_sha256 is None:
        # a re-derived year records the adjustments file it applies again
        job.record.adjustments_sha256 = adjustments_io.stored_sha256(con, job.year)
    scored = score(job.rulebook.rulebook, job.year, inputs)
    del inputs  # the marts' frames are not held while publishing's tables are read
    # what this publish will change, against the year's publish still in the warehouse
    scored["run_changes"] = run_changes.changes_since_last_publish(con, job.year, scored)
    return YearScoring(job, scored, load_base_tables(con, job.year))


def one_line(scored: dict[str, pl.DataFrame]) -> str:
    scores = scored["carrier_scores"]
    grades = scores.group_by("grade").len().sort("grade")
    grade_text = " ".join(f"{g} {n}" for g, n in grades.iter_rows())
    rewards = scored["rewards"]
    total = rewards["amount"].cast(pl.Float64).sum() if rewards.height else 0.0
    return (
        f"{scores.height} carriers ({grade_text}), {scored['tenant_clearout'].height} clear-out, "
        f"{scored['carrier_actions'].height} actions, {rewards.height} reward lines "
        f"({total:,.2f} 万元)"
    )


def _conform(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
        for c, t in columns.items()
    )


def dq_frame(parts: Iterable[pl.DataFrame], year: int) -> pl.DataFrame:
    """All findings of the year in the `results.dq_issues` shape, in a stable order."""
    frames = [
        _conform(p.with_columns(pl.lit(year).alias("assessment_year")), DQ_COLUMNS)
        for p in parts
        if p is not None
    ]
    merged = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=DQ_COLUMNS)
    severity_rank = pl.col("severity").replace_strict(
        {"error": 0, "warning": 1}, default=2, return_dtype=pl.Int8
    )
    return (
        merged.with_columns(severity_rank.alias("_rank"))
        .sort(
            ["_rank", "dataset", "source_file", "sheet", "source_row", "column_name", "check_name"],
            nulls_last=True,
        )
        .drop("_rank")
    )


def assemble_tables(
    *,
    scored: dict[str, pl.DataFrame],
    base: dict[str, pl.DataFrame],
    findings: list[pl.DataFrame],
    record: RunRecord,
) -> dict[str, pl.DataFrame]:
    """The ten result tables of the contract, each with assessment_year and run_id."""
    year = record.assessment_year
    tables = dict(scored)
    # scoring's own findings (yoy_jump) join the warehouse's and the audit's
    tables["dq_issues"] = dq_frame([base["dq_issues"], scored.get("dq_issues"), *findings], year)
    tables["dataset_counts"] = _conform(base["dataset_counts"], COUNT_COLUMNS)
    tables["runs"] = base["runs"]
    run_id = pl.lit(record.run_id, dtype=pl.String).alias("run_id")
    out: dict[str, pl.DataFrame] = {}
    for name, frame in tables.items():
        if name == "runs":
            out[name] = frame
            continue
        frame = frame.with_columns(pl.lit(year, dtype=pl.Int32).alias("assessment_year"))
        cols = ["assessment_year", "run_id", *[c for c in frame.columns if c != "assessment_year"]]
        out[name] = frame.with_columns(run_id).select(cols)
    return out
