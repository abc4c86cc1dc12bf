"""Reading the YAML files bundled with the package (the report contract, the result contract):
libyaml's C loader when PyYAML was built with it, the same safe loading ~10× faster (the
result contract: 0.12 s → 0.01 s, on every run; docs/benchmarks.md, issue 21). An office's
rulebook is read by `scoring/rulebook.py` with PyYAML's own loader, whose error marks it shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""A safe loader: plain data only, never a Python object."""


def read_bundled_yaml(path: Path) -> Any:
    """A bundled YAML file's content, safely loaded (plain data only)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
