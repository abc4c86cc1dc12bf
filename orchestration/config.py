"""Paths, names and environment variables: the one place that knows where things live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
"""The repository root: dbt_project.yml, models/, seeds/, expectations/ live here."""

DBT_PROJECT_DIR = PROJECT_DIR
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
CONTRACT_DIR = Path(__file__).resolve().parent / "contract"
DATASETS_YAML = CONTRACT_DIR / "datasets.yaml"
RULEBOOK_DIR = PROJECT_DIR / "scoring" / "rulebooks"

WAREHOUSE_ENV = "CARRIER_ASSESS_WAREHOUSE"
"""One env var locates the warehouse for dbt (profiles.yml) and for Python alike."""

DEFAULT_WAREHOUSE = Path("warehouse") / "carriers.duckdb"
DEFAULT_OUT = Path("out")

RAW_SCHEMA = "raw"
RESULTS_SCHEMA = "results"


def warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The absolute warehouse path: the explicit one, else $CARRIER_ASSESS_WAREHOUSE, else the
    contract's default `warehouse/carriers.duckdb` under the current directory.

    Always absolute, so dbt never resolves it against another directory (STACK.md).
    """
    raw = explicit or os.environ.get(WAREHOUSE_ENV) or DEFAULT_WAREHOUSE
    return Path(raw).expanduser().resolve()


@dataclass(frozen=True)
class RunPaths:
    """Where one run reads and writes."""

    reports_dir: Path
    warehouse: Path
    out_dir: Path

    @classmethod
    def build(
        cls,
        year: int,
        reports: str | os.PathLike[str],
        warehouse: str | os.PathLike[str] | None = None,
        out: str | os.PathLike[str] | None = None,
    ) -> RunPaths:
        out_root = Path(out) if out else DEFAULT_OUT / str(year)
        return cls(
            reports_dir=Path(reports).expanduser().resolve(),
            warehouse=warehouse_path(warehouse),
            # absolute, but NOT resolved: out/<year> is a symlink to the published version,
            # and resolving it would name the version folder instead of the year's link
            out_dir=Path(os.path.abspath(out_root.expanduser())),
        )
