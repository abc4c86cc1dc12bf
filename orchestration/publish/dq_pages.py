"""The data-quality report at any scale: an index page and one page per carrier (issue 21).

A national year has ~117,000 findings over 16,000 carriers: as one page that was 56 MB, which
no browser opens comfortably and no clerk can send to a carrier. So the report is

- the index, `dq_report_<year>.html`: the totals, the counts by dataset and by town (carriers
  with findings, errors, warnings), each town linking to its page; small at any scale (a
  table of 16,000 carriers made the national index slow to open);
- one page per town, `dq/town-<digest>.html`: the town's carriers with their counts, each
  linking to its page (the page is named after a digest of the town's name);
- one page per carrier, `dq/<carrier_id>.html` beside the index: that carrier's findings, what
  the office sends back to the carrier to fix; the findings tied to no carrier go to
  `dq/_unassigned.html`, linked from the index. A carrier id that is not a plain file name
  (letters, digits, `-`, `_`) gets a page named after a digest of it (`dq/id-<hex>.html`), so
  no value from a report file ever becomes a path.

The rows of the pages are built as HTML by polars expressions (every value escaped as
markupsafe escapes it, the way Jinja's autoescape did), not by a template loop per cell; the
page shells are Jinja templates with autoescape on (`report_templates/dq_index.html.j2`,
`dq_town.html.j2`, `dq_carrier.html.j2`). Grouping and order are
`orchestration.publish.dq_report`'s.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.config import REPORT_TEMPLATES_DIR

PAGES_DIR = "dq"
UNASSIGNED_PAGE = "_unassigned"
_PLAIN_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")


def page_stem(group: str, no_carrier: str) -> str:
    """The file stem of a group's page: the carrier id when it is a plain file name."""
    if group == no_carrier:
        return UNASSIGNED_PAGE
    if _PLAIN_ID.fullmatch(group):
        return group
    return "id-" + hashlib.sha256(group.encode("utf-8")).hexdigest()[:16]


_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;"))
"""markupsafe's escapes, `&` first: for the rows' expressions (`escape`) and the pages' values
(`_escaped`)."""


def escape(expr: pl.Expr) -> pl.Expr:
    """HTML-escape text as markupsafe does (& < > " ')."""
    for char, entity in _ENTITIES:
        expr = expr.str.replace_all(char, entity, literal=True)
    return expr


def _text(column: str) -> pl.Expr:
    return escape(pl.col(column).cast(pl.String).fill_null(""))


def finding_rows(columns: tuple[tuple[str, str], ...], labels: dict[str, str]) -> pl.Expr:
    """One `<tr>` per finding, its cells in `columns` order, as dq_report's template wrote them."""
    cells: list[pl.Expr] = []
    for col, _ in columns:
        if col == "severity":
            label = pl.col("severity").replace_strict(labels, default=pl.col("severity"))
            cells += [pl.lit('<td class="sev">'), escape(label.cast(pl.String).fill_null(""))]
        elif col == "source_row":
            cells += [pl.lit('<td class="num">'), _text(col)]
        else:
            cells += [pl.lit("<td>"), _text(col)]
        cells.append(pl.lit("</td>"))
    return pl.concat_str(
        [pl.lit('<tr class="'), _text("severity"), pl.lit('">'), *cells, pl.lit("</tr>")]
    )


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _template(name: str) -> Any:
    return _environment().from_string((REPORT_TEMPLATES_DIR / name).read_text(encoding="utf-8"))


