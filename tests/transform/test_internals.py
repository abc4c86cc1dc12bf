"""Private APIs behind one door each (orchestration/internals): each door opens on the versions
its internals were written for and, on any other (the door's own input names one), the batch
takes the library's public path, and says so once in the log. The real dbt, DuckDB, GX."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from orchestration import transform
from orchestration.internals import cpython, dbt, dbt_duckdb, gx
from orchestration.internals._door import Door
from orchestration.transform.manifest_cache import MANIFEST_CACHE

DOORS = (dbt.DOOR, dbt_duckdb.DOOR, gx.DOOR, cpython.DOOR)


@pytest.fixture
def restore_doors():
    yield
    for door in DOORS:
        door.start()  # as the installed versions say


def test_each_door_opens_on_the_installed_versions_only():
    for door in DOORS:
        assert door.check(door.installed()), f"{door.library} {door.installed()}"
        assert not door.check("0.0.1") and not door.check(None)
    assert cpython.DOOR.check("3.11.7") and not cpython.DOOR.check("3.13.0")
    assert not dbt.DOOR.check("1.11.160") and not dbt.DOOR.check("1.11")


def test_a_closed_door_says_so_once(caplog, restore_doors):
    door = Door("dbt-core", ("1.11.16",), "the public path")
    with caplog.at_level(logging.WARNING, logger="carrier_assess.internals"):
        assert not door.start("1.12.0")
        assert not door.is_open() and not door.is_open()
    assert len(caplog.records) == 1
    assert "dbt-core 1.12.0" in caplog.text and "the public path" in caplog.text


@pytest.mark.slow
def test_on_another_dbt_the_project_is_parsed_by_dbt_and_nothing_cached(tmp_path, restore_doors):
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "target"
    dbt.DOOR.start("1.12.0")
    manifest = transform.load_or_parse_manifest(warehouse, target)
    assert "model.carrier_assess.carrier_year_indicators" in manifest.nodes
    assert not (target / MANIFEST_CACHE).exists()
    assert transform.warm_up(warehouse, target, manifest)  # the public `dbt ls`, no imports
    dbt.DOOR.start()
    cached = transform.load_or_parse_manifest(warehouse, target)
    assert (target / MANIFEST_CACHE).is_file()
    assert cached.nodes.keys() == manifest.nodes.keys()


@pytest.mark.slow
def test_on_another_gx_the_audit_context_is_gx_public_one(restore_doors):
    import great_expectations as gx_public
    import pandas as pd

    gx.DOOR.start("0.18.0")
    context = gx.ephemeral_context()
    batch = (
        context.data_sources.add_pandas("p")
        .add_dataframe_asset("f")
        .add_batch_definition_whole_dataframe("b")
        .get_batch(batch_parameters={"dataframe": pd.DataFrame({"a": [1, None]})})
    )
    result = batch.validate(gx_public.expectations.ExpectColumnValuesToNotBeNull(column="a"))
    assert not result.success


LEAVE = """
import atexit, sys
from orchestration.internals import cpython
atexit.register(lambda: print("exit handlers ran", flush=True))
if sys.argv[1] != "installed":
    cpython.DOOR.start(sys.argv[1])
cpython.leave(3)
"""


@pytest.mark.parametrize("version", ["installed", "3.99.0"])
def test_leaving_runs_the_exit_handlers_on_either_path(version: str):
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LEAVE), version],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent,
    )  # fmt: skip
    assert done.returncode == 3
    assert done.stdout == "exit handlers ran\n"
    said = done.stderr.count("taking the public path")
    assert said == (0 if version == "installed" else 1), done.stderr


DEFER = """
import importlib.util, sys
if sys.argv[1] == "no-scipy":
    real = importlib.util.find_spec
    importlib.util.find_spec = lambda name, *a: None if name == "scipy" else real(name, *a)
from orchestration.internals import gx
gx.defer_scipy_stats()
stats = sys.modules.get("scipy.stats")
print(type(stats).__name__, "scipy.stats._stats_py" in sys.modules)
"""


@pytest.mark.parametrize(
    ("case", "printed"), [("scipy", "_LazyModule False"), ("no-scipy", "NoneType False")]
)
def test_scipy_stats_is_deferred_and_nothing_is_done_without_scipy(case: str, printed: str):
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(DEFER), case],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == printed
