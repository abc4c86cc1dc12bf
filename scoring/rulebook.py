"""The policy rulebook: one YAML file per assessment year, validated on load.

Every figure of ../shared/contract/rules.md lives in the YAML file, not in code, so the
assessment office can change a goalpost, an amount or a threshold without a release. A typo is
a clear error naming the key path (``indicators.S4.goalposts.maker_space: missing``), never a
silent default. This module is the only place in `scoring` that reads a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError, model_validator

from scoring.indicators import INDICATOR_CODES, Indicator
from scoring.params import CARRIER_TYPES, Grade, NonNeg, Params, Positive, Share
from scoring.registry import codes, describe_path, rules, section_codes, section_model

__all__ = ["CARRIER_TYPES", "INDICATOR_CODES", "Indicator"]  # re-exported for the callers

RULEBOOK_DIR = Path(__file__).resolve().parent / "rulebooks"


class RulebookError(ValueError):
    """The rulebook file is invalid; the message names every bad key path."""


# --- grading ---------------------------------------------------------------------------------


class Bands(Params):
    """Grades on the rounded total: A ≥ A, B ≥ B, C ≥ C, D below."""

    A: NonNeg
    B: NonNeg
    C: NonNeg

    @model_validator(mode="after")
    def _descending(self) -> Bands:
        if not self.A > self.B > self.C:
            raise ValueError("bands must fall: A > B > C")
        return self


class ACap(Params):
    """At most `share` of a carrier type may be A: allowed = max(minimum, floor(share × n))."""

    share: Share
    minimum: Annotated[int, Field(ge=0)]
    ties_keep_a: bool


class Veto(Params):
    grade: Grade
    reason_zh: str


class Grading(Params):
    bands: Bands
    total_decimals: Annotated[int, Field(ge=0, le=6)]
    a_cap: ACap
    no_tenant_veto: Veto


# --- the registered rules' sections (scoring/registry.py) -----------------------------------

Indicators = section_model("indicator")
Rewards = section_model("reward")
Clearout = section_model("clearout")
Actions = section_model("action")
TargetItems = section_model("target")
REWARD_CODES = codes("reward")


# --- case by case and targets ----------------------------------------------------------------


class CaseByCase(Params):
    code: str
    article: str
    name_zh: str
    up_to: NonNeg | None = None
    note_zh: str


# --- targets ---------------------------------------------------------------------------------


class Targets(Params):
    """二、总体目标: the window's first day and one entry per registered target."""

    window_start: dt.date
    items: TargetItems


# --- decision support: robustness and the reward budget -------------------------------------

ARTICLE_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "三(一)1": (
        "区科技局", "财政局", "发改委", "资规江都分局", "工信局", "各镇人民政府", "园区管委会",
    ),
    "三(一)2": ("区科技局", "财政局"),
    "三(一)3": ("区科技局", "财政局", "区委组织部（人才办）"),
    "三(二)6": ("区科技局", "财政局", "发改委", "市监局（知识产权局）"),
    "三(三)8": ("区科技局", "财政局"),
}  # fmt: skip
"""责任部门 per article, as rules.md's departments table names them."""

DEFAULT_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    rule.code: ARTICLE_DEPARTMENTS[rule.article] for rule in rules("reward")
}
"""The default of the rulebook's `departments`: each reward rule's article's departments."""


class Robustness(Params):
    """等级稳健性: random draws that perturb weights and goalposts (contract README, "What-if,
    robustness and the reward budget"). `seed` null: the assessment year."""

    draws: Annotated[int, Field(ge=1, le=100_000)] = 1000
    weight_jitter: Annotated[float, Field(ge=0, lt=1)] = 0.2
    goalpost_jitter: Annotated[float, Field(ge=0, lt=1)] = 0.1
    seed: Annotated[int, Field(ge=0)] | None = None
    borderline_below: Annotated[float, Field(ge=0, le=1)] = 0.8


