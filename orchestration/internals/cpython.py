"""CPython internals the batch uses: `atexit._run_exitfuncs`."""

from __future__ import annotations

import atexit


def run_exit_handlers() -> None:
    """Run the interpreter's exit handlers now (before leaving with `os._exit`)."""
    atexit._run_exitfuncs()
