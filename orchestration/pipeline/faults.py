"""Fault injection for the reliability tests: a hook called at every step boundary and
publishing stage. Unset in production (the hook does nothing)."""

from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable

FaultHook = Callable[[str], None]
"""Called with the name of every step boundary and publishing stage (tests inject faults)."""


def no_fault(_point: str) -> None:
    return None


FAULT_ENV = "CARRIER_ASSESS_INJECT_FAULT"
"""Fault injection for the reliability tests: `<point>=kill|raise|disk_full`, e.g.
`publish:before_commit=kill` sends SIGKILL to the run at that point. Unset in production."""


def env_fault_hook() -> FaultHook:
    """The fault hook named by $CARRIER_ASSESS_INJECT_FAULT, or none."""
    spec = os.environ.get(FAULT_ENV, "")
    if not spec:
        return no_fault
    point, _, action = spec.partition("=")

    def hook(current: str) -> None:
        if current != point:
            return
        if action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if action == "disk_full":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), f"injected at {current}")
        raise RuntimeError(f"injected fault at {current}")

    return hook
