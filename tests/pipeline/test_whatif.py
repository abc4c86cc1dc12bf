"""`carrier-assess whatif` on a real published district (dbt, DuckDB, GX built it)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from orchestration.score.compare import CARRIER_COLUMNS, REWARD_COLUMNS
from orchestration.whatif import run_whatif
from scoring.rulebook import RULEBOOK_DIR

pytestmark = pytest.mark.slow

YEAR = 2024


def changed_rulebook(path: Path) -> Path:
    """The default rulebook with a goalpost doubled, a band moved, an amount and a budget."""
    doc = yaml.safe_load((RULEBOOK_DIR / f"{YEAR}.yaml").read_text(encoding="utf-8"))
    for ctype, goal in doc["indicators"]["P1"]["goalposts"].items():
        doc["indicators"]["P1"]["goalposts"][ctype] = goal * 2
    doc["grading"]["bands"]["B"] = 75
    doc["rewards"]["R09"]["amount_each"] = 4
    doc["budget"] = {"total": None, "rules": {"R01": 100}}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published(district, table: str) -> pl.DataFrame:
    import duckdb

    from orchestration.lock import DUCKDB_CONFIG

    with duckdb.connect(str(district.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        return pl.from_arrow(
            con.sql(
                f"select * from results.{table} where assessment_year = {YEAR}"
            ).to_arrow_table()
        )


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    keep = [c for c in frame.columns if c not in ("run_id", "assessment_year")]
    return frame.select(keep).sort(keep, nulls_last=True)


def test_whatif_equals_a_real_run_under_the_same_rulebook(district, tmp_path):
    rules = changed_rulebook(tmp_path / "rules.yaml")
    warehouse_before = digest(district.warehouse)
    copy = district.warehouse.with_name("carriers.published.duckdb")
    copy_before = digest(copy)
    out_link = (district.out / str(YEAR)).resolve()
    old_scores = published(district, "carrier_scores")

    outcome = run_whatif(YEAR, rules, warehouse=district.warehouse, out=tmp_path / "wi")

    # nothing changed: no table, no run, no file of the year, not the read-only copy
    assert digest(district.warehouse) == warehouse_before
    assert digest(copy) == copy_before
    assert (district.out / str(YEAR)).resolve() == out_link
    names = {p.name for p in (tmp_path / "wi").iterdir()}
    assert names == {
        "whatif_2024.xlsx",
        "whatif_2024.html",
        "whatif_carrier_scores.parquet",
        "whatif_rewards.parquet",
    }
    carriers = pl.read_parquet(tmp_path / "wi" / "whatif_carrier_scores.parquet")
    rewards = pl.read_parquet(tmp_path / "wi" / "whatif_rewards.parquet")
    assert tuple(carriers.columns) == CARRIER_COLUMNS
    assert tuple(rewards.columns) == REWARD_COLUMNS
    old = dict(old_scores.select("carrier_id", "grade").iter_rows())
    assert dict(carriers.select("carrier_id", "grade_old").iter_rows()) == old
    moved = carriers.filter(pl.col("grade_old") != pl.col("grade_new"))
    assert moved.height > 0  # the change does something on the sample
    assert carriers.head(moved.height)["carrier_id"].to_list() == moved["carrier_id"].to_list()

    # the real batch under the same rulebook publishes what whatif computed
    outcome_run = district.run(YEAR, rules=rules)
    assert outcome_run.code == 0, outcome_run.message
    for table in ("carrier_scores", "rewards", "reward_budget"):
        assert canonical(outcome.scored[table]).equals(canonical(published(district, table))), table
    new = published(district, "carrier_scores")
    got = carriers.select(
        "carrier_id",
        pl.col("total_score_new").alias("total_score"),
        pl.col("grade_new").alias("grade"),
        pl.col("rank_in_type_new").alias("rank_in_type"),
    ).sort("carrier_id")
    want = new.select("carrier_id", "total_score", "grade", "rank_in_type").sort("carrier_id")
    assert got.equals(want)
    paid = (
        published(district, "rewards")
        .group_by("rule_code", "payee_uscc", "payee_name", "carrier_id")
        .agg(pl.col("amount").sum())
    )
    lines = rewards.filter(pl.col("amount_new").is_not_null())
    joined = lines.join(
        paid, on=["rule_code", "payee_uscc", "payee_name", "carrier_id"], nulls_equal=True
    )
    assert joined.height == lines.height == paid.height
    assert (joined["amount_new"] == joined["amount"]).all()
    r01 = published(district, "reward_budget").filter(pl.col("scope") == "R01").row(0, named=True)
    assert r01["budget"] == Decimal(100) and r01["paid"] <= Decimal(100)
    # every publish writes the robustness table, and the report shows both sections
    robustness = published(district, "grade_robustness")
    assert sorted(robustness["carrier_id"]) == sorted(new["carrier_id"])
    sums = robustness.select(pl.sum_horizontal("p_a", "p_b", "p_c", "p_d")).to_series()
    assert ((sums - 1).abs() < 1e-9).all()
    report = (district.out / str(YEAR) / f"report_{YEAR}.html").read_text(encoding="utf-8")
    assert '<section id="robustness">' in report and '<section id="budget">' in report


def _cli(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("carrier-assess")
    return subprocess.run(
        [str(exe), "whatif", *args], capture_output=True, text=True, timeout=120, env=os.environ
    )


def test_whatif_says_when_a_batch_is_running_or_the_year_is_not_published(district, tmp_path):
    rules = changed_rulebook(tmp_path / "rules.yaml")
    lock = district.warehouse.with_name(district.warehouse.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a running batch holds it
        busy = _cli("--year", "2024", "--rules", str(rules), "--warehouse", str(district.warehouse))
    finally:
        os.close(fd)
    assert busy.returncode == 8, busy.stderr
    assert "a batch is running" in busy.stderr and "Traceback" not in busy.stderr

    doc = yaml.safe_load(rules.read_text(encoding="utf-8"))
    doc["assessment_year"] = 2025
    other = tmp_path / "2025.yaml"
    other.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    unpublished = _cli(
        "--year", "2025", "--rules", str(other), "--warehouse", str(district.warehouse)
    )
    assert unpublished.returncode == 2 and "has not been published" in unpublished.stderr
    wrong_year = _cli(
        "--year", "2024", "--rules", str(other), "--warehouse", str(district.warehouse)
    )
    assert wrong_year.returncode == 2 and "is for 2025, not 2024" in wrong_year.stderr

    ok = _cli(
        "--year", "2024", "--rules", str(rules), "--warehouse", str(district.warehouse),
        "--out", str(tmp_path / "cli"),
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "change grade" in ok.stdout and "read" in ok.stdout and "score" in ok.stdout
    html = (tmp_path / "cli" / "whatif_2024.html").read_text(encoding="utf-8")
    assert "等级变化的载体" in html and "奖补预算" in html


@pytest.mark.parametrize("missing", ["nowhere.duckdb"])
def test_whatif_on_a_missing_warehouse(tmp_path, missing):
    rules = changed_rulebook(tmp_path / "rules.yaml")
    result = _cli("--year", "2024", "--rules", str(rules), "--warehouse", str(tmp_path / missing))
    assert result.returncode == 8 and "warehouse not found" in result.stderr
