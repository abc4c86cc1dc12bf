"""The check a door makes: the installed version of a library against the versions its
internals were written for."""

from __future__ import annotations

import logging
from dataclasses import dataclass

LOG = logging.getLogger("carrier_assess.internals")

_opened: dict[str, bool] = {}
"""Per process: whether each door is open (checked once, said once)."""


@dataclass(frozen=True)
class Door:
    """One library's private APIs: open on the versions they were written for, else closed."""

    library: str
    """The distribution, e.g. `dbt-core` (CPython: `CPython`)."""
    written_for: tuple[str, ...]
    """Versions, exact (`1.11.16`) or a release series (`3.11` matches `3.11.7`)."""
    public_path: str
    """What the batch does instead on any other version (said in the log)."""

    def check(self, version: str | None) -> bool:
        """Whether `version` is one the internals were written for (None: not installed)."""
        if not version:
            return False
        return any(version == v or version.startswith(v + ".") for v in self.written_for)

    def installed(self) -> str | None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(self.library)
        except PackageNotFoundError:
            return None

    def start(self, version: str | None = None) -> bool:
        """The start-up check: the installed version (or `version`, the door's own input: a
        test names another) against `written_for`, recorded for this process and, when it
        fails, said in the log. Returns whether the door is open."""
        version = self.installed() if version is None else version
        opened = _opened[self.library] = self.check(version)
        if not opened:
            LOG.warning(
                "%s %s is not a version carrier-assess's shortcuts were written for (%s): "
                "taking the public path, %s",
                self.library,
                version or "(not installed)",
                ", ".join(self.written_for),
                self.public_path,
            )
        return opened

    def is_open(self) -> bool:
        """Whether the batch may use the internals here: `start` on first use in a process."""
        if self.library not in _opened:
            return self.start()
        return _opened[self.library]
