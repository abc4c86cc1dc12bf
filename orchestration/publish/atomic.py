"""Atomic file writes for the published files: a reader sees the old file or the new one."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Write through a temporary file in the same folder and rename it into place, so a reader
    never sees a half-written file and a failure leaves the previous file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # not mkstemp: its 0600 mode would stick to the published file; the writer creates the
    # file with the usual umask-derived mode instead
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def fsync_dir(path: Path) -> None:
    """Make a folder's entries durable (a new file or a rename in it); best effort."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
