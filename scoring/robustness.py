"""Grade robustness (等级稳健性, contract README "What-if, robustness and the reward budget").

How sure is a grade near a band edge? Each of the rulebook's `robustness.draws` draws multiplies
every indicator's points by a uniform factor in [1 − weight_jitter, 1 + weight_jitter] and every
goalpost (one per indicator and carrier type) by one in [1 − goalpost_jitter,
1 + goalpost_jitter], scores all carriers again with the bands, the A cap and the veto, and
counts the grades. `p_a … p_d` are the shares of draws (they sum to 1), `p_same` the share of
the published grade, `borderline` when `p_same` < `borderline_below`.

Vectorised: the random factors of all draws are drawn at once from one seeded generator (numpy's
PCG64), then the totals of a block of draws × every carrier are one array per indicator, the A
cap one sort per carrier type and block. The blocks bound memory, and two run at once (numpy
leaves the GIL on whole arrays): the figures do not depend on them. Points are floats here (the
published scores are exact decimals); totals are rounded half-up with a guard of 1e-9 so that a
total the decimals put exactly on an edge (84.995) lands where the published one does.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from scoring.rulebook import CARRIER_TYPES, INDICATOR_CODES, Rulebook

GRADES = ("A", "B", "C", "D")
ROBUSTNESS_COLUMNS: dict[str, pl.DataType] = {
    "carrier_id": pl.String,
    "grade": pl.String,
    "p_a": pl.Float64,
    "p_b": pl.Float64,
    "p_c": pl.Float64,
    "p_d": pl.Float64,
    "p_same": pl.Float64,
    "borderline": pl.Boolean,
}
BLOCK_CELLS = 1_000_000
"""Draws × carriers per block: a few float64 arrays of this size at a time (~8 MB each), so
the draws add little to the peak memory of a national year."""
DRAW_THREADS = 2
"""Blocks of draws worked on at once (national: 17 blocks of 62 draws × 16,000 carriers;
1.14 -> 0.6 s on 2 cores, docs/benchmarks.md, issue 21). The counts are sums of integers, so
they do not depend on which thread did which block."""
ROUNDING_GUARD = 1e-9


def _units(value: object, decimals: int) -> int:
    """A band edge in units of the last decimal of a total (an edge between two units: up)."""
    from decimal import ROUND_CEILING, Decimal

    return int((Decimal(str(value)) * 10**decimals).to_integral_value(rounding=ROUND_CEILING))


def _inputs(indicators: pl.DataFrame, rulebook: Rulebook) -> tuple[np.ndarray, ...]:
    """raw values (carriers × indicators, NaN when missing), points per indicator, goalposts
    (types × indicators, NaN for a bonus indicator) and each carrier's type index."""
    codes = INDICATOR_CODES
    raw = (
        np.column_stack(
            [
                indicators.get_column(f"{code.lower()}_raw")
                .cast(pl.Float64)
                .fill_null(np.nan)
                .to_numpy()
                for code in codes
            ]
        )
        if indicators.height
        else np.zeros((0, len(codes)))
    )
    points = np.array([float(rulebook.indicator(c).points) for c in codes])
    goal = np.array(
        [
            [
                float(ind.goalposts.for_type(t)) if ind.goalposts is not None else np.nan
                for ind in (rulebook.indicator(c) for c in codes)
            ]
            for t in CARRIER_TYPES
        ]
    )
    types = (
        indicators.get_column("carrier_type")
        .replace_strict(list(CARRIER_TYPES), list(range(len(CARRIER_TYPES))), return_dtype=pl.Int64)
        .to_numpy()
    )
    return raw, points, goal, types


