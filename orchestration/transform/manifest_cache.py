"""The parsed dbt project kept across processes: `load_or_parse_manifest` loads it from the
cache in the dbt target folder when it was parsed under the same `manifest_key`, else from the
shared cache folder when one is set ($CARRIER_ASSESS_PARSE_CACHE), else has dbt parse it and
caches it. The pickling itself is a dbt internal (`internals.dbt`)."""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import threading
from pathlib import Path

from orchestration.config import PROJECT_DIR, WAREHOUSE_ENV
from orchestration.transform.dbt_runner import run_dbt, target_dir
from orchestration.transform.project_files import DBT_SOURCE_FOLDERS, digest, files_under

MANIFEST_CACHE = "carrier_assess_manifest.pickle"
"""The parsed project, kept in the dbt target folder with the key it was parsed under."""

SHARED_CACHE_ENV = "CARRIER_ASSESS_PARSE_CACHE"
"""A folder where warehouses share their parsed projects, one file per `manifest_key`
(`manifest-<key>.pickle`); unset (the default), each warehouse keeps its own only. A new
warehouse's first run then loads the project instead of parsing it (~4 CPU s: dbt's full parse
with no partial-parse file of its own). The key is the same: a file found there was parsed from
the same bytes, versions, project folder, database name and environment. For an operator who
builds many warehouses with one installation, and the test suite (tests/conftest.py), whose
fresh warehouses parsed the project 41 times in one run, 28 with it (docs/benchmarks.md,
issue 21)."""

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
    same `manifest_key`, else from the shared cache folder when one is set (`SHARED_CACHE_ENV`),
    else parsed by `dbt parse`; cached in both. None when parsing failed.

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
    manifest = _load_cache(cache, key)
    if manifest is not None:
        return manifest
    shared = _shared_cache(key)
    manifest = _load_cache(shared, key) if shared else None
    if manifest is None:
        manifest = _parse(warehouse, target_path)
        if manifest is not None and shared:
            _write_cache(shared, key, manifest)
    if manifest is not None:
        _write_cache(cache, key, manifest)
    return manifest


def _shared_cache(key: str) -> Path | None:
    """The shared cache's file for `key`, when $CARRIER_ASSESS_PARSE_CACHE names a folder."""
    folder = os.environ.get(SHARED_CACHE_ENV)
    return Path(folder).expanduser() / f"manifest-{key}.pickle" if folder else None


def _load_cache(cache: Path, key: str) -> object | None:
    """The manifest cached in `cache` under `key`; None when it is missing, unreadable or
    cached under another key (the key is read first: a stale manifest is never unpickled)."""
    from orchestration.internals import dbt as dbt_internals

    with contextlib.suppress(Exception), cache.open("rb") as handle:
        if pickle.load(handle) == key:
            return dbt_internals.load_manifest(handle)
    return None


def _parse(warehouse: Path, target_path: Path | None) -> object | None:
    """`dbt parse` (with dbt's own partial parsing): the Manifest, or None when it failed."""
    res = run_dbt(["parse"], warehouse=warehouse, target_path=target_path, raise_on_failure=False)
    return res.parsed_manifest


def _write_cache(cache: Path, key: str, manifest: object) -> None:
    """The key, then the manifest, written to a file of its own beside the cache and moved over
    it atomically (two processes may write one shared file at once: the last move wins, and
    each moves a whole file). A cache that cannot be written is left out: it only saves time."""
    from orchestration.internals import dbt as dbt_internals

    partial = cache.with_name(f"{cache.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with contextlib.suppress(Exception):
        cache.parent.mkdir(parents=True, exist_ok=True)
        try:
            with partial.open("xb") as file:  # this writer's own file, with the umask's mode
                pickle.dump(key, file, protocol=pickle.HIGHEST_PROTOCOL)
                dbt_internals.dump_manifest(manifest, file)
            os.replace(partial, cache)
        finally:
            partial.unlink(missing_ok=True)
