"""The rules registry: each rule of rules.md registered once with its article, parameters and
function; the rulebook validated against it; dispatch and the docs' rule index from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scoring import registry
from scoring.rulebook import RULEBOOK_DIR, RulebookError, load_rulebook

ROOT = Path(__file__).resolve().parents[2]
RULES_MD = ROOT / "docs" / "contract" / "rules.md"


def _doc(year: int = 2024) -> dict:
    return yaml.safe_load((RULEBOOK_DIR / f"{year}.yaml").read_text(encoding="utf-8"))


def _write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "office_rules.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_every_rule_of_the_rulebook_is_registered_once():
    doc = _doc()
    for kind, section in registry.SECTIONS.items():
        entries = doc
        for key in section.split("."):
            entries = entries[key]
        assert registry.codes(kind) == tuple(entries), kind
    all_codes = [r.code for r in registry.rules()]
    assert len(all_codes) == len(set(all_codes))
    assert registry.codes("reward") == tuple(f"R{i:02d}" for i in range(1, 11))


def test_each_rule_names_an_article_and_a_documented_function():
    for rule in registry.rules():
        assert re.fullmatch(r"[一二三四五六七八九、()\d]+", rule.article), rule.code
        assert rule.fn.__doc__, rule.code
        if rule.kind != "indicator":  # an indicator's docstring is its name
            assert rule.code in rule.fn.__doc__ or rule.kind == "action", rule.code


def test_a_rule_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="R01 registered twice"):
        registry.rule("R01", "reward", article="三(一)1", params=registry.Params)(lambda: None)


def test_unknown_rule_code_names_the_file_and_the_code(tmp_path):
    doc = _doc()
    doc["rewards"]["R11"] = dict(doc["rewards"]["R10"])
    path = _write(tmp_path, doc)
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    message = str(err.value)
    assert str(path) in message
    assert "rewards.R11: unknown rule code (registered: R01, R02" in message


def test_missing_rule_names_the_file_and_the_rule(tmp_path):
    doc = _doc()
    del doc["clearout"]["C2"]
    path = _write(tmp_path, doc)
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    message = str(err.value)
    assert str(path) in message
    assert "clearout.C2: missing rule [rule C2 三(三)7, scoring.clearout.c2_low_innovation]" in (
        message
    )


def test_target_errors_name_the_target(tmp_path):
    doc = _doc()
    doc["targets"]["items"]["T10"] = {"name_zh": "新目标", "target": 1}
    doc["targets"]["items"]["T3"]["target"] = -1
    path = _write(tmp_path, doc)
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    message = str(err.value)
    assert "targets.items.T10: unknown rule code (registered: T1, T2" in message
    assert "targets.items.T3.target: " in message and "[rule T3 二, scoring.targets." in message


def test_bad_parameter_names_the_file_the_rule_and_the_field(tmp_path):
    doc = _doc()
    doc["rewards"]["R04"]["rate"] = 1.5
    doc["actions"]["rectify"].pop("severity")
    path = _write(tmp_path, doc)
    with pytest.raises(RulebookError) as err:
        load_rulebook(path)
    message = str(err.value)
    assert str(path) in message
    assert re.search(r"rewards\.R04\.rate: .*less than or equal to 1 \[rule R04 三\(一\)3", message)
    assert "actions.rectify.severity: missing [rule rectify 三(一)2" in message


def test_docstrings_cite_rules_not_rulebook_figures():
    """Docstrings and comments of the rules cite the rule and the article; the figures are the
    rulebook's (a YAML change must not leave a stale number in the code's prose)."""
    stale = re.compile(r"cap \d|≥ ?\d|> ?\d{2}|\d+ ?%|\d+ / \d+|\d+ months")
    for module in registry.RULE_MODULES + ("scoring.grading",):
        source = (ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        prose = re.findall(r'"""(.*?)"""|#([^\n]*)', source, flags=re.S)
        for doc, comment in prose:
            found = stale.search(doc or comment)
            assert found is None, f"{module}: {found.group(0)!r} in {(doc or comment)[:80]!r}"


def test_architecture_rule_index_is_current():
    """docs/architecture.md carries the registry's rule index between its markers."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    start, end = "<!-- rule-index:start -->", "<!-- rule-index:end -->"
    assert start in text and end in text
    current = text.split(start, 1)[1].split(end, 1)[0].strip()
    assert current == registry.rule_index_markdown(), (
        "regenerate: python -c 'from scoring.registry import rule_index_markdown as m; print(m())'"
    )


@pytest.mark.skipif(not RULES_MD.exists(), reason="the contract is not beside the repository")
def test_every_rule_code_of_rules_md_is_registered():
    text = RULES_MD.read_text(encoding="utf-8")
    in_rules_md = set(re.findall(r"^\| (R\d\d|[SPDB]\d|C\d|T\d) \|", text, flags=re.M))
    registered = {r.code for r in registry.rules()}
    assert in_rules_md <= registered, sorted(in_rules_md - registered)
