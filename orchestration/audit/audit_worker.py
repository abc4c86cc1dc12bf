"""Great Expectations in a process of its own (`AuditWorker`), on the worker protocol of
`orchestration.worker`.

Reads: the frames the main process has read (`frames.AuditFrames`). Writes: nothing; it never
opens the warehouse. Answers each request with its findings (`validation.validate_frames`), in the
order the requests were sent.
"""

from __future__ import annotations

import collections
import queue
import threading
import traceback
from typing import Any

from orchestration.audit.findings import AuditResult
from orchestration.audit.frames import AuditFrames
from orchestration.audit.validation import gx_batch_definition, validate_frames
from orchestration.worker import UNREADABLE, Channel, Reply, Worker, WorkerName

NAME = WorkerName(
    process="carrier-assess-audit", zh="质量检查", en="audit", failure="audit worker failed"
)

NICE = 19
"""The lowest CPU priority: importing GX (~3 s of CPU) then takes only what ingest and the dbt
process leave idle (2 cores), instead of slowing the critical path; by the time the main
process waits for findings, this is the only process working (docs/benchmarks.md)."""


class PendingAudit:
    """A request sent to the audit worker; `result()` waits for its findings."""

    def __init__(self, worker: AuditWorker) -> None:
        self._worker = worker
        self._reply: Reply | None = None

    def result(self) -> AuditResult:
        """The findings, once the worker has answered this request (and those sent before it).

        A PipelineError raised in the worker is raised here; any other failure there is a
        RuntimeError carrying the worker's traceback.
        """
        while self._reply is None:
            self._worker._receive_next()
        return AuditResult(self._reply.value())


class AuditWorker:
    """Great Expectations in a spawned process: imported while the main process ingests and
    builds, then validating frames that the main process has read while it goes on (2 cores:
    the import and the validation overlap the other steps instead of adding to them).

    `submit(read_warehouse(...))` / `submit(read_results(...))` give the same findings as
    `audit_warehouse` / `audit_results` (one code path: `validate_frames`). Requests are
    answered in the order they were sent. Use as a context manager; `close()` ends the process.
    """

    def __init__(self) -> None:
        self._worker = Worker(_main, NAME, nice=NICE)
        self._waiting: collections.deque[PendingAudit] = collections.deque()

    @property
    def _process(self):  # the worker's process (tests)
        return self._worker.process

    def __enter__(self) -> AuditWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def submit(self, frames: AuditFrames) -> PendingAudit:
        """Send read frames to be validated; returns at once (the worker drains its pipe)."""
        pending = PendingAudit(self)
        self._worker.send("validate", frames)
        self._waiting.append(pending)
        return pending

    def _receive_next(self) -> None:
        """Take the next answer: it belongs to the oldest request not yet answered."""
        reply = self._worker.receive()
        self._waiting.popleft()._reply = reply

    def close(self) -> None:
        """Stop the worker (it leaves at once); kill it if it has not gone within a few seconds."""
        self._worker.close()


def _main(channel: Channel) -> None:
    """The worker: import GX at once (the ~3 s that would otherwise be on the critical path),
    then validate the frames it is sent, answering each request in turn."""
    requests: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()

    def receive() -> None:
        # Requests are taken off the pipe as they come, whatever is being validated: the main
        # process never blocks sending frames while this one blocks sending an answer. On
        # "stop" (or when the main process is gone) the channel leaves at once: this process
        # holds no files, and the interpreter's teardown with GX, pandas and scipy loaded
        # costs ~0.75 s.
        while True:
            requests.put(channel.receive())

    # The requests carry Arrow tables, so the receiving thread imports pyarrow as it unpickles
    # the first one, while this thread imports GX (pandas imports pyarrow too): two threads
    # importing pyarrow at once can meet it half initialised ("cannot import name ... from
    # partially initialized module 'pyarrow.lib'"). Import it here first, before the thread.
    import pyarrow  # noqa: F401

    threading.Thread(target=receive, name="audit-requests", daemon=True).start()
    try:
        gx_batch_definition()
        from tqdm import tqdm

        # GX makes (disabled) tqdm bars, whose default lock is a multiprocessing semaphore:
        # one would outlive os._exit and the resource tracker would warn as the run ends.
        tqdm.set_lock(threading.RLock())
    except Exception:  # reported with the first request, so the run fails with the reason
        warm_error: str | None = traceback.format_exc()
    else:
        warm_error = None

    def validate(kind: str, payload: Any) -> Any:
        if kind == UNREADABLE:
            raise RuntimeError(f"the audit request could not be read:\n{payload}")
        if warm_error is not None:
            raise RuntimeError(f"great_expectations failed to load:\n{warm_error}")
        return validate_frames(payload).findings

    while True:
        channel.answer(validate, *requests.get())
