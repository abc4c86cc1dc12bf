"""The quality gate's result suites agree with the one result contract
(scoring/results_contract.yaml, loaded by scoring/results_contract.py).

Every table and column a result suite names is the contract's; every contract table with a suite
gets its basic checks there: each key column not null, the key unique (within the year: a result
frame holds one year), each column with a code list in the contract checked against it, and a
value set never wider than the contract's codes (most are `{"$CODES": column}`, the contract's
own list). A basic check a suite leaves out on purpose is listed in REVIEWED with its reason.
"""

from __future__ import annotations

import copy

import pytest

from orchestration.audit.suites import RESULT_SUITES, SuiteDoc, columns_of, load_suite_doc
from scoring.results_contract import ResultContract, result_contract

YEAR_COLUMN = "assessment_year"

REVIEWED: dict[str, str] = {
    "rewards.carrier_id.not_null": "the case-by-case lines (CB01, CB02) belong to no carrier",
    "rewards.payee_uscc.not_null": "a payee without a credit code is named instead (the"
    " case-by-case lines have none): the line key is rule|credit code, else name|carrier"
    " (scoring/adjustments.py)",
    "rewards.key.unique": "the contract key holds payee_uscc, which may be empty (above)",
}
"""Basic checks a result suite leaves out on purpose: check id -> why."""


def _checks(suite: SuiteDoc, kind: str) -> list[tuple[list[str], dict]]:
    """(columns, kwargs) of each expectation of the suite of one kind: not_null, unique, in_set."""
    types = {
        "not_null": ("expect_column_values_to_not_be_null",),
        "unique": ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"),
        "in_set": ("expect_column_values_to_be_in_set",),
    }[kind]
    return [
        (columns_of(e["type"], e["kwargs"]), e["kwargs"])
        for e in suite["expectations"]
        if e["type"] in types
    ]


def disagreements(suites: dict[str, SuiteDoc], contract: ResultContract) -> list[str]:
    """Where the result suites and the contract disagree, one line each (empty: they agree)."""
    problems: list[str] = []
    for name, suite in suites.items():
        table = contract.tables.get(name)
        if table is None:
            problems.append(f"{name}: the contract has no result table {name}")
            continue
        if suite["meta"].get("table") != f"results.{name}":
            problems.append(f"{name}: checks {suite['meta'].get('table')}, not results.{name}")
        named = [suite["meta"]["year_column"]]
        named += [c for e in suite["expectations"] for c in columns_of(e["type"], e["kwargs"])]
        problems += [
            f"{name}.{column}: not a column of the contract's {name}"
            for column in dict.fromkeys(named)
            if column not in table.columns
        ]
        problems += _missing_basic_checks(name, suite, contract)
        for columns, kwargs in _checks(suite, "in_set"):
            codes = contract.codes.get(columns[0])
            wider = sorted(set(kwargs["value_set"]) - set(codes or kwargs["value_set"]))
            if wider:
                problems.append(f"{name}.{columns[0]}: {wider} are not codes of the contract")
    return problems


def _missing_basic_checks(name: str, suite: SuiteDoc, contract: ResultContract) -> list[str]:
    return [
        f"{check}: a basic check the suite lacks"
        for check, present in basic_checks(name, suite, contract).items()
        if not present and check not in REVIEWED
    ]


def basic_checks(name: str, suite: SuiteDoc, contract: ResultContract) -> dict[str, bool]:
    """The basic checks the contract asks of a table's suite, and whether the suite has each."""
    table = contract.tables[name]
    key = [c for c in table.key if c != YEAR_COLUMN]
    not_null = {columns[0] for columns, _ in _checks(suite, "not_null")}
    in_set = {columns[0] for columns, _ in _checks(suite, "in_set")}
    unique = {frozenset(columns) for columns, _ in _checks(suite, "unique")}
    wanted = {f"{name}.{column}.not_null": column in not_null for column in key}
    wanted[f"{name}.key.unique"] = frozenset(key) in unique
    coded = [column for column in table.columns if column in contract.codes]
    return wanted | {f"{name}.{column}.in_set": column in in_set for column in coded}


def result_suites() -> dict[str, SuiteDoc]:
    return {name: load_suite_doc(name) for name in RESULT_SUITES}


def test_the_result_suites_agree_with_the_result_contract() -> None:
    assert disagreements(result_suites(), result_contract()) == []


def test_every_reviewed_omission_is_still_one() -> None:
    """A reviewed omission that the suite now checks, or the contract no longer asks, is stale."""
    asked = {
        check: present
        for name, suite in result_suites().items()
        for check, present in basic_checks(name, suite, result_contract()).items()
    }
    assert {check: asked.get(check) for check in REVIEWED} == dict.fromkeys(REVIEWED, False)


def test_every_contract_code_list_in_a_result_suite_comes_from_the_contract() -> None:
    """`{"$CODES": column}` resolves to the contract's list, in its order."""
    expectations = result_suites()["carrier_scores"]["expectations"]
    in_set = {e["kwargs"]["column"]: e["kwargs"].get("value_set") for e in expectations}
    assert in_set["grade"] == list(result_contract().codes["grade"])
    assert in_set["carrier_type"] == list(result_contract().codes["carrier_type"])


@pytest.mark.parametrize(
    ("breaking", "expected"),
    [
        (
            lambda s: s["carrier_scores"]["expectations"][0]["kwargs"].update(column="carrier"),
            "carrier_scores.carrier: not a column of the contract's carrier_scores",
        ),
        (
            lambda s: s["score_details"]["expectations"].pop(0),
            "score_details.carrier_id.not_null: a basic check the suite lacks",
        ),
        (
            lambda s: s["rectifications"]["expectations"].pop(
                next(
                    i
                    for i, e in enumerate(s["rectifications"]["expectations"])
                    if e["type"] == "expect_compound_columns_to_be_unique"
                )
            ),
            "rectifications.key.unique: a basic check the suite lacks",
        ),
        (
            lambda s: s["rewards"]["expectations"][-1]["kwargs"].update(
                value_set=["operator", "bank"]
            ),
            "rewards.payee_kind: ['bank'] are not codes of the contract",
        ),
        (
            lambda s: s.update(results_only={"name": "x", "meta": {}, "expectations": []}),
            "results_only: the contract has no result table results_only",
        ),
    ],
)
def test_the_check_catches_a_suite_that_disagrees(breaking, expected) -> None:
    """The check must fail on the mistakes it guards against."""
    suites = copy.deepcopy(result_suites())
    breaking(suites)
    assert expected in disagreements(suites, result_contract())
