"""The yearly batch end to end on a small sample district: two years, reruns, failures."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import threading
import time

import duckdb
import polars as pl
import pytest

from orchestration.errors import ExitCode
from orchestration.lock import DUCKDB_CONFIG
from orchestration.pipeline import office_file_names
from orchestration.publish.tables import RESULT_TABLES, published_copy_path

from .conftest import stable

pytestmark = pytest.mark.slow


def test_two_years_are_published_whole(published_district):
    tables = published_district.results()
    for name in RESULT_TABLES:
        frame = tables[name]
        assert {"assessment_year", "run_id"} <= set(frame.columns), name
        if name not in ("carrier_actions", "rectifications", "adjustments", "run_changes"):
            assert set(frame["assessment_year"]) == {2023, 2024}, name
    runs = tables["runs"]
    assert runs.filter(pl.col("status") == "published").height == 2
    for column in ("inputs_sha256", "rules_sha256", "code_version"):
        assert runs[column].null_count() == 0
    # one run id per year across every table: the year was published in one piece
    for year in (2023, 2024):
        ids = {
            run_id
            for name in RESULT_TABLES
            for run_id in tables[name].filter(pl.col("assessment_year") == year)["run_id"]
        }
        assert len(ids) == 1, (year, ids)
    scores = tables["carrier_scores"].filter(pl.col("assessment_year") == 2024)
    assert scores.height >= 10
    assert set(scores["grade"]) <= {"A", "B", "C", "D"}
    details = tables["score_details"].filter(pl.col("assessment_year") == 2024)
    assert details.height == scores.height * 16  # every carrier, every indicator


def test_conservation_for_every_dataset_and_file(published_district):
    counts = published_district.results()["dataset_counts"]
    assert counts.height > 0
    bad = counts.filter(
        pl.col("rows_read")
        != pl.col("rows_kept") + pl.col("rows_rejected") + pl.col("rows_duplicate")
    )
    assert bad.height == 0, bad
    # the planted bad rows are visible to the office as rejected rows
    dq = published_district.results()["dq_issues"].filter(pl.col("assessment_year") == 2024)
    rejected = counts.filter(pl.col("assessment_year") == 2024)["rows_rejected"].sum()
    assert rejected > 0
    assert dq.filter(pl.col("source_row").is_not_null()).height >= rejected


def test_the_year_folder_holds_parquet_workbook_and_reports(published_district):
    folder = published_district.out / "2024"
    # a real folder whose files switch together through one link (docs/architecture.md)
    assert folder.is_dir() and not folder.is_symlink()
    assert (folder / "current").is_symlink()
    for name in RESULT_TABLES:
        frame = pl.read_parquet(folder / f"{name}.parquet")
        assert "run_id" in frame.columns
    names = office_file_names(2024)
    for role in ("workbook", "report", "dq_report"):
        assert (folder / names[role]).stat().st_size > 1000, role
    html = (folder / names["report"]).read_text(encoding="utf-8")
    assert 'id="rewards"' in html and "2024" in html
    # the data-quality index links each carrier's page, and the links resolve from the folder
    index = (folder / names["dq_report"]).read_text(encoding="utf-8")
    pages = re.findall(r'<a href="(dq/[^"]+\.html)">', index)
    assert pages and all((folder / page).is_file() for page in pages)
    assert (folder / names["details"]).stat().st_size > 1000
    parquet_scores = pl.read_parquet(folder / "carrier_scores.parquet")
    table_scores = published_district.results()["carrier_scores"].filter(
        pl.col("assessment_year") == 2024
    )
    assert stable(parquet_scores).equals(stable(table_scores))


def test_rerun_gives_identical_rows_and_leaves_other_years(district):
    before = district.results()
    outcome = district.run(2024)
    assert outcome.code == ExitCode.OK, outcome.message
    after = district.results()
    for name in RESULT_TABLES:
        if name == "runs":
            continue
        old, new = before[name], after[name]
        # 2023 untouched, run id included
        assert old.filter(pl.col("assessment_year") == 2023).equals(
            new.filter(pl.col("assessment_year") == 2023)
        ), name
        # 2024 identical but for the run id
        assert stable(old.filter(pl.col("assessment_year") == 2024)).equals(
            stable(new.filter(pl.col("assessment_year") == 2024))
        ), name
    assert after["runs"].height == before["runs"].height + 1


@pytest.mark.parametrize(
    "point", ["before_transform", "before_score", "files_written", "publish:table:rewards"]
)
def test_a_failure_at_any_step_changes_nothing_published(district, point):
    before = district.published_state()

    def fail(current: str) -> None:
        if current == point:
            raise RuntimeError(f"injected at {current}")

    outcome = district.run(2024, fault_hook=fail)
    assert outcome.code == ExitCode.INTERNAL
    assert "injected" in outcome.message
    after = district.published_state()
    for name in RESULT_TABLES:
        if name != "runs":
            assert before["tables"][name].equals(after["tables"][name]), name
    assert before["out2024"] == after["out2024"]
    assert before["copy"] == after["copy"]
    runs = after["tables"]["runs"].filter(pl.col("status") == "failed")
    assert runs.height == 1 and "injected" in runs["reason"][0]


def test_disk_full_while_publishing_keeps_the_previous_results(district):
    before = district.published_state()

    def full(current: str) -> None:
        if current == "files_written":
            import errno
            import os

            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    outcome = district.run(2024, fault_hook=full)
    assert outcome.code == ExitCode.PUBLISH
    assert "No space left" in outcome.message
    after = district.published_state()
    assert before["tables"]["carrier_scores"].equals(after["tables"]["carrier_scores"])
    assert before["out2024"] == after["out2024"]
    (failed_run,) = after["tables"]["runs"].filter(pl.col("status") == "failed")["run_id"]
    versions = [p.name for p in (district.out / "2024" / ".versions").iterdir()]
    assert versions and not any(failed_run in name for name in versions), versions


def test_a_workbook_written_beside_the_tables_is_waited_for(district, monkeypatch):
    """A large year's workbook is written by its worker while the tables' rows are replaced;
    the commit waits for it. Here the sample's workbook goes to the worker too: a disk full
    once the files are written publishes nothing, and a run that succeeds publishes the file."""
    from orchestration.publish import workbook_worker

    monkeypatch.setattr(workbook_worker, "WORKER_ROWS", 0)
    before = district.published_state()

    def full(current: str) -> None:
        if current == "files_written":
            import errno
            import os

            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    outcome = district.run(2024, fault_hook=full)
    assert outcome.code == ExitCode.PUBLISH, outcome.message
    after = district.published_state()
    for name in RESULT_TABLES:
        if name != "runs":
            assert before["tables"][name].equals(after["tables"][name]), name
    assert before["out2024"] == after["out2024"] and before["copy"] == after["copy"]
    assert district.run(2024).code == ExitCode.OK
    book = district.out / "2024" / office_file_names(2024)["workbook"]
    assert book.exists() and book.stat().st_size > 10_000


def test_a_blocking_defect_stops_before_publishing(district):
    """No carriers sheet for the year: the gate's error blocks, with one line and a report."""
    before = district.published_state()
    for path in (district.reports / "2024").iterdir():
        if path.suffix == ".xlsx":
            import openpyxl

            book = openpyxl.load_workbook(path)
            for name in list(book.sheetnames):
                if name in ("载体信息", "carriers"):
                    del book[name]
            book.save(path)
    outcome = district.run(2024)
    assert outcome.code == ExitCode.AUDIT_BLOCKED
    assert "error" in outcome.message and outcome.dq_report is not None
    assert outcome.dq_report.exists()
    assert "\n" not in outcome.message
    after = district.published_state()
    assert before["tables"]["carrier_scores"].equals(after["tables"]["carrier_scores"])
    assert before["out2024"] == after["out2024"]
    runs = after["tables"]["runs"].filter(pl.col("status") == "blocked")
    assert runs.height == 1
    # the raw suites ran during dbt, in the worker: their finding still reaches the office
    issues = pl.read_parquet(outcome.dq_report.with_name("dq_issues.parquet"))
    raw = issues.filter(pl.col("check_name") == "raw.carriers.present")
    assert raw["severity"].to_list() == ["error"]
    assert raw["assessment_year"].to_list() == [2024]


