"""Shared pytest fixtures. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    """An absolute path to a fresh warehouse file, exported for dbt and Python alike."""
    path = tmp_path / "warehouse" / "carriers.duckdb"
    path.parent.mkdir(parents=True)
    monkeypatch.setenv("CARRIER_ASSESS_WAREHOUSE", str(path))
    return path
