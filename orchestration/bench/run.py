"""Running the bench: generate two years at a scale, run the previous year, then time cold runs
of the year, each followed by the bare baseline on what it built, and collect the per-model
table, the results' fingerprint and, if asked, DuckDB profiles."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from orchestration.bench import models as bench_models
from orchestration.bench.bare import model_order, run_bare
from orchestration.bench.outputs import measure_outputs
from orchestration.bench.process import (
    cli_command,
    copy_state,
    restore_state,
    run_cold,
    set_aside,
)
from orchestration.bench.result import SCALES, BenchResult, core_seconds
from orchestration.publish.tables import CURRENT_LINK

Run = tuple[float, int, int, float, int, dict, float, int]
"""One measured run: wall, peak RSS, exit code, CPU seconds, tree peak, metrics, load average,
the largest worker's peak."""


@dataclass
class _Workdir:
    """The bench's folder: reports, warehouse, private dbt target, out folders, metrics."""

    root: Path
    year: int

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "target"  # private and stable across both runs, as in production

    @property
    def metrics(self) -> Path:
        return self.root / "metrics.json"

    @property
    def published(self) -> Path:
        """The measured year's published folder, as the last measured run left it."""
        return self.root / "out" / str(self.year) / CURRENT_LINK

    @property
    def trash(self) -> Path:
        """Beside the workdir: what is set aside to be removed after measuring (`set_aside`)."""
        return self.root.with_name(f".{self.root.name}.trash")

    @property
    def state(self) -> list[Path]:
        """What a run changes: the measured runs each start from it as the previous year left it."""
        return [self.warehouse, self.target, self.root / "out"]

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "CARRIER_ASSESS_WAREHOUSE": str(self.warehouse),
            "DBT_TARGET_PATH": str(self.target),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def run_args(self, year: int) -> list[str]:
        """`carrier-assess run` of `year` (the measured year writes its metrics)."""
        args = [*cli_command(), "run", "--quiet", "--year", str(year)]
        args += ["--reports", str(self.reports / str(year))]
        args += ["--out", str(self.root / "out" / str(year))]
        return args + (["--metrics", str(self.metrics)] if year == self.year else [])


