"""The batch's dbt build in a process of its own (`BuildWorker`), on the worker protocol of
`orchestration.worker`.

Reads: the dbt project (once told where the warehouse is). Writes: the warehouse, through
`batch_build.build_models`, once, when asked. The main process holds no connection to the
warehouse from `build` until it returns (DuckDB: one writer process).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from orchestration.transform.batch_build import UNREAD, Unread, build_models
from orchestration.transform.dbt_results import DbtRunResult
from orchestration.transform.manifest_cache import load_or_parse_manifest
from orchestration.transform.warm_up import warm_up
from orchestration.worker import Channel, Worker, WorkerName

NAME = WorkerName(
    process="carrier-assess-dbt", zh="清洗与建模", en="dbt", failure="dbt build worker failed"
)


class BuildWorker:
    """The batch's dbt build in a process of its own, spawned as a run starts.

    It imports dbt as soon as it is spawned (~1.2 s of CPU), and once told where the warehouse
    is (`warm`) loads the parsed project and takes dbt's first-call costs (`warm_up`), all
    while the main process imports and ingests; then builds once when asked (`build`) and ends.
    The `run` command spawns it before it imports the batch, with no warehouse: until `warm`,
    which the batch sends once it holds the run lock, the worker reads no project file. A
    thread could not overlap the two: dbt's import and ingest's Python both need the main
    process's GIL, so they took as long side by side as one after the other
    (docs/benchmarks.md). The worker reads only the project files until asked to build; the
    main process must hold no connection to the warehouse from then until `build` returns
    (DuckDB: one writer process). Use as a context manager: leaving it stops a worker that was
    never asked.
    """

    def __init__(self, warehouse: Path | None = None, *, target_path: Path | None = None) -> None:
        self._worker = Worker(_main, NAME)
        self._asked = False
        self.warmed = False
        if warehouse is not None:
            self.warm(warehouse, target_path=target_path)

    @property
    def _process(self):  # the worker's process (tests)
        return self._worker.process

    def __enter__(self) -> BuildWorker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def warm(self, warehouse: Path, *, target_path: Path | None = None) -> None:
        """Tell the worker the warehouse and dbt target of the build: it loads the parsed project
        and warms dbt up (reading project files only). Once, before `build`."""
        if self.warmed:
            raise RuntimeError("BuildWorker.warm: already told where to build")
        self.warmed = True
        target = str(target_path) if target_path else None
        with contextlib.suppress(Exception):  # a dead worker: `build` says so
            self._worker.send("warm", (str(warehouse), target))

    def build(
        self, stored: str | None | Unread = UNREAD, threads: int | None = None
    ) -> DbtRunResult:
        """`build_models` in the worker; its result, or the error it raised, here. `stored`:
        the warehouse's stored fingerprint, when the caller has read it (`stored_fingerprint`);
        `threads`: dbt's threads (`batch_build.build_threads`), None: the profile's."""
        if not self.warmed:
            raise RuntimeError("BuildWorker.build: call warm(warehouse) first")
        self._asked = True
        self._worker.send("build", (stored, threads))
        reply = self._worker.receive()
        self._process.join(timeout=5)  # it has closed the warehouse and is leaving
        return reply.value()

    def close(self) -> None:
        """End the worker. One never asked to build has only read files (the manifest cache is
        replaced atomically), so it is killed at once; a build is waited for a few seconds."""
        self._worker.close(kill=not self._asked)


def _main(channel: Channel) -> None:
    """The worker: import dbt, wait to be told where, warm up, build once when asked."""
    with contextlib.suppress(Exception):  # an import that fails: the build says why
        from dbt.cli.main import dbtRunner  # noqa: F401  (the import: most of the work)
    _, where = channel.receive()  # where to build: sent under the run lock
    warehouse_text, target = where
    warehouse = Path(warehouse_text)
    target_path = Path(target) if target else None
    manifest = None
    with contextlib.suppress(Exception):  # a project that does not parse: the build says why
        manifest = load_or_parse_manifest(warehouse, target_path)
        warm_up(warehouse, target_path, manifest)
    _, (stored, threads) = channel.receive()  # the one request: build
    channel.answer(
        lambda: build_models(
            warehouse, target_path=target_path, manifest=manifest, stored=stored, threads=threads
        )
    )
    # Nothing of this process's is open any more (run_dbt closed the warehouse): it leaves
    # (worker.leave) with dbt's log file flushed and its semaphores handed back.
