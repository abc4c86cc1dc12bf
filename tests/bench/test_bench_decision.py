"""The decision-support timing helpers (orchestration/bench/decision.py) measure real work."""

from __future__ import annotations

from orchestration.bench.decision import synthetic


def test_synthetic_robustness_times_the_draws_on_generated_carriers():
    times = synthetic(300)
    assert times.carriers == 300 and times.draws == 1000
    assert 0 < times.robustness_seconds < 30
    assert "1,000 draws" in times.text() and "whatif" not in times.text()
