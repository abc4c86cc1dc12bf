"""Header and sheet-name matching for the report package: pure functions, no I/O.

Carriers type headers by hand, copy them from old templates, and paste them from other tools, so
the contract says a header matches its column by the Chinese name, the canonical key, or an
alias, whatever the spaces, full-width/half-width forms, letter case, and a trailing unit in
brackets (`营业收入（元）`, `revenue [万元]`). This module is that rule, in one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from orchestration.contract import Dataset

INSTRUCTIONS_SHEET = "填报说明"
EXAMPLE_MARK = "【示例】"
"""The first cell of the template's example row starts with this; ingest skips such rows."""
"""The template's first sheet: instructions for the clerk, skipped by ingest without a finding."""

MONEY_UNITS = ("元", "万元", "亿元")
"""The units a money column's header may name; staging converts amounts with them."""

# After NFKC every full-width bracket is half-width except the lenticular ones 【】〔〕.
_TRAILING_BRACKET = re.compile(r"^(?P<base>.*?)[(\[【〔](?P<inner>[^()\[\]【】〔〕]*)[)\]】〕]$")
_WHITESPACE = re.compile(r"\s+")


def normalise(text: str | None) -> str:
    """The comparable form of a header or sheet name: NFKC (full-width → half-width), every
    space removed (surrounding and inner, including the ideographic space), case-folded."""
    if text is None:
        return ""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", str(text))).casefold()


def split_unit(text: str | None) -> tuple[str, str | None]:
    """Split a trailing bracketed part off a header: `营业收入（万元）` → (`营业收入`, `万元`).

    Both parts come back normalised. Without a trailing bracket the unit is None. The bracket
    may also be a non-unit (`所属镇（园区）`); callers match the full form first for that reason.
    """
    norm = normalise(text)
    match = _TRAILING_BRACKET.match(norm)
    if not match or not match.group("base"):
        return norm, None
    return match.group("base"), match.group("inner")


@dataclass(frozen=True)
class HeaderMatch:
    """What one header cell was recognised as."""

    column: str | None
    """The contract column key, or None when the header is unknown."""
    unit: str | None
    """The bracketed unit written in the header (normalised), or None."""


class HeaderMatcher:
    """Matches the headers of one dataset. Built once per dataset, reused for every sheet."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._full: dict[str, str] = {}
        self._base: dict[str, str] = {}
        for col in dataset.columns:
            for name in (col.zh, col.name, *col.aliases):
                self._full.setdefault(normalise(name), col.name)
                base, _ = split_unit(name)
                self._base.setdefault(base, col.name)

    def match(self, header: str | None) -> HeaderMatch:
        """The column a header names, and the unit in its trailing brackets."""
        norm = normalise(header)
        if not norm:
            return HeaderMatch(None, None)
        base, unit = split_unit(header)
        if norm in self._full:
            column = self._full[norm]
            # `种子资金规模（万元）` matched in full still says its unit.
            return HeaderMatch(column, unit)
        if base in self._base:
            return HeaderMatch(self._base[base], unit)
        return HeaderMatch(None, unit)

    def score(self, cells: Iterable[str | None]) -> int:
        """How many distinct contract columns a row of cells names: used to find the header row."""
        return len({m.column for m in map(self.match, cells) if m.column is not None})


def find_header_row(
    rows: Sequence[Sequence[str | None]], matcher: HeaderMatcher, scan: int = 10
) -> tuple[int | None, int]:
    """The index of the best header row among the first `scan` rows, and its score.

    Carriers put one or two title rows above the header; the row naming the most contract
    columns wins (the first one on a tie). None when no row names any column.
    """
    best_index: int | None = None
    best_score = 0
    for index, row in enumerate(rows[:scan]):
        score = matcher.score(row)
        if score > best_score:
            best_index, best_score = index, score
    return best_index, best_score


def match_dataset_name(name: str | None, datasets: Iterable[Dataset]) -> str | None:
    """The dataset a sheet name (or CSV file stem) names: by `sheet_zh` or key, normalised."""
    norm = normalise(name)
    for ds in datasets:
        if norm in (normalise(ds.sheet_zh), normalise(ds.name)):
            return ds.name
    return None


def match_csv_name(stem: str, datasets: Iterable[Dataset]) -> str | None:
    """The dataset a CSV file stem names: `<dataset>` or `<dataset>_<anything>`.

    Dataset keys contain underscores themselves (`high_tech`, `subsidy_claims`), so the longest
    key or sheet name that the stem starts with wins.
    """
    norm = normalise(stem)
    best: tuple[int, str] | None = None
    for ds in datasets:
        for candidate in (normalise(ds.name), normalise(ds.sheet_zh)):
            named = norm == candidate or norm.startswith(candidate + "_")
            if named and (best is None or len(candidate) > best[0]):
                best = (len(candidate), ds.name)
    return best[1] if best else None


def is_money_unit(unit: str | None) -> bool:
    """Whether a header's bracketed text is one of the money units staging understands."""
    return unit in MONEY_UNITS


__all__ = [
    "INSTRUCTIONS_SHEET",
    "EXAMPLE_MARK",
    "MONEY_UNITS",
    "HeaderMatch",
    "HeaderMatcher",
    "find_header_row",
    "is_money_unit",
    "match_csv_name",
    "match_dataset_name",
    "normalise",
    "split_unit",
]
