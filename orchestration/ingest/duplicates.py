"""Duplicate files: a file whose content (SHA-256) repeats one read before in the package is
read once; the repeat is recorded `duplicate`, naming the file read instead."""

from __future__ import annotations

from orchestration.ingest.recorder import Recorder
from orchestration.ingest.summary import FileResult


def is_duplicate(rec: Recorder, seen: dict[str, str], name: str, sha: str, size: int) -> bool:
    """True (and the finding recorded) when a file with this content was read before; else
    the file is remembered in `seen` (SHA-256 → the first file name with that content)."""
    if sha in seen:
        first = seen[sha]
        msg = (
            f"文件“{name}”与“{first}”内容相同，只读取一次 / file '{name}' has the same "
            f"content as '{first}' and is read once"
        )
        rec.file_status(FileResult(name, "duplicate", sha, size, first, msg))
        rec.finding("duplicate_file", "warning", msg, file=name, value=first)
        return True
    seen[sha] = name
    return False
