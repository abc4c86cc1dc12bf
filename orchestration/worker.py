"""One protocol for the batch's worker processes: the dbt build (`build_worker.BuildWorker`)
and the Great Expectations audit (`audit_worker.AuditWorker`).

A worker is a spawned process that imports its heavy library at once, while the main process
goes on, then answers the requests the main process sends over one pipe. This module owns what
the two share:

- the start: a spawned, daemonic process running `main(channel)` that ignores Ctrl-C (the
  main process handles it and ends the workers), dies with the main process (Linux's
  parent-death signal: an orphan never goes on writing the warehouse), optionally at a lower
  CPU priority;
- requests `(kind, payload)` and replies: `("ok", value)`, `("raised", PipelineError)` (the
  error travels whole and is raised in the main process as it was raised in the worker) or
  `("error", traceback)` (anything else: a RuntimeError naming the worker, with the worker's
  traceback);
- the end: `"stop"` or a closed pipe makes the worker leave at once; a worker that has
  finished leaves by `leave()` (the exit handlers, then no interpreter teardown); a worker
  that died is a PipelineError (INTERNAL) naming it, never a hang.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orchestration.errors import ExitCode, PipelineError

STOP = "stop"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class WorkerName:
    """How a worker is named: its process name, and in the messages of its failures."""

    process: str
    """e.g. `carrier-assess-dbt`."""
    zh: str
    """The step in Chinese, e.g. `清洗与建模`."""
    en: str
    """The process in English, e.g. `dbt`."""
    failure: str
    """The prefix of an unexpected failure's message, e.g. `dbt build worker failed`."""


@dataclass(frozen=True)
class Reply:
    """One reply of a worker, as sent; `value()` returns it or raises what the worker raised."""

    message: tuple[Any, ...]
    name: WorkerName

    def value(self) -> Any:
        kind, *rest = self.message
        if kind == "ok":
            return rest[0]
        if kind == "raised":
            raise rest[0]
        raise RuntimeError(f"{self.name.failure}:\n{rest[0]}")


class Worker:
    """The main process's end: spawns the worker, sends requests, takes replies, ends it."""

    def __init__(self, main: Callable[[Channel], None], name: WorkerName, *, nice: int = 0) -> None:
        import multiprocessing

        self.name = name
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(
            target=_child, args=(main, child, nice), name=name.process, daemon=True
        )
        self.process.start()
        child.close()

    def died(self, exc: BaseException) -> PipelineError:
        """The error for a worker that is gone: an internal error naming it and its exit code."""
        self.process.join(timeout=5)  # for its exit code
        return PipelineError(
            ExitCode.INTERNAL,
            f"{self.name.zh}进程意外退出 / the {self.name.en} process died "
            f"(exit code {self.process.exitcode}): {exc}",
        )

    def send(self, kind: str, payload: object = None) -> None:
        """Send one request; a worker that is gone is `died`."""
        try:
            self._conn.send((kind, payload))
        except OSError as exc:  # BrokenPipeError and the like
            raise self.died(exc) from exc

    def receive(self) -> Reply:
        """Wait for the next reply; a worker that is gone is `died`."""
        try:
            message = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise self.died(exc) from exc
        return Reply(message, self.name)

    def close(self, *, kill: bool = False) -> None:
        """End the worker: at once with `kill` (one that has only read files), else ask it to
        stop (it leaves at once) and wait a few seconds; kill it if it is still there."""
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self._conn.send((STOP, None))
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._conn.close()


class Channel:
    """The worker's end of the pipe."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def receive(self) -> tuple[str, Any]:
        """The next request. On `stop`, or when the main process is gone, the worker leaves at
        once (it holds no files that need closing by then). A request that cannot be read is
        `(UNREADABLE, traceback)`, so it still gets its reply."""
        try:
            kind, payload = self._conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        except BaseException:
            return UNREADABLE, traceback.format_exc()
        if kind == STOP:
            os._exit(0)
        return kind, payload

    def answer(self, work: Callable[..., Any], *args: Any) -> None:
        """Run `work(*args)` and send its reply: its value, the PipelineError it raised, or the
        traceback of anything else. A main process that is gone is not an error here."""
        try:
            message: tuple[Any, ...] = ("ok", work(*args))
        except PipelineError as exc:
            message = ("raised", exc)
        except BaseException:
            message = ("error", traceback.format_exc())
        with contextlib.suppress(OSError):
            self._conn.send(message)


def leave() -> None:
    """End a worker that has finished: its exit handlers run (log files flushed, semaphores
    handed back to multiprocessing's resource tracker), not the interpreter's teardown, which
    with dbt or GX loaded only costs time (`internals.cpython.leave`)."""
    from orchestration.internals.cpython import leave as leave_now

    leave_now(0)


def _child(main: Callable[[Channel], None], conn: Any, nice: int) -> None:
    import signal

    from orchestration.collector import collect_less

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    _die_with_parent()
    collect_less()
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    main(Channel(conn))
    leave()


def _die_with_parent() -> None:
    """Have Linux kill this process if the main process dies (kill -9): an orphaned build must
    not go on writing the warehouse. Elsewhere, a no-op."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
