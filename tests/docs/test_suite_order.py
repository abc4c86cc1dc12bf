"""`make test` stays near 10 minutes on two cores (524–681 s, with the machine's hour) because of
how it hands out the files: whole files (a file's module fixtures built once), the files marked
slow first (tests/conftest.py), in that order. Losing either part brought back duplicate
builds or a long file run alone at the end (docs/benchmarks.md, issue 21)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_test_hands_out_whole_files_in_collection_order() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (command,) = re.findall(r"^\t\$\(BIN\)/pytest (.*)$", makefile, flags=re.MULTILINE)
    assert command.split() == ["-q", "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder"]


def test_the_slow_files_are_collected_first() -> None:
    quick, slow = "tests/scoring/test_yaml_io.py", "tests/pipeline/test_kill.py"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + ["-n", "0", quick, slow],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    files = [line.split("::")[0] for line in done.stdout.splitlines() if "::" in line]
    assert files[0] == slow and files[-1] == quick, files
