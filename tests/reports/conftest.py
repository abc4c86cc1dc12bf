"""Fixtures for the office files: the sample result tables of one year."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl
import pytest


def _load_sample_module():
    """Import sample_tables.py beside this file (pytest runs in importlib mode, so the test
    folder is not on sys.path)."""
    name = "tests_reports_sample_tables"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, Path(__file__).with_name("sample_tables.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


sample = _load_sample_module()


@pytest.fixture
def tables() -> dict[str, pl.DataFrame]:
    """A fresh set of the ten result tables of 2024 (tests may change them freely)."""
    return sample.sample_result_tables()


@pytest.fixture
def year() -> int:
    return sample.YEAR
