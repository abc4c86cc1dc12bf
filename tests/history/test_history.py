"""The issue's scenarios on the tiny three-year district, through the real batch: a base year
without a bundled rulebook, a gap, a late year that re-derives the later one, a wrong-year
package, folders with nothing to read, towns written with stray spaces or unknown."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from orchestration.cli import app
from tests.history.conftest import Place
from tests.history.package import package, write_package

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def late(tmp_path_factory) -> dict:
    """2022 (towns written loosely), then 2024 (2023 missing), then 2023 (late)."""
    root = tmp_path_factory.mktemp("late")
    reports = root / "reports"
    rows = package(2022)
    rows["carriers"][1]["town"] = "樊川 镇"  # a stray space: the same town
    rows["carriers"][2]["town"] = "邵伯"  # an alias
    rows["tenants"][0]["attracted_by_town"] = "凡川镇"  # unknown: kept, closest 樊川镇
    write_package(reports, 2022, rows)
    write_package(reports, 2023)
    write_package(reports, 2024)
    place = Place(reports, root)
    outcomes = {}
    for step, year in enumerate((2022, 2024, 2023)):
        outcomes[step] = place.run(year)
        assert outcomes[step].code == 0, outcomes[step].message
        if step == 1:
            outcomes["gap_report"] = (place.out / "2024" / "report_2024.html").read_text()
            outcomes["gap_dq"] = place.query(
                "select * from results.dq_issues where assessment_year = 2024"
            )
            outcomes["out_2024_before"] = (place.out / "2024" / "current").resolve()
    return {"place": place, "outcomes": outcomes}


def test_a_base_year_gets_the_nearest_rulebook_and_says_it_is_the_first(late):
    place, first = late["place"], late["outcomes"][0]
    assert "沿用 2023 年度默认规则" in first.message and "首个评价年度" in first.message
    run = place.query(
        "select runs.rulebook_year, runs.history_years, runs.history_gaps, rb.rulebook_text "
        "from results.runs join results.run_rulebooks as rb using (run_id) "
        "where runs.assessment_year = 2022 and runs.status = 'published'"
    ).row(0, named=True)
    assert run["rulebook_year"] == 2023
    assert (run["history_years"], run["history_gaps"]) == ("", "")
    assert "assessment_year: 2022" in run["rulebook_text"]
    html = (place.out / "2022" / "report_2022.html").read_text()
    assert "沿用 2023 年度默认规则" in html and "首个评价年度" in html
    assert "history-banner" in html


def test_a_gap_is_recorded_warned_and_shown(late):
    second = late["outcomes"][1]
    assert "缺少年度 / history gaps: 2023" in second.message
    gaps = late["outcomes"]["gap_dq"].filter(pl.col("check_name") == "history_gap")
    assert gaps.height == 1
    gap = gaps.row(0, named=True)
    assert (gap["dataset"], gap["severity"]) == ("", "warning")
    assert "2023" in gap["message"] and "actions" in gap["message"]
    assert "history-banner" in late["outcomes"]["gap_report"]


def test_a_late_year_re_derives_the_later_one_in_the_same_publish(late):
    place, third = late["place"], late["outcomes"][2]
    assert "已重新推导 / re-derived 2024" in third.message
    runs = place.query(
        "select run_id, assessment_year, status, trigger, triggered_by, history_years, "
        "history_gaps, rulebook_year from results.runs order by started_at, assessment_year"
    )
    main = runs.filter(pl.col("run_id") == third.run_id).row(0, named=True)
    assert main["trigger"] == "run" and main["history_years"] == "2022"
    rederived = runs.filter(pl.col("trigger") == "rederive").row(0, named=True)
    assert rederived["assessment_year"] == 2024 and rederived["triggered_by"] == third.run_id
    assert rederived["status"] == "published"
    assert (rederived["history_years"], rederived["history_gaps"]) == ("2022,2023", "")
    dq_2024 = place.query("select * from results.dq_issues where assessment_year = 2024")
    assert dq_2024.filter(pl.col("check_name") == "history_gap").is_empty()
    # the out folder of 2024 was rewritten by the re-derivation
    now = (place.out / "2024" / "current").resolve()
    assert now != late["outcomes"]["out_2024_before"] and rederived["run_id"] in now.name
    scores = pl.read_parquet(place.out / "2024" / "carrier_scores.parquet")
    assert set(scores["run_id"]) == {rederived["run_id"]}
    in_file = (
        pl.read_parquet(place.out / "2024" / "runs.parquet")
        .filter(pl.col("run_id") == rederived["run_id"])
        .row(0, named=True)
    )
    assert (in_file["trigger"], in_file["status"]) == ("rederive", "published")
    assert in_file["triggered_by"] == third.run_id and in_file["schema_version"]
    html = (place.out / "2024" / "report_2024.html").read_text()
    assert "history-banner" not in html
    # 2024's actions now look back at 2023: C002 is D in 2022, 2023 and 2024
    actions = place.query(
        "select action from results.carrier_actions where assessment_year = 2024 "
        "and carrier_id = 'C002'"
    )
    assert actions["action"].to_list() == ["delist_review"]


def test_towns_are_mapped_and_an_unknown_one_is_warned(late):
    place = late["place"]
    towns = place.query(
        "select distinct town from marts.carrier_year_indicators where assessment_year = 2022"
    )["town"].to_list()
    assert sorted(towns) == sorted(["仙女镇", "樊川镇", "邵伯镇"])
    unknown = place.query(
        "select * from results.dq_issues where check_name = 'town_unknown'"
    ).to_dicts()
    assert len(unknown) == 1
    assert unknown[0]["value_as_written"] == "凡川镇" and "樊川镇" in unknown[0]["message"]
    assert unknown[0]["severity"] == "warning" and unknown[0]["column_name"] == "attracted_by_town"


def test_a_wrong_year_package_is_blocked_naming_the_year(tmp_path):
    reports = tmp_path / "reports"
    write_package(reports, 2024)
    place = Place(reports, tmp_path)
    outcome = place.run(2023, reports=reports / "2024")
    assert outcome.code == 5, outcome.message
    dq = pl.read_parquet(
        next((tmp_path / "out" / "2023" / "blocked").glob("*")) / "dq_issues.parquet"
    )
    found = dq.filter(pl.col("check_name") == "year_mismatch").row(0, named=True)
    assert found["severity"] == "error" and "2024" in found["message"]
    assert "67%" in found["message"]  # 2 of its 3 dated events (one is 2023's, reported again)


@pytest.mark.parametrize("layout", ["empty", "only_others", "a_file"])
def test_nothing_to_read_costs_nothing(tmp_path, layout):
    folder = tmp_path / "reports" / "2024"
    if layout == "a_file":
        folder.parent.mkdir(parents=True)
        folder.write_text("not a folder")
    else:
        folder.mkdir(parents=True)
    if layout == "only_others":
        (folder / "old").mkdir()
        (folder / "readme.txt").write_text("x")
        (folder / "notes.csv").write_text("a,b\n")
    place = Place(tmp_path / "reports", tmp_path)
    started = time.monotonic()
    outcome = place.run(2024)
    assert outcome.code == 3
    assert time.monotonic() - started < 3  # no dbt build
    assert not place.warehouse.exists()
    expected = {
        "empty": "the folder is empty",
        "only_others": "notes.csv, old/, readme.txt",
        "a_file": "is a file, not a folder",
    }[layout]
    assert expected in outcome.message


def test_a_missing_rulebook_says_how_to_get_one(tmp_path):
    write_package(tmp_path / "reports", 2024)
    outcome = Place(tmp_path / "reports", tmp_path).run(2024, rules=tmp_path / "none.yaml")
    assert outcome.code == 2
    assert "--rules FILE" in outcome.message and "carrier-assess rulebook" in outcome.message


@pytest.mark.parametrize(("year", "source"), [(2022, 2023), (2024, 2024), (2027, 2025)])
def test_the_rulebook_command_writes_the_default_a_run_would_use(tmp_path, year, source):
    from scoring.rulebook import rulebook_for_year

    out = tmp_path / f"rules_{year}.yaml"
    result = CliRunner().invoke(app, ["rulebook", "--year", str(year), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(source) in result.output
    written = rulebook_for_year(year, out)
    assert written.rulebook.assessment_year == year
    assert out.read_text(encoding="utf-8") == rulebook_for_year(year).text
    assert rulebook_for_year(year).rulebook_year == source
    assert Path(out).exists()


def test_a_later_year_whose_package_was_replaced_by_a_blocked_run_is_not_re_derived(late):
    """The 2024 package run as 2023 is blocked but replaced 2023's rows in the warehouse: a run
    of 2022 must not re-derive 2023 from them; it stops before changing anything."""
    place = late["place"]
    blocked = place.run(2023, reports=place.reports / "2024")
    assert blocked.code == 5, blocked.message
    before = place.results()
    refused = place.run(2022)
    assert refused.code == 3, refused.message
    assert "2023" in refused.message and "run 2023 again" in refused.message
    after = place.results()
    for name, frame in before.items():
        assert after[name].equals(frame), name
