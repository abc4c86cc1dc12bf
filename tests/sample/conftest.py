"""One sample district generated per test session (it takes a few seconds), shared read-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration.sample import SampleManifest, generate_sample


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sample") / "reports"


@pytest.fixture(scope="session")
def sample(sample_root: Path) -> SampleManifest:
    """The default district (scale 1, 2023 and 2024, xlsx)."""
    return generate_sample(sample_root)