def _floor_in_child(package: Path, stored: Path) -> dict[str, float]:
    """`bench_models.measure_floor` (the file it also stores the package in: `stored`) in a
    spawned process of its own: its in-memory database holds the whole package (GiBs at
    national scale), and a run started by this process after it would inherit that resident
    size as its own `ru_maxrss` (Linux keeps the forked copy's high-water mark across exec),
    reporting the bench's memory as the run's."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(bench_models.measure_floor, package, stored).result()


def run_bench(
    scale: str,
    workdir: Path,
    year: int = 2024,
    repeat: int = 1,
    *,
    compare: Path | None = None,
    profile: int = 0,
) -> BenchResult:
    """Generate the two years at `scale`, run the previous year, then time `repeat` cold runs
    of the year, each a fresh process starting from the state the previous year left (the
    warehouse, dbt target and published folders are restored between them), after the disk
    has caught up with the earlier writes. The result is the median run's; all wall times are
    kept (this machine's speed drifts by ±10 % from minute to minute). After each run the bare
    baseline runs on the warehouse it built (`run_bare`), so each run is compared with a bare
    run at the same speed of the machine (`pairs`, `framework_tax`). Also: the floor
    (`bench_models.measure_floor`, right before the measured runs), the per-model table, the
    results' fingerprint (`compare`: another bench workdir to compare it with) and, with
    `profile`, DuckDB's profiles of the costliest models in `workdir/profiles`."""
    multiplier = SCALES[scale]
    wd = _Workdir(workdir, year)
    generate_seconds = _generate(wd, multiplier)
    # The previous year first, so the measured year has history, as in real use.
    history_seconds, _, code, *_ = run_cold(wd.run_args(year - 1), wd.env())
    if code != 0:
        raise RuntimeError(f"the {year - 1} run failed with exit code {code}")
    floor = _floor_in_child(wd.reports / str(year), wd.root / "floor.duckdb")
    runs, bares = _measured_runs(wd, repeat)
    wall, peak, code, cpu, tree_peak, metrics, load, worker_peak = reported_run(runs)
    pairs = [
        (run[0], core_seconds(run[5].get("steps", [])), bare["total"])
        for run, bare in zip(runs, bares, strict=False)
    ]
    bare = sorted(bares, key=lambda b: b["total"])[(len(bares) - 1) // 2] if code == 0 else None
    models, differences, outputs = [], None, None
    if code == 0:
        bare_of_run = bares[next(i for i, run in enumerate(runs) if run[0] == wall)]
        models, differences = _details(wd, metrics, bare_of_run, compare, profile)
        outputs = measure_outputs(wd.published)
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
        bare=bare,
        cpu_seconds=cpu,
        load_average=load,
        worker_peak_rss_bytes=worker_peak,
        tree_peak_rss_bytes=tree_peak,
        walls=[r[0] for r in runs],
        pairs=pairs,
        models=models,
        floor=floor,
        differences=differences,
        outputs=outputs,
    )


def _generate(wd: _Workdir, multiplier: float) -> float:
    """A fresh workdir with the two years' packages; the seconds the generation took. An earlier
    bench's workdir is set aside into `wd.trash`, removed after the measured runs
    (`process.set_aside`)."""
    from orchestration.sample import generate_sample

    shutil.rmtree(wd.trash, ignore_errors=True)  # an interrupted bench's
    wd.trash.mkdir(parents=True)
    set_aside(wd.root, wd.trash)
    wd.root.mkdir(parents=True)
    start = time.perf_counter()
    generate_sample(wd.reports, years=(wd.year - 1, wd.year), scale=multiplier)
    return time.perf_counter() - start


def _measured_runs(wd: _Workdir, repeat: int) -> tuple[list[Run], list[dict[str, float]]]:
    """`repeat` cold runs of the year, each from the state the previous year left and followed
    by the bare baseline on what it built; stops at a failed run."""
    snapshot = wd.root / "before-measured-run"
    if repeat > 1:  # each measured run starts from the state the previous year left
        copy_state(wd.state, snapshot)
    runs: list[Run] = []
    bares: list[dict[str, float]] = []
    for attempt in range(repeat):
        if attempt:
            restore_state(wd.state, snapshot, wd.trash / f"run-{attempt}")
        os.sync()  # the previous run's writes are on disk, not flushed during this one
        time.sleep(1.0)
        load = os.getloadavg()[0]
        wd.metrics.unlink(missing_ok=True)
        wall, peak, code, cpu, tree_peak, worker_peak = run_cold(wd.run_args(wd.year), wd.env())
        metrics = json.loads(wd.metrics.read_text(encoding="utf-8")) if wd.metrics.exists() else {}
        runs.append((wall, peak, code, cpu, tree_peak, metrics, load, worker_peak))
        if code != 0:
            break
        # The bare baseline right after each run, on the warehouse that run built: the pair
        # meets the same speed of this machine, which drifts by 10-20 % over minutes.
        bares.append(run_bare(wd.warehouse, wd.target, wd.year))
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.rmtree(wd.trash, ignore_errors=True)  # measured: what earlier runs left can go now
    return runs, bares


def _details(
    wd: _Workdir,
    metrics: dict,
    bare: dict[str, float],
    compare: Path | None,
    profile: int,
) -> tuple[list[dict[str, object]], list[str] | None]:
    """The reported run's per-model table; its results' fingerprint (compared with another
    workdir's when asked); DuckDB profiles of the `profile` costliest models."""
    manifest = json.loads((wd.target / "manifest.json").read_text(encoding="utf-8"))
    order = model_order(manifest)
    models = bench_models.collect(order, metrics, bare, wd.warehouse, wd.year)
    bench_models.write_fingerprint(wd.root, wd.warehouse, wd.root / "out")
    differences = None
    if compare is not None:
        differences = bench_models.compare_fingerprints(
            bench_models.load_fingerprint(compare), bench_models.load_fingerprint(wd.root)
        )
    if profile:
        costly = sorted(models, key=lambda m: -float(m["bare_seconds"] or 0))[:profile]
        names = [str(m["model"]) for m in costly]
        bench_models.profile_models(wd.warehouse, wd.target, wd.year, names, wd.root / "profiles")
    return models, differences


def reported_run(runs: list[tuple]) -> tuple:
    """Which of the measured runs (wall seconds first, exit code third) the bench reports: the
    median by wall time, whole (its steps, memory and CPU); a failed run is reported instead,
    never hidden behind a faster run that succeeded."""
    failed = [run for run in runs if run[2] != 0]
    if failed:
        return failed[0]
    return sorted(runs, key=lambda run: run[0])[(len(runs) - 1) // 2]
