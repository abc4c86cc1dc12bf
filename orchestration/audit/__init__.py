"""The audit step: the Great Expectations quality gate that decides whether a run may publish.

Reads: the warehouse tables the suites name (raw, staging, marts, including the dbt model
`marts.marts_reconciliation`) for one year, the scoring result frames, and the suite files
`expectations/*.json`. Writes: nothing; returns findings (`AuditResult`, the columns of
`results.dq_issues` plus `assessment_year` and `carrier_id`): an error blocks publishing, a
warning is reported only.

An audit is two halves with one hand-over, `AuditFrames`:

- reading (`read_warehouse`, `read_results`; reading.py, narrowing.py, suites.py): DuckDB reads
  the rows and columns each suite needs. No Great Expectations: the batch's main process reads.
- validating (`validate_frames`; validation.py): GX decides pass or fail on those frames. GX is
  imported only there, in the audit worker process during a run (`AuditWorker`).

`audit_warehouse` / `audit_results` run both halves in one process (tests, Dagster).
`dq_carriers` says which carrier a finding belongs to, and counts them one way.
"""

from orchestration.audit.audit_worker import AuditWorker, PendingAudit
from orchestration.audit.findings import FINDING_SCHEMA, MAX_FINDINGS_PER_EXPECTATION, AuditResult
from orchestration.audit.frames import AuditFrames, SuiteFrame
from orchestration.audit.in_process import audit_results, audit_warehouse
from orchestration.audit.reading import FULL_READ_MAX_ROWS, read_results, read_warehouse
from orchestration.audit.suites import RESULT_SUITES, model_suites, raw_suites, warehouse_suites
from orchestration.audit.validation import validate_frames

__all__ = [
    "FINDING_SCHEMA",
    "FULL_READ_MAX_ROWS",
    "MAX_FINDINGS_PER_EXPECTATION",
    "RESULT_SUITES",
    "AuditFrames",
    "AuditResult",
    "AuditWorker",
    "PendingAudit",
    "SuiteFrame",
    "audit_results",
    "audit_warehouse",
    "model_suites",
    "raw_suites",
    "read_results",
    "read_warehouse",
    "validate_frames",
    "warehouse_suites",
]