class Budget(Params):
    """奖补预算 (万元): `total` for all lines, `rules` per rule code; null or absent: no limit."""

    total: NonNeg | None = None
    rules: dict[str, NonNeg | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_rules(self) -> Budget:
        unknown = [c for c in self.rules if c not in REWARD_CODES]
        if unknown:
            raise ValueError(f"rules: unknown reward rule {unknown} (known: {list(REWARD_CODES)})")
        return self


# --- plausibility ----------------------------------------------------------------------------


class Plausibility(Params):
    """Year-on-year checks (contract "The score receipt"): a `yoy_jump` warning when an
    indicator's raw value is more than `max_ratio` times last year's or less than its inverse
    (the larger value at least the goalpost), or the incubation area changes by more than
    `max_area_change` (a share of last year's area)."""

    max_ratio: Annotated[Decimal, Field(gt=1)] = Decimal(5)
    max_area_change: Positive = Decimal("0.5")


# --- the rulebook ----------------------------------------------------------------------------


class Rulebook(Params):
    assessment_year: Annotated[int, Field(ge=2000, le=2100)]
    title_zh: str
    source_zh: str
    indicators: Indicators
    grading: Grading
    clearout: Clearout
    actions: Actions
    rewards: Rewards
    case_by_case: tuple[CaseByCase, ...]
    targets: Targets
    robustness: Robustness = Field(default_factory=Robustness)
    budget: Budget = Field(default_factory=Budget)
    departments: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_DEPARTMENTS)
    )
    plausibility: Plausibility = Field(default_factory=Plausibility)

    @model_validator(mode="after")
    def _known_departments(self) -> Rulebook:
        known = {*REWARD_CODES, *(item.code for item in self.case_by_case)}
        unknown_departments = [c for c in self.departments if c not in known]
        if unknown_departments:
            raise ValueError(f"departments: unknown reward rule {unknown_departments}")
        return self

    @property
    def robustness_seed(self) -> int:
        """The draws' seed: the rulebook's, else the assessment year."""
        seed = self.robustness.seed
        return self.assessment_year if seed is None else seed

    def indicator(self, code: str) -> Indicator:
        return self.indicators[code]


def rulebook_path_for(path_or_year: str | os.PathLike[str] | int) -> Path:
    if isinstance(path_or_year, int):
        path = RULEBOOK_DIR / f"{path_or_year}.yaml"
        if not path.exists():
            raise RulebookError(
                f"没有{path_or_year}年度的默认规则文件 / no bundled rulebook for {path_or_year}"
            )
        return path
    return Path(path_or_year)


def _format_error(err: dict) -> str:
    """One validation error: the key path, what is wrong, and the rule it concerns."""
    loc = tuple(err["loc"])
    where = ".".join(str(part) for part in loc)
    registered = section_codes(loc[:-1]) if loc else None
    if err["type"] == "missing":
        what = "missing rule" if registered else "missing"
    elif err["type"] == "extra_forbidden":
        if registered:
            what = f"unknown rule code (registered: {', '.join(registered)})"
        else:
            what = "unknown key"
    else:
        what = err["msg"].removeprefix("Value error, ")
    rule = describe_path(loc)
    line = f"{where}: {what}" if where else what
    return f"{line} [{rule}]" if rule and err["type"] != "extra_forbidden" else line


def _format_errors(exc: ValidationError, origin: str) -> str:
    lines = [_format_error(err) for err in exc.errors()]
    return f"规则文件无效 / invalid rulebook {origin}:\n  " + "\n  ".join(lines)


def parse_rulebook(doc: object, origin: str = "<document>") -> Rulebook:
    """Validate an already-parsed YAML document (the tests change copies this way); an error
    names `origin` (the file), the key path and the rule."""
    try:
        return Rulebook.model_validate(doc)
    except ValidationError as exc:
        raise RulebookError(_format_errors(exc, origin)) from None


def load_rulebook(path_or_year: str | os.PathLike[str] | int) -> Rulebook:
    """Read and validate a rulebook: a path to a YAML file, or a year for the bundled default."""
    path = rulebook_path_for(path_or_year)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RulebookError(f"规则文件不是有效的YAML / not valid YAML: {path}: {exc}") from None
    return parse_rulebook(doc, str(path))


