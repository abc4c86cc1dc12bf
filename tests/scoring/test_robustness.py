"""Grade robustness (contract README "What-if, robustness and the reward budget")."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import yaml

from scoring.engine import score_year
from scoring.robustness import _inputs, draw_grades
from scoring.rulebook import CARRIER_TYPES, INDICATOR_CODES, RULEBOOK_DIR, parse_rulebook

SCORED = [c for c in INDICATOR_CODES if not c.startswith("B")]


def rulebook_with(year: int = 2024, **robustness) -> object:
    doc = yaml.safe_load((RULEBOOK_DIR / f"{year}.yaml").read_text(encoding="utf-8"))
    doc["robustness"].update(robustness)
    return parse_rulebook(doc)


def raws(rulebook, fraction: str, carrier_type: str = "incubator") -> dict:
    """Raw values at `fraction` of every goalpost: the total is 100 × fraction exactly."""
    return {
        f"{code.lower()}_raw": float(
            rulebook.indicator(code).goalposts.for_type(carrier_type) * Decimal(fraction)
        )
        for code in SCORED
    }


def carriers(mk, rulebook, spec: dict[str, str], **extra) -> pl.DataFrame:
    rows = [
        {"carrier_id": cid, **raws(rulebook, fraction), **extra.get(cid, {})}
        for cid, fraction in spec.items()
    ]
    return mk.carriers(*rows)


SPEC = {
    "C01": "1.5",  # full points: far inside A
    "C02": "0.85",  # exactly on the A edge
    "C03": "0.7",  # exactly on the B edge
    "C04": "0.3",  # far inside D
    "C05": "0",  # nothing
    "C06": "1.5",  # full points but vetoed
    "C07": "0.64",
}
VETO = {"C06": {"has_tenant_rows": False}}


def robustness_of(mk, rulebook, spec=SPEC, extra=VETO) -> pl.DataFrame:
    out = score_year(rulebook, mk.YEAR, mk.inputs(carriers(mk, rulebook, spec, **extra)))
    return out["grade_robustness"]


def test_shares_sum_to_one_and_p_same_is_the_published_grades_share(mk):
    rulebook = rulebook_with()
    out = score_year(rulebook, mk.YEAR, mk.inputs(carriers(mk, rulebook, SPEC, **VETO)))
    rob = out["grade_robustness"]
    assert rob.height == len(SPEC)
    assert rob.columns == [
        "assessment_year", "carrier_id", "grade", "p_a", "p_b", "p_c", "p_d", "p_same",
        "borderline",
    ]  # fmt: skip
    sums = rob.select(pl.sum_horizontal("p_a", "p_b", "p_c", "p_d")).to_series()
    assert np.allclose(sums.to_numpy(), 1.0)
    grades = dict(out["carrier_scores"].select("carrier_id", "grade").iter_rows())
    for row in rob.iter_rows(named=True):
        assert row["grade"] == grades[row["carrier_id"]]
        assert row["p_same"] == row[f"p_{row['grade'].lower()}"]
        assert row["borderline"] == (row["p_same"] < 0.8)


def test_a_vetoed_carrier_is_d_in_every_draw(mk):
    rob = robustness_of(mk, rulebook_with())
    vetoed = rob.filter(pl.col("carrier_id") == "C06").row(0, named=True)
    assert vetoed["grade"] == "D" and vetoed["p_d"] == 1.0 and vetoed["p_same"] == 1.0


def test_a_carrier_far_inside_its_band_is_never_borderline(mk):
    rob = {r["carrier_id"]: r for r in robustness_of(mk, rulebook_with()).to_dicts()}
    for cid in ("C04", "C05"):  # 30 and 0 points: at most 30 × 1.2 ÷ 0.9 = 40 < 60
        assert rob[cid]["p_d"] == 1.0 and not rob[cid]["borderline"]
    assert rob["C01"]["p_a"] > 0.95 and not rob["C01"]["borderline"]
    # exactly on an edge: the draws fall on both sides
    assert rob["C02"]["borderline"] and 0.1 < rob["C02"]["p_a"] < 0.9
    assert rob["C03"]["borderline"]


def test_the_same_seed_gives_the_same_figures_and_another_seed_others(mk):
    first = robustness_of(mk, rulebook_with(seed=7))
    again = robustness_of(mk, rulebook_with(seed=7))
    other = robustness_of(mk, rulebook_with(seed=8))
    assert first.equals(again)
    assert not first.equals(other)
    # no seed: the year
    assert robustness_of(mk, rulebook_with(seed=None)).equals(
        robustness_of(mk, rulebook_with(seed=mk.YEAR))
    )


def test_zero_jitter_gives_the_published_grade_with_certainty(mk):
    rulebook = rulebook_with(weight_jitter=0, goalpost_jitter=0, draws=5)
    spec = {
        **SPEC,
        "C08": "0.84995",  # 84.995 rounds half-up to 85.00: A
        "C09": "0.849949",  # 84.99: B
        # four more A incubators: the cap (30% of 11 = 3) turns some A into B
        "C10": "0.9",
        "C11": "0.95",
        "C12": "0.95",
        "C13": "1",
    }
    out = score_year(rulebook, mk.YEAR, mk.inputs(carriers(mk, rulebook, spec, **VETO)))
    scores = out["carrier_scores"]
    assert (scores["grade"] != scores["score_grade"]).any()  # the cap did act
    rob = out["grade_robustness"]
    assert rob["p_same"].to_list() == [1.0] * rob.height
    assert not rob["borderline"].any()


def test_the_a_cap_holds_in_every_draw(mk):
    rulebook = rulebook_with(weight_jitter=0.3, goalpost_jitter=0.2)
    spec = {f"C{i:02d}": str(0.8 + i / 100) for i in range(20)}
    frame = carriers(mk, rulebook, spec)
    raw, points, goal, types = _inputs(frame.sort("carrier_id"), rulebook)
    rng = np.random.default_rng(1)
    draws = 300
    weights = rng.uniform(0.7, 1.3, (draws, len(INDICATOR_CODES)))
    goalposts = goal.T[None] * rng.uniform(
        0.8, 1.2, (draws, len(INDICATOR_CODES), len(CARRIER_TYPES))
    )
    grades = draw_grades(
        raw, types, np.zeros(len(spec), bool), weights, goalposts, points, rulebook
    )
    allowed = 20 * 3 // 10
    a_per_draw = (grades == 0).sum(axis=1)
    assert a_per_draw.max() <= allowed and a_per_draw.max() == allowed


def test_robustness_is_validated_with_defaults():
    doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
    del doc["robustness"]
    book = parse_rulebook(doc)
    assert (book.robustness.draws, book.robustness.weight_jitter) == (1000, 0.2)
    assert (book.robustness.goalpost_jitter, book.robustness.borderline_below) == (0.1, 0.8)
    assert book.robustness_seed == 2024
    doc["robustness"] = {"draws": 0, "weight_jitter": 1.5}
    try:
        parse_rulebook(doc)
    except ValueError as exc:
        assert "robustness.draws" in str(exc) and "robustness.weight_jitter" in str(exc)
    else:
        raise AssertionError("invalid robustness accepted")


def test_the_receipt_note_names_a_borderline_grade_and_its_shares():
    from scoring.robustness import borderline_note_zh

    frame = pl.DataFrame(
        {
            "grade": ["B", "A"],
            "p_a": [0.355, 1.0],
            "p_b": [0.55, 0.0],
            "p_c": [0.095, 0.0],
            "p_d": [0.0, 0.0],
            "p_same": [0.55, 1.0],
            "borderline": [True, False],
        }
    )
    notes = frame.select(borderline_note_zh()).to_series().to_list()
    assert (
        notes[0].startswith("等级处于临界") and "维持B等的占 55.0%（A 35.5%，C 9.5%）" in notes[0]
    )
    assert notes[1] is None


def test_ties_at_the_cap_follow_the_rulebook_in_every_draw(mk):
    spec = {f"C{i}": "0.9" for i in range(1, 5)}  # four A incubators, one A place
    for keep in (True, False):
        doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
        doc["grading"]["a_cap"]["ties_keep_a"] = keep
        doc["robustness"].update(weight_jitter=0, goalpost_jitter=0, draws=3)
        rulebook = parse_rulebook(doc)
        out = score_year(rulebook, mk.YEAR, mk.inputs(carriers(mk, rulebook, spec)))
        grades = out["carrier_scores"]["grade"].to_list()
        assert grades == (["A"] * 4 if keep else ["A", "B", "B", "B"])
        assert out["grade_robustness"]["p_same"].to_list() == [1.0] * 4


def _reference_grades(raw, types, vetoed, weights, goalposts, points, rulebook) -> np.ndarray:
    """draw_grades one draw and one carrier at a time, straight from the module docstring:
    the check that working on the carriers grouped by type changes no figure."""
    g = rulebook.grading
    edges = [
        int((Decimal(str(e)) * 10**g.total_decimals).to_integral_value(rounding="ROUND_CEILING"))
        for e in (g.bands.A, g.bands.B, g.bands.C)
    ]
    out = np.zeros((weights.shape[0], raw.shape[0]), dtype=np.int8)
    for d in range(weights.shape[0]):
        units = []
        for c in range(raw.shape[0]):
            total = 0.0
            for k in range(raw.shape[1]):
                r = 0.0 if np.isnan(raw[c, k]) else raw[c, k]
                pts = points[k] * weights[d, k]
                goal = goalposts[d, k, types[c]]
                total += pts * (r > 0) if np.isnan(goal) else pts * min(max(r / goal, 0.0), 1.0)
            units.append(int(np.floor(total * 10**g.total_decimals + 0.5 + 1e-9)))
            out[d, c] = sum(units[c] < edge for edge in edges)
        out[d, vetoed] = GRADES_INDEX[g.no_tenant_veto.grade]
        num, den = g.a_cap.share.as_integer_ratio()
        for t in set(types.tolist()):
            members = [c for c in range(raw.shape[0]) if types[c] == t]  # carrier_id order
            allowed = max(len(members) * num // den, g.a_cap.minimum)
            cands = [c for c in members if out[d, c] == 0 and not vetoed[c]]
            # highest total first; among equal totals the earlier carrier_id first
            ranked = sorted(cands, key=lambda c: (-units[c], members.index(c)))
            if g.a_cap.ties_keep_a and len(ranked) > allowed:
                cut = units[ranked[allowed - 1]] if allowed else None
                keep = {c for c in ranked if cut is not None and units[c] >= cut}
            else:
                keep = set(ranked[:allowed])
            for c in cands:
                if c not in keep:
                    out[d, c] = 1
    return out


GRADES_INDEX = {"A": 0, "B": 1, "C": 2, "D": 3}


def test_draws_match_one_carrier_at_a_time_with_the_types_interleaved():
    """Carriers of several types in carrier_id order, ties at the cap, vetoes and missing
    values: draw_grades gives each carrier the grade of the one-at-a-time reference."""
    rng = np.random.default_rng(5)
    n, draws, k = 40, 12, len(INDICATOR_CODES)
    for keep in (True, False):
        doc = yaml.safe_load((RULEBOOK_DIR / "2024.yaml").read_text(encoding="utf-8"))
        doc["grading"]["a_cap"]["ties_keep_a"] = keep
        rulebook = parse_rulebook(doc)
        raw = rng.integers(0, 4, (n, k)).astype(float) * 40.0
        raw[rng.random((n, k)) < 0.1] = np.nan
        types = rng.integers(0, 3, n)  # interleaved: 0, 2, 1, 0, ...
        vetoed = rng.random(n) < 0.1
        weights = rng.uniform(0.8, 1.2, (draws, k))
        goalposts = rng.uniform(20.0, 120.0, (draws, k, len(CARRIER_TYPES)))
        goalposts[:, [INDICATOR_CODES.index(c) for c in INDICATOR_CODES if c.startswith("B")]] = (
            np.nan
        )
        points = np.array([float(rulebook.indicator(c).points) for c in INDICATOR_CODES])
        got = draw_grades(raw, types, vetoed, weights, goalposts, points, rulebook)
        want = _reference_grades(raw, types, vetoed, weights, goalposts, points, rulebook)
        assert (got == want).all()
        assert len(set(got[:, ~vetoed].ravel().tolist())) > 1  # not all one grade


def test_blocks_of_draws_on_two_threads_give_the_figures_of_one_block(mk, monkeypatch):
    """National scale runs its draws in blocks, two at a time (DRAW_THREADS): the shares are
    sums of counts, the same whichever thread did a block and however the draws are cut."""
    import threading

    from scoring import robustness

    rulebook = rulebook_with(draws=301)
    whole = robustness_of(mk, rulebook)  # 7 carriers: one block
    monkeypatch.setattr(robustness, "BLOCK_CELLS", 7 * 4)  # blocks of 4 draws, the last of 1
    seen: set[str] = set()
    drawn = robustness.draw_grades

    def recording(*args, **kwargs):
        seen.add(threading.current_thread().name)
        return drawn(*args, **kwargs)

    monkeypatch.setattr(robustness, "draw_grades", recording)
    assert robustness_of(mk, rulebook).equals(whole)
    assert seen and all(name.startswith("robustness") for name in seen)
    monkeypatch.setattr(robustness, "DRAW_THREADS", 1)
    assert robustness_of(mk, rulebook).equals(whole)
