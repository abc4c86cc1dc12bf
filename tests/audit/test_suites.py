"""Every suite file is loaded whole: GX silently drops expectations it does not know."""

from __future__ import annotations

import json
import re

import pytest

from orchestration.audit.suites import (
    RESULT_SUITES,
    columns_of,
    load_suite_doc,
    suite_columns,
    suite_names,
    suite_path,
    warehouse_suites,
)
from orchestration.audit.validation import load_suite
from orchestration.config import EXPECTATIONS_DIR
from orchestration.contract import datasets

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("name", suite_names())
def test_every_listed_expectation_is_loaded(name: str) -> None:
    doc = json.loads(suite_path(name).read_text(encoding="utf-8"))
    suite = load_suite(name)
    assert len(doc["expectations"]) > 0
    assert len(suite.expectations) == len(doc["expectations"])
    listed = [(e["type"], e["meta"]["check_name"]) for e in doc["expectations"]]
    loaded = [(e.expectation_type, e.meta["check_name"]) for e in suite.expectations]
    assert sorted(loaded) == sorted(listed)


@pytest.mark.parametrize("name", suite_names())
def test_every_expectation_says_severity_and_message_in_both_languages(name: str) -> None:
    doc = json.loads(suite_path(name).read_text(encoding="utf-8"))
    names = [e["meta"]["check_name"] for e in doc["expectations"]]
    assert len(names) == len(set(names)), "check names must be unique within a suite"
    for exp in doc["expectations"]:
        meta = exp["meta"]
        assert meta["severity"] in ("error", "warning")
        assert CJK.search(meta["message_zh"]), meta
        assert not CJK.search(meta["message_en"].replace("万元", "").replace("元", "")), meta
        assert "mostly" not in exp["kwargs"], "a `mostly` check cannot be pre-narrowed"


def test_an_unknown_expectation_type_is_refused_not_dropped(tmp_path) -> None:
    doc = json.loads(suite_path("stg_carriers").read_text(encoding="utf-8"))
    doc["expectations"].append(
        {
            "type": "expect_table_columns_to_contain_set",  # not a GX 1.24 type
            "kwargs": {"column_set": ["carrier_id"]},
            "meta": {
                "check_name": "x",
                "severity": "error",
                "message_zh": "缺列",
                "message_en": "missing",
            },
        }
    )
    (tmp_path / "broken.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="dropped"):
        load_suite("broken", tmp_path)


def test_a_missing_severity_is_refused(tmp_path) -> None:
    doc = json.loads(suite_path("rewards").read_text(encoding="utf-8"))
    del doc["expectations"][0]["meta"]["severity"]
    (tmp_path / "nosev.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="severity"):
        load_suite("nosev", tmp_path)
    with pytest.raises(ValueError, match="severity"):  # the reading side (no GX) refuses too
        load_suite_doc("nosev", tmp_path)


@pytest.mark.parametrize("name", suite_names())
def test_the_columns_read_for_a_suite_are_the_columns_gx_checks(name: str) -> None:
    """The reading side works from the suite file as data, GX from the suite built of it: both
    must see the same expectations and so the same columns."""
    doc = load_suite_doc(name)
    suite = load_suite(name)
    checked: list[str] = []
    for exp in suite.expectations:
        cfg = exp.configuration
        checked += [c for c in columns_of(cfg.type, cfg.kwargs) if c not in checked]
    assert suite_columns(doc) == checked
    assert [e["meta"]["check_name"] for e in doc["expectations"]] == [
        e.meta["check_name"] for e in suite.expectations
    ]


def test_every_suite_file_is_run_by_one_audit_step() -> None:
    run = set(warehouse_suites()) | set(RESULT_SUITES)
    assert run == set(suite_names())
    assert {p.stem for p in EXPECTATIONS_DIR.glob("*.json")} == run


def test_one_raw_and_one_staging_suite_per_dataset() -> None:
    for name in datasets():
        assert f"raw_{name}" in suite_names()
        assert f"stg_{name}" in suite_names()


def test_raw_suites_hold_only_table_level_checks() -> None:
    """The raw suites read one row of the year (meta read=head); that is only valid for checks
    on the column set and on the table being non-empty."""
    for name in datasets():
        suite = load_suite(f"raw_{name}")
        assert suite.meta["read"] == "head"
        assert all(e.expectation_type.startswith("expect_table_") for e in suite.expectations)
