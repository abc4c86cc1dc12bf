"""CPython internals: `atexit._run_exitfuncs`, to leave a process without the interpreter's
teardown (freeing dbt's, GX's and polars' objects one by one: ~0.6 s of a district run,
docs/benchmarks.md).

Public path on another interpreter: a normal exit (`sys.exit`)."""

from __future__ import annotations

import os
import platform
import sys

from orchestration.internals._door import Door


class _CPython(Door):
    def installed(self) -> str | None:
        if platform.python_implementation() != "CPython":
            return None
        return platform.python_version()


DOOR = _CPython(
    library="CPython",
    written_for=("3.11", "3.12"),
    public_path="a normal exit with the interpreter's teardown",
)


def leave(code: int) -> None:
    """End the process with `code` now. Every file the process opened must be closed: its exit
    handlers run (logging's flush, multiprocessing's clean-up of the semaphores dbt made), its
    output is flushed, and it leaves with `os._exit`. Public path: `sys.exit(code)`."""
    if not DOOR.is_open():
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
