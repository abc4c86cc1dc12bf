"""Fixtures of the audit tests: a warehouse file holding one clean year, and its builders."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest


def _load_builders() -> ModuleType:
    """Import builders.py beside this file (pytest runs in importlib mode, so the test folder
    is not on sys.path)."""
    name = "tests_audit_builders"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("builders.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


builders = _load_builders()


@pytest.fixture
def b() -> ModuleType:
    """The table builders (staging_frame, raw_frame, put_table, YEAR, ...)."""
    return builders


@pytest.fixture
def con(warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a fresh warehouse file holding a clean year (the audit passes it)."""
    with duckdb.connect(str(warehouse), config=builders.DUCKDB_CONFIG) as connection:
        builders.build_clean_warehouse(connection)
        yield connection


@pytest.fixture
def sql(con) -> Callable[..., None]:
    """Run one statement with parameters against the test warehouse."""

    def run(statement: str, params: list[Any] | None = None) -> None:
        con.execute(statement, params or [])

    return run
