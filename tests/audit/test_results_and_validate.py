"""Post-scoring checks, the finding cap, checks that cannot run, and the DuckDB pre-narrowing."""

from __future__ import annotations

import polars as pl
import pytest

from orchestration.audit import AuditResult, audit_results, audit_warehouse
from orchestration.audit.narrowing import prefilter_sql
from orchestration.audit.reading import DERIVED_COLUMNS
from orchestration.audit.suites import load_suite_doc, suite_columns
from orchestration.audit.validation import load_suite, validate

YEAR = 2024


def result_frames() -> dict[str, pl.DataFrame]:
    """Scoring output of two carriers that passes every result check."""
    return {
        "carrier_scores": pl.DataFrame(
            {
                "carrier_id": ["C001", "C002"],
                "carrier_name": ["甲孵化器", "乙众创空间"],
                "carrier_type": ["incubator", "maker_space"],
                "total_score": [105.0, 42.5],
                "grade": ["A", "D"],
                "rank_in_type": [1, 1],
                "veto_reason": [None, "未报送在孵企业数据"],
            }
        ),
        "score_details": pl.DataFrame(
            {
                "carrier_id": ["C001", "C001", "C002"],
                "indicator_code": ["S1", "S2", "S1"],
                "indicator_name_zh": ["投融资总额", "投融资企业占比", "投融资总额"],
                "dimension": ["service", "service", "service"],
                "raw_value": [2500.0, 0.1, None],
                "benchmark": [2000.0, 0.2, 300.0],
                "points_max": [10.0, 5.0, 10.0],
                "points": [10.0, 2.5, 0.0],
            }
        ),
        "rectifications": pl.DataFrame(
            {
                "carrier_id": ["C002", "C002"],
                "ordered_year": [2023, 2024],
                "grade_then": ["D", "D"],
                "status": ["missed", "open"],
                "next_action": ["transfer_operator", "review"],
            }
        ),
        "rewards": pl.DataFrame(
            {
                "rule_code": ["R09", "R10", "R03"],
                "payee_kind": ["operator", "enterprise", "operator"],
                "payee_name": ["甲运营", "某企业", "丙运营"],
                "carrier_id": ["C001", "C001", "C003"],
                "amount_before_cap": [12.0, 20.0, 40.0],
                "cap": [10.0, 20.0, None],
                "amount": [10.0, 20.0, 40.0],
            }
        ),
    }


def hits(result: AuditResult, check: str) -> pl.DataFrame:
    return result.findings.filter(pl.col("check_name") == check)


def test_clean_results_pass() -> None:
    result = audit_results(result_frames(), YEAR)
    assert result.findings.height == 0, result.findings
    assert not result.blocks_publishing
    assert result.one_line().endswith("通过 / passed")


@pytest.mark.parametrize(
    ("table", "column", "row", "value", "check"),
    [
        ("carrier_scores", "grade", 1, "E", "carrier_scores.grade.in_set"),
        ("carrier_scores", "total_score", 0, 105.01, "carrier_scores.total_score.range"),
        ("score_details", "points", 1, 5.5, "score_details.points_over_max"),
        ("rewards", "amount", 0, 12.0, "rewards.amount_over_cap"),
        ("rectifications", "status", 1, "closed", "rectifications.status.in_set"),
        ("rectifications", "next_action", 0, "delist", "rectifications.next_action.in_set"),
        ("carrier_scores", "carrier_type", 0, "孵化器", "carrier_scores.carrier_type.in_set"),
        ("score_details", "dimension", 2, "bonus points", "score_details.dimension.in_set"),
        ("rectifications", "ordered_year", 0, None, "rectifications.ordered_year.not_null"),
    ],
)
@pytest.mark.parametrize("full_read_max_rows", [200_000, 0], ids=["read-whole", "narrowed"])
def test_each_result_defect_blocks_publishing(
    table, column, row, value, check, full_read_max_rows
) -> None:
    """Read whole (a district's results) or narrowed in DuckDB to the rows that could fail
    (a national year's score_details): the same finding."""
    frames = result_frames()
    values = frames[table][column].to_list()
    values[row] = value
    frames[table] = frames[table].with_columns(pl.Series(column, values))
    result = audit_results(frames, YEAR, full_read_max_rows=full_read_max_rows)
    found = hits(result, check)
    assert found.height == 1, result.findings
    assert found["severity"][0] == "error"
    assert found["carrier_id"][0] == frames[table]["carrier_id"][row]
    assert found["assessment_year"][0] == YEAR
    assert result.blocks_publishing
    assert result.error_count == 1 and result.warning_count == 0
    assert result.one_line().startswith(
        "检查发现错误 1 条、警告 0 条（不含拒收行） / checks: 1 errors"
    )
    assert "blocks publishing" in result.one_line()


def test_a_missing_result_frame_blocks_publishing() -> None:
    frames = result_frames()
    del frames["rewards"]
    result = audit_results(frames, YEAR)
    assert result.findings["check_name"].to_list() == ["rewards.table_missing"]
    assert result.blocks_publishing


