"""How the batch's workers start (`orchestration.worker`): spawned, as every `run` starts them,
or forked from a server that has imported dbt and GX once, as the test suite starts them
(tests/conftest.py). Either way a worker runs in the main process's environment variables and
working folder as they are when it starts."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
import uuid

import pytest

from orchestration import worker

PROBE = textwrap.dedent(
    '''
    """A worker that answers where it runs."""
    import os
    import sys


    def main(channel):
        loaded = {name for name in ("dbt.cli.main", "great_expectations") if name in sys.modules}
        _, variable = channel.receive()
        channel.answer(lambda: (os.environ.get(variable), os.getcwd(), sorted(loaded)))
    '''
)


@pytest.fixture
def probe(tmp_path, monkeypatch):
    """The probe worker's `main`, importable by name in the worker as the batch's workers are."""
    folder = tmp_path / "probe"
    folder.mkdir()
    name = f"worker_probe_{uuid.uuid4().hex}"
    (folder / f"{name}.py").write_text(PROBE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    return importlib.import_module(name).main


def _ask(main, variable: str):
    started = worker.Worker(main, worker.WorkerName("carrier-assess-probe", "探针", "probe", "x"))
    try:
        started.send("where", variable)
        return started.receive().value()
    finally:
        started.close()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_a_worker_runs_in_the_environment_of_its_start(method, probe, tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "_start_method", method)
    variable = "CARRIER_ASSESS_PROBE"
    _ask(probe, variable)  # the fork server (if any) is running from here on
    monkeypatch.setenv(variable, "set after the server started")
    monkeypatch.chdir(tmp_path)

    value, folder, loaded = _ask(probe, variable)

    assert value == "set after the server started"
    assert folder == str(tmp_path)
    if method == "forkserver":  # dbt and GX were imported once, by the server
        assert loaded == ["dbt.cli.main", "great_expectations"]
    else:  # a new interpreter: the worker imports what it needs
        assert loaded == []


def test_the_suite_forks_its_workers_and_a_run_spawns_them() -> None:
    assert worker._start_method == "forkserver"  # tests/conftest.py
    code = "import orchestration.cli, orchestration.worker as w; print(w._start_method)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "spawn"
