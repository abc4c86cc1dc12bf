"""One vocabulary: every code has one Chinese label on output, wherever the batch writes it.

The report package's enums take theirs from datasets.yaml (the first label listed for a code;
the others are input aliases), the codes the batch creates from the result contract's `codes`.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from orchestration.contract import column_types, datasets
from orchestration.publish.labels import VALUE_LABELS, value_label
from orchestration.publish.template import TYPE_ZH, option_labels
from orchestration.transform.codegen import ENUM_CODES_SEED
from orchestration.transform.staging_yml import CHECK_NAMES
from scoring import rewards, vocabulary
from scoring.adjustments import KINDS, SOURCES, STATUSES
from scoring.results_contract import check_label, result_contract
from scoring.rulebook import bundled_years, load_rulebook

ROOT = Path(__file__).resolve().parents[2]


def test_incubator_reads_the_same_everywhere():
    word = "科技企业孵化器"
    assert vocabulary.label("carrier_type", "incubator") == word
    assert result_contract().codes["carrier_type"]["incubator"].zh == word
    assert VALUE_LABELS["carrier_type"]["incubator"] == word
    assert rewards.TYPE_ZH["incubator"] == word
    carrier_type = datasets()["carriers"].column("carrier_type")
    assert word in option_labels(carrier_type) and "孵化器" not in option_labels(carrier_type)
    with ENUM_CODES_SEED.open(encoding="utf-8", newline="") as handle:
        seed = {(r["column_name"], r["code"]): r["label_zh"] for r in csv.DictReader(handle)}
    assert seed[("carrier_type", "incubator")] == seed[("recognized_type", "incubator")] == word


def test_the_package_enums_of_the_results_are_labelled_as_datasets_yaml_says():
    for column, labels in result_contract().codes.items():
        package = vocabulary.package_labels().get(column)
        if package is None or column == "grade":  # grade: the batch's A-D, labelled there
            continue
        assert list(labels) == list(package), column
        assert {code: label.zh for code, label in labels.items()} == package, column


def test_every_package_code_has_one_output_label_and_aliases_only_on_input():
    for ds in datasets().values():
        for col in ds.columns:
            if col.type != "enum":
                continue
            first = vocabulary.package_labels()[col.name]
            assert option_labels(col) == list(first.values()), (ds.name, col.name)
            assert set(col.values) >= set(first.values())


def test_the_rewards_basis_names_recognitions_by_the_package_labels():
    assert vocabulary.package_labels()["recognized_type"] == rewards.TYPE_ZH
    assert vocabulary.package_labels()["recognized_level"] == rewards.LEVEL_ZH


@pytest.mark.parametrize("year", bundled_years())
def test_the_rulebooks_name_actions_and_clearout_reasons_as_the_contract(year):
    rulebook = load_rulebook(year)
    codes = result_contract().codes
    for code, rule in rulebook.actions.items():
        assert codes["action"][code].zh == rule.name_zh, code
        assert codes["reason_codes"][code].zh == rule.name_zh, code
    for code in ("C1", "C2", "C3"):
        assert codes["reason_codes"][code].zh == getattr(rulebook.clearout, code).reason_zh


def test_the_adjustment_codes_read_as_the_contract_says():
    codes = result_contract().codes
    for column, labels in (("kind", KINDS), ("status", STATUSES), ("source", SOURCES)):
        assert {code: codes[column][code].zh for code in labels} == labels, column


def test_reason_codes_read_as_words():
    assert value_label("reason_codes", "rectify,delist_review") == "整改、撤销认定审查"
    assert value_label("reason_codes", "C1,C3") == "超期未毕业、已注销仍在册"


NOT_CHECKS = frozenset({"error", "warning", "severity", "field"})
"""Words the patterns below also meet: severities, and an adjustments-file error's field."""


def _check_names_written() -> set[str]:
    """Every check name the batch can write, read from where it is written."""
    names = set(CHECK_NAMES)
    for path in (ROOT / "expectations").glob("*.json"):
        names |= {
            name.split(".")[-1] for name in re.findall(r'"check_name": "([^"]+)"', path.read_text())
        }
    written = re.compile(
        r"""check_name['"]?\s*[:=]\s*['"]([a-z_]+)['"]"""  # check_name = 'x', "check_name": "x"
        r"""|'check_name', '([a-z_]+)'"""  # json_object('check_name', 'x')
        r"""|'([a-z_]+)' as check_name"""  # SQL
        r'|^CHECK_NAME = "([a-z_]+)"'  # a module's one check
        r'|(?:finding|row_error)\(\s*"([a-z_]+)",'  # ingest's findings and row errors
        r'|"([a-z_]+)",\s*"(?:error|warning)"'  # (name, severity, ...)
        r'|\(\s*"([a-z_]+)",\s*f"',  # (name, message, ...)
        re.M,
    )
    sources = [*(ROOT / "models").rglob("*.sql"), *(ROOT / "macros").rglob("*.sql")]
    sources += [*(ROOT / "orchestration").rglob("*.py"), *(ROOT / "scoring").rglob("*.py")]
    for path in sources:
        for found in written.findall(path.read_text(encoding="utf-8")):
            names |= {name for name in found if name}
    return names - NOT_CHECKS


def test_every_check_the_batch_writes_has_a_chinese_label():
    names = _check_names_written()
    assert {"hidden_sheet", "required_missing", "not_null", "yoy_jump", "town_unknown"} <= names
    labelled = result_contract().codes["check_name"]
    assert sorted(names - set(labelled)) == []
    for name in names:
        assert check_label(name).zh == labelled[name].zh


def test_every_column_type_has_a_chinese_name_in_the_contract():
    assert {name: doc.zh for name, doc in column_types().items()} == TYPE_ZH
    assert all(re.search(r"[\u4e00-\u9fff]", zh) for zh in TYPE_ZH.values())


def test_the_check_name_labels_are_json_safe():
    json.dumps({k: v.zh for k, v in result_contract().codes["check_name"].items()})
