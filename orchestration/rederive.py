"""Years and history: the look-back a year was scored with, and re-deriving later years.

The contract's invariant: after any sequence of runs, every year's results equal those of
running each loaded year once, in year order, on a fresh warehouse. Two things keep it:

- **History basis.** A year is scored with the earlier years the warehouse holds; the years
  it holds and the ones missing between the earliest loaded year and the year are recorded in
  `runs.history_years` / `runs.history_gaps`, and each missing year is a `history_gap` warning.
- **Re-derivation.** A run of year Y that publishes also scores again every later published
  year, in year order, from the warehouse (the marts hold every loaded year once dbt has
  built) with the rulebook text that year was last published with, feeding each freshly scored
  year forward as the next one's grade history; all of them are published in the same
  transaction (`publish.publish_years`). Nothing is ingested or built again.

Reads the warehouse only; the pipeline decides when and publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from orchestration.config import RAW_SCHEMA, RESULTS_SCHEMA
from orchestration.lock import table_exists
from orchestration.runlog import RunRecord, new_run_id
from orchestration.score import DQ_COLUMNS

LOOK_BACK_RULES_ZH = "处置（连续年度等级）、首次认定和晋级奖补、清退考察期"
LOOK_BACK_RULES_EN = (
    "actions (grades of consecutive years), first-time and top-up rewards, clear-out windows"
)


@dataclass(frozen=True)
class HistoryBasis:
    """The earlier years present when a year is scored, and the ones missing."""

    year: int
    years: tuple[int, ...]
    gaps: tuple[int, ...]

    @property
    def is_first(self) -> bool:
        """No earlier year loaded: look-back rules saw no history (首个评价年度)."""
        return not self.years

    @property
    def years_text(self) -> str:
        return ",".join(str(y) for y in self.years)

    @property
    def gaps_text(self) -> str:
        return ",".join(str(y) for y in self.gaps)

    def apply(self, record: RunRecord) -> None:
        record.history_years = self.years_text
        record.history_gaps = self.gaps_text

    def note(self) -> str | None:
        """A short phrase for the closing line, or None when the look-back is complete."""
        if self.is_first:
            return (
                "首个评价年度，回溯规则无历史数据 / "
                "first assessed year: look-back rules saw no history"
            )
        if self.gaps:
            return f"缺少年度 / history gaps: {self.gaps_text}"
        return None


def loaded_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The assessment years the marts hold (every package loaded and built)."""
    rows = con.execute(
        "select distinct assessment_year from marts.carrier_year_indicators order by 1"
    ).fetchall()
    return [int(r[0]) for r in rows]


def history_basis(con: duckdb.DuckDBPyConnection, year: int) -> HistoryBasis:
    years = [y for y in loaded_years(con) if y < year]
    first = min(years) if years else year
    gaps = tuple(y for y in range(first, year) if y not in years)
    return HistoryBasis(year, tuple(years), gaps)


def history_findings(basis: HistoryBasis) -> pl.DataFrame:
    """One `history_gap` warning per missing year (dataset `''`), in the dq_issues shape."""
    rows = [
        {
            "dataset": "",
            "source_file": "",
            "sheet": "",
            "source_row": None,
            "column_name": "",
            "check_name": "history_gap",
            "severity": "warning",
            "value_as_written": str(gap),
            "message": (
                f"{gap} 年度的报送材料未载入：{basis.year} 年度的{LOOK_BACK_RULES_ZH}"
                f"看不到该年度 / the {gap} package is not loaded: the {basis.year} "
                f"{LOOK_BACK_RULES_EN} do not see that year"
            ),
        }
        for gap in basis.gaps
    ]
    schema = {k: t for k, t in DQ_COLUMNS.items() if k not in ("assessment_year", "carrier_id")}
    return pl.DataFrame(rows, schema=schema)


@dataclass(frozen=True)
class PublishedYear:
    """What the last published run of a later year says: enough to score it again."""

    year: int
    run_id: str
    out_dir: str | None
    reports_dir: str | None
    inputs_sha256: str | None
    rules_file: str | None
    rulebook_year: int | None
    rulebook_text: str | None


