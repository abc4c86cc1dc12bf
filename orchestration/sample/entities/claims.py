"""Subsidy claims: about 40 a year at scale 1, with amounts on both sides of every reward rule's
boundary, and a few claims a rule must refuse (wrong carrier type, no new recognition).

The carriers are picked with generators seeded by the year and the claim kind."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from orchestration.sample.entities.carriers import Carriers
from orchestration.sample.entities.recognitions import (
    pick_carriers,
    recognitions,
    service_bodies,
)
from orchestration.sample.entities.vocabulary import CARRIER_TYPES, NAME_WORDS

RD_EQUIPMENT = [280.0, 299.99, 300.0, 300.01, 450.0, 1200.0, 2000.0, 50.0]
OFFSHORE_RENT = (200.0, 600.0, 150.0)
SERVICE_REVENUE = [
    (100.0, 80.0),
    (100.5, 87.39),
    (150.0, 130.5),
    (150.0, 130.43),
    (120.0, 0.0),
    (130.0, None),
    (800.0, 300.0),
    (2000.0, 1000.0),
    (101.0, 50.0),
    (99.99, 60.0),
]
"""(this year's audited service revenue, last year's), 万元."""
PLATFORM_STARTUP = [30.0, 49.99, 50.0, 80.0, 100.0, 150.0]
SCHEMA = {
    "carrier_id": pl.String,
    "claim_kind": pl.String,
    "claimant_name": pl.String,
    "claimant_uscc": pl.String,
    "amount_audited": pl.Float64,
    "amount_previous": pl.Float64,
    "rent_year_index": pl.Int64,
    "note": pl.String,
}


class _Claims:
    """The year's claims being collected (operators claim unless another claimant is named)."""

    def __init__(self, carriers: Carriers, year: int, scale: float, first: int) -> None:
        self.carriers, self.year, self.first = carriers, year, first
        self.s = max(1, round(scale))
        self.ids = carriers.frame["carrier_id"].to_list()
        self.op = dict(zip(self.ids, carriers.frame["operator_name"].to_list(), strict=True))
        self.op_uscc = dict(zip(self.ids, carriers.frame["operator_uscc"].to_list(), strict=True))
        self.rows: list[dict[str, object]] = []

    def pick(self, types: Sequence[str], k: int, salt: int) -> list[str]:
        return [self.ids[c] for c in pick_carriers(self.carriers, types, k, salt=salt)]

    def add(
        self,
        cid: str,
        kind: str,
        amount: float,
        prev: float | None = None,
        idx: int | None = None,
        claimant: tuple[str, str] | None = None,
        note: str | None = None,
    ) -> None:
        name, uscc = claimant or (self.op[cid], self.op_uscc[cid])
        self.rows.append(
            {
                "carrier_id": cid,
                "claim_kind": kind,
                "claimant_name": name,
                "claimant_uscc": uscc,
                "amount_audited": amount,
                "amount_previous": prev,
                "rent_year_index": idx,
                "note": note,
            }
        )


def subsidy_claims(
    carriers: Carriers, year: int, scale: float, years: Sequence[int]
) -> pl.DataFrame:
    """The year's claims, amounts in integer hundredths of 万元, one per carrier, kind and
    claimant."""
    claims = _Claims(carriers, year, scale, years[0])
    _renovation(claims, recognitions(carriers, year, scale, years))
    _rd_equipment(claims)
    _offshore_rent(claims)
    _service_revenue(claims)
    _platform_startup(claims)
    frame = pl.DataFrame(claims.rows, schema=SCHEMA).with_columns(
        (pl.col("amount_audited") * 100).round(0).cast(pl.Int64),
        (pl.col("amount_previous") * 100).round(0).cast(pl.Int64),
    )
    return frame.unique(["carrier_id", "claim_kind", "claimant_uscc"], maintain_order=True)


def _renovation(claims: _Claims, recs: pl.DataFrame) -> None:
    """Carriers newly recognised provincial or national claim renovation; some others claim it
    without a new recognition."""
    recognised = (
        recs.filter(
            pl.col("recognized_level").is_in(["provincial", "national"])
            & pl.col("recognized_type").is_in(["incubator", "accelerator", "maker_space"])
            & pl.col("holder_name").is_null()
        )["carrier_id"]
        .unique(maintain_order=True)
        .to_list()
    )
    for i, cid in enumerate(recognised):
        claims.add(cid, "renovation", (850.0, 1200.0, 300.0, 460.5)[i % 4])
    types = ("industrial_park", "complex", "maker_space")
    for cid in claims.pick(types, 2 * claims.s, salt=claims.year * 10 + 1):
        claims.add(cid, "renovation", 500.0, note="未获新认定 / no new recognition")


def _rd_equipment(claims: _Claims) -> None:
    picked = claims.pick(CARRIER_TYPES, 8 * claims.s, salt=claims.year * 10 + 2)
    for amount, cid in zip(RD_EQUIPMENT * claims.s, picked, strict=False):
        claims.add(cid, "rd_equipment", amount)


def _offshore_rent(claims: _Claims) -> None:
    """Offshore centres claim rent for their first three years (the same centres every year);
    an incubator claims it too."""
    for j, cid in enumerate(claims.pick(("offshore_center",), 4 * claims.s, salt=77)):
        idx = j % 3 + 1 + (claims.year - claims.first)
        if idx <= 3:
            claims.add(cid, "offshore_rent", OFFSHORE_RENT[j % 3], idx=idx)
    for cid in claims.pick(("incubator",), claims.s, salt=claims.year * 10 + 3):
        claims.add(cid, "offshore_rent", 120.0, idx=1, note="非域外中心 / not an offshore centre")


def _service_revenue(claims: _Claims) -> None:
    """Service bodies hosted by carriers claim on their revenue's growth."""
    sr = SERVICE_REVENUE * claims.s
    hosts = claims.pick(CARRIER_TYPES, len(sr), salt=claims.year * 10 + 4)
    bodies = service_bodies(len(sr) + 1000, claims.year + 5000)
    for j, ((amt, prev), cid) in enumerate(zip(sr, hosts, strict=False)):
        claimant = (f"扬州{NAME_WORDS[(j * 7) % len(NAME_WORDS)]}科技咨询有限公司", bodies[j])
        claims.add(cid, "service_revenue", amt, prev=prev, claimant=claimant)


def _platform_startup(claims: _Claims) -> None:
    plats = claims.pick(("platform",), 6 * claims.s, salt=claims.year * 10 + 5)
    for amount, cid in zip(PLATFORM_STARTUP * claims.s, plats, strict=False):
        claims.add(cid, "platform_startup", amount)
    for cid in claims.pick(("complex",), claims.s, salt=claims.year * 10 + 6):
        claims.add(cid, "platform_startup", 60.0, note="非科创平台 / not a platform")
