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
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from orchestration.bench import models as bench_models

SCALES: dict[str, float] = {
    "smoke": 0.2,
    "district": 1.0,
    "province": 30.0,
    "national": 16000 / 60,
}
"""Multipliers of the sample district (≈ 60 carriers, 3,000 tenants, 10,000 patents a year).
`smoke` is for the bench's own test (tests/bench), not a target."""

TARGETS = {
    "smoke": {"seconds": None, "peak_gib": 6.0},
    "district": {"seconds": 10.0, "peak_gib": 6.0},
    "province": {"seconds": None, "peak_gib": 6.0},
    "national": {"seconds": 60.0, "peak_gib": 4e9 / (1 << 30), "floor_multiple": 8.0},
}
"""Issue 21: a national year in ≤ 60 s, ≤ 4 GB (all processes together) and ≤ 8× the floor
(DuckDB reading the package's CSVs, measured in the same run). Issue 7's were 180 s and 6 GiB."""


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
    bare: dict[str, float] | None = None
    cpu_seconds: float = 0.0
    load_average: float = 0.0
    worker_peak_rss_bytes: int = 0
    """The largest worker's peak (the dbt process or the audit worker); `peak_rss_bytes` is the
    main process's."""
    tree_peak_rss_bytes: int = 0
    """All the run's processes' resident memory summed at the same instant, sampled every 50 ms."""
    walls: list[float] = field(default_factory=list)
    """Every measured run's wall time; the result is the median run's (`--repeat`)."""
    pairs: list[tuple[float, float, float]] = field(default_factory=list)
    """Per measured run: its wall, its transform + score seconds, and the total of the bare
    baseline run right after it (the framework tax is the median of the per-run ratios)."""
    models: list[dict[str, object]] = field(default_factory=list)
    """The reported run's dbt models: dbt's seconds, the bare seconds, rows (bench_models)."""
    floor: dict[str, float] | None = None
    """DuckDB reading the package's CSVs into typed tables, in the same bench run."""
    differences: list[str] | None = None
    """With `compare`: what moved against the other workdir's results (empty: identical)."""

    @property
    def total_peak_bytes(self) -> int:
        """The run's peak memory: the sampled peak of the process tree, and never less than the
        main process's own peak (which the 50 ms sampling could miss)."""
        return max(self.tree_peak_rss_bytes, self.peak_rss_bytes)


def _model_order(manifest: dict) -> list[dict]:
    """The manifest's models in dependency order (dbt's own DAG, depth first)."""
    nodes = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    ordered: list[dict] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes:
            return
        seen.add(uid)
        for dep in nodes[uid]["depends_on"]["nodes"]:
            visit(dep)
        ordered.append(nodes[uid])

    for uid in sorted(nodes):
        visit(uid)
    return ordered


def compile_models(warehouse: Path, target: Path) -> None:
    """Write the models' compiled SQL to `target`/manifest.json (the batch's build does not write
    it: `--no-write-json`). Compiled against the warehouse as the run left it, so incremental
    models compile to their incremental form, as they ran."""
    from orchestration import transform

    transform.run_dbt(
        ["compile", "--exclude", *transform.PIPELINE_EXCLUDE],
        warehouse=warehouse,
        target_path=target,
    )


