"""The manifest: the generator's account of a sample, one `manifest_<year>.json` per year — the
files written, the rows per dataset, the cells planted bad and where, and the scenarios the
sample holds (roles, double tenants, shared patents, special files) — so tests and the demo can
check the batch finds exactly those."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from pydantic import BaseModel, Field

from orchestration.sample.entities.vocabulary import LONG_INCUBATION_INDUSTRIES

if TYPE_CHECKING:
    from orchestration.sample.rendering.layout import YearLayout

DefectKind = Literal[
    "uscc_check",
    "invalid_date",
    "negative_amount",
    "negative_area",
    "unreadable_number",
    "missing_required",
    "patent_check",
    "patent_type_mismatch",
    "certificate_year_mismatch",
]


class PlantedDefect(BaseModel):
    """One bad cell the generator wrote on purpose: where a person finds it, and why it is bad."""

    dataset: str
    file: str
    sheet: str
    row: int
    """Excel row as a spreadsheet shows it (title and header rows counted), or CSV line."""
    column: str
    value: str
    kind: DefectKind


class YearManifest(BaseModel):
    """What one year's package holds and what was planted in it."""

    year: int
    package_dir: str
    fmt: Literal["xlsx", "csv"]
    files: list[str]
    rows: dict[str, int]
    """Data rows written per dataset (repeated rows and defective rows included)."""
    defects: list[PlantedDefect]
    scenarios: dict[str, Any] = Field(default_factory=dict)


class SampleManifest(BaseModel):
    """The generator's account of a sample: one entry per year."""

    seed: int
    scale: float
    years: dict[int, YearManifest]


def write_year_manifest(root: Path, manifest: YearManifest) -> None:
    """`root/manifest_<year>.json`, keys sorted (the same sample gives the same bytes)."""
    text = json.dumps(
        manifest.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True
    )
    (root / f"manifest_{manifest.year}.json").write_text(text + "\n", encoding="utf-8")


def scenario_facts(layout: YearLayout) -> dict[str, Any]:
    """What the year's canonical data holds that the batch must find: roles, double tenants,
    shared patents, enclave and long-incubation tenants, deregistered tenants without an exit,
    service-body holders, claims by kind, old-form patent numbers."""
    t = layout.canon["tenants"]
    multi = _held_by_several(t, "uscc")
    shared = _held_by_several(layout.canon["patents"], "patent_no")
    town = layout.world.carriers.frame.select("carrier_id", "town")
    enclave = t.join(town, on="carrier_id").filter(
        pl.col("attracted_by_town").is_not_null() & (pl.col("attracted_by_town") != pl.col("town"))
    )
    rec = layout.canon["recognitions"]
    claims = layout.canon["subsidy_claims"].group_by("claim_kind").len()
    return {
        "roles": layout.role_ids,
        "double_tenants": sorted(multi["uscc"].to_list())[:50],
        "double_tenant_count": multi.height,
        "shared_patent_count": shared.height,
        "shared_patents": sorted(shared["patent_no"].to_list())[:20],
        "enclave_tenant_count": enclave.height,
        "long_incubation_tenant_count": t.filter(
            pl.col("industry").is_in(LONG_INCUBATION_INDUSTRIES)
        ).height,
        "deregistered_without_exit_count": t.filter(
            (pl.col("tenant_status") == "deregistered") & pl.col("exit_date").is_null()
        ).height,
        "service_body_holders": rec.filter(pl.col("holder_name").is_not_null())
        .select("carrier_id", "recognized_type", "holder_name", "holder_uscc")
        .to_dicts(),
        "claims_by_kind": dict(sorted(claims.iter_rows())),
        "old_form_patents": layout.world.scenarios.get("old_form_patents", []),
    }


def _held_by_several(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """The `key`s reported by more than one carrier."""
    return (
        frame.group_by(key).agg(pl.col("carrier_id").n_unique().alias("k")).filter(pl.col("k") > 1)
    )
