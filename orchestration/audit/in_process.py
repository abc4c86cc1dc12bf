"""Both halves of an audit in one process: read, then validate (tests, Dagster).

The batch splits them between its two processes instead (`audit_worker.AuditWorker`); the
findings are the same, from one code path (`validation.validate_frames`). Calling these imports
Great Expectations into this process.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import polars as pl

from orchestration.audit.findings import MAX_FINDINGS_PER_EXPECTATION, AuditResult
from orchestration.audit.reading import FULL_READ_MAX_ROWS, read_results, read_warehouse
from orchestration.audit.validation import validate_frames

if TYPE_CHECKING:
    import duckdb


def audit_warehouse(
    con: duckdb.DuckDBPyConnection,
    year: int,
    *,
    suites: list[str] | None = None,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditResult:
    """Check raw, staging and marts for the year before scoring; errors block publishing.

    `read_warehouse` then `validate_frames`, in this process (the batch splits them between
    its two processes, `AuditWorker`).
    """
    frames = read_warehouse(
        con,
        year,
        suites=suites,
        full_read_max_rows=full_read_max_rows,
        max_findings=max_findings,
    )
    return validate_frames(frames)


def audit_results(
    frames: Mapping[str, pl.DataFrame],
    year: int,
    *,
    full_read_max_rows: int = FULL_READ_MAX_ROWS,
    max_findings: int = MAX_FINDINGS_PER_EXPECTATION,
) -> AuditResult:
    """Check the scoring result frames (RESULT_SUITES) before publishing:
    `read_results` then `validate_frames`, in this process."""
    read = read_results(
        frames, year, full_read_max_rows=full_read_max_rows, max_findings=max_findings
    )
    return validate_frames(read)
