"""The engine: one call scores one assessment year, every rule family applied in turn.

`score_year(rulebook, year, inputs)` takes the Layer 4 marts (docs/architecture.md) as polars
frames, which hold every loaded year, and returns the eight scoring result tables of the
contract and the decision-support tables `grade_robustness` and `reward_budget`, each row with
`assessment_year` (publish adds `run_id`), in a fixed order, and `dq_issues`: the plausibility
warnings (`yoy_jump`) that scoring finds, for the publish step to add to the data-quality
findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from scoring.actions import carrier_actions
from scoring.adjustments import apply_adjustments, empty_adjustments
from scoring.budget import apply_budget
from scoring.clearout import tenant_clearout
from scoring.grading import carrier_scores, score_details
from scoring.plausibility import yoy_jumps
from scoring.receipt import add_receipt, hold_adjusted
from scoring.rectifications import cite_missed, rectifications
from scoring.rewards import RewardContext, rewards
from scoring.robustness import grade_robustness
from scoring.rulebook import Rulebook
from scoring.schemas import RESULT_TABLES, conform_input, conform_output, empty_input
from scoring.targets import district_targets, town_tasks


def _empty(name: str) -> pl.DataFrame:
    return empty_input(name)


@dataclass(frozen=True)
class ScoringInputs:
    """The marts as polars frames (every loaded year) plus the grades published for earlier
    years. Column names and types: scoring/schemas.py INPUT_SCHEMAS."""

    carrier_year_indicators: pl.DataFrame
    tenant_year_facts: pl.DataFrame
    attributed_events: pl.DataFrame = field(default_factory=lambda: _empty("attributed_events"))
    enterprise_activity: pl.DataFrame = field(default_factory=lambda: _empty("enterprise_activity"))
    """Each enterprise's patents, certificates, financing and tech-SME registrations by year,
    for C2's look-back windows."""
    subsidy_claims: pl.DataFrame = field(default_factory=lambda: _empty("subsidy_claims"))
    carrier_recognitions: pl.DataFrame = field(
        default_factory=lambda: _empty("carrier_recognitions")
    )
    carrier_evaluations: pl.DataFrame = field(default_factory=lambda: _empty("carrier_evaluations"))
    grade_history: pl.DataFrame = field(default_factory=lambda: _empty("grade_history"))
    adjustments: pl.DataFrame = field(default_factory=empty_adjustments)
    """The office's adjustments of the year (scoring/adjustments.py): set_grade and set_reward
    are applied here; the row-level kinds were applied by staging and are only recorded."""

    def conformed(self) -> ScoringInputs:
        """Every frame checked for its columns and cast to the working types."""
        return ScoringInputs(
            **{name: conform_input(name, getattr(self, name)) for name in self.__annotations__}
        )


def score_year(
    rulebook: Rulebook, year: int, inputs: ScoringInputs, *, robustness: bool = True
) -> dict[str, pl.DataFrame]:
    """The scoring result tables of year Y (RESULT_TABLES), with the year's `adjustments`
    applied and listed, and its `dq_issues` findings; same inputs and rulebook give the same
    rows.

    `robustness=False` leaves `grade_robustness` empty (the what-if comparison needs no draws).
    """
    if rulebook.assessment_year != year:
        raise ValueError(
            f"规则文件年度 {rulebook.assessment_year} 与评价年度 {year} 不一致"
            f" / rulebook is for {rulebook.assessment_year}, not {year}"
        )
    data = inputs.conformed()
    indicators_y = data.carrier_year_indicators.filter(pl.col("assessment_year") == year)
    tenants_y = data.tenant_year_facts.filter(pl.col("assessment_year") == year)

    details = score_details(indicators_y, rulebook)
    scores = carrier_scores(indicators_y, details, rulebook)
    scores = add_receipt(scores, details, rulebook, data.grade_history, year)

    def actions_for(graded: pl.DataFrame) -> pl.DataFrame:
        """The actions of a graded year (as graded, or as the office adjusted it), citing the
        rectification orders they follow up."""
        actions = carrier_actions(
            graded.join(indicators_y.select("carrier_id", "operator_kind"), on="carrier_id"),
            data.grade_history,
            rulebook,
            year,
        )
        return cite_missed(
            actions, rectifications(graded, actions, data.grade_history, rulebook, year)
        )

    actions = actions_for(scores)
    clearout = tenant_clearout(tenants_y, rulebook, data.enterprise_activity)
    ctx = RewardContext(
        rulebook,
        year,
        carriers=indicators_y,
        claims=data.subsidy_claims,
        recognitions=data.carrier_recognitions,
        evaluations=data.carrier_evaluations,
        events=data.attributed_events,
    )
    towns = town_tasks(data.tenant_year_facts, data.attributed_events, indicators_y, year)
    targets = district_targets(
        rulebook,
        year,
        data.carrier_year_indicators,
        data.tenant_year_facts,
        data.attributed_events,
        data.carrier_recognitions,
    )
    paid, budget = apply_budget(rewards(ctx), rulebook)
    frames = {
        "carrier_scores": scores,
        "score_details": details,
        "carrier_actions": actions,
        "tenant_clearout": clearout,
        "rewards": paid,
        "town_tasks": towns,
        "targets_progress": targets,
        "grade_robustness": (
            grade_robustness(indicators_y, scores, rulebook)
            if robustness
            else grade_robustness(indicators_y, scores.clear(), rulebook)
        ).with_columns(assessment_year=pl.lit(year)),
        "reward_budget": budget.with_columns(assessment_year=pl.lit(year)),
    }
    # The office's decisions, after grading and the A cap (contract: "Adjustments"); the
    # receipt and the rectifications follow the adjusted grades.
    frames = apply_adjustments(frames, data.adjustments, year, actions_for)
    frames["carrier_scores"] = hold_adjusted(frames["carrier_scores"])
    frames["rectifications"] = rectifications(
        frames["carrier_scores"], frames["carrier_actions"], data.grade_history, rulebook, year
    )
    out = {name: conform_output(name, frames[name]) for name in RESULT_TABLES}
    # scoring's own data-quality findings; orchestration.score adds them to dq_issues
    out["dq_issues"] = yoy_jumps(data.carrier_year_indicators, rulebook, year)
    return out
