"""The seeds, contract macro and staging yml derive from the contract: they must not drift."""

from __future__ import annotations

import csv

import pytest

from orchestration.contract import datasets
from orchestration.transform import (
    ENUM_CODES_SEED,
    ENUM_LABELS_SEED,
    contract_artifacts,
    enum_match_key,
)


@pytest.mark.parametrize("path", list(contract_artifacts()), ids=lambda p: p.name)
def test_generated_file_is_up_to_date(path):
    expected = contract_artifacts()[path]
    assert path.exists(), f"{path} missing: run `python -m orchestration.transform codegen`"
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.name} has drifted from the contract:"
        " run `python -m orchestration.transform codegen`"
    )


def test_enum_labels_seed_holds_exactly_the_contract_labels():
    """Read the committed seed as data and compare with the contract, independent of codegen."""
    with ENUM_LABELS_SEED.open(encoding="utf-8", newline="") as handle:
        seed = {
            (r["dataset"], r["column_name"], r["label"], r["code"]) for r in csv.DictReader(handle)
        }
    contract = {
        (name, col.name, label, str(code))
        for name, ds in datasets().items()
        for col in ds.columns
        for label, code in col.values.items()
    }
    assert seed == contract
    assert any(row[1] == "award_rank" and row[3] == "9" for row in seed)


def test_enum_codes_seed_names_every_code_once():
    with ENUM_CODES_SEED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    keys = [(r["dataset"], r["column_name"], r["code"]) for r in rows]
    assert len(keys) == len(set(keys))
    labels = {(r["dataset"], r["column_name"], r["code"]): r["label_zh"] for r in rows}
    assert labels[("carriers", "carrier_type", "incubator")] == "科技企业孵化器"
    contract_codes = {
        (name, col.name, str(code))
        for name, ds in datasets().items()
        for col in ds.columns
        for code in col.values.values()
    }
    assert set(keys) == contract_codes


def test_enum_match_keys_do_not_collide_across_codes():
    """Normalising labels (case, width, spaces) must not make two codes' labels the same key."""
    for name, ds in datasets().items():
        for col in ds.columns:
            seen: dict[str, str] = {}
            for label, code in col.values.items():
                key = enum_match_key(label)
                assert seen.setdefault(key, str(code)) == str(code), (name, col.name, label)
