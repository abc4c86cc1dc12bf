"""Every batch process collects cycles less often (orchestration/collector.py): the main
process as the command starts, each worker (dbt, audit, workbook) as it starts."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

from orchestration import collector

EXPECTED = (collector.YOUNG_THRESHOLD, *collector.OLDER_THRESHOLDS)


def _thresholds_seen(script: str) -> tuple[int, ...]:
    """Run `script` in a fresh interpreter; it prints gc.get_threshold() once."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return tuple(ast.literal_eval(done.stdout.strip().splitlines()[-1]))


def test_the_thresholds_are_fewer_collections_than_cpythons_default() -> None:
    assert collector.YOUNG_THRESHOLD > 700
    assert all(older >= 10 for older in collector.OLDER_THRESHOLDS)


def test_the_command_collects_less() -> None:
    seen = _thresholds_seen(
        """
        import gc
        from orchestration import cli
        cli.app = lambda: print(gc.get_threshold())
        cli.main()
        """
    )
    assert seen == EXPECTED


def test_a_worker_collects_less() -> None:
    seen = _thresholds_seen(
        """
        import gc
        from orchestration import worker
        worker._child(lambda channel: print(gc.get_threshold(), flush=True), None, 0)
        """
    )
    assert seen == EXPECTED
