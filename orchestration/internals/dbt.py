"""dbt-core internals:

- the parsed project kept across processes (`transform.load_or_parse_manifest`): dbt's
  `Manifest` pickled as its attributes, because `Manifest.__reduce_ex__` passes the fields
  positionally and, in dbt-core 1.11, out of step with the class (it leaves out `fixtures`, so
  every lookup after it would land one field off, and a build fails in `ref`); the
  multiprocessing lock is left out and made afresh on load (`dbt.mp_context`), as dbt does on
  deserialising;
- the modules a build imports only as it starts (`dbt.task.build`,
  `dbt_common.clients.agate_helper`), imported during the warm-up.

Public path on another version: no parsed-project cache (dbt parses in the process that builds,
with its own partial parsing, and hands the manifest to the build through
`dbtRunner(manifest=...)`), and the build imports its modules itself.
"""

from __future__ import annotations

import contextlib
import pickle
from typing import IO, Any

from orchestration.internals._door import Door

DOOR = Door(
    library="dbt-core",
    written_for=("1.11.16",),
    public_path="no parsed-project cache: dbt parses with its own partial parsing",
)


def dump_manifest(manifest: object, handle: IO[bytes]) -> None:
    """Pickle a parsed project (a `Manifest`) into an open file."""
    _ManifestPickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(manifest)


def load_manifest(handle: IO[bytes]) -> object:
    """The parsed project `dump_manifest` wrote."""
    return pickle.load(handle)


class _ManifestPickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> object:
        from dbt.contracts.graph.manifest import Manifest

        if type(obj) is Manifest:
            return _manifest_from_attributes, (
                {k: v for k, v in vars(obj).items() if k != "_lock"},
            )
        return NotImplemented


def _manifest_from_attributes(attributes: dict[str, Any]) -> object:
    from dbt.contracts.graph.manifest import Manifest
    from dbt.mp_context import get_mp_context

    manifest = Manifest.__new__(Manifest)
    vars(manifest).update(attributes)
    manifest._lock = get_mp_context().Lock()
    return manifest


def preimport_build_modules() -> None:
    """Import what only a build imports, ahead of it (nothing on another version)."""
    if not DOOR.is_open():
        return
    with contextlib.suppress(ImportError):
        import dbt.task.build  # noqa: F401
        import dbt_common.clients.agate_helper  # noqa: F401
