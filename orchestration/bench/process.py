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


def tree_rss(root: int) -> dict[int, int]:
    """Resident memory of process `root` and of each of its descendants now, by pid."""
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
    return {pid: rss.get(pid, 0) for pid in tree}


def high_water_bytes(pid: int) -> int:
    """The process's own peak resident memory so far (Linux's VmHWM); 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeSampler:
    """Samples the resident memory of a process tree every 50 ms: the run's real peak, the main
    process and its workers (dbt, audit, workbook) together at the same instant (`peak`); and
    the main process's own high-water mark (`main_peak`, Linux's VmHWM: exact, not sampled).

    Not `wait4`'s `ru_maxrss`: a process started by fork and exec keeps the high-water mark of
    the image it was forked from, so a run started by the bench would report the bench's own
    size at the fork (national: the 4.7 GiB of the sample it had just generated) as its own."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.main_peak, self.worker_peak = pid, 0, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            now = tree_rss(self.pid)
            self.peak = max(self.peak, sum(now.values()))
            self.main_peak = max(self.main_peak, high_water_bytes(self.pid))
            for pid in now.keys() - {self.pid}:  # each worker's own peak (VmHWM)
                self.worker_peak = max(self.worker_peak, high_water_bytes(pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_cold(args: list[str], env: dict[str, str]) -> tuple[float, int, int, float, int, int]:
    """Run one CLI process; return wall seconds, its peak RSS in bytes (VmHWM, `TreeSampler`),
    its exit code, its CPU seconds (user + system: less sensitive than wall time to other load
    on the machine) and the sampled peak of the whole process tree (main process and its
    workers together), and the largest worker's own peak (VmHWM)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    tree_peak = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace"))
    cpu = usage.ru_utime + usage.ru_stime
    return wall, sampler.main_peak, proc.returncode, cpu, tree_peak, sampler.worker_peak


def copy_state(paths: list[Path], snapshot: Path) -> None:
    """Copy `paths` (files or folders) into the new folder `snapshot`."""
    snapshot.mkdir()
    for path in paths:
        if path.is_dir():
            shutil.copytree(path, snapshot / path.name, symlinks=True)
        elif path.exists():
            shutil.copy2(path, snapshot / path.name)


def restore_state(paths: list[Path], snapshot: Path, trash: Path) -> None:
    """Put `paths` back as `copy_state` saved them; what a run left of them is moved into the new
    folder `trash` (`set_aside`), for the caller to remove once it has measured."""
    trash.mkdir(parents=True)
    for path in paths:
        set_aside(path, trash)
        saved = snapshot / path.name
        if saved.is_dir():
            shutil.copytree(saved, path, symlinks=True)
        elif saved.exists():
            shutil.copy2(saved, path)


def set_aside(path: Path, trash: Path) -> None:
    """Move `path` (if it exists) into the folder `trash` instead of deleting it.

    Deleting the tens of thousands of files a national run leaves (its data-quality pages)
    right before a measured run slowed that run: on an ext4 file system without a journal,
    as on this machine, the kernel skips every inode deleted in the last minutes when it
    allocates one (`recently_deleted` in `__ext4_new_inode`, seen with `perf`), so each new
    file scanned past all of them, and the run's ~18,400 pages took ~5 s more to create. The
    bench removes its trash only after measuring (docs/benchmarks.md, issue 21)."""
    if path.exists() or path.is_symlink():
        os.rename(path, trash / path.name)
