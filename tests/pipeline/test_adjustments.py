"""The office's adjustments through the real batch (ingest, dbt, GX, scoring, publish) on the
sample district: the four kinds and three statuses, conservation with an excluded row, the
audit trail, run_changes of a real second publish, reruns that keep (or clear) the decisions,
and exit 2 with nothing published for a file that cannot be used."""

from __future__ import annotations

import hashlib

import duckdb
import openpyxl
import polars as pl
import pytest

from orchestration import score
from orchestration.errors import ExitCode
from orchestration.lock import DUCKDB_CONFIG
from orchestration.pipeline import office_file_names
from scoring.adjustments import reward_line_key
from scoring.engine import score_year
from scoring.rulebook import load_rulebook

pytestmark = pytest.mark.slow

HEADER = "编号,类型,对象,字段,新值,理由,批准人,批准日期,状态,来源"
OK = "王主任,2025-03-05,通过"


def query(district, sql: str, params=None) -> pl.DataFrame:
    with duckdb.connect(str(district.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


def targets(district) -> dict[str, object]:
    """Real targets of the published 2024: a D carrier, a paid reward line, a kept patents row,
    a carriers row."""
    scores = query(
        district,
        "select carrier_id, grade from results.carrier_scores where assessment_year = 2024 "
        "order by carrier_id",
    )
    d_carrier = scores.filter(pl.col("grade") == "D")["carrier_id"][0]
    other = scores.filter(pl.col("carrier_id") != d_carrier)["carrier_id"][0]
    line = (
        query(district, "select * from results.rewards where assessment_year = 2024")
        .filter(pl.col("amount") > 1)
        .with_columns(reward_line_key().alias("key"))
    )
    line = line.filter(pl.col("key").is_unique()).row(0, named=True)
    patent = query(
        district,
        "select _source_file, _sheet, _source_row from staging.stg_patents "
        "where _assessment_year = 2024 order by all limit 1",
    ).row(0)
    carrier_row = query(
        district,
        "select raw._source_file, raw._sheet, raw._source_row, raw.town, staged.carrier_id "
        "from staging.stg_carriers as staged join raw.carriers as raw "
        "using (_assessment_year, _source_file, _sheet, _source_row) "
        "where _assessment_year = 2024 and staged.town <> '樊川镇' order by all limit 1",
    ).row(0)
    return {
        "d_carrier": d_carrier,
        "other": other,
        "line": line,
        "patent": patent,
        "carrier_row": carrier_row,
    }


def write_file(district, name: str, lines: list[str]):
    path = district.root / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_adjustments_applied_recorded_kept_on_rerun_and_cleared(district):
    t = targets(district)
    before_counts = query(
        district, "select * from results.dataset_counts where assessment_year = 2024"
    )
    before_run = query(
        district,
        "select run_id from results.runs where assessment_year = 2024 and status = 'published'",
    )["run_id"][0]
    pfile, psheet, prow = t["patent"]
    cfile, csheet, crow, old_town, c_carrier = t["carrier_row"]
    line = t["line"]
    path = write_file(
        district,
        "adj.csv",
        [
            f"G1,调整等级,{t['d_carrier']},,C,复核认定,{OK},申诉",
            f"R1,调整奖补金额,{line['key']},,1.5,重复申领,{OK},复核",
            f"X1,剔除数据行,patents|{pfile}|{psheet}|{prow},,,专利权属存疑,{OK},复核",
            f"V1,更正数据,carriers|{cfile}|{csheet}|{crow},所属镇,樊川镇,载体迁址,{OK},复核",
            f"P1,调整等级,{t['other']},,A,申诉称数据被误读,,,待定,申诉",
            f"J1,调整等级,{t['other']},,A,申诉不成立,,,驳回,申诉",
        ],
    )
    outcome = district.run(2024, adjustments=path)
    assert outcome.code == ExitCode.OK, outcome.message
    assert "沿用" not in outcome.message

    adj = query(district, "select * from results.adjustments where assessment_year = 2024")
    rows = {r["adjustment_id"]: r for r in adj.to_dicts()}
    assert [r["adjustment_id"] for r in adj.to_dicts()] == ["G1", "R1", "X1", "V1", "P1", "J1"]
    assert {k: r["applied"] for k, r in rows.items()} == {
        "G1": True, "R1": True, "X1": True, "V1": True, "P1": False, "J1": False,
    }  # fmt: skip
    assert (rows["G1"]["old_value"], rows["G1"]["new_value"]) == ("D", "C")
    assert (rows["V1"]["old_value"], rows["V1"]["new_value"]) == (old_town, "樊川镇")
    assert rows["P1"]["effect_zh"].startswith("待定") and rows["J1"]["effect_zh"].startswith(
        "已驳回"
    )
    assert all(r["effect_zh"] and r["run_id"] == outcome.run_id for r in rows.values())

    # set_grade: the grade only, marked; actions follow the adjusted grade
    scores = query(district, "select * from results.carrier_scores where assessment_year = 2024")
    graded = scores.filter(pl.col("carrier_id") == t["d_carrier"]).row(0, named=True)
    assert graded["grade"] == "C" and "G1" in graded["adjustment_ids"]
    actions = query(district, "select * from results.carrier_actions where assessment_year = 2024")
    followed = actions.filter(pl.col("carrier_id") == t["d_carrier"])  # e.g. government-run C
    assert followed.is_empty() or followed["grade_history"][0].endswith("2024:C")
    # set_reward: amount replaced, before-cap and cap kept
    rewards = query(
        district, "select * from results.rewards where assessment_year = 2024"
    ).with_columns(reward_line_key().alias("key"))
    paid = rewards.filter(pl.col("key") == line["key"]).row(0, named=True)
    assert float(paid["amount"]) == 1.5 and paid["adjustment_ids"] == "R1"
    assert (paid["amount_before_cap"], paid["cap"]) == (line["amount_before_cap"], line["cap"])
    # set_value: cleaned as if handed in so; raw keeps what was handed in
    town = query(
        district,
        "select town from marts.carrier_year_indicators where assessment_year = 2024 "
        "and carrier_id = ?",
        [c_carrier],
    )["town"][0]
    assert town == "樊川镇"
    raw_town = query(
        district,
        "select town from raw.carriers where _assessment_year = 2024 and _source_file = ? "
        "and _source_row = ?",
        [cfile, crow],
    )["town"][0]
    assert raw_town == old_town
    # exclude_row: a warning naming the id and reason; counts conserved, the row rejected
    dq = query(
        district,
        "select * from results.dq_issues where assessment_year = 2024 "
        "and check_name = 'adjusted_exclude'",
    )
    assert dq.height == 1 and dq["severity"][0] == "warning"
    assert "X1" in dq["message"][0] and "专利权属存疑" in dq["message"][0]
    assert (dq["source_file"][0], dq["source_row"][0]) == (pfile, prow)
    counts = query(district, "select * from results.dataset_counts where assessment_year = 2024")
    key = (pl.col("dataset") == "patents") & (pl.col("source_file") == pfile)
    now, was = counts.filter(key).row(0, named=True), before_counts.filter(key).row(0, named=True)
    assert now["rows_read"] == was["rows_read"]
    assert now["rows_rejected"] == was["rows_rejected"] + 1
    assert now["rows_read"] == now["rows_kept"] + now["rows_rejected"] + now["rows_duplicate"]
    # the run records the file
    runs = query(district, "select * from results.runs where run_id = ?", [outcome.run_id])
    assert runs["adjustments_sha256"][0] == hashlib.sha256(path.read_bytes()).hexdigest()
    # run_changes of this second publish, against the previous one
    changes = query(district, "select * from results.run_changes where assessment_year = 2024")
    assert set(changes["previous_run_id"]) == {before_run}
    assert changes["run_id"].unique().to_list() == [outcome.run_id]
    grade = changes.filter(
        (pl.col("table_name") == "carrier_scores")
        & (pl.col("row_key") == t["d_carrier"])
        & (pl.col("column_name") == "grade")
    )
    assert grade.select("change", "old_value", "new_value").row(0) == ("changed", "D", "C")
    amount = changes.filter(
        (pl.col("row_key") == line["key"]) & (pl.col("column_name") == "amount")
    )
    assert amount["table_name"][0] == "rewards" and float(amount["new_value"][0]) == 1.5
    # the office files: both sheets and sections, pending appeals first, the marks
    folder = district.out / "2024"
    names = office_file_names(2024)
    wb = openpyxl.load_workbook(folder / names["workbook"])
    sheet = wb["调整与申诉"]
    assert [sheet.cell(r, 1).value for r in range(2, 8)] == ["P1", "G1", "R1", "X1", "V1", "J1"]
    assert wb["与上次发布相比的变化"].max_row >= 1 + changes.height
    scores_ws = wb["载体评分"]
    marked = [c for row in scores_ws.iter_rows(min_row=2) for c in row if c.comment is not None]
    assert [c.value for c in marked] == ["C"] and "G1" in marked[0].comment.text
    html = (folder / names["report"]).read_text(encoding="utf-8")
    assert 'id="adjustments"' in html and 'id="changes"' in html
    assert "※按调整 G1" in html and "※按调整 R1" in html
    assert (folder / "adjustments.parquet").is_file() and (folder / "run_changes.parquet").is_file()

    # a rerun without the file applies the stored decisions again and changes nothing
    again = district.run(2024)
    assert again.code == ExitCode.OK, again.message
    assert "沿用上次发布时的 6 条调整" in again.message
    assert query(
        district, "select * from results.run_changes where assessment_year = 2024"
    ).is_empty()
    kept = query(district, "select * from results.adjustments where assessment_year = 2024")
    assert kept.drop("run_id").equals(adj.drop("run_id"))
    sha = query(district, "select adjustments_sha256 from results.runs where run_id = ?",
                [again.run_id])["adjustments_sha256"][0]  # fmt: skip
    assert sha == runs["adjustments_sha256"][0]

    # a run of 2023 re-derives 2024, which applies the decisions it was published with again:
    # the audit trail survives, its runs row names the same file
    earlier = district.run(2023)
    assert earlier.code == ExitCode.OK, earlier.message
    rederived_run = query(
        district,
        "select run_id, adjustments_sha256 from results.runs where assessment_year = 2024 "
        "and trigger = 'rederive' and triggered_by = ?",
        [earlier.run_id],
    )
    assert rederived_run["adjustments_sha256"].to_list() == [runs["adjustments_sha256"][0]]
    survived = query(district, "select * from results.adjustments where assessment_year = 2024")
    assert survived["run_id"].to_list() == rederived_run["run_id"].to_list() * 6
    assert survived.drop("run_id").equals(adj.drop("run_id"))
    assert query(
        district,
        "select grade from results.carrier_scores where assessment_year = 2024 and carrier_id = ?",
        [t["d_carrier"]],
    )["grade"].to_list() == ["C"]
    # and scoring 2024 from the warehouse as a re-derivation does gives the same
    with duckdb.connect(str(district.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        rederived = score_year(load_rulebook(2024), 2024, score.load_inputs(con, 2024))
    again_rows = rederived["adjustments"].drop("assessment_year")
    assert again_rows.equals(adj.drop("assessment_year", "run_id").select(again_rows.columns))
    graded = rederived["carrier_scores"].filter(pl.col("carrier_id") == t["d_carrier"])
    assert graded["grade"][0] == "C"

    # a file with headers and no rows clears the year's decisions
    cleared = district.run(2024, adjustments=write_file(district, "none.csv", []))
    assert cleared.code == ExitCode.OK, cleared.message
    assert query(
        district, "select * from results.adjustments where assessment_year = 2024"
    ).is_empty()
    back = query(
        district,
        "select grade, adjustment_ids from results.carrier_scores where assessment_year = 2024 "
        "and carrier_id = ?",
        [t["d_carrier"]],
    ).row(0)
    assert back == ("D", None)
    assert (
        query(
            district,
            "select count(*) as n from results.dq_issues where check_name = 'adjusted_exclude'",
        )["n"][0]
        == 0
    )


def test_a_file_that_cannot_be_used_exits_2_and_publishes_nothing(district):
    t = targets(district)
    before = district.published_state()
    cases = {
        "dup.csv": [f"A,调整等级,{t['d_carrier']},,C,理由,{OK},", f"A,调整等级,C001,,B,理由,{OK},"],
        "row.csv": [f"B,剔除数据行,patents|不存在.xlsx|专利|9,,,理由,{OK},"],
        "grade.csv": [f"C,调整等级,NO-SUCH-CARRIER,,A,理由,{OK},"],
        "reward.csv": [f"D,调整奖补金额,R01|nobody|C999,,1,理由,{OK},"],
    }
    expected = {
        "dup.csv": "编号 A 【编号】与第 2 行重复",
        "row.csv": "编号 B 【对象】patents|不存在.xlsx|专利|9",
        "grade.csv": "编号 C 【对象】NO-SUCH-CARRIER",
        "reward.csv": "编号 D 【对象】R01|nobody|C999",
    }
    for name, lines in cases.items():
        outcome = district.run(2024, adjustments=write_file(district, name, lines))
        assert outcome.code == ExitCode.USAGE, (name, outcome.message)
        assert expected[name] in outcome.message and "未发布" in outcome.message
    after = district.published_state()
    for table, frame in before["tables"].items():
        if table != "runs":
            assert frame.equals(after["tables"][table]), table
    assert before["out2024"] == after["out2024"] and before["copy"] == after["copy"]
    # the next run without a file is as if those never happened
    outcome = district.run(2024)
    assert outcome.code == ExitCode.OK and "沿用" not in outcome.message
