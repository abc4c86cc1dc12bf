"""Shared pytest fixtures. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files marked `slow` (dbt builds, whole batch runs) first, each in its own order:
    `make test` hands whole files to its two workers in this order (`--dist loadfile
    --no-loadscope-reorder`), so the last files to run are quick ones and both workers finish
    together. xdist's own order (most tests first) left a one-test file of ~70 s to run alone
    at the end (docs/benchmarks.md, issue 21)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable


@pytest.fixture(scope="session", autouse=True)
def shared_parse_cache(tmp_path_factory):
    """The suite's warehouses share their parsed dbt projects (one folder per pytest process):
    each fresh warehouse would otherwise have dbt parse the same project afresh (~4 CPU s).
    The batch's own cache, keyed as in production (manifest_cache.SHARED_CACHE_ENV);
    tests/transform/test_manifest_cache.py tests it alone."""
    from orchestration.transform.manifest_cache import SHARED_CACHE_ENV

    with pytest.MonkeyPatch.context() as env:
        env.setenv(SHARED_CACHE_ENV, str(tmp_path_factory.mktemp("parse-cache")))
        yield


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """An absolute path to a fresh warehouse file, exported for dbt and Python alike."""
    path = tmp_path / "warehouse" / "carriers.duckdb"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv("CARRIER_ASSESS_WAREHOUSE", str(path))
    return path


try:  # property tests: the same examples on every run, so CI is reproducible
    from hypothesis import settings

    settings.register_profile("carrier_assess", derandomize=True, print_blob=True)
    settings.load_profile("carrier_assess")
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    pass
