"""The quality gate: Great Expectations suites from expectations/ decide whether a run may publish.

Suites are reviewed JSON files (GX 1.x format). Every expectation carries
`meta: {check_name, severity, message_zh, message_en}`; a failing expectation becomes one finding
per failing row (capped, with a summary row), in the columns of `results.dq_issues` plus
`assessment_year` and `carrier_id`. An error blocks publishing; a warning is reported only.

An audit is two halves with one hand-over, `AuditFrames`:

- reading (`read_warehouse`, `read_results`): the suite files as plain dicts decide which rows
  and columns of which table each suite needs; DuckDB reads them (a missing or unreadable table
  becomes an error finding here). No Great Expectations: the batch's main process reads.
- validating (`validate_frames`, `validate`): GX decides pass or fail on those frames. GX is
  imported only here (the import costs ~3 s of CPU), in the audit worker process during a run.

`audit_warehouse` / `audit_results` are the two halves in one process (tests, Dagster). Only
GX's pandas path is used (its SQL datasource on DuckDB is broken, STACK.md). For national-scale
tables the rows read are first narrowed in DuckDB to the rows that could violate a row-level
expectation (a superset, derived from the same suite); GX still decides pass or fail.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from orchestration.config import EXPECTATIONS_DIR
from orchestration.contract import DATASET_ORDER

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa
    from great_expectations.core.expectation_suite import ExpectationSuite

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "assessment_year": pl.Int32(),
    "dataset": pl.String(),
    "source_file": pl.String(),
    "sheet": pl.String(),
    "source_row": pl.Int64(),
    "carrier_id": pl.String(),
    "column_name": pl.String(),
    "check_name": pl.String(),
    "severity": pl.String(),
    "value_as_written": pl.String(),
    "message": pl.String(),
}
"""The columns of `results.dq_issues` plus assessment_year and carrier_id."""

MAX_FINDINGS_PER_EXPECTATION = 1000
"""Failing rows listed one by one per expectation; the rest become one summary row."""

FULL_READ_MAX_ROWS = 200_000
"""Tables up to this many rows for the year go to GX whole; larger ones are pre-narrowed."""

SOURCE_COLUMNS = ("_source_file", "_sheet", "_source_row")
ROW_COLUMN = "__audit_row"
SEVERITIES = ("error", "warning")
MAX_VALUE_CHARS = 200

_TABLE_LEVEL_PREFIX = "expect_table_"


# --------------------------------------------------------------------------------------------
# Suites


def suite_path(name: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{name}.json"


def suite_names(directory: Path = EXPECTATIONS_DIR) -> list[str]:
    """Every suite file in the folder, by name."""
    return sorted(p.stem for p in directory.glob("*.json"))


SuiteDoc = dict[str, Any]
"""A suite file as read (`name`, `meta`, `expectations` with `type`, `kwargs`, `meta`): what the
reading side works from, and what the worker turns into a GX suite."""


def load_suite_doc(name: str, directory: Path = EXPECTATIONS_DIR) -> SuiteDoc:
    """Read a suite file as plain data (no GX), strictly: every expectation names its check,
    severity and messages, or this raises."""
    path = suite_path(name, directory)
    doc = json.loads(path.read_text(encoding="utf-8"))
    for i, exp in enumerate(doc.get("expectations", [])):
        meta = exp.get("meta") or {}
        missing = {"check_name", "severity", "message_zh", "message_en"} - set(meta)
        if missing:
            raise ValueError(f"{path.name}: expectation {i} lacks meta {sorted(missing)}")
        if meta["severity"] not in SEVERITIES:
            raise ValueError(f"{path.name}: expectation {i} has severity {meta['severity']!r}")
    return {
        "name": doc.get("name", name),
        "meta": doc.get("meta") or {},
        "expectations": doc.get("expectations", []),
    }


def suite_from_doc(doc: SuiteDoc) -> ExpectationSuite:
    """The GX suite of a suite file's content, strictly.

    GX drops an expectation of an unknown type with a log line only; a dropped check would
    silently pass, so a count mismatch raises here.
    """
    _gx_batch_definition()  # imports GX with analytics and progress bars off
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


@cache
def _gx_batch_definition() -> Any:
    """One ephemeral GX context per process, created once: reruns never hit 'already exists'."""
    from orchestration.internals.gx import ephemeral_context

    context = ephemeral_context()
    source = context.data_sources.add_or_update_pandas("carrier_assess_audit")
    asset = source.add_dataframe_asset("frame")
    return asset.add_batch_definition_whole_dataframe("whole_frame")


def _parameters(year: int | None) -> dict[str, Any]:
    """Values for `$PARAMETER` placeholders in suites (the date window depends on the year)."""
    import pandas as pd

    if year is None:
        return {}
    return {
        "year": year,
        "date_min": pd.Timestamp(1990, 1, 1),
        "year_start": pd.Timestamp(year, 1, 1),
        "year_end": pd.Timestamp(year, 12, 31),
    }


def _columns_of(exp_type: str, kwargs: Mapping[str, Any]) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    if "column_list" in kwargs:
        return list(kwargs["column_list"])
    return []


def suite_columns(suite: SuiteDoc) -> list[str]:
    """The columns the suite's expectations look at, in first-use order: what is read for it."""
    out: list[str] = []
    for exp in suite["expectations"]:
        for col in _columns_of(exp["type"], exp["kwargs"]):
            if col not in out:
                out.append(col)
    return out


