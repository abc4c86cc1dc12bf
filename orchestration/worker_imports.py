"""What a fork server imports once, for every worker it forks (`worker.fork_workers_from_server`):
the libraries the dbt worker (`transform.build_worker`) and the audit worker
(`audit.audit_worker`) import as they start, ~1.5 and ~2.5 s of CPU in every spawned worker
(docs/benchmarks.md, issue 21). GX is imported as the audit imports it, through its door
(`internals.gx`: `scipy.stats` deferred). Nothing that reads an environment variable as it is
imported: a forked worker takes the main process's environment only once it is forked."""

from orchestration.internals.gx import defer_scipy_stats

defer_scipy_stats()

import dbt.adapters.duckdb  # noqa: E402, F401
import dbt.cli.main  # noqa: E402, F401
import great_expectations  # noqa: E402, F401
