"""The rules registry: every rule of ../shared/contract/rules.md is one registered piece.

A rule (an indicator S1…B2, a reward R01…R10, a clear-out reason C1…C3, a carrier action) is
registered where its function is defined, with its code, the plan's article and the pydantic
model of its parameters (its entry in the rulebook YAML):

    @rule("R04", "reward", article="三(一)3", params=R04Params)
    def r04_rd_equipment(ctx: RewardContext, params: R04Params) -> pl.DataFrame: ...

From the registry come the dispatch (`rules(kind)`, in registration order), the rulebook's
sections (`section_model(kind)`: one required entry per registered code, validated by the rule's
model; an unknown code is an error naming the rulebook file and the path) and the rule index of
docs/architecture.md (`rule_index_markdown`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, create_model

from scoring.params import Params

Kind = Literal["indicator", "reward", "clearout", "action", "target"]

SECTIONS: dict[str, str] = {
    "indicator": "indicators",
    "reward": "rewards",
    "clearout": "clearout",
    "action": "actions",
    "target": "targets.items",
}
"""Each kind's section of the rulebook YAML (`rewards.R01`, `clearout.C2`, …)."""

RULE_MODULES = (
    "scoring.indicators",
    "scoring.rewards_carriers",
    "scoring.rewards_services",
    "scoring.clearout",
    "scoring.actions",
    "scoring.targets",
)
"""The modules that register rules, in the order their rules apply (imported on first use)."""


@dataclass(frozen=True)
class Rule:
    """One rule: its code, kind, the plan's article, its parameter model and its function."""

    code: str
    kind: Kind
    article: str
    params: type[BaseModel]
    fn: Callable[..., Any]

    @property
    def where(self) -> str:
        """`module.function`, for the rule index."""
        return f"{self.fn.__module__}.{self.fn.__name__}"

    @property
    def section(self) -> str:
        """The rule's key path in the rulebook YAML."""
        return f"{SECTIONS[self.kind]}.{self.code}"


_RULES: dict[str, Rule] = {}
_loaded = False

F = TypeVar("F", bound=Callable[..., Any])


def rule(code: str, kind: Kind, *, article: str, params: type[BaseModel]) -> Callable[[F], F]:
    """Register the decorated function as rule `code` (a code is registered once)."""

    def register(fn: F) -> F:
        if code in _RULES:
            raise ValueError(f"rule {code} registered twice ({_RULES[code].where}, {fn.__name__})")
        _RULES[code] = Rule(code, kind, article, params, fn)
        return fn

    return register


def _load() -> None:
    """Import the rule modules once (no rule module asks the registry while it is imported)."""
    global _loaded
    if not _loaded:
        for module in RULE_MODULES:
            importlib.import_module(module)
        _loaded = True


def rules(kind: Kind | None = None) -> tuple[Rule, ...]:
    """The registered rules of a kind (all when None): by RULE_MODULES, then in the order each
    module registers them (whatever module was imported first)."""
    _load()
    found = [r for r in _RULES.values() if kind is None or r.kind == kind]
    return tuple(sorted(found, key=lambda r: RULE_MODULES.index(r.fn.__module__)))


def codes(kind: Kind) -> tuple[str, ...]:
    return tuple(r.code for r in rules(kind))


def registered_codes(kind: Kind) -> tuple[str, ...]:
    """The codes registered so far, without loading the rule modules (for a rule module's own
    constants, e.g. INDICATOR_CODES once its last indicator is registered)."""
    return tuple(r.code for r in _RULES.values() if r.kind == kind)


def get(code: str) -> Rule:
    _load()
    return _RULES[code]


class RuleSection(Params):
    """A rulebook section holding one entry per registered rule of a kind, read like a mapping
    of code to parameters: by code (`section["R01"]`, `section.R01`) or in the registry's order
    (`for code in section`, `section.items()`)."""

    def __getitem__(self, code: str) -> Any:
        if code not in type(self).model_fields:
            raise KeyError(code)
        return getattr(self, code)

    def __contains__(self, code: object) -> bool:
        return code in type(self).model_fields

    def __iter__(self) -> Iterator[str]:  # type: ignore[override]  # a mapping's iteration
        return iter(type(self).model_fields)

    def __len__(self) -> int:
        return len(type(self).model_fields)

    def codes(self) -> tuple[str, ...]:
        return tuple(type(self).model_fields)

    def items(self) -> list[tuple[str, Any]]:
        return [(code, getattr(self, code)) for code in type(self).model_fields]


def section_model(kind: Kind) -> type[RuleSection]:
    """The pydantic model of a kind's rulebook section: every registered code required, each
    validated by its rule's parameter model, any other key an error."""
    fields: dict[str, Any] = {r.code: (r.params, ...) for r in rules(kind)}
    name = SECTIONS[kind].title().replace("_", "")
    return create_model(name, __base__=RuleSection, **fields)


def section_codes(path: tuple[str | int, ...]) -> tuple[str, ...] | None:
    """The registered codes when `path` is a kind's rulebook section (`("targets", "items")`)."""
    for kind, section in SECTIONS.items():
        if tuple(section.split(".")) == tuple(str(p) for p in path):
            return codes(kind)  # type: ignore[arg-type]
    return None


def describe_path(loc: tuple[str | int, ...]) -> str | None:
    """For a rulebook error at `loc`: the rule it concerns (`R01 三(一)1, scoring.….r01_…`)."""
    _load()
    for kind, section in SECTIONS.items():
        path = tuple(section.split("."))
        if len(loc) > len(path) and tuple(str(p) for p in loc[: len(path)]) == path:
            found = _RULES.get(str(loc[len(path)]))
            if found is not None and found.kind == kind:
                return f"rule {found.code} {found.article}, {found.where}"
    return None


def rule_index_markdown() -> str:
    """The rule index of docs/architecture.md: rule code → article, rulebook key, function."""
    lines = [
        "| rule | kind | article | rulebook key | parameters | function |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rules():
        path = r.fn.__module__.replace(".", "/") + ".py"
        lines.append(
            f"| {r.code} | {r.kind} | {r.article} | `{r.section}` | `{r.params.__name__}` "
            f"| [`{r.fn.__name__}`](../{path}) |"
        )
    return "\n".join(lines)
