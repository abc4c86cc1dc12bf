"""The hand-over between the audit's two halves: what was read (no GX) for GX to validate.

The reading side (`reading`) fills an `AuditFrames`; the validating side
(`validation.validate_frames`, in the audit worker during a run) turns it into findings. It is
the audit worker's request, so it must pickle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from orchestration.audit.suites import SuiteDoc

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


@dataclass(frozen=True)
class SuiteFrame:
    """One suite and what was read for it: the frame to validate (with the exact failing counts
    when DuckDB narrowed the rows), or the error finding saying the table could not be read."""

    suite: SuiteDoc
    frame: pl.DataFrame | pd.DataFrame | pa.Table | None = None
    failing_counts: dict[str, int] | None = None
    finding: pl.DataFrame | None = None


@dataclass(frozen=True)
class AuditFrames:
    """What one audit request hands to the validating side (picklable: the worker's request)."""

    year: int
    max_findings: int
    suites: list[SuiteFrame]
