"""The README and docs work inside a clone: links resolve, the contract's documents are here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "contract"
LINK = re.compile(r"\[[^\]]*\]\(([^)#\s]+)(?:#[^)]*)?\)")
COPIES = {
    "README.md": ROOT / "docs" / "contract" / "README.md",
    "rules.md": ROOT / "docs" / "contract" / "rules.md",
    "datasets.yaml": ROOT / "orchestration" / "contract" / "datasets.yaml",
}


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@pytest.mark.parametrize("doc", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve_inside_the_repository(doc):
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue  # a web or mail address
        resolved = (doc.parent / target).resolve()
        assert resolved.exists(), f"{doc.relative_to(ROOT)} links to missing {target}"
        assert ROOT in resolved.parents or resolved == ROOT, f"{target} leaves the repository"


def test_the_readme_points_inside_the_clone():
    assert "../shared" not in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COPIES))
def test_contract_copies_match_the_shared_contract(name):
    source = SHARED / name
    if not source.exists():
        pytest.skip("no shared contract beside this checkout")
    assert COPIES[name].read_bytes() == source.read_bytes(), (
        f"{COPIES[name].relative_to(ROOT)} differs from the contract: copy it again"
    )