def test_the_main_process_never_imports_great_expectations_or_pandas(district):
    """GX (~3 s of CPU to import) and pandas (~0.2 s) live in the audit worker; the run's own
    process reads the frames it checks (as Arrow) but must never import them."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from orchestration.transform import BuildWorker
        with BuildWorker() as builder:  # spawned ahead, as the run command does
            from orchestration.pipeline import RunOptions, run_year
            from orchestration.progress import Progress
            options = RunOptions(
                year=2024,
                reports=Path({str(district.reports / "2024")!r}),
                warehouse=Path({str(district.warehouse)!r}),
                out=Path({str(district.out / "2024")!r}),
                build_worker=builder,
            )
            outcome = run_year(options, Progress("quiet"))
            used = builder.warmed and builder._asked  # the run built in the one handed to it
        heavy = ("great_expectations", "pandas")
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
        print(int(outcome.code), loaded, used)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{int(ExitCode.OK)} [] True", done.stdout + done.stderr


def test_a_locked_warehouse_is_a_clear_message(district):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import duckdb, sys, time
                con = duckdb.connect({str(district.warehouse)!r})
                print("holding", flush=True)
                time.sleep(120)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        done = district.run_process(2024, timeout=120)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == ExitCode.WAREHOUSE, done.stderr
    assert "locked" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_corrupt_warehouse_is_a_clear_message(district):
    district.warehouse.write_bytes(b"this is not a database" * 100)
    done = district.run_process(2024, timeout=120)
    assert done.returncode == ExitCode.WAREHOUSE, done.stderr
    assert "warehouse" in done.stderr and "Traceback" not in done.stderr


def test_downstream_readers_see_a_whole_year_during_a_run(district):
    """A reader polling the read-only copy during a rerun sees one run id per year, always."""
    copy = published_copy_path(district.warehouse)
    seen: list[set[str]] = []
    errors: list[str] = []
    stop = threading.Event()

    def read_loop() -> None:
        while not stop.is_set():
            try:
                with duckdb.connect(str(copy), read_only=True, config=DUCKDB_CONFIG) as con:
                    ids = con.execute(
                        "select distinct run_id from results.carrier_scores "
                        "where assessment_year = 2024 union "
                        "select distinct run_id from results.rewards where assessment_year = 2024"
                    ).fetchall()
                seen.append({row[0] for row in ids})
            except duckdb.Error as exc:  # pragma: no cover - would fail the test below
                errors.append(str(exc))
            time.sleep(0.05)

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        outcome = district.run(2024)
    finally:
        stop.set()
        reader.join()
    assert outcome.code == ExitCode.OK
    assert not errors
    assert seen and all(len(ids) == 1 for ids in seen)


def test_a_changed_goalpost_passed_with_rules_changes_the_grades(district, tmp_path):
    """The office edits a copy of the rulebook: S1's goalpost ×1000 leaves S1 worth ~nothing."""
    import yaml

    from orchestration.config import RULEBOOK_DIR

    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    doc["indicators"]["S1"]["goalposts"] = {
        kind: value * 1000 for kind, value in doc["indicators"]["S1"]["goalposts"].items()
    }
    rules = tmp_path / "rules-2024-strict.yaml"
    rules.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    before = district.results()
    outcome = district.run(2024, rules=rules)
    assert outcome.code == ExitCode.OK, outcome.message
    after = district.results()

    def s1(tables):
        rows = (
            tables["score_details"]
            .filter((pl.col("assessment_year") == 2024) & (pl.col("indicator_code") == "S1"))
            .select("carrier_id", "raw_value", "benchmark", pl.col("points").cast(pl.Float64))
        )
        return {row[0]: row[1:] for row in rows.iter_rows()}

    old, new = s1(before), s1(after)
    assert any(points > 0.5 for _, _, points in old.values())
    for carrier, (raw, benchmark, points) in new.items():
        old_raw, old_benchmark, old_points = old[carrier]
        assert raw == old_raw and benchmark == old_benchmark * 1000
        # points = points_max × min(raw ÷ goalpost, 1), with the new goalpost
        assert abs(points - 10 * min((raw or 0) / benchmark, 1)) < 1e-6
        assert points <= old_points
    totals = "carrier_id", pl.col("total_score").cast(pl.Float64)
    old_total = dict(
        before["carrier_scores"]
        .filter(pl.col("assessment_year") == 2024)
        .select(totals)
        .iter_rows()
    )
    new_total = dict(
        after["carrier_scores"].filter(pl.col("assessment_year") == 2024).select(totals).iter_rows()
    )
    assert sum(new_total.values()) < sum(old_total.values())
    runs = after["runs"].sort("started_at")
    assert runs["rules_sha256"][-1] != runs["rules_sha256"][0]
    assert runs["rules_file"][-1] == str(rules)


