"""The dbt project's own files, and one digest over them: what the code fingerprint
(`fingerprint.code_fingerprint`) and the parsed-project cache's key (`manifest_cache`) hash."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from orchestration.config import PROJECT_DIR

DBT_SOURCE_FOLDERS = ("models", "macros", "seeds", "tests/dbt", "analyses", "snapshots")
"""Every folder dbt_project.yml names (model, macro, seed, test, analysis, snapshot paths)."""


def files_under(folders: Sequence[str]) -> list[Path]:
    """Every file under the project's given folders (those that exist), in a stable order."""
    files: list[Path] = []
    for folder in folders:
        if (PROJECT_DIR / folder).is_dir():
            files += sorted(p for p in (PROJECT_DIR / folder).rglob("*") if p.is_file())
    return files


def digest(files: Sequence[Path]) -> hashlib._Hash:
    """SHA-256 over the dbt versions and the given files (their paths and bytes)."""
    from importlib.metadata import version

    hashed = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        hashed.update(f"{package}=={version(package)}\n".encode())
    for path in files:
        hashed.update(path.relative_to(PROJECT_DIR).as_posix().encode() + b"\0")
        hashed.update(path.read_bytes() + b"\0")
    return hashed
