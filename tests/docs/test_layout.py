"""The layout shows the architecture (issue 15): step packages import downward only, scoring
imports nothing of orchestration, and no source module is over 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 500

# orchestration's rooms, lowest first; a module may import its own room and any lower one.
SHARED = {"config", "contract", "errors", "lock", "runlog", "progress", "worker", "collector",
          "xlsx_columns", "internals"}  # fmt: skip
STEPS = ("ingest", "transform", "audit", "score", "publish")
TOP = {"cli", "pipeline", "rederive", "whatif", "dagster_defs", "bench"}
RANK = {"shared": 0, "sample": 1, **{step: 1 + i for i, step in enumerate(STEPS)}, "top": 9}


def _room(parts: list[str]) -> str:
    head = parts[0]
    if head in SHARED:
        return "shared"
    if head in TOP:
        return "top"
    assert head in RANK, f"orchestration/{head} belongs to no room: add it to tests/docs/{__name__}"
    return head


def _imported(node: ast.AST) -> list[str]:
    """The orchestration modules an import statement names, without the `orchestration.`."""
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "orchestration":
            return [alias.name for alias in node.names]
        if node.module.startswith("orchestration."):
            return [node.module.split(".", 1)[1]]
    if isinstance(node, ast.Import):
        return [a.name.split(".", 1)[1] for a in node.names if a.name.startswith("orchestration.")]
    return []


def _sources(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def test_step_packages_import_downward_only():
    upward = []
    for path in _sources("orchestration"):
        parts = list(path.relative_to(ROOT / "orchestration").with_suffix("").parts)
        if parts == ["__init__"]:
            continue
        room = _room(parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node):
                target = _room(name.split("."))
                if target != room and RANK[target] > RANK[room]:
                    upward.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert upward == []


def test_scoring_imports_nothing_of_orchestration():
    for path in _sources("scoring"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            named += (
                [a.name for a in getattr(node, "names", [])] if isinstance(node, ast.Import) else []
            )
            assert not any(n.startswith("orchestration") for n in named), (
                f"{path.relative_to(ROOT)}:{node.lineno}"
            )


@pytest.mark.parametrize("folder", ["orchestration", "scoring"])
def test_no_source_module_is_over_500_lines(folder):
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources(folder)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_checker_sees_an_upward_import():
    """The rooms check reads real imports: an audit module importing publish is caught."""
    tree = ast.parse("from orchestration.publish import reports\nfrom orchestration import score")
    names = [name for node in ast.walk(tree) for name in _imported(node)]
    assert names == ["publish", "score"]
    assert RANK[_room(["publish", "reports"])] > RANK[_room(["audit", "findings"])]