@pytest.mark.parametrize("by_worker", [True, False])
def test_a_large_packages_workbook_worker_is_started_before_scoring(
    district, monkeypatch, by_worker
):
    """A package past `PRESTART_ROWS_READ` has its workbook worker started before scoring, so
    the process's start is not on publishing's path; publishing takes that worker when the
    year's tables reach `WORKER_ROWS`, and otherwise writes the workbook itself."""
    from orchestration.publish import workbook_worker

    events: list[str] = []
    real_init = workbook_worker.WorkbookWorker.__init__
    real_finish = workbook_worker.WorkbookWorker.finish

    def init(self):
        events.append("worker started")
        real_init(self)

    def finish(self):
        events.append("worker finished")
        return real_finish(self)

    monkeypatch.setattr(workbook_worker, "PRESTART_ROWS_READ", 1)
    monkeypatch.setattr(workbook_worker, "WORKER_ROWS", 1 if by_worker else 10**9)
    monkeypatch.setattr(workbook_worker.WorkbookWorker, "__init__", init)
    monkeypatch.setattr(workbook_worker.WorkbookWorker, "finish", finish)
    outcome = district.run(2024, fault_hook=events.append)
    assert outcome.code == ExitCode.OK, outcome.message
    assert events.count("worker started") == 1  # publishing started no second one
    assert events.index("worker started") < events.index("before_score")
    assert events.count("worker finished") == (1 if by_worker else 0)
    book = district.out / "2024" / office_file_names(2024)["workbook"]
    assert book.stat().st_size > 10_000


