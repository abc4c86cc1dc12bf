"""An approximate scorer over the sample's canonical tables, after rules.md's grading section.

Used to check the sample is calibrated (grades spread over A–D, clear-out reasons occur); it is
not the product's scoring and ignores the finer points (ties in attribution, the A quota).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

GOALPOSTS = {
    # code: incubator, accelerator, maker_space, complex, platform, offshore_center, industrial_park
    "S1": (2000, 3000, 300, 3000, 1000, 500, 5000),
    "S2": (0.2,) * 7,
    "S3": (1,) * 7,
    "S4": (3, 1, 5, 2, 1, 2, 0.5),
    "S5": (8, 5, 10, 10, 3, 5, 30),
    "P1": (3, 4, 1, 5, 2, 2, 10),
    "P2": (10, 8, 8, 15, 3, 5, 40),
    "P3": (3, 2, 2, 4, 1, 1, 5),
    "P4": (5, 5, 2, 8, 10, 3, 20),
    "P5": (20, 15, 10, 30, 20, 10, 60),
    "P6": (5, 5, 3, 8, 10, 5, 20),
    "D1": (0.06,) * 7,
    "D2": (500, 1000, 100, 1000, 300, 200, 3000),
    "D3": (0.75,) * 7,
}
POINTS = dict(
    S1=10, S2=5, S3=5, S4=5, S5=5, P1=15, P2=10, P3=10, P4=10, P5=5, P6=5, D1=5, D2=5, D3=5
)
TYPES = (
    "incubator",
    "accelerator",
    "maker_space",
    "complex",
    "platform",
    "offshore_center",
    "industrial_park",
)


def _attribute(events: pl.DataFrame, date_col: str, tenants: pl.DataFrame) -> pl.DataFrame:
    spans = tenants.select("carrier_id", "uscc", "entry_date", "exit_date").unique()
    return (
        events.drop("carrier_id")
        .join(spans, on="uscc")
        .filter(
            (pl.col("entry_date") <= pl.col(date_col))
            & (pl.col("exit_date").is_null() | (pl.col(date_col) <= pl.col("exit_date")))
        )
        .sort("entry_date")
        .group_by([c for c in events.columns if c != "carrier_id"], maintain_order=True)
        .last()
    )


def approximate_scores(tables: dict[int, dict[str, pl.DataFrame]], year: int) -> pl.DataFrame:
    """carrier_id, carrier_type, total, grade for `year` (no A quota, no ties)."""
    t = tables[year]
    y0, y1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    car = t["carriers"]
    ten = t["tenants"].filter(
        (pl.col("entry_date") <= y1) & (pl.col("exit_date").is_null() | (pl.col("exit_date") >= y0))
    )
    inc = ten.filter((pl.col("tenant_status") == "incubating") & pl.col("exit_date").is_null())
    certs_all = pl.concat([tables[y]["high_tech"] for y in tables if y <= year]).unique(
        "certificate_no"
    )
    ht_ever = set(certs_all.filter(pl.col("issue_date") <= y1)["uscc"].to_list())
    earlier = certs_all.filter(pl.col("issue_date") < y0)
    first_y = certs_all.filter(
        (pl.col("issue_date") >= y0)
        & (pl.col("issue_date") <= y1)
        & (pl.col("cert_kind") == "first")
        & ~pl.col("uscc").is_in(earlier["uscc"].implode())
    )

    def in_year(frame: pl.DataFrame, col: str) -> pl.DataFrame:
        return frame.filter((pl.col(col) >= y0) & (pl.col(col) <= y1))

    fin = _attribute(
        in_year(t["financing"], "financing_date").unique(
            ["uscc", "financing_date", "amount", "financing_kind", "investor"]
        ),
        "financing_date",
        t["tenants"],
    )
    p1 = _attribute(first_y, "issue_date", t["tenants"])
    pat = _attribute(
        in_year(t["patents"].filter(pl.col("grant_date").is_not_null()), "grant_date").unique(
            "patent_no"
        ),
        "grant_date",
        t["tenants"],
    )
    grads = in_year(t["graduations"], "graduation_date")
    per = {
        "S1": fin.group_by("carrier_id").agg((pl.col("amount").sum() / 100).alias("v")),
        "S2": ten.join(fin.select("carrier_id", "uscc").unique(), on=["carrier_id", "uscc"])
        .group_by("carrier_id")
        .len("n"),
        "S4": inc.group_by("carrier_id").len("v"),
        "S5": ten.filter(
            (pl.col("entry_date") >= y0)
            & (
                pl.col("tech_recruit_certified").fill_null(False)
                | pl.col("tech_sme_reg_no").is_not_null()
                | pl.col("uscc").is_in(list(ht_ever))
            )
        )
        .group_by("carrier_id")
        .len("v"),
        "P1": p1.group_by("carrier_id").agg(pl.col("uscc").n_unique().alias("v")),
        "P2": ten.filter((pl.col("tech_sme_reg_date") >= y0) & (pl.col("tech_sme_reg_date") <= y1))
        .group_by("carrier_id")
        .len("v"),
        "P3": grads.group_by("carrier_id").len("v"),
        "P4": pat.filter(pl.col("patent_type") == "invention").group_by("carrier_id").len("v"),
        "P5": pat.group_by("carrier_id").len("v"),
        "P6": ten.group_by("carrier_id").agg(pl.col("talents").sum().alias("v")),
        "D2": ten.group_by("carrier_id").agg((pl.col("tax_paid").sum() / 100).alias("v")),
    }
    base = car.select("carrier_id", "carrier_type", "seed_fund", "incubation_area_m2").with_columns(
        pl.col("carrier_type").replace_strict(list(TYPES), list(range(7))).alias("ti")
    )
    n_ten = ten.group_by("carrier_id").len("n_ten")
    d1 = ten.group_by("carrier_id").agg(
        (pl.col("rd_expense").sum() / pl.col("revenue").sum().clip(1, None)).alias("D1")
    )
    d3 = inc.group_by("carrier_id").agg(pl.col("occupied_area_m2").sum().alias("occ"))
    frame = base.join(n_ten, on="carrier_id", how="left").join(d1, on="carrier_id", how="left")
    frame = frame.join(d3, on="carrier_id", how="left")
    for code, agg in per.items():
        col = "n" if code == "S2" else "v"
        frame = frame.join(agg.rename({col: code}), on="carrier_id", how="left")
    frame = frame.with_columns(
        pl.col("S2") / pl.col("n_ten"),
        pl.col("seed_fund").cast(pl.Float64).alias("S3"),
        pl.col("S4") / (pl.col("incubation_area_m2") / 1000),
        (pl.col("occ") / pl.col("incubation_area_m2")).alias("D3"),
    )
    total = pl.lit(0.0)
    for code, pts in POINTS.items():
        goal = pl.col("ti").replace_strict(list(range(7)), [float(g) for g in GOALPOSTS[code]])
        total = total + pts * (pl.col(code).cast(pl.Float64).fill_null(0) / goal).clip(0, 1)
    frame = frame.with_columns(total.round(2).alias("total")).with_columns(
        pl.when(pl.col("n_ten").is_null())
        .then(pl.lit("D"))
        .when(pl.col("total") >= 85)
        .then(pl.lit("A"))
        .when(pl.col("total") >= 70)
        .then(pl.lit("B"))
        .when(pl.col("total") >= 60)
        .then(pl.lit("C"))
        .otherwise(pl.lit("D"))
        .alias("grade")
    )
    return frame.select("carrier_id", "carrier_type", "total", "grade", *POINTS)
