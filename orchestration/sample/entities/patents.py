"""The tenants' patents (applications, grants, rejections, lapses, numbers with check digits, a
few in the old 8-digit form) and high-tech certificates (a first one, renewals every three years).

The draws come from the world's one generator in a fixed order: reordering them changes the
sample."""

from __future__ import annotations

import numpy as np
import polars as pl

from orchestration.sample.entities.draws import day, year_of
from orchestration.sample.entities.vocabulary import TITLE_A, TITLE_B
from orchestration.sample.identifiers import patent_check_batch

PATENT_TYPES = np.array(["invention", "utility_model", "design"])
CERTIFICATE_BATCHES = np.array([(11, 6), (11, 30), (12, 13)])
"""Month and day of the year's batches of high-tech certificates."""


def draw_patents(rng: np.random.Generator, tenants: pl.DataFrame, last: int) -> pl.DataFrame:
    """Patents of the primary tenancies: applied while a tenant, at a rate that grows with the
    carrier's quality (dormant enterprises apply for none). Dates are day numbers, -1: none."""
    n = tenants.height
    q = tenants["q"].to_numpy()
    entry = tenants["entry"].to_numpy().astype(np.int64)
    exit_ = tenants["exit"].to_numpy().astype(np.int64)
    life_end = np.where(exit_ < 0, day(last, 12, 31), exit_)
    span = (life_end - entry) / 365.25
    rate = np.where(tenants["dormant"].to_numpy(), 0.0, 2.0 * q * np.exp(rng.normal(0, 0.5, n)))
    k = rng.poisson(rate * span)
    owner = np.repeat(np.arange(n), k)
    app = entry[owner] + np.floor(rng.random(owner.size) * (life_end[owner] - entry[owner] + 1))
    app = app.astype(np.int64)
    ptype, grant, reject, lapse = _outcomes(rng, app)
    patent_no = _patent_numbers(rng, app, ptype)
    return pl.DataFrame(
        {
            "e": np.repeat(tenants["e"].to_numpy(), k),
            "patent_no": patent_no,
            "patent_type": PATENT_TYPES[ptype],
            "title": _titles(rng, app.size),
            "application_date": app.astype(np.int32),
            "grant": grant.astype(np.int32),
            "reject": reject.astype(np.int32),
            "lapse": lapse.astype(np.int32),
        }
    )


def _outcomes(
    rng: np.random.Generator, app: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Type (0 invention, 1 utility model, 2 design), and the grant, rejection and lapse days
    (-1: none): inventions take 1.3-3.3 years and 30 % are rejected; 5 % of grants lapse."""
    m = app.size
    ptype = rng.choice(3, m, p=(0.33, 0.52, 0.15))
    delay = np.select(
        [ptype == 0, ptype == 1],
        [rng.uniform(1.3, 3.3, m), rng.uniform(0.35, 0.9, m)],
        rng.uniform(0.25, 0.6, m),
    )
    decided = app + (delay * 365.25).astype(np.int64)
    granted = rng.random(m) < np.where(ptype == 0, 0.7, 0.97)
    grant = np.where(granted, decided, -1)
    reject = np.where(granted, -1, decided)
    lapse = np.where(granted & (rng.random(m) < 0.05), grant + rng.integers(365, 1500, m), -1)
    return ptype, grant, reject, lapse


def _patent_numbers(rng: np.random.Generator, app: np.ndarray, ptype: np.ndarray) -> np.ndarray:
    """`YYYYT SSSSSSS.C`: application year, type digit (8/9 for a few PCT entries), a serial
    unique within year and type, and the check character."""
    m = app.size
    app_year = year_of(app)
    type_digit = np.array([1, 2, 3])[ptype]
    pct = rng.random(m) < 0.02
    type_digit = np.where(pct & (ptype == 0), 8, np.where(pct & (ptype == 1), 9, type_digit))
    order = np.lexsort((rng.random(m), type_digit, app_year))
    rank = rank_in_groups(order, app_year[order] * 10 + type_digit[order])
    serial = 100_000 + rank * 13 + rng.integers(0, 13, m)
    digits = np.stack(
        [(app_year // 10 ** (3 - i)) % 10 for i in range(4)]
        + [type_digit]
        + [(serial // 10 ** (6 - i)) % 10 for i in range(7)],
        axis=1,
    )
    check = patent_check_batch(digits)
    num = (app_year * 10 + type_digit) * 10_000_000 + serial
    return np.char.add(np.char.add(num.astype(str), "."), check)


def rank_in_groups(order: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Each element's position within its group, given the sort `order` and the keys in that
    order (groups are runs of equal keys)."""
    size = order.size
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1] if size else np.array([0])
    rank = np.empty(size, dtype=np.int64)
    rank[order] = np.arange(size) - np.repeat(starts, np.diff(np.r_[starts, size]))
    return rank


