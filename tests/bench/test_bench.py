"""The benchmark command end to end on a tiny sample: two cold runs, per-step metrics, the bare
baseline (framework tax), repeated runs from the same state, and the record in
docs/benchmarks.md form. Slow-ish (~40 s)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration import bench
from orchestration.bench.models import measure_floor
from orchestration.bench.process import copy_state, restore_state
from orchestration.bench.report import floor_line, tax_line

pytestmark = pytest.mark.slow

CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> tuple[bench.BenchResult, Path]:
    workdir = tmp_path_factory.mktemp("bench") / "smoke"
    return bench.run_bench("smoke", workdir, repeat=2), workdir


def test_the_measured_run_publishes_and_reports_every_step(result) -> None:
    res, _ = result
    assert res.exit_code == 0
    names = [s["name"] for s in res.steps]
    assert names == ["ingest", "transform", "audit", "score", "audit_results", "publish"]
    assert all(s["seconds"] > 0 and s["peak_rss_bytes"] > 0 for s in res.steps)
    assert res.peak_rss_bytes > 0 and res.wall_seconds > sum(s["seconds"] for s in res.steps)
    # the audit worker's peak is measured too, and the whole process tree's, sampled together
    assert res.worker_peak_rss_bytes > 0 and res.tree_peak_rss_bytes > 0
    assert res.total_peak_bytes >= max(res.peak_rss_bytes, res.tree_peak_rss_bytes)
    assert res.cpu_seconds > 0


def test_repeated_runs_each_start_from_the_previous_years_state(result) -> None:
    res, workdir = result
    assert len(res.walls) == 2 and res.wall_seconds in res.walls
    # the warehouse was put back before the second run: one 2024 run on record, not two
    query = "select assessment_year, count(*) from results.runs group by 1 order by 1"
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True, config=CONFIG) as con:
        assert con.execute(query).fetchall() == [(2023, 1), (2024, 1)]
    assert not (workdir / "before-measured-run").exists()
    assert not workdir.with_name(f".{workdir.name}.trash").exists()  # removed once measured


def test_restoring_the_state_sets_what_a_run_left_aside_instead_of_deleting_it(tmp_path) -> None:
    """The measured run must not follow a mass deletion (process.set_aside): what the previous
    run left is moved into the trash folder, and the saved state comes back."""
    folder, single = tmp_path / "out", tmp_path / "warehouse.duckdb"
    folder.mkdir()
    (folder / "page.html").write_text("before", encoding="utf-8")
    single.write_text("before", encoding="utf-8")
    snapshot = tmp_path / "snapshot"
    copy_state([folder, single], snapshot)
    (folder / "page.html").write_text("after", encoding="utf-8")
    (folder / "new.html").write_text("after", encoding="utf-8")
    single.write_text("after", encoding="utf-8")
    restore_state([folder, single], snapshot, tmp_path / "trash" / "run-1")
    assert sorted(p.name for p in folder.iterdir()) == ["page.html"]
    assert (folder / "page.html").read_text(encoding="utf-8") == "before"
    assert single.read_text(encoding="utf-8") == "before"
    left = tmp_path / "trash" / "run-1"
    assert sorted(p.name for p in (left / "out").iterdir()) == ["new.html", "page.html"]
    assert (left / "warehouse.duckdb").read_text(encoding="utf-8") == "after"


def test_the_reported_run_is_the_median_and_never_hides_a_failure() -> None:
    ok = [(9.5, 1, 0), (8.7, 1, 0), (9.1, 1, 0)]
    assert bench.reported_run(ok) == (9.1, 1, 0)
    assert bench.reported_run([(8.7, 1, 0), (2.0, 1, 5)]) == (2.0, 1, 5)


def test_the_batch_builds_seeds_and_models_without_dbt_tests(result) -> None:
    res, workdir = result
    detail = next(s["detail"] for s in res.steps if s["name"] == "transform")
    assert "model" in detail
    assert "test" not in detail  # data and unit tests are development-time (tests/marts runs them)
    # the code did not change since the previous year's run: seeds and views were left as built
    assert "seed" not in detail
    # the dbt target stayed private to the bench, with a manifest for the bare baseline
    assert (workdir / "target" / "manifest.json").exists()


def test_bare_baseline_rebuilds_the_same_marts(result) -> None:
    res, workdir = result
    assert res.bare is not None and res.bare["sql"] > 0 and res.bare["score"] > 0
    tax = bench.framework_tax(res)
    assert tax is not None and tax["whole_run"] > tax["transform_and_score"] > 0
    # each measured run is paired with a bare run right after it; the tax is their median
    assert len(res.pairs) == 2 and [p[0] for p in res.pairs] == res.walls
    ratios = sorted(core / bare for _, core, bare in res.pairs)
    assert tax["transform_and_score"] == pytest.approx(sum(ratios) / 2)
    assert "each over the bare run right after it" in tax_line(res)
    # run_bare again, keeping its copy, and compare one mart with the batch's
    warehouse = workdir / "warehouse.duckdb"
    bench.run_bare(warehouse, workdir / "target", res.year, keep_copy=True)
    copy = warehouse.with_name("bare.duckdb")
    query = "select * from marts.carrier_year_indicators order by all"
    with duckdb.connect(str(warehouse), read_only=True, config=CONFIG) as con:
        batch_rows = con.execute(query).fetchall()
    with duckdb.connect(str(copy), read_only=True, config=CONFIG) as con:
        bare_rows = con.execute(query).fetchall()
    assert batch_rows and batch_rows == bare_rows


def test_record_writes_a_section_with_steps_and_tax(result, tmp_path: Path) -> None:
    res, _ = result
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nIntro.\n\n## Results\n\n### older\n", encoding="utf-8")
    bench.append_to_doc(res, doc)
    text = doc.read_text(encoding="utf-8")
    assert text.index("### smoke") < text.index("### older")  # newest first
    assert "| transform |" in text and "framework tax" in text and "Machine:" in text


def test_record_keeps_each_scales_newest_section_and_archives_the_rest(
    result, tmp_path: Path
) -> None:
    res, _ = result
    doc, archive = tmp_path / "benchmarks.md", tmp_path / "benchmarks-results.md"
    sections = {
        "smoke_a": "### smoke (×0.05) — A\n\nfirst smoke body\n",
        "national": "### national (×266.667) — N\n\n| model | s |\n| --- | ---: |\n",
        "label": "### Measured before item 9\n",  # labels the sections after it
        "smoke_b": "### smoke (×0.05) — B\n\nsecond smoke body\n",
    }
    doc.write_text(
        "# Benchmarks\n\nIntro.\n\n## Results\n\nThe newest of each scale.\n\n"
        + "\n".join(sections.values())
        + "\n## After the results\n\nkept\n",
        encoding="utf-8",
    )
    bench.append_to_doc(res, doc)
    text = doc.read_text(encoding="utf-8")
    # the new smoke section, then the national one; the preamble and the part after stay
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    assert len(headings) == 2 and headings[0].startswith("### smoke") and "— N" in headings[1]
    assert "The newest of each scale." in text and text.rstrip().endswith("kept")
    assert text.index("Intro.") < text.index("## Results") < text.index("The newest")
    # both older smoke sections moved to the archive, newest first, bodies whole, the label
    # with the section it heads
    moved = archive.read_text(encoding="utf-8")
    assert moved.index("— A") < moved.index("before item 9") < moved.index("— B")
    assert "second smoke body" in moved and "before item 9" not in text
    assert "first smoke body" not in text and "[benchmarks.md](benchmarks.md)" in moved
    # a second record moves the first one's section to the archive's top
    first = headings[0]
    bench.append_to_doc(res, doc)
    moved = archive.read_text(encoding="utf-8")
    assert moved.index(first) < moved.index("— A") < moved.index("— B")
    assert doc.read_text(encoding="utf-8").count("### smoke") == 1


def test_the_floor_is_also_measured_stored_in_a_database_file(tmp_path: Path) -> None:
    package = tmp_path / "package"
    package.mkdir()
    (package / "tenants.csv").write_text(
        "uscc,name\n" + "".join(f"{i:018d},企业{i}\n" for i in range(500)), encoding="utf-8"
    )
    (package / "broken.csv").write_bytes(b"a,b\n\xff\xfe,1\n")  # not UTF-8: left out
    stored = tmp_path / "floor.duckdb"
    floor = measure_floor(package, stored)
    assert floor["files"] == 1 and floor["rows"] == 500
    assert floor["seconds"] > 0 and floor["stored_seconds"] > 0
    assert not stored.exists()  # removed once timed
    res = bench.BenchResult(
        scale="national", multiplier=1, year=2024, generate_seconds=0, history_seconds=0,
        wall_seconds=80.0, peak_rss_bytes=1, exit_code=0, steps=[], rows={},
        floor={"seconds": 2.0, "rows": 500.0, "files": 1.0, "stored_seconds": 8.0},
    )  # fmt: skip
    line = floor_line(res) or ""
    assert "in 2.0 s; the run is 40.0× that (MISSES ≤ 8×)" in line
    assert "stores its tables: 8.0 s (4.0× the floor; the run 10.0× that)" in line
    alone = bench.BenchResult(**{**res.__dict__, "floor": {**res.floor, "stored_seconds": 0.0}})
    assert "database file" not in (floor_line(alone) or "")


def test_the_tax_is_the_median_of_the_paired_ratios() -> None:
    res = bench.BenchResult(
        scale="x", multiplier=1, year=2024, generate_seconds=0, history_seconds=0,
        wall_seconds=8.1, peak_rss_bytes=1, exit_code=0,
        steps=[{"name": "transform", "seconds": 2.0}, {"name": "score", "seconds": 0.1}],
        rows={}, bare={"sql": 1.3, "score": 0.2, "total": 1.5},
        pairs=[(8.0, 2.2, 1.5), (8.1, 2.1, 1.6), (8.3, 2.4, 1.5)],
    )  # fmt: skip
    tax = bench.framework_tax(res)
    assert tax["transform_and_score"] == pytest.approx(2.2 / 1.5)  # of 1.47, 1.31, 1.60
    assert tax["whole_run"] == pytest.approx(8.0 / 1.5)  # of 5.33, 5.06, 5.53
    alone = bench.BenchResult(**{**res.__dict__, "pairs": []})  # no pairs: the reported run
    assert bench.framework_tax(alone)["transform_and_score"] == pytest.approx(2.1 / 1.5)


def test_each_model_has_dbts_time_the_bare_time_and_rows(result) -> None:
    res, workdir = result
    models = {m["model"]: m for m in res.models}
    patents = models["stg_patents__checked"]
    assert patents["materialized"] == "incremental"
    assert patents["dbt_seconds"] > 0 and patents["bare_seconds"] > 0 and patents["rows"] > 0
    assert models["stg_patents"]["rows"] is None  # a view stores nothing
    # the rows of an incremental model are the measured year's (what the run inserted)
    query = "select count(*) from staging.stg_patents__checked where _assessment_year = 2024"
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True, config=CONFIG) as con:
        assert con.execute(query).fetchall()[0][0] == patents["rows"]
    assert "stg_patents__checked" in bench.format_result(res)
    assert res.floor is not None and res.floor["seconds"] > 0


def test_the_published_office_files_are_measured_as_the_run_left_them(result) -> None:
    import openpyxl

    res, workdir = result
    published = workdir / "out" / "2024" / "current"
    assert res.outputs is not None
    assert res.outputs.files["carrier_assessment_2024.xlsx"] == (
        (published / "carrier_assessment_2024.xlsx").stat().st_size
    )
    assert res.outputs.dq_pages == len(list((published / "dq").glob("*.html"))) > 0
    book = openpyxl.load_workbook(published / "carrier_assessment_2024.xlsx", read_only=True)
    assert list(res.outputs.sheets["carrier_assessment_2024.xlsx"]) == book.sheetnames
    assert "office files:" in bench.format_result(res)


def test_the_results_fingerprint_compares_two_runs(result, tmp_path: Path) -> None:
    from orchestration.bench import models as bench_models

    _, workdir = result
    prints = bench_models.load_fingerprint(workdir)
    assert "table:carrier_scores" in prints and any(k.startswith("parquet:") for k in prints)
    assert bench_models.compare_fingerprints(prints, prints) == []
    moved = {**prints, "table:carrier_scores": {**prints["table:carrier_scores"], "sha256": "x"}}
    assert bench_models.compare_fingerprints(prints, moved) == [
        f"table:carrier_scores: sha256 differ ({prints['table:carrier_scores']['rows']} → "
        f"{prints['table:carrier_scores']['rows']} rows)"
    ]


def test_a_runs_peak_is_its_own_not_the_size_of_the_bench_that_started_it() -> None:
    """A process started by fork and exec keeps, in `wait4`'s `ru_maxrss`, the high-water mark
    of the image it was forked from: the national bench, holding the sample it had just
    generated, reported its own 4.7 GiB as the run's. The peaks are read from /proc instead."""
    import os
    import sys

    from orchestration.bench.process import run_cold

    ballast = bytearray(300 << 20)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # every page resident in this process
    _, peak, code, _, tree_peak, _ = run_cold(
        [sys.executable, "-c", "import time; time.sleep(0.5)"], dict(os.environ)
    )
    assert code == 0
    assert 0 < peak < 100 << 20 and 0 < tree_peak < 100 << 20
    del ballast
