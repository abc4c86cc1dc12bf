"""The parsed dbt project kept across processes: `load_or_parse_manifest` loads it from the
cache in the dbt target folder when it was parsed under the same `manifest_key`, else has dbt
parse it and caches it. The pickling itself is a dbt internal (`internals.dbt`)."""

from __future__ import annotations

import contextlib
import os
import pickle
import re
from pathlib import Path

from orchestration.config import PROJECT_DIR, WAREHOUSE_ENV
from orchestration.transform.dbt_runner import run_dbt, target_dir
from orchestration.transform.project_files import DBT_SOURCE_FOLDERS, digest, files_under

MANIFEST_CACHE = "carrier_assess_manifest.pickle"
"""The parsed project, kept in the dbt target folder with the key it was parsed under."""

_ENV_VAR = re.compile(r"""env_var\(\s*['"]([^'"]+)['"]""")


def manifest_key(warehouse: Path) -> str:
    """What a parsed dbt project depends on: every file dbt reads to parse it (dbt_project.yml,
    profiles.yml and every file of its source folders), the dbt and DuckDB versions, where the
    project lives, and the values of the environment variables those files read with
    `env_var()`. Any change gives another key.

    The warehouse path is read by profiles.yml alone, as DuckDB's `path`; of it, the parsed
    project holds only the database name dbt-duckdb derives, the file's stem (in every node's
    relation), never its folder (tests/transform/test_manifest_cache.py looks). So the stem is
    what the key takes: a warehouse moved or copied with its target folder (a district copied
    for a test, a folder the office moved) keeps its parsed project. Should any other file
    read the variable, the whole path is taken again."""
    profile = PROJECT_DIR / "profiles.yml"
    files = [PROJECT_DIR / "dbt_project.yml", profile, *files_under(DBT_SOURCE_FOLDERS)]
    hashed = digest(files)
    hashed.update(str(PROJECT_DIR).encode() + b"\0")
    read_by: dict[str, set[Path]] = {}
    for path in files:
        if path.suffix in (".sql", ".yml", ".yaml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for name in _ENV_VAR.findall(text):
                read_by.setdefault(name, set()).add(path)
    resolved = Path(warehouse).expanduser().resolve()
    as_parsed = resolved.stem if read_by.get(WAREHOUSE_ENV) == {profile} else str(resolved)
    environ = {**os.environ, WAREHOUSE_ENV: as_parsed}
    for name in sorted(read_by):
        hashed.update(f"{name}={environ.get(name)!r}\n".encode())
    return hashed.hexdigest()


def load_or_parse_manifest(warehouse: Path, target_path: Path | None = None) -> object | None:
    """The parsed dbt project: from the cache in the target folder when it was parsed under the
    same `manifest_key`, else parsed by `dbt parse` (and cached). None when parsing failed.

    dbt's own partial parsing still takes ~1 s for this project (it re-reads and re-checks
    every file); loading the pickled manifest takes ~0.02 s (docs/benchmarks.md). The key is
    stricter than partial parsing's own checks: any byte of any file dbt reads, the versions
    and the environment it renders. On a dbt version the cache was not written for
    (`internals.dbt`), dbt parses every time (with its partial parsing) and nothing is cached."""
    from orchestration.internals import dbt as dbt_internals

    if not dbt_internals.DOOR.is_open():
        return _parse(warehouse, target_path)
    key = manifest_key(warehouse)
    cache = target_dir(target_path, warehouse) / MANIFEST_CACHE
    with contextlib.suppress(Exception), cache.open("rb") as handle:
        if pickle.load(handle) == key:  # the key first: a stale manifest is never unpickled
            return dbt_internals.load_manifest(handle)
    manifest = _parse(warehouse, target_path)
    if manifest is not None:
        with contextlib.suppress(Exception):
            _write_cache(cache, key, manifest)
    return manifest


def _parse(warehouse: Path, target_path: Path | None) -> object | None:
    """`dbt parse` (with dbt's own partial parsing): the Manifest, or None when it failed."""
    res = run_dbt(["parse"], warehouse=warehouse, target_path=target_path, raise_on_failure=False)
    return res.parsed_manifest


def _write_cache(cache: Path, key: str, manifest: object) -> None:
    """The key, then the manifest, written beside the cache and moved over it atomically."""
    from orchestration.internals import dbt as dbt_internals

    partial = cache.with_name(cache.name + ".tmp")
    with partial.open("wb") as handle:
        pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
        dbt_internals.dump_manifest(manifest, handle)
    os.replace(partial, cache)