def rulebook_sha256(path_or_year: str | os.PathLike[str] | int) -> str:
    """sha256 of the rulebook file's bytes, recorded with each run."""
    return hashlib.sha256(rulebook_path_for(path_or_year).read_bytes()).hexdigest()


# --- the rulebook a year is assessed with ------------------------------------------------------


def bundled_years() -> tuple[int, ...]:
    """The years with a bundled default rulebook (`rulebooks/<year>.yaml`), ascending."""
    return tuple(sorted(int(p.stem) for p in RULEBOOK_DIR.glob("*.yaml") if p.stem.isdigit()))


def default_rulebook_year(year: int) -> int:
    """The bundled rulebook a year uses by default: its own, else the latest earlier one, else the
    earliest later one (contract, "The command line")."""
    years = bundled_years()
    if not years:
        raise RulebookError("没有任何默认规则文件 / no bundled rulebook at all")
    if year in years:
        return year
    earlier = [y for y in years if y < year]
    return earlier[-1] if earlier else min(years)


_YEAR_LINE = re.compile(r"^assessment_year:[^\n]*$", re.MULTILINE)


@dataclass(frozen=True)
class RulebookSource:
    """The text a year is assessed with, where it came from, and the parsed rulebook."""

    text: str
    rulebook_year: int
    """The bundled year the text was taken from; for an office file, its assessment_year."""
    origin: str
    """The file read, or `bundled:<year>` for a default."""
    rulebook: Rulebook

    @property
    def sha256(self) -> str:
        """Of the text's UTF-8 bytes: for an office file or a bundled default of its own year,
        the sha256 of the file (`rulebook_sha256`)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def default_rulebook_text(year: int) -> tuple[str, int]:
    """(text, bundled year): the bundled rulebook of `default_rulebook_year(year)`; for another
    year its `assessment_year` line says `year`, so the office can copy the file unchanged."""
    source_year = default_rulebook_year(year)
    text = (RULEBOOK_DIR / f"{source_year}.yaml").read_bytes().decode("utf-8")
    if source_year != year:
        note = (
            f"# {year} 年度没有自带规则，沿用 {source_year} 年度默认规则 / "
            f"no bundled rulebook for {year}: the {source_year} default\n"
        )
        text = note + _YEAR_LINE.sub(f"assessment_year: {year}", text, count=1)
    return text, source_year


def parse_rulebook_text(text: str, origin: str = "<text>") -> Rulebook:
    """Validate a rulebook given as YAML text (a stored one, or a file's contents)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulebookError(f"规则文件不是有效的YAML / not valid YAML: {origin}: {exc}") from None
    return parse_rulebook(doc, origin)


def rulebook_for_year(year: int, path: str | os.PathLike[str] | None = None) -> RulebookSource:
    """The rulebook a run of `year` uses: the office's file when given (its assessment_year must
    be `year`), else the bundled default (`default_rulebook_text`)."""
    if path is not None:
        text = Path(path).read_bytes().decode("utf-8")  # as is: its sha256 is the file's
        rulebook = parse_rulebook_text(text, str(path))
        if rulebook.assessment_year != year:
            raise RulebookError(
                f"规则文件年度 {rulebook.assessment_year} 与评价年度 {year} 不一致 / "
                f"the rulebook is for {rulebook.assessment_year}, not {year}"
            )
        return RulebookSource(text, rulebook.assessment_year, str(path), rulebook)
    text, source_year = default_rulebook_text(year)
    rulebook = parse_rulebook_text(text, f"bundled:{source_year}")
    return RulebookSource(text, source_year, f"bundled:{source_year}", rulebook)


def stored_rulebook(text: str, rulebook_year: int, origin: str) -> RulebookSource:
    """A rulebook text stored with a published run, parsed again (re-derivation)."""
    return RulebookSource(text, rulebook_year, origin, parse_rulebook_text(text, origin))
