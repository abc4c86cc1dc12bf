"""Speed of the decision-support parts (issue: whatif ≤ 2 s at district scale, ≤ 20 s national;
1,000 robustness draws add ≤ 1 s to a district year, ≤ 30 s to a national one).

`carrier-assess bench --decision` measures, on the warehouse the bench published (or, with
`--no-run`, the one already in `--workdir`): `whatif` as a cold process (a copy of the year's
rulebook with one goalpost doubled), with its own time per part, and the robustness draws of the
year in this process. `python -m orchestration.bench.decision --synthetic N` times the draws on
N generated carriers (no warehouse), for the order of magnitude at national size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass
class DecisionTimes:
    carriers: int
    whatif_wall: float | None
    whatif_parts: str
    robustness_seconds: float
    draws: int

    def text(self) -> str:
        lines = [f"决策支持 / decision support: {self.carriers:,} carriers"]
        if self.whatif_wall is not None:
            lines.append(f"  whatif (cold process): {self.whatif_wall:.2f} s — {self.whatif_parts}")
        lines.append(
            f"  robustness: {self.draws:,} draws in {self.robustness_seconds:.2f} s (in process)"
        )
        return "\n".join(lines)


def _changed_rulebook(year: int, path: Path) -> Path:
    from scoring.rulebook import rulebook_path_for

    doc = yaml.safe_load(rulebook_path_for(year).read_text(encoding="utf-8"))
    goals = doc["indicators"]["P1"]["goalposts"]
    doc["indicators"]["P1"]["goalposts"] = {k: v * 2 for k, v in goals.items()}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def time_whatif(warehouse: Path, year: int, workdir: Path) -> tuple[float, str]:
    """Wall time of a cold `carrier-assess whatif` process and the parts it printed."""
    rules = _changed_rulebook(year, workdir / "whatif_rules.yaml")
    exe = Path(sys.executable).with_name("carrier-assess")
    args = [str(exe), "whatif", "--year", str(year), "--rules", str(rules)]
    args += ["--warehouse", str(warehouse), "--out", str(workdir / "whatif")]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=os.environ, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"whatif failed ({done.returncode}): {done.stderr.strip()}")
    parts = next((ln.strip() for ln in done.stdout.splitlines() if "time:" in ln), "")
    return wall, parts


def time_robustness(warehouse: Path, year: int) -> tuple[int, float, int]:
    """Carriers, seconds and draws of the year's robustness table (inputs read first, untimed)."""
    from orchestration.lock import connect
    from orchestration.score import load_inputs
    from scoring.engine import score_year
    from scoring.robustness import grade_robustness
    from scoring.rulebook import load_rulebook

    rulebook = load_rulebook(year)
    with connect(warehouse, read_only=True) as con:
        inputs = load_inputs(con, year)
    scored = score_year(rulebook, year, inputs, robustness=False)
    indicators = inputs.conformed().carrier_year_indicators
    indicators = indicators.filter(indicators["assessment_year"] == year)
    start = time.perf_counter()
    grade_robustness(indicators, scored["carrier_scores"], rulebook)
    return scored["carrier_scores"].height, time.perf_counter() - start, rulebook.robustness.draws


def measure(warehouse: Path, year: int, workdir: Path) -> DecisionTimes:
    wall, parts = time_whatif(warehouse, year, workdir)
    carriers, seconds, draws = time_robustness(warehouse, year)
    return DecisionTimes(carriers, wall, parts, seconds, draws)


def synthetic(n: int, year: int = 2024, seed: int = 1) -> DecisionTimes:
    """The draws on `n` generated carriers of every type (raw values around the goalposts)."""
    import numpy as np
    import polars as pl

    from scoring.grading import carrier_scores, score_details
    from scoring.robustness import grade_robustness
    from scoring.rulebook import CARRIER_TYPES, INDICATOR_CODES, load_rulebook
    from scoring.schemas import INPUT_SCHEMAS, conform_input

    rulebook = load_rulebook(year)
    rng = np.random.default_rng(seed)
    types = rng.choice(CARRIER_TYPES, n)
    data: dict[str, object] = {
        "assessment_year": [year] * n,
        "carrier_id": [f"C{i:06d}" for i in range(n)],
        "carrier_type": types,
        "has_tenant_rows": rng.random(n) > 0.02,
    }
    for code in INDICATOR_CODES:
        ind = rulebook.indicator(code)
        if ind.goalposts is None:
            data[f"{code.lower()}_raw"] = (rng.random(n) > 0.7).astype(float)
            continue
        goal = np.array([float(ind.goalposts.for_type(t)) for t in types])
        data[f"{code.lower()}_raw"] = goal * rng.uniform(0.3, 1.3, n)
    frame = pl.DataFrame(data)
    schema = INPUT_SCHEMAS["carrier_year_indicators"]
    frame = frame.with_columns(
        pl.lit(None, dtype=dtype).alias(col) for col, dtype in schema.items() if col not in data
    )
    indicators = conform_input("carrier_year_indicators", frame)
    details = score_details(indicators, rulebook)
    scores = carrier_scores(indicators, details, rulebook)
    start = time.perf_counter()
    grade_robustness(indicators, scores, rulebook)
    return DecisionTimes(n, None, "", time.perf_counter() - start, rulebook.robustness.draws)


def main() -> None:  # pragma: no cover - a measuring tool
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=16_000, help="carriers to generate")
    args = parser.parse_args()
    print(synthetic(args.synthetic).text())


if __name__ == "__main__":  # pragma: no cover
    main()
