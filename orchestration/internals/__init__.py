"""Private APIs behind one door each: every use of a dbt, dbt-duckdb, Great Expectations or
CPython internal sits in the module of its library here (`dbt`, `dbt_duckdb`, `gx`,
`cpython`), and nowhere else.

Each module's `DOOR` names the versions its internals were written for. On first use in a
process (a run's start-up) it checks the installed version; on any other version the batch
takes the library's public path instead (each module says which) and says so once in the log
(logger `carrier_assess.internals`). Upgrading a library: check the internals on the new
version (tests/transform, tests/bench/test_audit_worker.py), then add it to `written_for`.
"""
