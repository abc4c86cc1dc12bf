"""The command line's surface: commands, progress modes, dbt docs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from orchestration.progress import Progress

pytestmark = pytest.mark.slow

CLI = str(Path(sys.executable).with_name("carrier-assess"))


def test_the_contract_commands_exist():
    done = subprocess.run([CLI, "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    for command in ("run", "demo", "template", "bench", "docs", "whatif"):
        assert command in done.stdout
    run_help = subprocess.run([CLI, "run", "--help"], capture_output=True, text=True, timeout=60)
    for option in ("--year", "--reports", "--warehouse", "--out", "--rules", "--quiet"):
        assert option in run_help.stdout
    whatif_help = subprocess.run(
        [CLI, "whatif", "--help"], capture_output=True, text=True, timeout=60
    )
    for option in ("--year", "--rules", "--warehouse", "--out"):
        assert option in whatif_help.stdout


def test_a_missing_reports_folder_is_one_line_and_exit_3(tmp_path):
    done = subprocess.run(
        [CLI, "run", "--year", "2024", "--reports", str(tmp_path / "nope"),
         "--warehouse", str(tmp_path / "w.duckdb")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 3
    assert len(done.stderr.strip().splitlines()) == 1
    assert "not found" in done.stderr


def test_run_spawns_the_dbt_process_before_it_imports_the_batch(tmp_path):
    """dbt's import (~1.2 s of CPU) overlaps the batch's own imports and ingest: the `run`
    command starts the dbt process first and hands it to the run, which warms it under the
    lock (here a package whose one file lacks the required columns: it builds, and the quality
    gate blocks publishing)."""
    reports = tmp_path / "2024"
    reports.mkdir()
    (reports / "carriers.csv").write_text("carrier_id\nC001\n", encoding="utf-8")
    code = textwrap.dedent(
        f"""
        import sys
        from orchestration.transform import build_worker

        class Recorded(build_worker.BuildWorker):
            def __init__(self, *args, **kwargs):
                print("batch imported:", "orchestration.pipeline" in sys.modules)
                super().__init__(*args, **kwargs)

            def close(self):
                print("warmed:", self.warmed)
                super().close()

        build_worker.BuildWorker = Recorded
        from orchestration.cli import app
        app(["run", "--quiet", "--year", "2024", "--reports", {str(reports)!r},
             "--warehouse", {str(tmp_path / "w.duckdb")!r}])
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 5, done.stderr
    assert done.stdout.splitlines() == ["batch imported: False", "warmed: True"], done.stdout


def test_an_invalid_rulebook_names_the_key_and_exits_2(tmp_path):
    rules = tmp_path / "rules.yaml"
    source = Path(__file__).resolve().parents[2] / "scoring" / "rulebooks" / "2024.yaml"
    rules.write_text(source.read_text(encoding="utf-8") + "\nunexpected_key: 1\n", encoding="utf-8")
    (tmp_path / "reports").mkdir()
    done = subprocess.run(
        [CLI, "run", "--year", "2024", "--reports", str(tmp_path / "reports"),
         "--warehouse", str(tmp_path / "w.duckdb"), "--rules", str(rules)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "unexpected_key" in done.stderr


def test_plain_progress_prints_timestamped_step_lines(capsys):
    progress = Progress("plain")
    with progress.step("ingest", "读取 / ingest") as metric:
        metric.detail = "3 files"
    progress.table("rows", ["dataset", "rows"], [["tenants", 12]])
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("▶ 读取 / ingest")
    assert "✔ 读取 / ingest" in out[1] and "3 files" in out[1]
    assert out[0][:4].isdigit()  # a timestamp starts each line
    assert any("tenants" in line for line in out)
    assert progress.metrics[0].name == "ingest" and progress.metrics[0].peak_rss_bytes > 0


def test_quiet_progress_prints_only_the_closing_line(capsys):
    progress = Progress("quiet")
    with progress.step("ingest", "读取 / ingest"):
        pass
    progress.info("detail")
    progress.done("已发布 / published")
    assert capsys.readouterr().out == "已发布 / published\n"


def test_docs_site_builds_offline(published_district, tmp_path):
    from orchestration.transform import build_docs

    page = build_docs(warehouse=published_district.warehouse, out_dir=tmp_path / "docs")
    html = page.read_text(encoding="utf-8")
    assert "carrier_year_indicators" in html and "stg_tenants" in html


def test_adjustments_template_command_and_a_bad_file_exits_2_naming_the_row(tmp_path):
    out = tmp_path / "调整与申诉.xlsx"
    done = subprocess.run(
        [CLI, "adjustments", "--template", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.is_file() and "调整" in done.stdout
    bad = tmp_path / "adj.csv"
    bad.write_text("编号,类型,对象,理由,状态\nT1,改分数,C001,理由,通过\n", encoding="utf-8")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "carriers.csv").write_text("载体编号\nC001\n", encoding="utf-8")
    done = subprocess.run(
        [CLI, "run", "--year", "2024", "--reports", str(tmp_path / "reports"),
         "--warehouse", str(tmp_path / "w.duckdb"), "--adjustments", str(bad)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "第 2 行 编号 T1 【类型】为“改分数”" in done.stderr
    assert not (tmp_path / "w.duckdb").exists()  # stopped before anything was touched
