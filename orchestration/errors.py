"""Why a run stopped, as an exit code and one line the ops person can act on."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented in README.md ("Exit codes"); schedulers alert on anything but 0."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    INPUT = 3
    TRANSFORM = 4
    AUDIT_BLOCKED = 5
    SCORING = 6
    PUBLISH = 7
    WAREHOUSE = 8
    INTERRUPTED = 130


class PipelineError(Exception):
    """A run that cannot go on. `reason` is the one line printed and stored in results.runs."""

    def __init__(self, code: ExitCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:  # pickles whole: a worker's error is raised here
        return type(self), (self.code, self.reason)