# --------------------------------------------------------------------------------------------
# Validation: one function, table + suite -> findings


def _fmt(value: Any) -> str | None:
    """A value as the office would read it: dates as ISO dates, no `nan`, no `.0` on integers."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.date().isoformat() if value == value.normalize() else value.isoformat()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return _fmt(value.item())
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _message(meta: Mapping[str, Any], extra_zh: str = "", extra_en: str = "") -> str:
    return f"{meta['message_zh']}{extra_zh} / {meta['message_en']}{extra_en}"


def _empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def _to_pandas(frame: pl.DataFrame | pd.DataFrame | pa.Table) -> pd.DataFrame:
    """The frame GX validates. Warehouse rows come as Arrow (`_fetch`) and become pandas here,
    through DuckDB, exactly as DuckDB's own `.df()` would have made them (dtypes included)."""
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


def validate(
    frame: pl.DataFrame | pd.DataFrame,
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
    whose value names the finding's column (for computed frames such as reconciliations).
    `failing_counts` (check_name -> rows) are exact counts from DuckDB when the frame holds only
    a capped sample of the failing rows; they only size the summary row, GX still decides.
    An expectation that cannot run (a missing column, a type clash) is an error finding: a check
    that did not run must never pass.
    `quick_pass` off: one detailed pass over every check (the tests compare the two).
    """
    df = _to_pandas(frame).reset_index(drop=True)
    df[ROW_COLUMN] = range(len(df))
    meta = suite.meta or {}
    dataset = meta.get("dataset") or suite.name
    year_column = meta.get("year_column")
    index_columns = [c for c in SOURCE_COLUMNS if c in df.columns] + [ROW_COLUMN]

    batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": df})
    parameters = _parameters(year)
    # Two passes: the first says only which checks fail (no row detail gathered: ~40% cheaper,
    # and most checks pass), the second gathers the failing rows of those checks alone.
    # Whether a check passes does not depend on the result format, so the findings are those
    # of one detailed pass over the whole suite, in the suite's order.
    if quick_pass:
        quick = batch.validate(
            suite, result_format="BOOLEAN_ONLY", expectation_parameters=parameters
        )
        failed = [_check_name(res.expectation_config) for res in quick.results if not res.success]
        if not failed:
            return _empty_findings()
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

    rows: list[dict[str, Any]] = []
    for res in results:
        if res.success:
            continue
        cfg = res.expectation_config
        emeta = cfg.meta or {}
        base = {
            "assessment_year": year,
            "dataset": dataset,
            "source_file": None,
            "sheet": None,
            "source_row": None,
            "carrier_id": None,
            "column_name": ",".join(_columns_of(cfg.type, cfg.kwargs)) or None,
            "check_name": emeta.get("check_name", cfg.type),
            "severity": emeta.get("severity", "error"),
            "value_as_written": None,
        }
        exc = res.exception_info or {}
        raised = exc.get("raised_exception") or any(
            isinstance(v, dict) and v.get("raised_exception") for v in exc.values()
        )
        if raised:
            text = exc.get("exception_message") or next(
                (
                    v.get("exception_message")
                    for v in exc.values()
                    if isinstance(v, dict) and v.get("exception_message")
                ),
                "",
            )
            rows.append(
                {
                    **base,
                    "severity": "error",
                    "value_as_written": _fmt(text),
                    "message": f"检查无法执行：{emeta.get('message_zh', '')} / "
                    f"the check could not run: {emeta.get('message_en', '')}",
                }
            )
            continue
        details = res.result or {}
        index_list = details.get("unexpected_index_list")
        if index_list is None:  # table-level expectation: one finding for the table
            observed = details.get("observed_value")
            if cfg.type == "expect_table_columns_to_match_set":
                missing = [c for c in cfg.kwargs["column_set"] if c not in df.columns]
                base["column_name"] = ",".join(missing) or None
                observed = "缺少 / missing: " + ", ".join(missing)
            rows.append({**base, "value_as_written": _fmt(observed), "message": _message(emeta)})
            continue
        columns = meta.get("value_columns") or _columns_of(cfg.type, cfg.kwargs)
        label_column = meta.get("column_name_from")
        for item in index_list[:max_findings]:
            pos = int(item[ROW_COLUMN])
            record = df.iloc[pos]
            if len(columns) == 1:
                value = _fmt(record[columns[0]])
            else:
                value = "; ".join(f"{c}={_fmt(record[c])}" for c in columns)
            if label_column in df.columns:
                base["column_name"] = _fmt(record[label_column])
            row_year = record[year_column] if year_column in df.columns else year
            carrier = _fmt(record["carrier_id"]) if "carrier_id" in df.columns else None
            rows.append(
                {
                    **base,
                    "assessment_year": None if _fmt(row_year) is None else int(row_year),
                    "source_file": _fmt(item.get("_source_file")),
                    "sheet": _fmt(item.get("_sheet")),
                    "source_row": None
                    if _fmt(item.get("_source_row")) is None
                    else int(item["_source_row"]),
                    "carrier_id": carrier,
                    "value_as_written": value,
                    "message": _message(emeta),
                }
            )
        failing = int(details.get("unexpected_count") or len(index_list))
        failing = max(failing, int((failing_counts or {}).get(base["check_name"], 0)))
        hidden = failing - min(len(index_list), max_findings)
        if hidden > 0:
            rows.append(
                {
                    **base,
                    "value_as_written": f"另有{hidden}行 / {hidden} more rows",
                    "message": _message(
                        emeta,
                        f"（另有{hidden}行同类问题未逐行列出）",
                        f" ({hidden} more rows not listed one by one)",
                    ),
                }
            )
    if not rows:
        return _empty_findings()
    return pl.DataFrame(rows, schema=FINDING_SCHEMA)


# --------------------------------------------------------------------------------------------
# Result of an audit


@dataclass(frozen=True)
class AuditResult:
    """Findings of one audit step and whether they stop publishing."""

    findings: pl.DataFrame

    @property
    def error_count(self) -> int:
        return self.findings.filter(pl.col("severity") == "error").height

    @property
    def warning_count(self) -> int:
        return self.findings.filter(pl.col("severity") == "warning").height

    @property
    def blocks_publishing(self) -> bool:
        return self.error_count > 0

    def one_line(self) -> str:
        """The step's progress line: counts, and whether publishing is blocked."""
        verdict = "阻止发布 / blocks publishing" if self.blocks_publishing else "通过 / passed"
        return (
            f"检查发现错误 {self.error_count} 条、警告 {self.warning_count} 条（不含拒收行） / "
            f"checks: {self.error_count} errors, {self.warning_count} warnings "
            f"(rejected rows aside): {verdict}"
        )

    @classmethod
    def combine(cls, *results: AuditResult) -> AuditResult:
        frames = [r.findings for r in results]
        return cls(pl.concat(frames) if frames else _empty_findings())


def _structural_finding(
    suite_name: str, dataset: str, year: int, check: str, zh: str, en: str, value: str | None
) -> pl.DataFrame:
    """A finding for a table that could not be checked at all (missing, unreadable): an error."""
    return pl.DataFrame(
        [
            {
                "assessment_year": year,
                "dataset": dataset,
                "source_file": None,
                "sheet": None,
                "source_row": None,
                "carrier_id": None,
                "column_name": None,
                "check_name": f"{suite_name}.{check}",
                "severity": "error",
                "value_as_written": _fmt(value),
                "message": f"{zh} / {en}",
            }
        ],
        schema=FINDING_SCHEMA,
    )


# --------------------------------------------------------------------------------------------
# The hand-over: frames read (no GX) -> findings (GX)


@dataclass(frozen=True)
class SuiteFrame:
    """One suite and what was read for it: the frame to validate (with the exact failing counts
    when DuckDB narrowed the rows), or the error finding saying the table could not be read."""

    suite: SuiteDoc
    frame: pl.DataFrame | pd.DataFrame | pa.Table | None = None
    failing_counts: dict[str, int] | None = None
    finding: pl.DataFrame | None = None


@dataclass(frozen=True)
class AuditFrames:
    """What one audit request hands to the validating side (picklable: the worker's request)."""

    year: int
    max_findings: int
    suites: list[SuiteFrame]


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
    return AuditResult(pl.concat(parts) if parts else _empty_findings())


# --------------------------------------------------------------------------------------------
# The warehouse checks (before scoring)


def _q(identifier: str) -> str:
    """A quoted SQL identifier; values never go into SQL text, only parameters."""
    return '"' + identifier.replace('"', '""') + '"'


def _relation(table: str) -> str:
    return ".".join(_q(part) for part in table.split("."))


DERIVED_COLUMNS: dict[str, dict[str, str]] = {
    "stg_tenants": {
        "carrier_exists": (
            "exists (select 1 from staging.stg_carriers as c "
            "where c.carrier_id = t.carrier_id and c._assessment_year = t._assessment_year)"
        ),
    },
}
"""Columns computed in DuckDB next to a table's own, for checks that need another table."""

RECONCILIATION_SQL = """
with indicators as (
    select carrier_id, financing_total_wan, patent_grant_count, invention_grant_count,
        graduation_count, first_high_tech_count, tenant_set_count, talents_sum
    from marts.carrier_year_indicators
    where assessment_year = $year
),
events as (
    select
        attributed_carrier_id as carrier_id,
        sum(amount_wan) filter (where event_kind = 'financing') as financing,
        count(*) filter (where event_kind = 'patent_grant') as patents,
        count(*) filter (where event_kind = 'patent_grant' and patent_type = 'invention')
            as inventions,
        count(*) filter (where event_kind = 'graduation') as graduations,
        count(distinct uscc) filter (
            where event_kind = 'high_tech_certificate' and is_first_certificate
        ) as first_certificates
    from marts.attributed_events
    where event_year = $year and attributed_carrier_id is not null
    group by attributed_carrier_id
),
tenant_facts as (
    select
        carrier_id,
        count(*) filter (where is_in_tenant_set) as tenant_set,
        sum(talents) filter (where is_in_tenant_set) as talents
    from marts.tenant_year_facts
    where assessment_year = $year
    group by carrier_id
),
joined as (
    select indicators.*, events.* exclude (carrier_id), tenant_facts.* exclude (carrier_id)
    from indicators
    left join events on events.carrier_id = indicators.carrier_id
    left join tenant_facts on tenant_facts.carrier_id = indicators.carrier_id
),
pairs as (
    select carrier_id, 'financing_total_wan' as measure,
        coalesce(financing, 0) as expected, coalesce(financing_total_wan, 0) as actual
    from joined
    union all
    select carrier_id, 'patent_grant_count', coalesce(patents, 0), coalesce(patent_grant_count, 0)
    from joined
    union all
    select carrier_id, 'invention_grant_count', coalesce(inventions, 0),
        coalesce(invention_grant_count, 0)
    from joined
    union all
    select carrier_id, 'graduation_count', coalesce(graduations, 0),
        coalesce(graduation_count, 0)
    from joined
    union all
    select carrier_id, 'first_high_tech_count', coalesce(first_certificates, 0),
        coalesce(first_high_tech_count, 0)
    from joined
    union all
    select carrier_id, 'tenant_set_count', coalesce(tenant_set, 0), coalesce(tenant_set_count, 0)
    from joined
    union all
    select carrier_id, 'talents_sum', coalesce(talents, 0), coalesce(talents_sum, 0)
    from joined
    union all
    select null, 'tenant_rows_vs_staging',
        (select count(*) from (
            select distinct carrier_id, uscc from staging.stg_tenants where _assessment_year = $year
        )),
        (select count(*) from marts.tenant_year_facts where assessment_year = $year)
)
select
    cast($year as integer) as assessment_year,
    carrier_id,
    measure,
    cast(expected as double) as expected,
    cast(actual as double) as actual,
    cast(actual as double) - cast(expected as double) as difference
from pairs
order by measure, carrier_id
"""
"""Indicator totals against the events and facts behind them, computed in DuckDB; GX decides.

`expected` comes from the detail (attributed events, tenant facts, staging), `actual` from
`carrier_year_indicators`; a difference beyond half a unit of the 4th decimal is an error.
"""

COMPUTED_FRAMES: dict[str, str] = {"marts_reconciliation": RECONCILIATION_SQL}


def raw_suites() -> list[str]:
    """The raw suites: final once ingest commits, so they can run while dbt builds."""
    return [f"raw_{d}" for d in DATASET_ORDER]


def model_suites() -> list[str]:
    """The suites on what dbt builds, in the order they run: staging, then marts."""
    stg = [f"stg_{d}" for d in DATASET_ORDER]
    marts = [
        "carrier_year_indicators",
        "tenant_year_facts",
        "attributed_events",
        "subsidy_claims",
        "marts_reconciliation",
    ]
    return stg + marts


def warehouse_suites() -> list[str]:
    """The pre-scoring suites in the order they run: raw, staging, marts."""
    return raw_suites() + model_suites()


RESULT_SUITES = ("carrier_scores", "score_details", "rectifications", "rewards")


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str] | None:
    schema, name = table.split(".", 1)
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows] or None


