"""What a bench run measures (`BenchResult`), the scales it runs at, the targets it is held
to."""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.bench.outputs import OfficeFiles

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
    "national": {
        "seconds": 60.0,
        "peak_gib": 4e9 / (1 << 30),
        "floor_multiple": 8.0,
        "office_file_mb": 20.0,
    },
}
"""Issue 21: a national year in ≤ 60 s, ≤ 4 GB (all processes together) and ≤ 8× the floor
(DuckDB reading the package's CSVs, measured in the same run), no office file over 20 MB
(bench/outputs.py). Issue 7's were 180 s and 6 GiB."""


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
    """The largest worker's own peak (VmHWM: the dbt process, the audit worker or the workbook
    worker); `peak_rss_bytes` is the main process's, read the same way (bench/process.py)."""
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
    outputs: OfficeFiles | None = None
    """The measured year's published office files: sizes, data-quality pages, sheet rows."""

    @property
    def total_peak_bytes(self) -> int:
        """The run's peak memory: the sampled peak of the process tree, and never less than the
        main process's own peak (which the 50 ms sampling could miss)."""
        return max(self.tree_peak_rss_bytes, self.peak_rss_bytes)


def core_seconds(steps: list[dict[str, object]]) -> float:
    """A run's transform + score seconds: the steps that do what the bare baseline does."""
    seconds = {str(s["name"]): float(s["seconds"]) for s in steps}  # type: ignore[arg-type]
    return seconds.get("transform", 0.0) + seconds.get("score", 0.0)
