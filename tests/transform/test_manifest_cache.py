"""The parsed dbt project is cached in the target folder (manifest_cache.load_or_parse_manifest):
a run loads it in ~0.02 s instead of ~1 s of partial parsing, and any change of what dbt reads
(a model's text, the environment profiles.yml renders) parses afresh. The real dbt, on a copy
of the project, so a model can be edited."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from orchestration.config import PROJECT_DIR
from orchestration.transform import dbt_runner, manifest_cache, project_files
from orchestration.transform.manifest_cache import (
    MANIFEST_CACHE,
    SHARED_CACHE_ENV,
    load_or_parse_manifest,
    manifest_key,
)

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def own_caches_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test here sees the target folder's cache alone: the suite's shared cache
    (tests/conftest.py) would answer for it."""
    monkeypatch.delenv(SHARED_CACHE_ENV, raising=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the dbt project's files that the transform step treats as the project."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, copy / name)
    for folder in project_files.DBT_SOURCE_FOLDERS:
        if (PROJECT_DIR / folder).is_dir():
            shutil.copytree(PROJECT_DIR / folder, copy / folder)
    for module in (dbt_runner, project_files, manifest_cache):  # each that reads the project
        monkeypatch.setattr(module, "PROJECT_DIR", copy)
    return copy


def _sql_of(manifest: object, model: str) -> str:
    nodes = manifest.nodes  # type: ignore[attr-defined]
    return nodes[f"model.carrier_assess.{model}"].raw_code


def test_the_cache_is_used_until_what_dbt_reads_changes(project: Path, tmp_path: Path) -> None:
    warehouse, target = tmp_path / "w.duckdb", tmp_path / "target"
    cache = target / MANIFEST_CACHE

    parsed = load_or_parse_manifest(warehouse, target)
    assert parsed is not None and cache.is_file()
    written = cache.stat().st_mtime_ns
    again = load_or_parse_manifest(warehouse, target)
    assert cache.stat().st_mtime_ns == written  # a hit: loaded, not parsed and written again
    assert again is not None and set(again.nodes) == set(parsed.nodes)  # type: ignore[attr-defined]
    # Every attribute comes back in its own place (dbt's own __reduce_ex__ shifts the lookups
    # one field along), and `ref` resolves as a build needs it.
    assert {k: type(v) for k, v in vars(again).items()} == {
        k: type(v) for k, v in vars(parsed).items()
    }
    assert again.ref_lookup.find("dataset_counts", None, None, again) is not None  # type: ignore[attr-defined]

    # A model edited: another key, parsed afresh, and the new text is what the build would run.
    model = project / "models" / "marts" / "dataset_counts.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    edited = load_or_parse_manifest(warehouse, target)
    assert "-- edited" in _sql_of(edited, "dataset_counts")
    assert "-- edited" not in _sql_of(parsed, "dataset_counts")


def test_the_key_covers_the_environment_the_profile_renders(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = manifest_key(tmp_path / "a.duckdb")
    assert manifest_key(tmp_path / "a.duckdb") == key
    assert manifest_key(tmp_path / "b.duckdb") != key  # CARRIER_ASSESS_WAREHOUSE: the database
    assert manifest_key(tmp_path / "moved" / "a.duckdb") == key  # its folder is not parsed
    monkeypatch.setenv("CARRIER_ASSESS_MEMORY_LIMIT", "1234MB")  # read by profiles.yml
    changed = manifest_key(tmp_path / "a.duckdb")
    assert changed != key
    (project / "macros" / "extra.sql").write_text("{% macro x() %}1{% endmacro %}\n")
    assert manifest_key(tmp_path / "a.duckdb") != changed  # any file of a dbt folder


def test_a_warehouse_moved_with_its_target_keeps_its_parsed_project(tmp_path: Path) -> None:
    """The parsed project holds the warehouse's database name (its stem) and nothing of its
    folder, so a warehouse copied with its target folder loads the cache instead of parsing."""
    from orchestration.internals import dbt as dbt_internals

    first = tmp_path / "first-folder-4711" / "carriers.duckdb"
    parsed = load_or_parse_manifest(first, first.with_name("target"))
    assert parsed is not None
    held = io.BytesIO()
    dbt_internals.dump_manifest(parsed, held)
    assert b"first-folder-4711" not in held.getvalue()
    relation = parsed.nodes["model.carrier_assess.dataset_counts"].relation_name  # type: ignore[attr-defined]
    assert relation.startswith('"carriers".')

    moved = tmp_path / "moved" / "carriers.duckdb"
    shutil.copytree(first.parent, moved.parent)
    cache = moved.with_name("target") / MANIFEST_CACHE
    written = cache.stat().st_mtime_ns
    again = load_or_parse_manifest(moved, moved.with_name("target"))
    assert cache.stat().st_mtime_ns == written  # a hit: loaded, not parsed and written again
    assert again is not None and set(again.nodes) == set(parsed.nodes)  # type: ignore[attr-defined]


def test_a_model_reading_the_warehouse_path_puts_its_folder_in_the_key(
    project: Path, tmp_path: Path
) -> None:
    key = manifest_key(tmp_path / "a.duckdb")
    assert manifest_key(tmp_path / "moved" / "a.duckdb") == key
    (project / "models" / "where.sql").write_text(
        "select '{{ env_var(\"CARRIER_ASSESS_WAREHOUSE\") }}' as path\n"
    )
    assert manifest_key(tmp_path / "moved" / "a.duckdb") != manifest_key(tmp_path / "a.duckdb")


def test_a_new_warehouse_loads_the_project_another_one_parsed_into_the_shared_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With $CARRIER_ASSESS_PARSE_CACHE set, a warehouse with a new target folder loads the
    project parsed for another warehouse of the same key, and keeps it in its own target; one
    of another key, or a shared file that cannot be read, is parsed."""
    shared = tmp_path / "shared"
    monkeypatch.setenv(SHARED_CACHE_ENV, str(shared))
    parses: list[Path] = []
    real_parse = manifest_cache._parse

    def counted(warehouse: Path, target_path: Path | None) -> object | None:
        parses.append(warehouse)
        return real_parse(warehouse, target_path)

    monkeypatch.setattr(manifest_cache, "_parse", counted)

    first = tmp_path / "one" / "carriers.duckdb"
    parsed = load_or_parse_manifest(first, first.with_name("target"))
    assert parses == [first]
    (held,) = shared.iterdir()
    assert held.name == f"manifest-{manifest_key(first)}.pickle"

    second = tmp_path / "two" / "carriers.duckdb"  # same stem: same key, a new target folder
    again = load_or_parse_manifest(second, second.with_name("target"))
    assert parses == [first]  # loaded from the shared cache, not parsed
    assert again is not None and set(again.nodes) == set(parsed.nodes)  # type: ignore[attr-defined]
    assert (second.with_name("target") / MANIFEST_CACHE).is_file()  # kept in its own target
    assert again.ref_lookup.find("dataset_counts", None, None, again) is not None  # type: ignore[attr-defined]

    other = tmp_path / "three" / "other.duckdb"  # another database name: another key
    load_or_parse_manifest(other, other.with_name("target"))
    assert parses == [first, other]

    held.write_bytes(b"not a pickle")  # a damaged shared file costs a parse, nothing else
    fourth = tmp_path / "four" / "carriers.duckdb"
    assert load_or_parse_manifest(fourth, fourth.with_name("target")) is not None
    assert parses == [first, other, fourth]
    assert not list(shared.glob("*.tmp"))  # every write moved whole
