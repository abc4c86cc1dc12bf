"""Measuring one process: a fresh `carrier-assess` process's wall time, peak memory (its own
from the OS, and its whole process tree's sampled every 50 ms), CPU time and exit code; and
saving and restoring the state a measured run starts from."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path


def cli_command() -> list[str]:
    """How to start the CLI: the venv's `carrier-assess`, else `python -m orchestration.cli`."""
    exe = Path(sys.executable).with_name("carrier-assess")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "orchestration.cli"]


def tree_rss_bytes(root: int) -> int:
    """Resident memory of process `root` and all its descendants now (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * page
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0) for pid in tree)


class TreeSampler:
    """Samples the resident memory of a process tree every 50 ms: the run's real peak, the main
    process, the dbt process and the audit worker together at the same instant."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, tree_rss_bytes(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_cold(args: list[str], env: dict[str, str]) -> tuple[float, int, int, float, int]:
    """Run one CLI process; return wall seconds, its peak RSS in bytes, its exit code, its CPU
    seconds (user + system: less sensitive than wall time to other load on the machine) and the
    sampled peak of the whole process tree (main process and its workers together)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    tree_peak = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace"))
    return wall, usage.ru_maxrss * 1024, proc.returncode, usage.ru_utime + usage.ru_stime, tree_peak


def copy_state(paths: list[Path], snapshot: Path) -> None:
    """Copy `paths` (files or folders) into the new folder `snapshot`."""
    snapshot.mkdir()
    for path in paths:
        if path.is_dir():
            shutil.copytree(path, snapshot / path.name, symlinks=True)
        elif path.exists():
            shutil.copy2(path, snapshot / path.name)


def restore_state(paths: list[Path], snapshot: Path) -> None:
    """Put `paths` back as `copy_state` saved them (what did not exist then is removed)."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        saved = snapshot / path.name
        if saved.is_dir():
            shutil.copytree(saved, path, symlinks=True)
        elif saved.exists():
            shutil.copy2(saved, path)
