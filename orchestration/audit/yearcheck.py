"""The wrong-year package check of the quality gate (`year_mismatch`).

The events of year Y are those dated in Y (contract, "Assessment year"). A package whose dated
events mostly fall in another year was almost certainly handed to the wrong `--year` (the 2024
folder run as 2023 would grade most carriers D): when fewer than half of its dated events fall
in Y and more than half in one other year X, the run is blocked with an error naming X and the
share. Reads the year's staging rows; a table not built yet counts as no events.
"""

from __future__ import annotations

import duckdb
import polars as pl

EVENT_DATES: dict[str, str] = {
    "patents": "grant_date",
    "high_tech": "issue_date",
    "graduations": "graduation_date",
    "financing": "financing_date",
    "awards": "award_date",
    "recognitions": "recognized_date",
}
"""The dated events of a package: dataset → the date that puts the event in a year."""


def event_years(con: duckdb.DuckDBPyConnection, year: int) -> dict[int, int]:
    """Dated events of the package of `year`, counted by the year of their date."""
    parts = [
        f"select year({column}) as y from staging.stg_{dataset} "
        f"where _assessment_year = $year and {column} is not null"
        for dataset, column in EVENT_DATES.items()
    ]
    sql = f"select y, count(*) from ({' union all '.join(parts)}) group by y order by y"
    try:
        rows = con.execute(sql, {"year": year}).fetchall()
    except duckdb.CatalogException:
        return {}
    return {int(y): int(n) for y, n in rows}


def mismatch(counts: dict[int, int], year: int) -> tuple[int, float] | None:
    """(X, share of X) when fewer than half of the events fall in `year` and more than half in
    one other year X; else None."""
    total = sum(counts.values())
    if not total or counts.get(year, 0) * 2 >= total:
        return None
    other, n = max(((y, c) for y, c in counts.items() if y != year), key=lambda t: (t[1], -t[0]))
    return (other, n / total) if n * 2 > total else None


def year_mismatch_findings(con: duckdb.DuckDBPyConnection, year: int):  # -> audit.AuditResult
    """The gate's finding (an error) when the package looks like another year's."""
    from orchestration.audit import FINDING_SCHEMA, AuditResult

    counts = event_years(con, year)
    found = mismatch(counts, year)
    rows = []
    if found is not None:
        other, share = found
        total = sum(counts.values())
        in_year = counts.get(year, 0)
        rows.append(
            {
                "assessment_year": year,
                "dataset": "",
                "source_file": "",
                "sheet": "",
                "source_row": None,
                "carrier_id": None,
                "column_name": "",
                "check_name": "year_mismatch",
                "severity": "error",
                "value_as_written": str(other),
                "message": (
                    f"报送材料中有日期的事件共 {total} 件，{share:.0%} 发生在 {other} 年，仅 "
                    f"{in_year} 件在 {year} 年：是否选错了年度或文件夹？ / "
                    f"{share:.0%} of the package's {total} dated events fall in "
                    f"{other} and only {in_year} in {year}: is this the {other} package?"
                ),
            }
        )
    return AuditResult(pl.DataFrame(rows, schema=FINDING_SCHEMA))
