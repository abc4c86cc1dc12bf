"""The batch for one year: the only place that knows the order of the steps (ingest, clean,
audit, score, publish), write–audit–publish.

Reads: the year's report package, its rulebook and the office's adjustments file
(`RunOptions`). Writes: through the steps, the warehouse's working layers, then (only after
both audits passed) `results.*`, `out/<year>/` and the read-only copy; a run record whatever
happens. Returns how the run ended (`RunOutcome`).

run.py runs a year under the lock with its record; steps.py is the step sequence;
publishing.py the publish step and the office files' names; adjustments.py the office's file
in a run; faults.py the reliability tests' fault injection.
"""

from orchestration.pipeline.faults import FAULT_ENV, FaultHook, env_fault_hook
from orchestration.pipeline.options import RunOptions, RunOutcome
from orchestration.pipeline.publishing import office_file_names
from orchestration.pipeline.run import run_year

__all__ = [
    "FAULT_ENV",
    "FaultHook",
    "RunOptions",
    "RunOutcome",
    "env_fault_hook",
    "office_file_names",
    "run_year",
]