def later_published_years(con: duckdb.DuckDBPyConnection, year: int) -> list[PublishedYear]:
    """Every year after `year` with a published run: its last published run, in year order."""
    has_rulebooks = table_exists(con, RESULTS_SCHEMA, "run_rulebooks")
    rulebook_cols = (
        "rb.rulebook_year, rb.rulebook_text"
        if has_rulebooks
        else "cast(null as integer), cast(null as varchar)"
    )
    join = (
        f"left join {RESULTS_SCHEMA}.run_rulebooks as rb on rb.run_id = last.run_id"
        if has_rulebooks
        else ""
    )
    rows = con.execute(
        f"""
        with last as (
            select *, row_number() over (partition by assessment_year
                                         order by finished_at desc, run_id desc) as rn
            from {RESULTS_SCHEMA}.runs
            where status = 'published' and assessment_year > ?
        )
        select last.assessment_year, last.run_id, last.out_dir, last.reports_dir,
               last.inputs_sha256, last.rules_file, {rulebook_cols}
        from last {join}
        where last.rn = 1
        order by last.assessment_year
        """,
        [year],
    ).fetchall()
    return [PublishedYear(*row) for row in rows]


def unpublished_packages(
    con: duckdb.DuckDBPyConnection, published: list[PublishedYear]
) -> list[int]:
    """The later published years whose package in the warehouse is not the one published: a
    run of that year that ingested and then did not publish (e.g. blocked as the wrong year)
    replaced it. Re-deriving them would publish figures from a package nobody approved."""
    stale = []
    for item in published:
        rows = con.execute(
            f"""
            select count(*) from (select distinct _run_id from raw.carriers
                                  where _assessment_year = ?) as raw_runs
            where raw_runs._run_id not in (
                select run_id from {RESULTS_SCHEMA}.runs
                where assessment_year = ? and status = 'published'
                  and coalesce(trigger, 'run') = 'run'
            )
            """,
            [item.year, item.year],
        ).fetchone()[0]
        if rows:
            stale.append(item.year)
    return stale


def stored_rulebook(published: PublishedYear):  # -> scoring.rulebook.RulebookSource
    """The rulebook text the year was last published with. A run published before the text was
    stored: the file it names if still there, else the year's default."""
    from scoring.rulebook import rulebook_for_year, stored_rulebook

    if published.rulebook_text is not None:
        return stored_rulebook(
            published.rulebook_text,
            published.rulebook_year or published.year,
            f"stored:{published.run_id}",
        )
    rules_file = published.rules_file
    if rules_file and not rules_file.startswith("bundled:") and Path(rules_file).is_file():
        return rulebook_for_year(published.year, rules_file)
    return rulebook_for_year(published.year)


def rederive_record(published: PublishedYear, trigger: RunRecord, rulebook) -> RunRecord:
    """The `runs` row of a re-derived year: trigger `rederive`, triggered by the run."""
    return RunRecord(
        run_id=new_run_id(published.year),
        assessment_year=published.year,
        started_at=trigger.started_at,
        inputs_sha256=published.inputs_sha256 or "",
        rules_sha256=rulebook.sha256,
        code_version=trigger.code_version,
        reports_dir=published.reports_dir or "",
        rules_file=rulebook.origin,
        out_dir=published.out_dir or "",
        trigger="rederive",
        triggered_by=trigger.run_id,
        rulebook_year=rulebook.rulebook_year,
        rulebook_text=rulebook.text,
    )


def closing_note(rederived: list[int]) -> str | None:
    if not rederived:
        return None
    years = ", ".join(str(y) for y in rederived)
    return f"已重新推导 / re-derived {years}"


# --- the marts as of a year ------------------------------------------------------------------

AS_OF_TABLE = "control.as_of"
"""One row (`through_year`) while the marts are built as of a year; empty for every year.
The intermediate models read staging through `macros/as_of.sql`, which filters on it."""


def set_as_of(con: duckdb.DuckDBPyConnection, year: int | None) -> None:
    """Make the next build see the packages up to `year` only (None: every package)."""
    con.execute("create schema if not exists control")
    con.execute(f"create table if not exists {AS_OF_TABLE} (through_year integer)")
    con.execute(f"delete from {AS_OF_TABLE}")
    if year is not None:
        con.execute(f"insert into {AS_OF_TABLE} values (?)", [year])


def later_loaded_years(con: duckdb.DuckDBPyConnection, year: int) -> list[int]:
    """The years after `year` whose packages the warehouse holds (published or not)."""
    if not table_exists(con, RAW_SCHEMA, "carriers"):
        return []
    found = con.execute(
        "select distinct _assessment_year from raw.carriers where _assessment_year > ? order by 1",
        [year],
    ).fetchall()
    return [int(r[0]) for r in found]


def rebuild_as_of(warehouse: Path, year: int, *, last_loaded: int) -> None:
    """Build the intermediate layer and the marts again as of `year` (every package when it is
    the last loaded year), in this process. Staging is incremental: nothing is parsed again."""
    from orchestration import transform
    from orchestration.lock import connect

    with connect(warehouse) as con:
        set_as_of(con, None if year >= last_loaded else year)
    transform.build_models(warehouse, manifest=transform.load_or_parse_manifest(warehouse))