def test_a_large_years_workbook_and_report_are_written_by_the_worker(district, monkeypatch):
    """National years hand the office workbook and the HTML report to a process of their own
    (publish/workbook_worker.py); here the sample district is made to count as one: the same
    workbook is published, and the report, written by the worker."""
    import openpyxl

    from orchestration.publish import workbook_worker

    name = office_file_names(2024)["workbook"]
    report = district.out / "2024" / office_file_names(2024)["report"]

    def sheets(path):
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return {sheet.title: sheet.max_row for sheet in book.worksheets}
        finally:
            book.close()

    before = sheets(district.out / "2024" / name)
    report_before = report.read_text(encoding="utf-8")
    finished = []
    real_finish = workbook_worker.WorkbookWorker.finish

    def finish(self):
        finished.extend(real_finish(self))
        return finished

    monkeypatch.setattr(workbook_worker, "WORKER_ROWS", 1)
    monkeypatch.setattr(workbook_worker.WorkbookWorker, "finish", finish)
    outcome = district.run(2024)
    assert outcome.code == ExitCode.OK, outcome.message
    assert [path.name for path in finished] == [name, report.name]
    after = sheets(district.out / "2024" / name)
    assert after.pop("运行记录") == before.pop("运行记录") + 1  # the rerun's own row
    assert after == before
    written = report.read_text(encoding="utf-8")
    assert written != report_before  # the rerun's report (its run id), not the first one's
    assert written.count("<tr") == report_before.count("<tr")  # the same tables and rows
