"""The seeds, contract macro and staging yml derive from the contract: they must not drift."""

from __future__ import annotations

import csv
import json

import jinja2
import pytest

from orchestration.contract import datasets
from orchestration.transform.codegen import (
    CONTRACT_MACRO,
    ENUM_CODES_SEED,
    ENUM_LABELS_SEED,
    contract_artifacts,
)
from orchestration.transform.contract_dbt import enum_match_key, jinja_string_body


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


class _Returned(Exception):
    """dbt's `return()` in a macro, as plain Jinja sees it."""


def _return(value: object) -> None:
    raise _Returned(value)


def test_the_contract_macro_reads_back_as_the_contract():
    """The macro holds the contract as JSON in a Jinja string (cheap for Jinja to compile):
    read as Jinja reads it, every dataset's columns, types and labels come back."""
    text = CONTRACT_MACRO.read_text(encoding="utf-8")
    assert "{{ return(fromjson('{" in text  # not a Jinja dict literal (~0.1 s to compile)
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    macros = env.from_string(
        text,
        globals={"return": _return, "fromjson": json.loads},
    ).module
    with pytest.raises(_Returned) as returned:
        # Jinja exports no _private macro: this one's first act is to call it, whose return
        # (raised, as dbt's is) holds every dataset
        macros.contract_columns("carriers")
    read = returned.value.args[0]
    assert set(read) == set(datasets())
    for name, ds in datasets().items():
        assert [c["name"] for c in read[name]] == [c.name for c in ds.columns]
        assert [c["type"] for c in read[name]] == [c.type for c in ds.columns]
        assert [c["labels"] for c in read[name]] == [list(c.values) for c in ds.columns]
    carrier_type = next(c for c in read["carriers"] if c["name"] == "carrier_type")
    assert carrier_type["zh"] == "载体类型"


def test_the_contract_macro_lists_the_datasets_and_their_keys():
    """The models that loop over every dataset (int_raw_rows_read, int_duplicate_rows,
    dataset_counts, data_quality_issues) read the list and the keys from the macro."""
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    text = CONTRACT_MACRO.read_text(encoding="utf-8")
    macros = env.from_string(text, globals={"return": _return, "fromjson": json.loads}).module
    with pytest.raises(_Returned) as returned:
        macros.contract_datasets()  # its first act: _contract_keys(), whose return holds all
    keys = returned.value.args[0]
    assert list(keys) == list(datasets())  # the contract's order
    assert keys == {name: list(ds.key) for name, ds in datasets().items()}


@pytest.mark.parametrize("text", ["plain", "it's", 'say "x"', "back\\slash \\u4e2d", "行\n二"])
def test_a_jinja_string_body_comes_back_unchanged(text):
    """Jinja reads backslash escapes in string literals: the body escapes what it must."""
    env = jinja2.Environment()
    assert env.from_string("{{ '" + jinja_string_body(text) + "' }}").render() == text