def test_a_check_that_cannot_run_is_an_error_not_a_pass() -> None:
    frames = result_frames()
    frames["score_details"] = frames["score_details"].drop("points_max")
    result = audit_results(frames, YEAR)
    found = result.findings.filter(pl.col("column_name").str.contains("points_max"))
    assert found.height >= 1
    assert set(found["severity"]) == {"error"}
    assert all(m.startswith("检查无法执行") for m in found["message"])


def test_findings_per_expectation_are_capped_with_a_summary_row() -> None:
    frame = pl.DataFrame(
        {
            "_source_file": ["a.xlsx"] * 7,
            "_sheet": ["载体信息"] * 7,
            "_source_row": list(range(3, 10)),
            "_row_id": [f"r{i}" for i in range(7)],
            "carrier_id": [None] * 6 + ["C7"],
        },
        schema_overrides={"carrier_id": pl.String},
    )
    suite = load_suite("stg_carriers")
    from orchestration.audit import validation  # noqa: F401  (GX is loaded lazily)

    only_not_null = suite.expectations[:0] + [
        e for e in suite.expectations if e.meta["check_name"] == "stg_carriers.carrier_id.not_null"
    ]
    suite.expectations = only_not_null
    found = validate(frame, suite, year=YEAR, max_findings=4)
    assert found["source_row"].to_list() == [3, 4, 5, 6, None]
    assert found["value_as_written"][4] == "另有2行 / 2 more rows"
    assert "2 more rows not listed" in found["message"][4]
    assert set(found["severity"]) == {"error"}


def _sorted(findings: pl.DataFrame) -> list[tuple]:
    return sorted(findings.rows(), key=lambda r: tuple("" if v is None else str(v) for v in r))


def test_pre_narrowing_in_duckdb_gives_the_same_findings(b, con) -> None:
    import datetime as dt

    n = 60
    carriers = b.staging_frame(
        "carriers",
        n,
        carrier_id=[f"C{i:03d}" for i in range(n - 1)] + ["C000"],
        carrier_type=["incubator"] * (n - 1) + ["spaceship"],
        incubation_area_m2=[0.0] + [500.0] * (n - 1),
        established_date=[dt.date(1985, 1, 1)] + [dt.date(2010, 1, 1)] * (n - 1),
        seed_fund_amount_wan=[None] * 10 + [-3.0] + [5.0] * (n - 11),
    )
    tenants = b.staging_frame(
        "tenants",
        n,
        carrier_id=["C404"] + ["C001"] * (n - 1),
        entry_date=[dt.date(2023, 1, 1)] * n,
        exit_date=[dt.date(2022, 1, 1)] + [None] * (n - 1),
        _row_id=["dup", "dup"] + [f"t{i}" for i in range(n - 2)],
    )
    b.put_table(con, "staging.stg_carriers", carriers)  # what stg_tenants' carrier_exists reads
    b.put_table(con, b.CARRIERS_TABLE, carriers)
    b.put_table(con, "staging.stg_tenants", tenants)
    suites = ["stg_carriers", "stg_tenants", "carrier_year_indicators"]
    whole = audit_warehouse(con, b.YEAR, suites=suites)
    narrowed = audit_warehouse(con, b.YEAR, suites=suites, full_read_max_rows=0)
    assert whole.findings.height >= 8
    assert _sorted(narrowed.findings) == _sorted(whole.findings)


def test_pre_narrowing_reads_only_rows_that_could_fail(b, con) -> None:
    b.put_table(con, "staging.stg_tenants", b.staging_frame("tenants", 50))
    suite = load_suite_doc("stg_tenants")
    derived = DERIVED_COLUMNS["stg_tenants"]
    columns = ["_assessment_year", *(c for c in suite_columns(suite) if c not in derived)]
    narrowing = prefilter_sql(
        suite, "staging.stg_tenants", "_assessment_year", columns, derived, b.YEAR, cap=3
    )
    sql, params = narrowing.sql, narrowing.params
    assert "91320500" not in sql  # values travel as parameters
    assert con.execute(sql, params).fetchall() == []
    con.execute("update staging.stg_tenants set revenue_wan = -1 where _source_row = 10")
    assert len(con.execute(sql, params).fetchall()) == 1
    # every row failing: the sample is capped at cap + 1, the count stays exact
    con.execute("update staging.stg_tenants set revenue_wan = -1")
    assert len(con.execute(sql, params).fetchall()) == 4
    row = con.execute(narrowing.counts_sql, params).fetchone()
    counts = dict(zip(narrowing.checks, row, strict=True))
    assert counts["stg_tenants.revenue_wan.non_negative"] == 50
    assert counts["stg_tenants.employees.non_negative"] == 0
    # a uniqueness check counts every row of a key held more than once (grouped, not windowed)
    assert counts["stg_tenants._row_id.unique"] == 0
    con.execute("update staging.stg_tenants set _row_id = 'same' where _source_row in (3, 4, 5)")
    con.execute("update staging.stg_tenants set _row_id = 'twice' where _source_row in (7, 8)")
    row = con.execute(narrowing.counts_sql, params).fetchone()
    counts = dict(zip(narrowing.checks, row, strict=True))
    assert counts["stg_tenants._row_id.unique"] == 5
    duplicated = con.execute(
        "select count(*) from (select *, count(*) over (partition by _row_id) as n "
        "from staging.stg_tenants where _assessment_year = ?) where n > 1",
        [b.YEAR],
    ).fetchone()[0]
    assert duplicated == 5  # what the window over the same rows counts
    assert " over (" not in narrowing.counts_sql  # no numbering, no window: a grouped count


