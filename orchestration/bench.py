"""The benchmark: generate a district, province or national year, run the batch cold, measure.

Each measured run is a fresh `carrier-assess run` process, so the time includes the cold start
(interpreter, imports, dbt parse). The run writes its per-step wall time and peak memory to a
JSON file (`--metrics`); the process's own peak memory comes from the OS (rusage of children).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

SCALES: dict[str, float] = {"district": 1.0, "province": 30.0, "national": 16000 / 60}
"""Multipliers of the sample district (≈ 60 carriers, 3,000 tenants, 10,000 patents a year)."""

TARGETS = {
    "district": {"seconds": 10.0, "peak_gib": 6.0},
    "province": {"seconds": None, "peak_gib": 6.0},
    "national": {"seconds": 180.0, "peak_gib": 6.0},
}


@dataclass
class BenchResult:
    scale: str
    multiplier: float
    year: int
    generate_seconds: float
    history_seconds: float
    wall_seconds: float
    peak_rss_bytes: int
    exit_code: int
    steps: list[dict[str, object]]
    rows: dict[str, int]


def machine_facts() -> dict[str, str]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(handle.readline().split()[1])
            mem = f"{kib / (1 << 20):.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("carrier-assess")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "orchestration.cli"]


def _run_cold(args: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Run one CLI process; return wall seconds, its peak RSS in bytes, and its exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace"))
    return wall, usage.ru_maxrss * 1024, proc.returncode


def run_bench(scale: str, workdir: Path, year: int = 2024) -> BenchResult:
    from orchestration.sample import generate_sample

    multiplier = SCALES[scale]
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    reports = workdir / "reports"
    start = time.perf_counter()
    generate_sample(reports, years=(year - 1, year), scale=multiplier)
    generate_seconds = time.perf_counter() - start

    env = {**os.environ, "CARRIER_ASSESS_WAREHOUSE": str(workdir / "warehouse.duckdb")}
    base = [*_cli(), "run", "--quiet"]
    # The previous year first, so the measured year has history, as in real use.
    history_seconds, _, code = _run_cold(
        [
            *base,
            "--year",
            str(year - 1),
            "--reports",
            str(reports / str(year - 1)),
            "--out",
            str(workdir / "out" / str(year - 1)),
        ],
        env,
    )
    if code != 0:
        raise RuntimeError(f"the {year - 1} run failed with exit code {code}")
    metrics_file = workdir / "metrics.json"
    wall, peak, code = _run_cold(
        [
            *base,
            "--year",
            str(year),
            "--reports",
            str(reports / str(year)),
            "--out",
            str(workdir / "out" / str(year)),
            "--metrics",
            str(metrics_file),
        ],
        env,
    )
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.exists() else {}
    return BenchResult(
        scale=scale,
        multiplier=multiplier,
        year=year,
        generate_seconds=generate_seconds,
        history_seconds=history_seconds,
        wall_seconds=wall,
        peak_rss_bytes=peak,
        exit_code=code,
        steps=metrics.get("steps", []),
        rows=metrics.get("rows", {}),
    )


def format_result(result: BenchResult) -> str:
    lines = [
        f"scale {result.scale} (×{result.multiplier:g}), year {result.year}: "
        f"{result.wall_seconds:.1f} s wall, peak {result.peak_rss_bytes / (1 << 30):.2f} GiB, "
        f"exit {result.exit_code}",
        f"  (sample generation {result.generate_seconds:.1f} s; previous year's run "
        f"{result.history_seconds:.1f} s)",
        "  step                seconds   peak MiB",
    ]
    for step in result.steps:
        mib = step["peak_rss_bytes"] / (1 << 20)
        lines.append(f"  {step['name']:<18} {step['seconds']:>8.2f} {mib:>10.0f}")
    return "\n".join(lines)


def append_to_doc(result: BenchResult, doc: Path) -> None:
    """Add the result, with the machine's facts, to docs/benchmarks.md (newest first section)."""
    facts = machine_facts()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    target = TARGETS[result.scale]
    verdict = []
    if target["seconds"] is not None:
        ok = result.wall_seconds <= target["seconds"]
        verdict.append(f"time {'meets' if ok else 'MISSES'} ≤ {target['seconds']:g} s")
    ok_mem = result.peak_rss_bytes <= target["peak_gib"] * (1 << 30)
    verdict.append(f"memory {'meets' if ok_mem else 'MISSES'} ≤ {target['peak_gib']:g} GiB")
    rows = ", ".join(f"{k} {v:,}" for k, v in sorted(result.rows.items()))
    section = [
        f"### {result.scale} (×{result.multiplier:g}) — {stamp}",
        "",
        f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory']}, "
        f"Python {facts['python']}.",
        "",
        f"End to end, cold: **{result.wall_seconds:.1f} s**, peak "
        f"**{result.peak_rss_bytes / (1 << 30):.2f} GiB** ({'; '.join(verdict)}). "
        f"Exit code {result.exit_code}.",
        "",
        f"Rows: {rows or 'n/a'}.",
        "",
        "| step | seconds | peak RSS (MiB) |",
        "| --- | ---: | ---: |",
    ]
    for step in result.steps:
        section.append(
            f"| {step['name']} | {step['seconds']:.2f} | {step['peak_rss_bytes'] / (1 << 20):.0f} |"
        )
    section.append("")
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    marker = "## Results"
    if marker not in text:
        text = text.rstrip() + f"\n\n{marker}\n\n"
    head, tail = text.split(marker, 1)
    doc.write_text(head + marker + "\n\n" + "\n".join(section) + tail.lstrip("\n"), "utf-8")
