"""A plain (not editable) install runs from any folder: the package carries the dbt project, the
quality suites, the contract, the rulebooks and the templates, and dbt writes beside the
warehouse, not into the installed package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from orchestration.config import PROJECT_DIR
from orchestration.sample import generate_sample

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """What the wheel installs: setuptools' `build_py` (the step of `pip wheel` that selects
    the modules and the package data) run on this checkout's pyproject.toml into a folder.
    `pip wheel` itself would need the `wheel` package or a build environment from the
    network; a plain `pip install -c requirements.lock .` into a fresh venv is checked by hand."""
    out = tmp_path_factory.mktemp("build") / "lib"
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q",
         "build_py", "--build-lib", str(out)],
        cwd=PROJECT_DIR, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return out


def test_the_package_ships_every_file_dbt_and_the_gate_read(built):
    names = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    project = Path(PROJECT_DIR)
    expected = {"carrier_assess_project/dbt_project.yml", "carrier_assess_project/profiles.yml"}
    for folder in ("models", "macros", "seeds", "expectations"):
        for path in (project / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                expected.add(f"carrier_assess_project/{path.relative_to(project).as_posix()}")
    for package in ("orchestration", "scoring"):  # every module of every sub-package
        for path in (project / package).rglob("*.py"):
            expected.add(path.relative_to(project).as_posix())
    shipped = (("orchestration", "contract"), ("orchestration", "publish/report_templates"),
               ("scoring", "rulebooks"))  # fmt: skip
    for package, folder in shipped:
        for path in (project / package / folder).iterdir():
            expected.add(f"{package}/{folder}/{path.name}")
    assert expected - names == set()
    assert not any(name.startswith(("carrier_assess_project/tests", "carrier_assess_project/orch"))
                   for name in names)  # fmt: skip


def test_an_installed_package_runs_a_year_from_a_foreign_folder(built, tmp_path):
    """The built package in a folder of its own and imported from there (not from this
    checkout), run from another folder: it publishes, and writes nothing into the package."""
    site = tmp_path / "site"
    shutil.copytree(built, site)
    generate_sample(tmp_path / "reports", years=(2024,), scale=0.2)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = textwrap.dedent(
        """
        import sys
        import orchestration, orchestration.config as config
        print("imported from", orchestration.__file__)
        print("project at", config.PROJECT_DIR)
        from orchestration.cli import main
        sys.argv = ["carrier-assess", "run", "--quiet", "--year", "2024",
                    "--reports", sys.argv[1]]
        main()
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DBT_TARGET_PATH", "PYTHONPATH")}
    env.pop("CARRIER_ASSESS_WAREHOUSE", None)
    before = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "reports" / "2024")],
        cwd=elsewhere,
        env={**env, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"imported from {site / 'orchestration' / '__init__.py'}" in done.stdout
    assert f"project at {site / 'carrier_assess_project'}" in done.stdout
    assert (elsewhere / "out" / "2024" / "carrier_scores.parquet").exists()
    assert (elsewhere / "warehouse" / "carriers.dbt-target").is_dir()  # dbt wrote beside it
    after = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    assert after == before
