"""What a run is asked to do (`RunOptions`) and how it ended (`RunOutcome`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.errors import ExitCode
from orchestration.pipeline.faults import FaultHook, env_fault_hook

if TYPE_CHECKING:
    from orchestration.transform import BuildWorker


@dataclass
class RunOptions:
    year: int
    reports: Path
    warehouse: Path | None = None
    out: Path | None = None
    rules: Path | None = None
    fault_hook: FaultHook = field(default_factory=env_fault_hook)
    adjustments: Path | None = None
    """The office's adjustments file (`--adjustments`): replaces the year's adjustments. None:
    the adjustments the year was last published with are applied again."""
    build_worker: BuildWorker | None = None
    """A dbt process the caller spawned ahead, not yet told where to build (the `run` command
    spawns it before it imports the batch, so dbt's import overlaps that too). The run warms it
    once it holds the lock; the caller closes it. None: the run spawns its own."""


@dataclass
class RunOutcome:
    code: ExitCode
    run_id: str | None
    message: str
    out_dir: Path | None = None
    dq_report: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