def draw_grades(
    raw: np.ndarray,
    types: np.ndarray,
    vetoed: np.ndarray,
    weights: np.ndarray,
    goalposts: np.ndarray,
    points: np.ndarray,
    rulebook: Rulebook,
) -> np.ndarray:
    """Grade codes (0 = A … 3 = D), draws × carriers (carrier_id order), for a block of draws.

    `weights`: draws × indicators, the factor on each indicator's points; `goalposts`: draws ×
    indicators × carrier types, the goalposts of each draw (NaN for a bonus indicator).

    The carriers are worked on grouped by type (a stable sort: carrier_id order within a type),
    so that a type's goalposts broadcast over its carriers instead of being gathered per
    carrier, and every array is reused in place; each carrier's figures are the same
    operations on the same numbers as one carrier at a time (16,000 carriers × 1,000 draws:
    1.75 → 0.8 s; docs/benchmarks.md, issue 21, item 73).
    """
    g = rulebook.grading
    n_draws, n = weights.shape[0], raw.shape[0]
    order = np.argsort(types, kind="stable")
    spans = _type_spans(types[order])
    raw_clean = np.nan_to_num(raw[order], nan=0.0)
    vetoed = vetoed[order]
    total = np.zeros((n_draws, n))
    share = np.empty((n_draws, n))  # one indicator's draws × carriers
    for k in range(raw.shape[1]):
        r = raw_clean[:, k]
        pts = points[k] * weights[:, k][:, None]  # draws × 1
        if np.isnan(goalposts[:, k, :]).all():  # bonus: full points when raw > 0
            total += pts * (r > 0)[None, :]
            continue
        for t, (a, b) in spans.items():  # pts * clip(raw / the type's goalpost, 0, 1)
            np.divide(r[None, a:b], goalposts[:, k, t][:, None], out=share[:, a:b])
        np.clip(share, 0.0, 1.0, out=share)
        np.multiply(share, pts, out=share)
        total += share
    scale = 10**g.total_decimals
    units = np.floor(total * scale + 0.5 + ROUNDING_GUARD).astype(np.int64)
    bands = g.bands
    grade = (
        3
        - (units >= _units(bands.C, g.total_decimals))
        - (units >= _units(bands.B, g.total_decimals))
        - (units >= _units(bands.A, g.total_decimals))
    ).astype(np.int8)
    veto_code = GRADES.index(g.no_tenant_veto.grade)
    grade[:, vetoed] = veto_code
    # The A cap, per carrier type: A stays for the candidates whose key reaches the allowed-th
    # highest key among the type's candidates (ties keep A, or carrier_id order breaks them).
    num, den = g.a_cap.share.as_integer_ratio()
    for a, b in spans.values():
        m = b - a
        allowed = max(m * num // den, g.a_cap.minimum)
        cand = (grade[:, a:b] == 0) & ~vetoed[a:b][None, :]
        key = units[:, a:b]
        if not g.a_cap.ties_keep_a:  # earlier carrier_id first among equal totals
            key = key * (m + 1) + (m - np.arange(m))[None, :]
        key = np.where(cand, key, -1)
        if allowed == 0:
            keep = np.zeros_like(cand)
        elif allowed >= m:
            keep = cand
        else:
            threshold = -np.partition(-key, allowed - 1, axis=1)[:, allowed - 1]
            keep = cand & (key >= threshold[:, None])  # threshold -1: fewer candidates
        grade[:, a:b][cand & ~keep] = 1
    out = np.empty_like(grade)
    out[:, order] = grade  # back to carrier_id order
    return out


def _type_spans(sorted_types: np.ndarray) -> dict[int, tuple[int, int]]:
    """Each carrier type present → its [start, stop) among the carriers sorted by type."""
    present, starts = np.unique(sorted_types, return_index=True)
    stops = [*starts[1:], len(sorted_types)]
    return {int(t): (int(a), int(b)) for t, a, b in zip(present, starts, stops, strict=True)}


def grade_robustness(
    indicators: pl.DataFrame, scores: pl.DataFrame, rulebook: Rulebook
) -> pl.DataFrame:
    """`results.grade_robustness`: per carrier, the published grade and the shares of draws
    that give A, B, C, D; `p_same` and `borderline` (module docstring)."""
    cfg = rulebook.robustness
    published = scores.select("carrier_id", "grade", "veto_reason").sort("carrier_id")
    frame = published.join(indicators, on="carrier_id", how="left", maintain_order="left")
    n = frame.height
    if n == 0:
        return pl.DataFrame(schema=ROBUSTNESS_COLUMNS)
    raw, points, goal, types = _inputs(frame, rulebook)
    vetoed = frame.get_column("veto_reason").is_not_null().to_numpy()
    rng = np.random.default_rng(rulebook.robustness_seed)
    n_ind, n_types = len(INDICATOR_CODES), len(CARRIER_TYPES)
    weights = rng.uniform(1 - cfg.weight_jitter, 1 + cfg.weight_jitter, (cfg.draws, n_ind))
    goal_factor = rng.uniform(
        1 - cfg.goalpost_jitter, 1 + cfg.goalpost_jitter, (cfg.draws, n_ind, n_types)
    )
    goalposts = goal.T[None, :, :] * goal_factor  # draws × indicators × types
    block = max(1, BLOCK_CELLS // n)

    def block_counts(start: int) -> np.ndarray:
        """Carriers × grades: how often each grade came out in the draws of one block."""
        stop = min(start + block, cfg.draws)
        grades = draw_grades(
            raw, types, vetoed, weights[start:stop], goalposts[start:stop], points, rulebook
        )
        return np.stack([(grades == code).sum(axis=0) for code in range(len(GRADES))], axis=1)

    starts = range(0, cfg.draws, block)
    if len(starts) > 1:  # numpy leaves the GIL on whole arrays: blocks on every core
        with ThreadPoolExecutor(DRAW_THREADS, thread_name_prefix="robustness") as pool:
            parts = list(pool.map(block_counts, starts))
    else:
        parts = [block_counts(start) for start in starts]
    counts = (
        np.sum(parts, axis=0, dtype=np.int64)
        if parts
        else np.zeros((n, len(GRADES)), dtype=np.int64)
    )
    shares = counts / cfg.draws
    out = published.select("carrier_id", "grade").with_columns(
        **{f"p_{g.lower()}": pl.Series(shares[:, j]) for j, g in enumerate(GRADES)}
    )
    same = pl.coalesce(
        *(pl.when(pl.col("grade") == g).then(pl.col(f"p_{g.lower()}")) for g in GRADES),
        pl.lit(0.0),
    )
    return (
        out.with_columns(p_same=same)
        .with_columns(borderline=pl.col("p_same") < cfg.borderline_below)
        .select(list(ROBUSTNESS_COLUMNS))
    )


def borderline_note_zh() -> pl.Expr:
    """A sentence for a carrier's receipt, over `grade_robustness` columns: NULL unless the
    grade is borderline, else e.g. "等级处于临界：随机扰动权重和满分基准时，维持B等的占
    55.0%（A 35.5%，C 9.5%） / borderline grade: B holds in 55.0% of the draws"."""

    def pct(col: str) -> pl.Expr:
        return pl.format("{}%", (pl.col(col) * 100).round(1))

    others = pl.concat_str(
        [
            pl.when((pl.col("grade") != g) & (pl.col(f"p_{g.lower()}") > 0)).then(
                pl.format("{} {}", pl.lit(g), pct(f"p_{g.lower()}"))
            )
            for g in GRADES
        ],
        separator="，",
        ignore_nulls=True,
    )
    return (
        pl.when(pl.col("borderline"))
        .then(
            pl.format(
                "等级处于临界：随机扰动权重和满分基准时，维持{}等的占 {}（{}） / borderline grade: "
                "{} holds in {} of the draws",
                pl.col("grade"),
                pct("p_same"),
                others,
                pl.col("grade"),
                pct("p_same"),
            )
        )
        .alias("borderline_note_zh")
    )