def _resolve(value: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return params[value["$PARAMETER"]]
    return value


def _sql_value(value: Any) -> Any:
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime().date()
    return value


@dataclass(frozen=True)
class Narrowing:
    """The DuckDB side of a pre-narrowed check: candidate rows, and exact counts per check."""

    sql: str
    params: dict[str, Any]
    counts_sql: str
    checks: tuple[str, ...]


def prefilter_sql(
    suite: SuiteDoc,
    relation: str,
    year_column: str,
    columns: list[str],
    derived: Mapping[str, str],
    year: int,
    cap: int | None = None,
) -> Narrowing | None:
    """SQL selecting every row that could fail a row-level expectation of the suite (a superset).

    With `cap`, each exact predicate keeps at most cap + 1 rows (ordered by source row, or by
    key for uniqueness, so duplicate groups stay whole): a national table where every row fails
    must not send millions of rows through GX only to list 1,000; the exact count per check
    comes from `counts_sql` and feeds the summary row. Untranslated checks are never capped.

    None when the suite cannot be narrowed (a table-level expectation, `mostly`, a column the
    table lacks): then the table goes to GX whole. Untranslated row-level types select every
    row, so the narrowing never misses one.
    """
    params: dict[str, Any] = {"year": year}
    gx_params = _parameters(year)
    windows: list[str] = []
    predicates: list[str] = []
    checks: list[str] = []
    orders: list[str | None] = []

    def bind(value: Any) -> str:
        key = f"p{len(params)}"
        params[key] = _sql_value(value)
        return f"${key}"

    available = set(columns) | set(derived)
    for exp in suite["expectations"]:
        exp_type, kw = exp["type"], exp["kwargs"]
        before = len(predicates)
        order: str | None = "__rid"
        if exp_type.startswith(_TABLE_LEVEL_PREFIX) or kw.get("mostly") not in (None, 1, 1.0):
            return None
        if not set(_columns_of(exp_type, kw)) <= available:
            return None  # GX reports the missing column as a check that could not run
        if exp_type == "expect_column_values_to_not_be_null":
            predicates.append(f"{_q(kw['column'])} is null")
        elif exp_type == "expect_column_values_to_be_in_set":
            col = _q(kw["column"])
            values = [str(v).lower() if isinstance(v, bool) else str(v) for v in kw["value_set"]]
            listed = ", ".join(bind(v) for v in values) or "null"
            predicates.append(f"({col} is not null and cast({col} as varchar) not in ({listed}))")
        elif exp_type == "expect_column_values_to_be_between":
            col = _q(kw["column"])
            lo = _resolve(kw.get("min_value"), gx_params)
            hi = _resolve(kw.get("max_value"), gx_params)
            parts = []
            if lo is not None:
                op = ">" if kw.get("strict_min") else ">="
                parts.append(f"not ({col} {op} {bind(lo)})")
            if hi is not None:
                op = "<" if kw.get("strict_max") else "<="
                parts.append(f"not ({col} {op} {bind(hi)})")
            if parts:
                predicates.append(f"({col} is not null and ({' or '.join(parts)}))")
        elif exp_type == "expect_column_pair_values_a_to_be_greater_than_b":
            a, b = _q(kw["column_A"]), _q(kw["column_B"])
            op = ">=" if kw.get("or_equal") else ">"
            if kw.get("ignore_row_if") == "either_value_is_missing":
                predicates.append(f"({a} is not null and {b} is not null and not ({a} {op} {b}))")
            else:
                predicates.append(f"({a} is null or {b} is null or not ({a} {op} {b}))")
        elif exp_type in (
            "expect_column_values_to_be_unique",
            "expect_compound_columns_to_be_unique",
        ):
            cols = ", ".join(_q(c) for c in _columns_of(exp_type, kw))
            name = f"__w{len(windows)}"
            windows.append(f"count(*) over (partition by {cols}) as {name}")
            predicates.append(f"{name} > 1")
            order = f"{cols}, __rid"
        else:
            predicates.append("true")
            order = None
        if len(predicates) > before:
            checks.append(exp["meta"]["check_name"])
            orders.append(order)

    select_cols = [_q(c) for c in columns]
    derived_sql = [f"{expr} as {_q(name)}" for name, expr in derived.items()]
    out_cols = ", ".join(select_cols + [_q(n) for n in derived])
    window_sql = "".join(f", {w}" for w in windows)
    source_order = ", ".join(_q(c) for c in SOURCE_COLUMNS if c in columns)
    rid = f"row_number() over (order by {source_order})" if source_order else "row_number() over ()"
    head = (
        f"with base as materialized (select {', '.join(select_cols + derived_sql)}, "
        f"{rid} as __rid from {relation} as t where t.{_q(year_column)} = $year), "
        f"flagged as materialized (select *{window_sql} from base)"
    )
    if not predicates:
        picks = "select __rid from flagged where false"
    elif cap is None:
        picks = f"select __rid from flagged where {' or '.join(predicates)}"
    else:
        picks = " union ".join(
            f"(select __rid from flagged where {pred} order by {order} limit {int(cap) + 1})"
            if order
            else f"(select __rid from flagged where {pred})"
            for pred, order in zip(predicates, orders, strict=True)
        )
    sql = (
        f"{head}, picked as ({picks}) "
        f"select {out_cols} from flagged where __rid in (select __rid from picked) order by __rid"
    )
    counts = ", ".join(f"count(*) filter (where {pred})" for pred in predicates) or "count(*)"
    counts_sql = f"{head} select {counts} from flagged"
    return Narrowing(sql, params, counts_sql, tuple(checks))


def _read_frame(
    con: duckdb.DuckDBPyConnection,
    suite: SuiteDoc,
    year: int,
    available: list[str],
    full_read_max_rows: int,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> tuple[pa.Table, dict[str, int] | None]:
    """The rows and columns of the suite's table that GX needs for the year, and, when the
    rows were narrowed in DuckDB, the exact failing-row count per check."""
    meta = suite["meta"]
    table = meta["table"]
    year_column = meta["year_column"]
    relation = _relation(table)
    if meta.get("read") == "head":
        # Only table-level checks (column set, non-empty): one row answers both.
        sql = f"select * from {relation} where {_q(year_column)} = $year limit 1"
        return _fetch(con, sql, {"year": year}), None
    wanted = [year_column, *SOURCE_COLUMNS, "carrier_id", *suite_columns(suite)]
    derived = DERIVED_COLUMNS.get(suite["name"], {})
    columns = [c for c in dict.fromkeys(wanted) if c in available]
    count = con.execute(
        f"select count(*) from {relation} where {_q(year_column)} = $year", {"year": year}
    ).fetchall()[0][0]
    narrowed = None
    if count > full_read_max_rows:
        narrowed = prefilter_sql(
            suite, relation, year_column, columns, derived, year, cap=max_findings
        )
    if narrowed is not None:
        counts = con.execute(narrowed.counts_sql, narrowed.params).fetchall()[0]
        values = (int(c) for c in counts[: len(narrowed.checks)])
        failing = dict(zip(narrowed.checks, values, strict=True))
        return _fetch(con, narrowed.sql, narrowed.params), failing
    derived_sql = "".join(f", {expr} as {_q(name)}" for name, expr in derived.items())
    sql = (
        f"select {', '.join(f't.{_q(c)}' for c in columns)}{derived_sql} from {relation} as t "
        f"where t.{_q(year_column)} = $year"
    )
    return _fetch(con, sql, {"year": year}), None


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any]) -> pa.Table:
    """A query's rows as Arrow: the main process never imports pandas (~0.2 s); the worker
    turns them into the frame GX validates (`_to_pandas`). DuckDB 2 wants no unfinished result
    on the connection here: the one-row queries before it fetch all their rows."""
    return con.sql(sql, params=dict(params)).to_arrow_table()


