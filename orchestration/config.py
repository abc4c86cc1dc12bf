"""Paths, names and environment variables: the one place that knows where things live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


def _package_dir(package: str) -> Path:
    """The folder an installed package's files are in (its package data beside its modules)."""
    root = files(package)
    if not isinstance(root, Path):  # pragma: no cover - a zipped install: dbt needs real files
        raise RuntimeError(f"carrier-assess must be installed as files, not zipped ({package})")
    return root


PROJECT_DIR = _package_dir("carrier_assess_project")
"""The dbt project: dbt_project.yml, profiles.yml, models/, macros/, seeds/ and expectations/.
In a checkout (and an editable install) it is the repository root; a plain install ships it as
the package data of `carrier_assess_project` (pyproject.toml). Read-only: dbt writes its target
and logs beside the warehouse (`dbt_target_dir`)."""

DBT_PROJECT_DIR = PROJECT_DIR
EXPECTATIONS_DIR = PROJECT_DIR / "expectations"
CONTRACT_DIR = _package_dir("orchestration") / "contract"
DATASETS_YAML = CONTRACT_DIR / "datasets.yaml"
COLUMN_TYPES_YAML = CONTRACT_DIR / "column_types.yaml"
REPORT_TEMPLATES_DIR = _package_dir("orchestration") / "publish" / "report_templates"
RULEBOOK_DIR = _package_dir("scoring") / "rulebooks"

WAREHOUSE_ENV = "CARRIER_ASSESS_WAREHOUSE"
"""One env var locates the warehouse for dbt (profiles.yml) and for Python alike."""

DEFAULT_WAREHOUSE = Path("warehouse") / "carriers.duckdb"
DEFAULT_OUT = Path("out")

RAW_SCHEMA = "raw"
RESULTS_SCHEMA = "results"


def dbt_target_dir(warehouse: str | os.PathLike[str]) -> Path:
    """dbt's target folder (its logs in `logs/` inside) for a warehouse: `<stem>.dbt-target`
    beside the warehouse file, which is writable where the warehouse is, wherever the
    package is installed. It holds the parsed-project cache and dbt's partial-parse file."""
    path = Path(warehouse).expanduser().resolve()
    return path.with_name(f"{path.stem}.dbt-target")


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
