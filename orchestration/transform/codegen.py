"""The dbt files that derive from the contract (`orchestration/contract/datasets.yaml`): the
seeds, the contract macro and the staging models' yml. `contract_artifacts` gives the text each
must have (a test fails when a committed file drifts from it); `write_contract_artifacts`
writes them (`python -m orchestration.transform codegen`)."""

from __future__ import annotations

from pathlib import Path

from orchestration.config import PROJECT_DIR
from orchestration.transform.contract_dbt import (
    contract_macro,
    dataset_columns_csv,
    enum_codes_csv,
    enum_labels_csv,
)
from orchestration.transform.staging_yml import staging_models_yml

ENUM_LABELS_SEED = PROJECT_DIR / "seeds" / "enum_labels.csv"
ENUM_CODES_SEED = PROJECT_DIR / "seeds" / "enum_codes.csv"
DATASET_COLUMNS_SEED = PROJECT_DIR / "seeds" / "dataset_columns.csv"
CONTRACT_MACRO = PROJECT_DIR / "macros" / "contract_columns.sql"
STAGING_MODELS_YML = PROJECT_DIR / "models" / "staging" / "_staging__models.yml"


def contract_artifacts() -> dict[Path, str]:
    """The text every contract-derived file must have, keyed by path."""
    from orchestration.contract import datasets

    contract = datasets()
    return {
        STAGING_MODELS_YML: staging_models_yml(),
        ENUM_LABELS_SEED: enum_labels_csv(contract),
        ENUM_CODES_SEED: enum_codes_csv(contract),
        DATASET_COLUMNS_SEED: dataset_columns_csv(contract),
        CONTRACT_MACRO: contract_macro(contract),
    }


def write_contract_artifacts() -> list[Path]:
    """Write every contract-derived file; return those whose text changed."""
    changed: list[Path] = []
    for path, text in contract_artifacts().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
