"""The benchmark: generate a district, province or national year, run the batch cold, measure.

Each measured run is a fresh `carrier-assess run` process, so the time includes the cold start
(interpreter, imports, dbt parse). The run writes its per-step wall time and peak memory to a
JSON file (`--metrics`); the process's own peak memory comes from the OS (rusage of children).

Modules: run.py (the bench: generate, run, measure), process.py (one measured process, its
memory, the saved state), bare.py (the framework-free baseline), result.py (`BenchResult`,
scales, targets), report.py (framework tax, console text, docs/benchmarks.md), models.py (the
per-model table, floor, profiles, results fingerprint), outputs.py (the published office files:
sizes, data-quality pages, sheet rows), decision.py (whatif and draws timings).

Interface: `run_bench(scale, workdir, ...)` → `BenchResult`; `format_result` and `append_to_doc`
report it; `run_bare` and `framework_tax` the baseline. Reads the sample generator and the
batch (as a process); writes only in its workdir and, when asked, docs/benchmarks.md.
"""

from orchestration.bench.bare import run_bare
from orchestration.bench.report import append_to_doc, format_result, framework_tax
from orchestration.bench.result import SCALES, TARGETS, BenchResult
from orchestration.bench.run import reported_run, run_bench

__all__ = [
    "SCALES",
    "TARGETS",
    "BenchResult",
    "append_to_doc",
    "format_result",
    "framework_tax",
    "reported_run",
    "run_bare",
    "run_bench",
]
