"""The bundled YAML files are read with libyaml's C loader (~10× faster on every run), and it
reads each of them exactly as PyYAML's own safe loader does."""

from __future__ import annotations

import pytest
import yaml

from orchestration.config import COLUMN_TYPES_YAML, DATASETS_YAML
from scoring import yaml_io
from scoring.results_contract import CONTRACT_FILE


def test_the_c_loader_is_used_where_pyyaml_has_it() -> None:
    if not yaml.__with_libyaml__:  # pragma: no cover - the pinned wheel has it
        pytest.skip("this PyYAML was built without libyaml")
    assert yaml_io._LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", [DATASETS_YAML, COLUMN_TYPES_YAML, CONTRACT_FILE], ids=str)
def test_every_bundled_file_reads_as_the_pure_python_safe_loader_reads_it(path) -> None:
    assert yaml_io.read_bundled_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8"))
