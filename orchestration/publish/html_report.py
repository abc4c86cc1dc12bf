"""The office's HTML report of one assessment year (report_<year>.html): one self-contained
page (no scripts or files from elsewhere), every value escaped by Jinja2's autoescape.

Long lists show their first `top_n` rows with a note; the rest is in the workbook and Parquet.
The view model is assembled here from the sections of html_carriers, html_sections, decision
and adjustments.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from orchestration.publish import adjustments, decision, history_note, html_carriers, html_sections
from orchestration.publish.atomic import atomic_write
from orchestration.publish.charts import grade_chart
from orchestration.publish.formatting import as_text, display
from orchestration.publish.html_tables import html_rows
from orchestration.publish.office_summary import (
    GRADES,
    grade_counts,
    latest_run,
    ordered_scores,
    summary_facts,
)
from orchestration.publish.office_tables import prepare

HTML_TOP_N = 200
"""Rows of a long list shown in the HTML report; the rest is in the workbook and Parquet."""

TEMPLATE_PATH = Path(__file__).resolve().parent / "report_templates" / "report.html.j2"


def build_view(t: dict[str, pl.DataFrame], year: int, top_n: int) -> dict[str, Any]:
    """Everything report.html.j2 reads, from the year's prepared tables."""
    scores = ordered_scores(t["carrier_scores"])
    names = dict(
        zip(
            scores.get_column("carrier_id").cast(pl.String).to_list(),
            scores.get_column("carrier_name").cast(pl.String).to_list(),
            strict=True,
        )
    )
    anchors = {cid: f"carrier-{i}" for i, cid in enumerate(names, start=1)}
    counts = grade_counts(scores)
    by_type = html_carriers.grade_by_type(scores)
    carriers, details_note = html_carriers.carrier_blocks(t, scores, anchors, year, top_n)
    run = latest_run(t["runs"])
    return {
        "year": year,
        "facts": [(zh, en, display("", v, kind)) for zh, en, v, kind in summary_facts(t, year)],
        "run_status": as_text(run.get("status")),
        "grade_counts": counts,
        "chart": grade_chart(counts),
        "grade_by_type": by_type,
        "type_options": [r["type"] for r in by_type],
        "grades": GRADES,
        "ranking": html_carriers.ranking(scores, anchors, top_n),
        "carriers": carriers,
        "details_note": details_note,
        **html_sections.action_sections(t, names, top_n),
        **html_sections.reward_sections(t["rewards"], names, top_n),
        "towns": html_rows("town_tasks", t["town_tasks"].sort("town", maintain_order=True)),
        "targets": html_sections.targets(t["targets_progress"]),
        **html_sections.dq_sections(t["dq_issues"], names, top_n),
        **html_sections.count_sections(t["dataset_counts"], top_n),
        "run_id": as_text(run.get("run_id")) or "—",
        "history_banner": history_note.banner(run, year),
        "rulebook": history_note.rulebook_text(run, year),
    }


def render_html_report(
    tables: Mapping[str, pl.DataFrame], year: int, *, top_n: int = HTML_TOP_N
) -> str:
    """The report as one HTML string (no external resources; every value escaped)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_PATH.parent),  # the receipt's macros
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.from_string(TEMPLATE_PATH.read_text(encoding="utf-8"))
    prepared = prepare(tables, year)
    view = build_view(prepared, year, top_n)
    view.update(decision.html_sections(prepared, year, top_n))
    view.update(adjustments.html_view(tables, year, view))
    return template.render(**view)


def write_html_report(
    tables: Mapping[str, pl.DataFrame],
    path: Path,
    year: int,
    *,
    top_n: int = HTML_TOP_N,
) -> Path:
    """Write the self-contained Chinese HTML report for `year` (atomically); return the path."""
    html = render_html_report(tables, year, top_n=top_n)
    return atomic_write(Path(path), lambda tmp: tmp.write_text(html, encoding="utf-8"))
