"""Publishing: one transaction per year, atomic folder switch, read-only copy, repair."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.lock import DUCKDB_CONFIG
from orchestration.publish import tables as pub
from orchestration.publish import year_files
from orchestration.runlog import RunRecord, ensure_runs_table, finish_run, start_run


def _tables(year: int, run_id: str, score: float) -> dict[str, pl.DataFrame]:
    base = {"assessment_year": [year], "run_id": [run_id]}
    tables = {
        name: pl.DataFrame({**base, "value": [f"{name}-{score}"]}) for name in pub.RESULT_TABLES
    }
    tables["carrier_scores"] = pl.DataFrame(
        {**base, "carrier_id": ["C001"], "total_score": [score], "grade": ["B"]}
    )
    tables["runs"] = pl.DataFrame({**base, "status": ["running"]})
    return tables


def _record(year: int, run_id: str, out_dir) -> RunRecord:
    return RunRecord(
        run_id=run_id,
        assessment_year=year,
        started_at=datetime(2026, 1, 1),
        inputs_sha256="i",
        rules_sha256="r",
        code_version="test",
        reports_dir="reports",
        rules_file="rules.yaml",
        out_dir=str(out_dir),
    )


def _publish(con, year, run_id, score, out_root, hook=pub._no_hook, switch=True):
    out_dir = out_root / str(year)
    record = _record(year, run_id, out_dir)
    start_run(con, record)
    tables = _tables(year, run_id, score)
    version = pub.version_dir(out_dir, run_id)
    year_files.start_year_files(tables, version, year, writers={})()
    pub.publish_year(
        con,
        tables=tables,
        year=year,
        run_id=run_id,
        mark_published=lambda c: finish_run(c, record, "published", None),
        hook=hook,
    )
    if switch:
        pub.switch_year_dir(out_dir, version)
        pub.export_published_copy(con, out_root / "wh.duckdb")
    return out_dir


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "wh.duckdb"), config=DUCKDB_CONFIG) as connection:
        ensure_runs_table(connection)
        yield connection


def _scores(con) -> list[tuple]:
    return con.execute(
        "select assessment_year, run_id, total_score from results.carrier_scores order by 1"
    ).fetchall()


def test_rerun_replaces_only_its_year(con, tmp_path):
    _publish(con, 2023, "r1", 70.0, tmp_path)
    _publish(con, 2024, "r2", 80.0, tmp_path)
    _publish(con, 2024, "r3", 90.0, tmp_path)
    assert _scores(con) == [(2023, "r1", 70.0), (2024, "r3", 90.0)]
    statuses = dict(con.execute("select run_id, status from results.runs").fetchall())
    assert statuses == {"r1": "published", "r2": "published", "r3": "published"}


@pytest.mark.parametrize("stage", ["table:carrier_scores", "table:rewards", "before_commit"])
def test_failure_inside_the_transaction_changes_nothing(con, tmp_path, stage):
    _publish(con, 2024, "r1", 80.0, tmp_path)
    before = _scores(con)
    link_before = pub.current_version(tmp_path / "2024")

    def fail_at(point: str) -> None:
        if point == stage:
            raise RuntimeError(f"fault at {point}")

    with pytest.raises(RuntimeError):
        _publish(con, 2024, "r2", 99.0, tmp_path, hook=fail_at)
    assert _scores(con) == before
    assert pub.current_version(tmp_path / "2024") == link_before
    assert con.execute("select status from results.runs where run_id = 'r2'").fetchone() == (
        "running",
    )


class _SlowFile:
    """A background writer (the workbook worker's part in `start_year_files`): its file is
    written only when it is waited for, and it can fail then."""

    def __init__(self, error: OSError | None = None) -> None:
        self.error = error
        self.path: Path | None = None

    def start(self, tables, files, year: int) -> None:
        ((_, self.path),) = files

    def finish(self) -> list[Path]:
        if self.error is not None:
            raise self.error
        assert self.path is not None
        self.path.write_text("the workbook", encoding="utf-8")
        return [self.path]


def test_the_tables_commit_only_once_the_files_still_being_written_are_written(con, tmp_path):
    """Publishing replaces the rows while a large year's workbook is still being written, and
    waits for it in `before_commit`: a file that fails there leaves the tables as they were."""
    _publish(con, 2024, "r1", 80.0, tmp_path)
    before = _scores(con)
    for run_id, error in (("r2", OSError(28, "No space left on device")), ("r3", None)):
        record = _record(2024, run_id, tmp_path / "2024")
        start_run(con, record)
        tables = _tables(2024, run_id, 99.0)
        version = pub.version_dir(tmp_path / "2024", run_id)
        slow = _SlowFile(error)
        finish = year_files.start_year_files(
            tables, version, 2024, {}, background=(slow, {"book.xlsx": None})
        )
        assert (version / "carrier_scores.parquet").exists()
        assert not (version / "book.xlsx").exists()  # not yet: the tables are replaced first
        seen: list[list[tuple]] = []

        def wait_for_files(finish=finish, seen=seen) -> None:
            seen.append(_scores(con))  # inside the transaction: the new rows, not committed
            finish()

        def mark(c, record=record) -> None:
            finish_run(c, record, "published", None)

        item = pub.YearTables(2024, tables, mark)
        if error is not None:
            with pytest.raises(OSError):
                pub.publish_years(con, [item], before_commit=wait_for_files)
            assert _scores(con) == before
        else:
            pub.publish_years(con, [item], before_commit=wait_for_files)
            assert (version / "book.xlsx").read_text(encoding="utf-8") == "the workbook"
            assert _scores(con) == [(2024, "r3", 99.0)]
        assert seen == [[(2024, run_id, 99.0)]]


def test_new_columns_are_added_not_lost(con, tmp_path):
    _publish(con, 2023, "r1", 70.0, tmp_path)
    tables = _tables(2024, "r2", 75.0)
    tables["carrier_scores"] = tables["carrier_scores"].with_columns(pl.lit("镇A").alias("town"))
    con.execute("begin")
    pub.replace_year_rows(con, "carrier_scores", tables["carrier_scores"], 2024)
    con.execute("commit")
    rows = con.execute(
        "select assessment_year, town from results.carrier_scores order by 1"
    ).fetchall()
    assert rows == [(2023, None), (2024, "镇A")]


def test_year_folder_switches_its_current_link_and_old_versions_are_pruned(con, tmp_path):
    for i in range(5):
        out_dir = _publish(con, 2024, f"r{i}", 60.0 + i, tmp_path)
        pub.prune_versions(out_dir)
    assert out_dir.is_dir() and not out_dir.is_symlink()
    assert (out_dir / pub.CURRENT_LINK).is_symlink()
    link = out_dir / "carrier_scores.parquet"
    assert link.is_symlink() and os.readlink(link) == "current/carrier_scores.parquet"
    assert pl.read_parquet(link)["run_id"].to_list() == ["r4"]
    assert pub.current_version(out_dir).name == "2024-r4"
    versions = sorted(p.name for p in (out_dir / pub.VERSIONS_DIR).iterdir())
    assert len(versions) == pub.KEEP_VERSIONS
    assert "2024-r4" in versions
    # nothing was written beside the year's folder
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".wal")) == [
        "2024",
        "wh.duckdb",
        "wh.published.duckdb",
    ]


def test_one_rename_switches_every_file_of_the_year(con, tmp_path):
    """Every published name goes through `current`: a reader resolving two files around a
    switch gets both from one run, as the one link names it."""
    out_dir = _publish(con, 2024, "r1", 80.0, tmp_path)
    before = {p.name: os.readlink(p) for p in out_dir.iterdir() if p.is_symlink()}
    _publish(con, 2024, "r2", 85.0, tmp_path)
    after = {p.name: os.readlink(p) for p in out_dir.iterdir() if p.is_symlink()}
    assert {k: v for k, v in before.items() if k != pub.CURRENT_LINK} == {
        k: v for k, v in after.items() if k != pub.CURRENT_LINK
    }  # the per-file links never changed: only `current` did
    assert before[pub.CURRENT_LINK] != after[pub.CURRENT_LINK]
    for name in pub.RESULT_TABLES:
        assert set(pl.read_parquet(out_dir / f"{name}.parquet")["run_id"]) == {"r2"}


def test_a_plain_folder_from_an_older_layout_is_kept_aside(con, tmp_path):
    legacy = tmp_path / "2024"
    legacy.mkdir()
    (legacy / "carrier_scores.parquet").write_text("old", encoding="utf-8")
    (legacy / "notes.txt").write_text("the user's own", encoding="utf-8")
    out_dir = _publish(con, 2024, "r1", 80.0, tmp_path)
    assert (out_dir / pub.VERSIONS_DIR / "2024-legacy" / "carrier_scores.parquet").exists()
    assert (out_dir / "notes.txt").read_text(encoding="utf-8") == "the user's own"
    assert pl.read_parquet(out_dir / "carrier_scores.parquet")["run_id"].to_list() == ["r1"]


def test_a_year_link_of_the_older_layout_is_upgraded(con, tmp_path):
    """Before: `out/2024 -> .versions/2024-r0` beside it. After one publish: `out/2024` is a
    real folder holding its versions; the older versions beside it are gone."""
    old = tmp_path / pub.VERSIONS_DIR / "2024-r0"
    old.mkdir(parents=True)
    pl.DataFrame({"run_id": ["r0"]}).write_parquet(old / "carrier_scores.parquet")
    (tmp_path / "2024").symlink_to(os.path.join(pub.VERSIONS_DIR, "2024-r0"))
    pub.prepare_year_dir(tmp_path / "2024")
    out_dir = tmp_path / "2024"
    assert not out_dir.is_symlink()
    assert pl.read_parquet(out_dir / "carrier_scores.parquet")["run_id"].to_list() == ["r0"]
    assert not (tmp_path / pub.VERSIONS_DIR).exists()
    _publish(con, 2024, "r1", 80.0, tmp_path)
    assert pl.read_parquet(out_dir / "carrier_scores.parquet")["run_id"].to_list() == ["r1"]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".wal")) == [
        "2024",
        "wh.duckdb",
        "wh.published.duckdb",
    ]


def test_reconcile_finishes_a_publish_killed_after_commit(con, tmp_path):
    _publish(con, 2024, "r1", 80.0, tmp_path)
    _publish(con, 2024, "r2", 85.0, tmp_path, switch=False)  # "killed" before the switch
    out_dir = tmp_path / "2024"
    assert pub.current_version(out_dir).name == "2024-r1"
    repairs = pub.reconcile(con, tmp_path / "wh.duckdb")
    assert pub.current_version(out_dir).name == "2024-r2"
    assert any("r2" in line for line in repairs)
    assert pub.reconcile(con, tmp_path / "wh.duckdb") == []
    copy = pub.published_copy_path(tmp_path / "wh.duckdb")
    with duckdb.connect(str(copy), read_only=True, config=DUCKDB_CONFIG) as reader:
        assert reader.execute("select total_score from results.carrier_scores").fetchall() == [
            (85.0,)
        ]


def test_the_read_only_copy_holds_every_result_table_as_published(con, tmp_path):
    """The copy, its tables copied two at a time (`COPY_THREADS`), holds every table of
    `results` with the same columns, types and rows, and no other."""
    _publish(con, 2023, "r0", 70.0, tmp_path)
    _publish(con, 2024, "r1", 80.0, tmp_path)
    copy = pub.published_copy_path(tmp_path / "wh.duckdb")

    def contents(reader) -> dict[str, tuple]:
        names = reader.execute(
            "select table_name from information_schema.tables where table_schema = 'results'"
        ).fetchall()
        return {
            name: (
                reader.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = 'results' and table_name = ? order by ordinal_position",
                    [name],
                ).fetchall(),
                reader.execute(f'select * from results."{name}" order by all').fetchall(),
            )
            for (name,) in names
        }

    published = contents(con)
    assert {"carrier_scores", "runs", "code_labels"} <= set(published)
    assert published["carrier_scores"][1] and published["runs"][1]
    with duckdb.connect(str(copy), read_only=True, config=DUCKDB_CONFIG) as reader:
        assert contents(reader) == published


def test_read_only_copy_is_readable_while_a_writer_holds_the_warehouse(con, tmp_path):
    _publish(con, 2024, "r1", 80.0, tmp_path)
    copy = pub.published_copy_path(tmp_path / "wh.duckdb")
    # This process holds the warehouse open for writing; another process reads the copy.
    reader = textwrap.dedent(
        f"""
        import duckdb
        con = duckdb.connect({str(copy)!r}, read_only=True)
        print(con.execute("select grade from results.carrier_scores").fetchone()[0])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", reader], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "B"
    # The warehouse itself is locked for that other process: the copy is the way in.
    blocked = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; duckdb.connect({str(tmp_path / 'wh.duckdb')!r}, read_only=True)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert blocked.returncode != 0


def test_run_paths_keep_the_year_link_unresolved(tmp_path):
    from orchestration.config import RunPaths

    target = tmp_path / ".versions" / "2024-r1"
    target.mkdir(parents=True)
    (tmp_path / "2024").symlink_to(target)
    paths = RunPaths.build(2024, tmp_path, out=tmp_path / "2024")
    assert paths.out_dir == tmp_path / "2024"
    assert pub.version_dir(paths.out_dir, "r2") == tmp_path / "2024" / ".versions" / "2024-r2"
