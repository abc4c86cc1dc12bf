"""One vocabulary: the report package's enum codes and their one Chinese label on output.

The codes and labels come from the report package contract, `orchestration/contract/datasets.yaml`
(`values: {label: code}` per enum column): the first label listed for a code is its label on
output (the template's drop-down, the office files, the reward basis texts, `results.code_labels`);
the others are aliases, accepted on input only. The codes the batch creates itself (actions,
reason codes, payee kinds, severities, statuses, check names) are in the `codes` section of
`results_contract.yaml`, which takes these labels for the package's enums it lists
(`scoring/results_contract.py`).

The file is read here as data (no import of `orchestration`: scoring stays the lowest layer);
`seeds/enum_labels.csv` and `seeds/enum_codes.csv` are generated from the same file
(`python -m orchestration.transform codegen`).
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from scoring.yaml_io import read_bundled_yaml


def datasets_file() -> Path:
    """`datasets.yaml` of the installed `orchestration` package (found, not imported)."""
    spec = importlib.util.find_spec("orchestration")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - broken install
        raise RuntimeError("the orchestration package (its contract/datasets.yaml) is missing")
    return Path(next(iter(spec.submodule_search_locations))) / "contract" / "datasets.yaml"


@cache
def dataset_specs() -> dict[str, dict]:
    """The `datasets` section of datasets.yaml, as written (read once per process; typed for
    the batch by `orchestration/contract.py`)."""
    return read_bundled_yaml(datasets_file())["datasets"]


@cache
def dataset_names() -> dict[str, str]:
    """Dataset key → its Chinese name (the sheet name of the report template)."""
    return {name: spec["sheet_zh"] for name, spec in dataset_specs().items()}


@cache
def package_labels() -> dict[str, dict[str, str]]:
    """Enum column → code → its label on output (the first label the contract lists for it).

    A column name two datasets share (none today) must give each code the same label."""
    out: dict[str, dict[str, str]] = {}
    for dataset, spec in dataset_specs().items():
        for column, col in spec["columns"].items():
            first: dict[str, str] = {}
            for label, code in (col.get("values") or {}).items():
                first.setdefault(str(code), str(label))
            if not first:
                continue
            known = out.setdefault(column, {})
            for code, label in first.items():
                if known.setdefault(code, label) != label:
                    raise ValueError(
                        f"datasets.yaml: {dataset}.{column} labels {code!r} {label!r}, another "
                        f"dataset {known[code]!r}: one label per code"
                    )
    return out


def label(column: str, code: str) -> str:
    """The Chinese label of a package enum's code (KeyError for an unknown one)."""
    return package_labels()[column][code]
