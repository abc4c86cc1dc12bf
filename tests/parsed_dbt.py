"""dbt called by the tests' own fixtures as the batch calls it: with the parsed project that
`load_or_parse_manifest` loads (in the suite, from its shared cache after the first parse:
tests/conftest.py), so a fresh target folder costs no full parse of the project (~4 CPU s)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from orchestration.transform import DbtRunResult, load_or_parse_manifest, run_dbt


def run_dbt_parsed(args: Sequence[str], warehouse: Path, target: Path) -> DbtRunResult:
    """`run_dbt(args)` on `warehouse` with `target` as dbt's target folder, the project loaded."""
    manifest = load_or_parse_manifest(warehouse, target)
    return run_dbt(args, warehouse=warehouse, target_path=target, manifest=manifest)
