"""Which carrier a data-quality finding belongs to, and one count of errors and warnings.

A rejected row names its carrier in its own `carrier_id` cell, and a carrier's file usually
names it too (`C031_青云科技企业孵化器.xlsx`, `financing_C031.csv`). The office sorts and sends
findings back by carrier, so every finding gets the carrier the row or, failing that, the file
names (a known carrier id of the year, as a whole token of the file name).

One count: the closing line, the workbook, the HTML and `results.dq_issues` count the same
rows the same way: errors are findings of severity error (rejected rows, and checks that
block publishing: a published year has none of those), warnings are kept rows or files to
review. `count_line` says so where it is shown.
"""

from __future__ import annotations

import duckdb
import polars as pl

from orchestration.config import RAW_SCHEMA
from orchestration.contract import datasets
from orchestration.lock import table_exists

COUNT_RULE_ZH = "错误＝被拒收的数据行及阻止发布的检查；警告＝已采用但需复核的数据"
COUNT_RULE_EN = "errors = rejected rows and blocking checks; warnings = used, to review"


ROW_FILTER_MAX = 5_000
"""A dataset's rows without a carrier up to which the raw rows are looked up by row number as
well (DuckDB then skips the other row groups of raw: national 0.7 s -> 0.05 s); more, and the
lookup scans the year's raw rows."""


def raw_row_carriers(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame:
    """(dataset, source_file, sheet, source_row, row_carrier_id) of the raw rows of `year` that
    a finding of `marts.data_quality_issues` without a carrier points at (`attribute_carriers`
    looks a row up for those alone), the carrier id as written, normalised as staging does
    (NFKC, trimmed, upper case). Not every raw row: 4.85 million at national scale; only the
    datasets such a finding names, and within one, the rows it names by number."""
    wanted: dict[str, list[int]] = {}
    for dataset, row in con.execute(
        "select distinct dataset, source_row from marts.data_quality_issues "
        "where assessment_year = ? and carrier_id is null and dataset is not null",
        [year],
    ).fetchall():
        wanted.setdefault(dataset, []).append(row)
    parts, params = [], []
    for name in datasets():
        rows = wanted.get(name)
        if rows is None or not table_exists(con, RAW_SCHEMA, name):
            continue
        by_number = ""
        if None not in rows and len(rows) <= ROW_FILTER_MAX:
            by_number = f"and r._source_row in ({', '.join('?' * len(rows))}) "
            params += [year, *rows, year]
        else:
            params += [year, year]
        parts.append(
            f"select {_sql_literal(name)} as dataset, _source_file as source_file, "
            "_sheet as sheet, cast(_source_row as bigint) as source_row, "
            f"carrier_id as row_carrier_id from raw.{_q(name)} as r "
            f"where _assessment_year = ? {by_number}"
            "and exists (select 1 from marts.data_quality_issues "
            "as d where d.assessment_year = ? and d.carrier_id is null "
            f"and d.dataset = {_sql_literal(name)} "
            "and d.source_file is not distinct from r._source_file "
            "and d.sheet is not distinct from r._sheet "
            "and d.source_row is not distinct from cast(r._source_row as bigint))"
        )
    schema = {
        "dataset": pl.String,
        "source_file": pl.String,
        "sheet": pl.String,
        "source_row": pl.Int64,
        "row_carrier_id": pl.String,
    }
    if not parts:
        return pl.DataFrame(schema=schema)
    query = " union all ".join(parts)
    frame = pl.from_arrow(con.sql(query, params=params).to_arrow_table())
    return frame.with_columns(
        pl.col("row_carrier_id").str.normalize("NFKC").str.strip_chars().str.to_uppercase()
    ).cast(schema)


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attribute_carriers(
    dq: pl.DataFrame, row_carriers: pl.DataFrame, known_ids: pl.Series
) -> pl.DataFrame:
    """`dq` with `carrier_id` filled where the row, else the file, names a known carrier."""
    keys = ["dataset", "source_file", "sheet", "source_row"]
    known = known_ids.cast(pl.String).unique().implode()
    by_row = row_carriers.filter(pl.col("row_carrier_id").is_in(known)).unique(keys, keep="first")
    files = (
        dq.select("source_file")
        .drop_nulls()
        .unique()
        .with_columns(
            pl.col("source_file").str.to_uppercase().str.extract_all(r"[0-9A-Z]+").alias("token")
        )
        .explode("token")
        .filter(pl.col("token").is_in(known))
        .unique("source_file", keep="first", maintain_order=True)
        .rename({"token": "file_carrier_id"})
    )
    return (
        dq.join(by_row, on=keys, how="left", nulls_equal=True)
        .join(files, on="source_file", how="left")
        .with_columns(
            pl.coalesce("carrier_id", "row_carrier_id", "file_carrier_id").alias("carrier_id")
        )
        .select(dq.columns)
    )


def counts(dq: pl.DataFrame) -> tuple[int, int]:
    """(errors, warnings) of the findings."""
    errors = dq.filter(pl.col("severity") == "error").height
    return errors, dq.height - errors


def count_line(dq: pl.DataFrame) -> str:
    """The one data-quality count, with its rule, for the closing line and the reports."""
    errors, warnings = counts(dq)
    return (
        f"数据质量：错误 {errors} 条，警告 {warnings} 条（{COUNT_RULE_ZH}） / data quality: "
        f"{errors} errors, {warnings} warnings ({COUNT_RULE_EN})"
    )


def collapse_warnings(dq: pl.DataFrame, max_rows_listed: int = 10) -> pl.DataFrame:
    """The findings as the office reads them: every error (and every `yoy_jump`) on its own
    line; repeated warnings of one check for one carrier in one file on one line with their
    count and rows (the rows themselves stay in `results.dq_issues`). Adds `finding_count`."""
    if dq.is_empty():
        return dq.with_columns(pl.lit(None, pl.UInt32).alias("finding_count"))
    keys = [k for k in ("carrier_id", "dataset", "source_file", "check_name") if k in dq.columns]
    # a yoy_jump warning is about one indicator of a carrier, not a repeated row: each stays
    single = (pl.col("severity") != "warning") | (pl.col("check_name") == "yoy_jump")
    errors = dq.filter(single).with_columns(pl.lit(1, pl.UInt32).alias("finding_count"))
    grouped = (
        dq.filter(~single)
        .with_row_index("__order")
        .group_by(keys, maintain_order=True)
        .agg(
            pl.all().exclude(keys).first(),
            pl.len().alias("finding_count"),
            pl.col("source_row").drop_nulls().sort().head(max_rows_listed).alias("__rows"),
        )
    )
    rows_text = pl.col("__rows").cast(pl.List(pl.String)).list.join("、")
    more = (
        pl.when(pl.col("finding_count") > max_rows_listed).then(pl.lit(" 等")).otherwise(pl.lit(""))
    )
    warnings = grouped.with_columns(
        pl.when(pl.col("finding_count") > 1)
        .then(
            pl.format(
                "同类警告 {} 条（行 {}{}），首条：{}",
                pl.col("finding_count"),
                rows_text,
                more,
                pl.col("message"),
            )
        )
        .otherwise(pl.col("message"))
        .alias("message"),
        pl.when(pl.col("finding_count") > 1)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("value_as_written"))
        .alias("value_as_written"),
    ).sort("__order")
    return pl.concat([errors, warnings.select(errors.columns)], how="vertical_relaxed")
