"""The HTML report's carrier sections: grades per type, the ranking per type and one block per
carrier with its receipt and indicator rows."""

from __future__ import annotations

from typing import Any

import polars as pl

from orchestration.publish import receipt
from orchestration.publish.formatting import as_text, display
from orchestration.publish.html_tables import html_rows, search_text, top
from orchestration.publish.labels import COLUMN_LABELS, value_label
from orchestration.publish.office_summary import GRADES, grade_counts, type_sort_key

RANK_COLUMNS = (
    "rank_in_type",
    "carrier_id",
    "carrier_name",
    "town",
    "total_score",
    "grade",
    "prev_total_score",
    "prev_grade",
    "veto_reason",
)
"""The ranking's columns (those the table has)."""


def _by_type(scores: pl.DataFrame) -> list[tuple[Any, pl.DataFrame]]:
    """The carriers of each type, types in the contract's order."""
    if not scores.height:
        return []
    parts = scores.partition_by("carrier_type", as_dict=True).items()
    return [(key[0], frame) for key, frame in sorted(parts, key=lambda kv: type_sort_key(kv[0][0]))]


def grade_by_type(scores: pl.DataFrame) -> list[dict[str, Any]]:
    """Per carrier type: how many carriers have each grade."""
    out = []
    for ctype, frame in _by_type(scores):
        counts = grade_counts(frame)
        out.append(
            {
                "type": value_label("carrier_type", ctype),
                "counts": [counts.get(g, 0) for g in GRADES],
                "total": frame.height,
            }
        )
    return out


def ranking(scores: pl.DataFrame, anchors: dict[str, str], top_n: int) -> list[dict[str, Any]]:
    """Per carrier type: the carriers by rank, each linked to its block."""
    rank_cols = [c for c in RANK_COLUMNS if c in scores.columns]
    out = []
    for ctype, frame in _by_type(scores):
        shown, note = top(frame, top_n)
        table = html_rows("carrier_scores", shown, rank_cols)
        table["anchors"] = [
            anchors.get(str(cid)) for cid in shown.get_column("carrier_id").cast(pl.String)
        ]
        table["search"] = [
            search_text(r) for r in shown.select("carrier_id", "carrier_name").iter_rows()
        ]
        table["row_grades"] = shown.get_column("grade").cast(pl.String).to_list()
        out.append({"type": value_label("carrier_type", ctype), "table": table, "note": note})
    return out


def carrier_blocks(
    t: dict[str, pl.DataFrame],
    scores: pl.DataFrame,
    anchors: dict[str, str],
    year: int,
    top_n: int,
) -> tuple[list[dict[str, Any]], str | None]:
    """One block per carrier (the first `top_n` in the office's order) and the note when
    carriers were left out."""
    shown_scores, note = top(scores, top_n)
    details = t["score_details"].filter(
        pl.col("carrier_id").is_in(shown_scores.get_column("carrier_id").implode())
    )
    by_carrier = (
        {str(k[0]): f for k, f in details.partition_by("carrier_id", as_dict=True).items()}
        if details.height
        else {}
    )
    detail_cols = [
        c
        for c in details.columns
        if c in COLUMN_LABELS and c not in ("carrier_id", "assessment_year", "run_id")
    ]
    views = receipt.receipt_views(
        shown_scores,
        details,
        t["rectifications"],
        year,
        all_scores=scores,
        robustness=t["grade_robustness"],
    )
    blocks = []
    for record in shown_scores.iter_rows(named=True):
        cid = str(record["carrier_id"])
        table = html_rows("score_details", by_carrier.get(cid, details.clear()), detail_cols)
        blocks.append(_block(record, anchors[cid], table, views.get(cid)))
    return blocks, note


def _block(record: dict[str, Any], anchor: str, table: dict[str, Any], view: Any) -> dict:
    return {
        "anchor": anchor,
        "id": str(record["carrier_id"]),
        "name": as_text(record["carrier_name"]),
        "type": value_label("carrier_type", record["carrier_type"]),
        "score": display("total_score", record["total_score"], "score"),
        "grade": as_text(record["grade"]),
        "rank": as_text(record["rank_in_type"]),
        "veto": as_text(record.get("veto_reason")),
        "search": search_text((record["carrier_id"], record["carrier_name"])),
        "table": table,
        "receipt": view,
    }