def _titles(rng: np.random.Generator, m: int) -> np.ndarray:
    a_ = np.array(TITLE_A)[rng.integers(0, len(TITLE_A), m)]
    b_ = np.array(TITLE_B)[rng.integers(0, len(TITLE_B), m)]
    return np.char.add(np.char.add("一种", a_), b_)


def with_old_form_patents(
    rng: np.random.Generator, patents: pl.DataFrame, scale: float
) -> tuple[pl.DataFrame, list[str]]:
    """A few patents turned into the old 8-digit form (filed before 2003), long since lapsed;
    and their numbers."""
    k = max(2, round(3 * scale))
    pick = rng.choice(patents.height, k, replace=False)
    yy = rng.integers(97, 100, k)
    serial = rng.integers(10000, 99999, k)
    nums = yy * 1_000_000 + 100_000 + serial
    digits = np.stack([(nums // 10 ** (7 - i)) % 10 for i in range(8)], axis=1)
    nos = np.char.add(np.char.add(nums.astype(str), "."), patent_check_batch(digits))
    app = np.array([day(1900 + int(y), 3, 1) for y in yy]) + rng.integers(0, 200, k)
    upd = pl.DataFrame({"row": pick, "patent_no_old": nos, "app_old": app.astype(np.int32)})
    old = pl.col("app_old").is_not_null()
    patents = (
        patents.with_row_index("row")
        .with_columns(pl.col("row").cast(pl.Int64))
        .join(upd.with_columns(pl.col("row").cast(pl.Int64)), on="row", how="left")
        .with_columns(
            pl.coalesce("patent_no_old", "patent_no").alias("patent_no"),
            pl.when(old)
            .then(pl.lit("invention"))
            .otherwise(pl.col("patent_type"))
            .alias("patent_type"),
            pl.coalesce("app_old", "application_date").alias("application_date"),
            pl.when(old).then(pl.col("app_old") + 1100).otherwise(pl.col("grant")).alias("grant"),
            pl.when(old).then(pl.col("app_old") + 4000).otherwise(pl.col("lapse")).alias("lapse"),
        )
        .drop("row", "patent_no_old", "app_old")
    )
    return patents, sorted(nos.tolist())


def draw_certificates(
    rng: np.random.Generator, tenants: pl.DataFrame, first: int, last: int
) -> pl.DataFrame:
    """High-tech certificates of the primary tenancies: a first one some years after entry (in
    a November or December batch), then up to three renewals every three years."""
    ce, cy, cr = _certificate_years(rng, tenants, first, last)
    batch = CERTIFICATE_BATCHES[rng.integers(0, 3, ce.size)]
    issue = (
        np.array([day(int(y), int(mo), int(d)) for y, (mo, d) in zip(cy, batch, strict=True)])
        if ce.size < 50_000
        else _batch_days(cy, batch)
    )
    order = np.lexsort((rng.random(ce.size), cy))
    crank = rank_in_groups(order, cy[order])
    serial = np.char.zfill((1000 + crank * 3 + rng.integers(0, 3, ce.size)).astype(str), 6)
    cert_no = np.char.add(np.char.add("GR", cy.astype(str)), np.char.add("32", serial))
    return pl.DataFrame(
        {
            "e": ce,
            "certificate_no": cert_no,
            "issue_date": np.asarray(issue, dtype=np.int32),
            "cert_kind": np.where(cr == 0, "first", "renewal"),
        }
    )


def _certificate_years(
    rng: np.random.Generator, tenants: pl.DataFrame, first: int, last: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(enterprise, year, renewal number) of every certificate issued up to the last year."""
    n = tenants.height
    e = tenants["e"].to_numpy()
    q = tenants["q"].to_numpy()
    entry = tenants["entry"].to_numpy().astype(np.int64)
    has = (~tenants["dormant"].to_numpy()) & (rng.random(n) < np.clip(0.5 * q + 0.3, 0, 0.9))
    entry_year = year_of(entry)
    year_start = (entry_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    late = (entry - year_start.astype(np.int64)) > 300
    # the first certificate comes after entry (batches are issued in November and December)
    first_year = entry_year + np.maximum(rng.integers(0, 4, n), late.astype(np.int64))
    rows = []
    for r in range(4):
        yr = first_year + 3 * r
        alive = has & (yr <= last) & (yr >= first - 9)
        if r:
            has = has & (rng.random(n) < 0.75)
            alive &= has
        rows.append((e[alive], yr[alive], np.full(alive.sum(), r)))
    return tuple(np.concatenate([x[i] for x in rows]) for i in range(3))  # type: ignore[return-value]


def _batch_days(years: np.ndarray, md: np.ndarray) -> np.ndarray:
    """Day numbers of (month, day) in each year, vectorised (for many certificates)."""
    base = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    month_start = base.astype("datetime64[M]") + (md[:, 0] - 1)
    return (month_start.astype("datetime64[D]") + (md[:, 1] - 1)).astype(np.int64)