def read_suite(
    con: duckdb.DuckDBPyConnection,
    suite: SuiteDoc,
    year: int,
    *,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> SuiteFrame:
    """What one warehouse suite needs, read from DuckDB (no GX).

    A table that is missing or cannot be read is itself an error finding (the run must stop,
    not skip the check).
    """
    import duckdb

    name = suite["name"]
    meta = suite["meta"]
    dataset = meta.get("dataset") or name
    try:
        if name in COMPUTED_FRAMES:
            return SuiteFrame(suite, _fetch(con, COMPUTED_FRAMES[name], {"year": year}))
        available = _table_columns(con, meta["table"])
        if available is None:
            finding = _structural_finding(
                name,
                dataset,
                year,
                "table_missing",
                f"表{meta['table']}不存在，无法检查",
                f"table {meta['table']} does not exist, so it cannot be checked",
                meta["table"],
            )
            return SuiteFrame(suite, finding=finding)
        frame, failing = _read_frame(con, suite, year, available, full_read_max_rows, max_findings)
        return SuiteFrame(suite, frame, failing)
    except duckdb.Error as exc:
        finding = _structural_finding(
            name,
            dataset,
            year,
            "unreadable",
            f"{meta['table']}无法读取，检查未执行",
            f"{meta['table']} could not be read, so the check did not run",
            str(exc).splitlines()[0],
        )
        return SuiteFrame(suite, finding=finding)


def read_warehouse(
    con: duckdb.DuckDBPyConnection,
    year: int,
    *,
    suites: list[str] | None = None,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditFrames:
    """The frames of the warehouse suites (default: all, raw, staging, marts) for the year."""
    reads = [
        read_suite(
            con,
            load_suite_doc(name),
            year,
            full_read_max_rows=full_read_max_rows,
            max_findings=max_findings,
        )
        for name in suites or warehouse_suites()
    ]
    return AuditFrames(year, max_findings, reads)


def audit_warehouse(
    con: duckdb.DuckDBPyConnection,
    year: int,
    *,
    suites: list[str] | None = None,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditResult:
    """Check raw, staging and marts for the year before scoring; errors block publishing.

    `read_warehouse` then `validate_frames`, in this process (the batch splits them between
    its two processes, `AuditWorker`).
    """
    frames = read_warehouse(
        con,
        year,
        suites=suites,
        full_read_max_rows=full_read_max_rows,
        max_findings=max_findings,
    )
    return validate_frames(frames)


# --------------------------------------------------------------------------------------------
# The result checks (after scoring, before publishing)


def read_results(
    frames: Mapping[str, pl.DataFrame],
    year: int,
    *,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditFrames:
    """The columns of the scoring result frames that the results suites look at (no GX).

    A missing result frame is an error: publishing half the results is worse than none.
    """
    reads: list[SuiteFrame] = []
    for name in RESULT_SUITES:
        suite = load_suite_doc(name)
        frame = frames.get(name)
        if frame is None:
            finding = _structural_finding(
                name,
                name,
                year,
                "table_missing",
                f"评分结果缺少{name}表",
                f"the scoring result lacks {name}",
                None,
            )
            reads.append(SuiteFrame(suite, finding=finding))
            continue
        wanted = ["assessment_year", "carrier_id", *suite_columns(suite)]
        cols = [c for c in dict.fromkeys(wanted) if c in frame.columns]
        reads.append(SuiteFrame(suite, frame.select(cols)))
    return AuditFrames(year, max_findings, reads)


def audit_results(
    frames: Mapping[str, pl.DataFrame],
    year: int,
    *,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditResult:
    """Check the scoring result frames (RESULT_SUITES) before publishing:
    `read_results` then `validate_frames`, in this process."""
    return validate_frames(read_results(frames, year, max_findings=max_findings))


def __getattr__(name: str) -> Any:
    """`audit.AuditWorker`, `audit.PendingAudit`: the worker moved to
    `orchestration.audit.audit_worker` (imported on first use: it imports this module)."""
    if name in ("AuditWorker", "PendingAudit"):
        from orchestration.audit import audit_worker

        return getattr(audit_worker, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