def write_pages(
    frame: pl.DataFrame,
    index_path: Path,
    year: int,
    names: dict[str, str],
    towns: dict[str, str],
    *,
    columns: tuple[tuple[str, str], ...],
    labels: dict[str, str],
    no_carrier: str,
    summary: list[dict[str, Any]],
) -> Path:
    """Write the index at `index_path` and the groups' pages in `dq/` beside it.

    `frame`: every finding with `_group` (its carrier, or `no_carrier`) and `_sev_order`."""
    folder = Path(index_path).parent / PAGES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ordered = frame.sort(
        ["_group", "_sev_order", "dataset", "source_file", "sheet", "source_row"], nulls_last=True
    ).with_columns(finding_rows(columns, labels).alias("_html"))
    grouped = ordered.group_by("_group", maintain_order=True).agg(
        pl.col("_html").str.join("\n").alias("rows"),
        (pl.col("severity") == "error").sum().alias("errors"),
        (pl.col("severity") == "warning").sum().alias("warnings"),
    )
    shells = _carrier_shells(year, [label for _, label in columns], f"../{Path(index_path).name}")
    entries: list[dict[str, Any]] = []
    for group, rows, errors, warnings in grouped.iter_rows():
        stem = page_stem(group, no_carrier)
        carrier_id = None if group == no_carrier else group
        entry = {
            "carrier_id": carrier_id,
            "name": names.get(group, ""),
            "town": towns.get(group, ""),
            "errors": int(errors),
            "warnings": int(warnings),
            "href": f"{PAGES_DIR}/{stem}.html",
        }
        entries.append(entry)
        values = {key: _escaped(value) for key, value in entry.items()}
        text = _fill(shells[carrier_id is not None], values | {"rows": rows})
        _write_page(folder / f"{stem}.html", text)
    entries.sort(key=lambda e: (e["carrier_id"] is None, e["carrier_id"] or ""))
    path = Path(index_path)
    towns_list = _write_town_pages(folder, entries, year, path.name)
    unassigned = next((e for e in entries if e["carrier_id"] is None), None)
    index = _template("dq_index.html.j2").render(
        year=year,
        total_errors=int((frame["severity"] == "error").sum()) if frame.height else 0,
        total_warnings=int((frame["severity"] == "warning").sum()) if frame.height else 0,
        summary=summary,
        towns=towns_list,
        unassigned=unassigned,
        any_findings=bool(entries),
    )
    path.write_text(index, encoding="utf-8")
    return path


_MARK = re.compile("\x00([a-z_]+)\x00")
"""A per-page value's place in a rendered page shell (`_carrier_shells`): no template text
holds a NUL character, and a value holding one is never read for marks (`_fill`)."""

_PAGE_VALUES = ("carrier_id", "name", "town", "errors", "warnings", "href")
"""The per-page values of a carrier page (`write_pages`' entry)."""


def _carrier_shells(year: int, headers: list[str], index: str) -> dict[bool, str]:
    """The carrier page rendered once per kind (a carrier's: True; the findings tied to no
    carrier: False) with a mark in place of each per-page value, filled per page by `_fill`:
    the text Jinja renders for that page, without rendering the template 18,500 times (national:
    the report 2.0 -> 1.7 s; docs/benchmarks.md, issue 21)."""
    from markupsafe import Markup

    page = _template("dq_carrier.html.j2")
    marks = {key: f"\x00{key}\x00" for key in _PAGE_VALUES}
    shells = {}
    for is_carrier in (True, False):
        group = marks if is_carrier else {**marks, "carrier_id": None}
        shells[is_carrier] = page.render(
            year=year, group=group, headers=headers, rows=Markup("\x00rows\x00"), index=index
        )
    return shells


def _fill(shell: str, values: dict[str, str]) -> str:
    """A shell's marks replaced by the page's values, in one pass (a value is never read for
    marks)."""
    return _MARK.sub(lambda mark: values[mark.group(1)], shell)


def _escaped(value: Any) -> str:
    """A value as Jinja's autoescape writes it (markupsafe's escape; text and whole numbers
    without making a Markup object for each: national, 96,000 values)."""
    if type(value) is str:
        for char, entity in _ENTITIES:
            value = value.replace(char, entity)
        return value
    if type(value) is int:
        return str(value)
    from markupsafe import escape as markup_escape

    return str(markup_escape(value))


def _write_page(path: Path, text: str) -> None:
    """A page written as its UTF-8 bytes, without a text layer (a national year has 18,500)."""
    path.write_bytes(text.encode("utf-8"))


def town_stem(town: str) -> str:
    """The file stem of a town's page: a digest of its name (no report value becomes a path)."""
    return "town-" + hashlib.sha256(town.encode("utf-8")).hexdigest()[:16]


def _write_town_pages(
    folder: Path, entries: list[dict[str, Any]], year: int, index_name: str
) -> list[dict[str, Any]]:
    """One page per town listing its carriers (in carrier order) with their counts; returns the
    towns in name order with their counts and page, for the index."""
    by_town: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        if entry["carrier_id"] is not None:
            by_town.setdefault(entry["town"] or "—", []).append(entry)
    page = _template("dq_town.html.j2")
    towns = []
    for town, carriers in sorted(by_town.items()):
        stem = town_stem(town)
        listed = [{**c, "href": c["href"].removeprefix(f"{PAGES_DIR}/")} for c in carriers]
        town_entry = {
            "town": town,
            "carriers": len(carriers),
            "errors": sum(c["errors"] for c in carriers),
            "warnings": sum(c["warnings"] for c in carriers),
            "href": f"{PAGES_DIR}/{stem}.html",
        }
        text = page.render(year=year, town=town_entry, carriers=listed, index=f"../{index_name}")
        _write_page(folder / f"{stem}.html", text)
        towns.append(town_entry)
    return towns