def test_a_narrowed_table_without_failing_rows_is_not_read_twice(b, con, monkeypatch) -> None:
    """The exact counts come first; when no row fails any check, the candidate rows (a subset
    of the failing ones) are none, and are not looked for: the same columns, no rows."""
    from orchestration.audit import reading

    b.put_table(con, "staging.stg_carriers", b.staging_frame("carriers", 5))
    b.put_table(con, "staging.stg_tenants", b.staging_frame("tenants", 40))
    suite = load_suite_doc("stg_tenants")
    fetched: list[str] = []
    real_fetch = reading.fetch

    def fetch(con, sql, params):
        fetched.append(sql)
        return real_fetch(con, sql, params)

    monkeypatch.setattr(reading, "fetch", fetch)
    whole = reading.read_suite(con, suite, b.YEAR)
    clean = reading.read_suite(con, suite, b.YEAR, full_read_max_rows=0)
    assert clean.frame.num_rows == 0 and whole.frame.num_rows == 40
    assert clean.frame.column_names == whole.frame.column_names
    assert clean.failing_counts and not any(clean.failing_counts.values())
    assert fetched[-1].endswith(" limit 0")
    con.execute("update staging.stg_tenants set revenue_wan = -1 where _source_row = 10")
    failing = reading.read_suite(con, suite, b.YEAR, full_read_max_rows=0)
    assert failing.frame.num_rows == 1 and not fetched[-1].endswith(" limit 0")
    assert failing.failing_counts["stg_tenants.revenue_wan.non_negative"] == 1


@pytest.mark.parametrize("full_read_max_rows", [0, 200_000], ids=["narrowed", "whole"])
def test_capped_findings_are_the_same_rows_whatever_the_storage_order(
    b, con, full_read_max_rows
) -> None:
    """A mart's rows carry no source row (carrier_year_indicators): the rows a capped check
    lists must not depend on the order the table happens to store them in (national: a view
    instead of a table reordered them), whether the table was narrowed in DuckDB or read
    whole."""
    frame = b.staging_frame(
        "tenants",
        30,
        revenue_wan=[-1.0] * 30,
        carrier_id=[f"C{i:03d}" for i in range(30)],  # which rows were listed shows
        _source_file=[None] * 30,
        _sheet=[None] * 30,
        _source_row=[None] * 30,
    )

    def listed(rows: pl.DataFrame) -> list:
        b.put_table(con, "staging.stg_tenants", rows)
        result = audit_warehouse(
            con,
            b.YEAR,
            suites=["stg_tenants"],
            full_read_max_rows=full_read_max_rows,
            max_findings=5,
        )
        found = result.findings.filter(
            pl.col("check_name") == "stg_tenants.revenue_wan.non_negative"
        )
        return sorted(map(str, found.rows()))

    assert listed(frame) == listed(frame.reverse()) == listed(frame.sample(fraction=1.0, seed=7))


def test_capped_narrowing_keeps_gx_deciding_and_counts_exact(b, con) -> None:
    frame = b.staging_frame(
        "tenants",
        30,
        revenue_wan=[-1.0] * 30,
        _row_id=[f"g{i // 10}" for i in range(30)],  # three groups of ten duplicates
    )
    b.put_table(con, "staging.stg_tenants", frame)
    result = audit_warehouse(
        con, b.YEAR, suites=["stg_tenants"], full_read_max_rows=0, max_findings=5
    )
    negative = result.findings.filter(
        pl.col("check_name") == "stg_tenants.revenue_wan.non_negative"
    )
    assert negative["source_row"].to_list() == [3, 4, 5, 6, 7, None]
    assert negative["value_as_written"][5] == "另有25行 / 25 more rows"
    dup = result.findings.filter(pl.col("check_name") == "stg_tenants._row_id.unique")
    assert dup.height == 6 and dup["value_as_written"][5] == "另有25行 / 25 more rows"


def test_suites_that_cannot_be_narrowed_go_to_gx_whole() -> None:
    suite = load_suite_doc("raw_carriers")
    assert prefilter_sql(suite, "raw.carriers", "_assessment_year", [], {}, YEAR) is None
    suite = load_suite_doc("stg_awards")
    assert prefilter_sql(suite, "staging.stg_awards", "_assessment_year", [], {}, YEAR) is None