def run_bare(
    warehouse: Path,
    target: Path,
    year: int,
    *,
    keep_copy: bool = False,
    profile: list[str] | None = None,
    profile_dir: Path | None = None,
) -> dict[str, float]:
    """The framework-free baseline: the same compiled model SQL, in dbt's order, in one DuckDB
    connection, then the same scoring, on a copy of the warehouse the batch just built.

    The copy is first put back to where the measured run's transform started: the year's rows
    leave the incremental staging tables (what their pre-hook does after a new ingest). Then each
    model runs as dbt materialises it: incremental models `insert into … <SQL>`, views
    `create or replace view`, tables `create or replace table`. Returns seconds for `sql` (all
    models), `score` (read marts + score) and `total`. The copy is attached under the catalog
    name the compiled SQL uses, so the SQL runs unchanged.
    """
    import duckdb

    from orchestration import score
    from scoring.rulebook import load_rulebook, rulebook_path_for

    compile_models(warehouse, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    models = _model_order(manifest)
    missing = [m["unique_id"] for m in models if not m.get("compiled_code")]
    if missing:
        raise RuntimeError(f"no compiled SQL in the manifest for {missing[:3]}")
    copy = warehouse.with_name("bare.duckdb")
    shutil.copyfile(warehouse, copy)
    catalog = models[0]["database"]
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    rulebook = load_rulebook(rulebook_path_for(year))
    with duckdb.connect(":memory:", config=config) as con:
        quoted = str(copy).replace("'", "''")  # ATTACH takes no parameters; our own path
        con.execute(f"attach '{quoted}' as \"{catalog}\"")
        con.execute(f'use "{catalog}"')
        for model in models:
            if model["config"]["materialized"] == "incremental":
                con.execute(
                    f"delete from {model['relation_name']} where _assessment_year = ?", [year]
                )
        start = time.perf_counter()
        per_model = bench_models.execute_models(con, models, profile or (), profile_dir)
        sql_done = time.perf_counter()
        inputs = score.load_inputs(con, year)
        score.score(rulebook, year, inputs)
    end = time.perf_counter()
    if not keep_copy:
        copy.unlink(missing_ok=True)
    times = {"sql": sql_done - start, "score": end - sql_done, "total": end - start}
    return times | {f"model:{name}": seconds for name, seconds in per_model.items()}


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


def _floor_in_child(package: Path) -> dict[str, float]:
    """`bench_models.measure_floor` in a spawned process of its own: its in-memory database
    holds the whole package (GiBs at national scale), and a run started by this process after
    it would inherit that resident size as its own `ru_maxrss` (Linux keeps the forked copy's
    high-water mark across exec), reporting the bench's memory as the run's."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(bench_models.measure_floor, package).result()


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("carrier-assess")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "orchestration.cli"]


def _tree_rss_bytes(root: int) -> int:
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


class _TreeSampler:
    """Samples the resident memory of a process tree every 50 ms: the run's real peak, the main
    process, the dbt process and the audit worker together at the same instant."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _tree_rss_bytes(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def _run_cold(args: list[str], env: dict[str, str]) -> tuple[float, int, int, float, int]:
    """Run one CLI process; return wall seconds, its peak RSS in bytes, its exit code, its CPU
    seconds (user + system: less sensitive than wall time to other load on the machine) and the
    sampled peak of the whole process tree (main process and its workers together)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = _TreeSampler(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    tree_peak = sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0 and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace"))
    return wall, usage.ru_maxrss * 1024, proc.returncode, usage.ru_utime + usage.ru_stime, tree_peak


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
    from orchestration.sample import generate_sample

    multiplier = SCALES[scale]
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    reports = workdir / "reports"
    start = time.perf_counter()
    generate_sample(reports, years=(year - 1, year), scale=multiplier)
    generate_seconds = time.perf_counter() - start

    warehouse = workdir / "warehouse.duckdb"
    target = workdir / "target"  # private and stable across both runs, as in production
    env = {
        **os.environ,
        "CARRIER_ASSESS_WAREHOUSE": str(warehouse),
        "DBT_TARGET_PATH": str(target),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    base = [*_cli(), "run", "--quiet"]
    # The previous year first, so the measured year has history, as in real use.
    history_seconds, _, code, _, _ = _run_cold(
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
    args = [
        *base,
        "--year",
        str(year),
        "--reports",
        str(reports / str(year)),
        "--out",
        str(workdir / "out" / str(year)),
        "--metrics",
        str(metrics_file),
    ]
    floor = _floor_in_child(reports / str(year))
    state = [warehouse, target, workdir / "out"]
    snapshot = workdir / "before-measured-run"
    if repeat > 1:  # each measured run starts from the state the previous year left
        _copy_state(state, snapshot)
    runs: list[tuple[float, int, int, float, int, dict, float]] = []
    bares: list[dict[str, float]] = []
    for attempt in range(repeat):
        if attempt:
            _restore_state(state, snapshot)
        os.sync()  # the previous run's writes are on disk, not flushed during this one
        time.sleep(1.0)
        load = os.getloadavg()[0]
        metrics_file.unlink(missing_ok=True)
        wall, peak, code, cpu, tree_peak = _run_cold(args, env)
        metrics = (
            json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.exists() else {}
        )
        runs.append((wall, peak, code, cpu, tree_peak, metrics, load))
        if code != 0:
            break
        # The bare baseline right after each run, on the warehouse that run built: the pair
        # meets the same speed of this machine, which drifts by 10-20 % over minutes.
        bares.append(run_bare(warehouse, target, year))
    shutil.rmtree(snapshot, ignore_errors=True)
    wall, peak, code, cpu, tree_peak, metrics, load = reported_run(runs)
    pairs = [
        (run[0], _core_seconds(run[5].get("steps", [])), bare["total"])
        for run, bare in zip(runs, bares, strict=False)
    ]
    bare = sorted(bares, key=lambda b: b["total"])[(len(bares) - 1) // 2] if code == 0 else None
    models, differences = [], None
    if code == 0:
        index = next(i for i, run in enumerate(runs) if run[0] == wall)
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        order = _model_order(manifest)
        models = bench_models.collect(order, metrics, bares[index], warehouse, year)
        bench_models.write_fingerprint(workdir, warehouse, workdir / "out")
        if compare is not None:
            differences = bench_models.compare_fingerprints(
                bench_models.load_fingerprint(compare), bench_models.load_fingerprint(workdir)
            )
        if profile:
            costly = sorted(models, key=lambda m: -float(m["bare_seconds"] or 0))[:profile]
            names = [str(m["model"]) for m in costly]
            bench_models.profile_models(warehouse, target, year, names, workdir / "profiles")
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
        worker_peak_rss_bytes=int(metrics.get("children_peak_rss_bytes", 0)),
        tree_peak_rss_bytes=tree_peak,
        walls=[r[0] for r in runs],
        pairs=pairs,
        models=models,
        floor=floor,
        differences=differences,
    )


def reported_run(runs: list[tuple]) -> tuple:
    """Which of the measured runs (wall seconds first, exit code third) the bench reports: the
    median by wall time, whole (its steps, memory and CPU); a failed run is reported instead,
    never hidden behind a faster run that succeeded."""
    failed = [run for run in runs if run[2] != 0]
    if failed:
        return failed[0]
    return sorted(runs, key=lambda run: run[0])[(len(runs) - 1) // 2]


def _copy_state(paths: list[Path], snapshot: Path) -> None:
    snapshot.mkdir()
    for path in paths:
        if path.is_dir():
            shutil.copytree(path, snapshot / path.name, symlinks=True)
        elif path.exists():
            shutil.copy2(path, snapshot / path.name)


def _restore_state(paths: list[Path], snapshot: Path) -> None:
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


def _core_seconds(steps: list[dict[str, object]]) -> float:
    """A run's transform + score seconds: the steps that do what the bare baseline does."""
    seconds = {str(s["name"]): float(s["seconds"]) for s in steps}  # type: ignore[arg-type]
    return seconds.get("transform", 0.0) + seconds.get("score", 0.0)


def framework_tax(result: BenchResult) -> dict[str, float] | None:
    """The batch over the bare baseline: the whole run, and its transform + score steps. With
    measured pairs (each run, then the bare baseline on what it built), the median of the
    per-pair ratios; else the reported run over the one bare run."""
    pairs = [p for p in result.pairs if p[2] > 0]
    if pairs:
        return {
            "whole_run": statistics.median([wall / bare for wall, _, bare in pairs]),
            "transform_and_score": statistics.median([core / bare for _, core, bare in pairs]),
        }
    if not result.bare or result.bare["total"] <= 0:
        return None
    return {
        "whole_run": result.wall_seconds / result.bare["total"],
        "transform_and_score": _core_seconds(result.steps) / result.bare["total"],
    }


def _tax_line(result: BenchResult) -> str | None:
    tax = framework_tax(result)
    if tax is None or result.bare is None:
        return None
    line = (
        f"framework tax: bare DuckDB {result.bare['total']:.1f} s (model SQL "
        f"{result.bare['sql']:.1f} s + scoring {result.bare['score']:.1f} s); whole run "
        f"{tax['whole_run']:.2f}×, transform + score steps {tax['transform_and_score']:.2f}×"
    )
    if len(result.pairs) > 1:
        each = ", ".join(
            f"{core:.2f} s / {bare:.2f} s = {core / bare:.2f}×" for _, core, bare in result.pairs
        )
        line += f" (median of the runs, each over the bare run right after it: {each})"
    return line


def _walls_text(result: BenchResult, lead: str, tail: str) -> str:
    """Every measured run's wall time, when there were several (`lead` may say `{n}`)."""
    if len(result.walls) < 2:
        return ""
    return lead.format(n=len(result.walls)) + ", ".join(f"{w:.1f}" for w in result.walls) + tail


def format_result(result: BenchResult) -> str:
    lines = [
        f"scale {result.scale} (×{result.multiplier:g}), year {result.year}: "
        f"{result.wall_seconds:.1f} s wall, peak {result.total_peak_bytes / (1 << 30):.2f} GiB "
        f"(all processes together; alone: main {result.peak_rss_bytes / (1 << 30):.2f}, "
        f"largest worker {result.worker_peak_rss_bytes / (1 << 30):.2f}), "
        f"exit {result.exit_code}; CPU {result.cpu_seconds:.1f} s, "
        f"load average before the run {result.load_average:.1f}"
        + _walls_text(result, "; median of {n} runs: ", " s"),
        f"  (sample generation {result.generate_seconds:.1f} s; previous year's run "
        f"{result.history_seconds:.1f} s)",
        "  step                seconds   peak MiB",
    ]
    for step in result.steps:
        mib = step["peak_rss_bytes"] / (1 << 20)
        lines.append(f"  {step['name']:<18} {step['seconds']:>8.2f} {mib:>10.0f}")
    tax = _tax_line(result)
    if tax:
        lines.append(f"  {tax}")
    floor = _floor_line(result)
    if floor:
        lines.append(f"  {floor}")
    if result.differences is not None:
        lines.append(
            "  results identical to the compared run"
            if not result.differences
            else "  results DIFFER from the compared run:\n    " + "\n    ".join(result.differences)
        )
    models = bench_models.format_models(result.models)
    if models:
        lines.append(models)
    return "\n".join(lines)


def _floor_line(result: BenchResult) -> str | None:
    """The floor (DuckDB reading the package's CSVs into typed tables) and the run over it."""
    if not result.floor or result.floor["seconds"] <= 0 or not result.floor["files"]:
        return None  # no CSV in the package (a district's workbooks): no floor
    ratio = result.wall_seconds / result.floor["seconds"]
    limit = TARGETS.get(result.scale, {}).get("floor_multiple")
    verdict = ""
    if limit is not None:
        verdict = f" ({'meets' if ratio <= limit else 'MISSES'} ≤ {limit:g}×)"
    return (
        f"floor: DuckDB reads the package's {int(result.floor['files'])} CSV files "
        f"({int(result.floor['rows']):,} rows) into typed tables in "
        f"{result.floor['seconds']:.1f} s; "
        f"the run is {ratio:.1f}× that{verdict}"
    )


def append_to_doc(result: BenchResult, doc: Path) -> None:
    """Add the result, with the machine's facts, to docs/benchmarks.md (newest first section)."""
    facts = machine_facts()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    target = TARGETS[result.scale]
    verdict = []
    if target["seconds"] is not None:
        ok = result.wall_seconds <= target["seconds"]
        verdict.append(f"time {'meets' if ok else 'MISSES'} ≤ {target['seconds']:g} s")
    ok_mem = result.total_peak_bytes <= target["peak_gib"] * (1 << 30)
    verdict.append(f"memory {'meets' if ok_mem else 'MISSES'} ≤ {target['peak_gib']:.3g} GiB")
    rows = ", ".join(f"{k} {v:,}" for k, v in sorted(result.rows.items()))
    section = [
        f"### {result.scale} (×{result.multiplier:g}) — {stamp}",
        "",
        f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory']}, "
        f"Python {facts['python']}.",
        "",
        f"End to end, cold: **{result.wall_seconds:.1f} s**, peak "
        f"**{result.total_peak_bytes / (1 << 30):.2f} GiB**, the main process, the dbt "
        f"process and the audit worker together (alone at their peaks: main "
        f"{result.peak_rss_bytes / (1 << 30):.2f}, largest worker "
        f"{result.worker_peak_rss_bytes / (1 << 30):.2f}; {'; '.join(verdict)}). "
        f"Exit code {result.exit_code}. CPU (user + system) {result.cpu_seconds:.1f} s; "
        f"1-minute load average before the run {result.load_average:.1f} on "
        f"{facts['cores']} cores (other work on the machine inflates wall time)."
        + _walls_text(
            result, " The median of {n} cold runs, each starting in the same state: ", " s."
        ),
        "",
        f"Rows: {rows or 'n/a'}.",
        "",
        *([f"{_tax_line(result)}.", ""] if _tax_line(result) else []),
        "| step | seconds | peak RSS (MiB) |",
        "| --- | ---: | ---: |",
    ]
    for step in result.steps:
        section.append(
            f"| {step['name']} | {step['seconds']:.2f} | {step['peak_rss_bytes'] / (1 << 20):.0f} |"
        )
    section.append("")
    if _floor_line(result):
        section += [f"{_floor_line(result)}.", ""]
    if result.models:
        section += [*bench_models.models_markdown(result.models), ""]
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    marker = "## Results"
    if marker not in text:
        text = text.rstrip() + f"\n\n{marker}\n\n"
    head, tail = text.split(marker, 1)
    body = "\n".join(section) + "\n"
    doc.write_text(head + marker + "\n\n" + body + tail.lstrip("\n"), "utf-8")
