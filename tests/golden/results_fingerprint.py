"""A fingerprint of every result table and Parquet file of a published warehouse.

The guard for refactors: `tests/pipeline/test_golden.py` publishes the bundled sample (2023 and
2024, the session's `published_district`) and compares its fingerprint with the committed
`sample_results.json` beside this file. A change that is meant to change results regenerates
the file, and the diff of it shows which tables moved:

    .venv/bin/python tests/golden/results_fingerprint.py --update

Per table (and per year's Parquet file): the row count, the columns, and the sha256 of the rows
as canonical text, sorted, without what differs between two runs of the same inputs by design
(run ids, timestamps, paths, the code version).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from orchestration.bench.models import compare_fingerprints as differences
from orchestration.bench.models import frame_fingerprint, results_fingerprint

GOLDEN = Path(__file__).with_name("sample_results.json")

__all__ = ["GOLDEN", "differences", "fingerprint", "frame_fingerprint"]


def fingerprint(warehouse: Path, out_root: Path, years: tuple[int, ...]) -> dict[str, object]:
    """Every `results.*` table of the warehouse and every Parquet file of `out_root/<year>/`
    (the same fingerprint `carrier-assess bench` leaves in its workdir for `--compare`)."""
    prints = results_fingerprint(warehouse, out_root)
    wanted = {str(year) for year in years}
    return {
        key: value
        for key, value in prints.items()
        if not key.startswith("parquet:") or key.split(":", 1)[1].split("/", 1)[0] in wanted
    }


def main(argv: list[str]) -> int:
    """`--update`: publish the sample in a temporary folder and write the golden file."""
    import tempfile

    if argv != ["--update"]:
        print(__doc__)
        return 2
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
    from orchestration.pipeline import RunOptions, run_year
    from orchestration.progress import Progress
    from orchestration.sample import generate_sample

    scale = 0.2  # tests/pipeline/conftest.py SCALE: the session's published district
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_sample(root / "reports", years=(2023, 2024), scale=scale)
        for year in (2023, 2024):
            outcome = run_year(
                RunOptions(
                    year=year,
                    reports=root / "reports" / str(year),
                    warehouse=root / "warehouse" / "carriers.duckdb",
                    out=root / "out" / str(year),
                ),
                Progress("quiet"),
            )
            if outcome.code != 0:
                print(outcome.message)
                return 1
        prints = fingerprint(root / "warehouse" / "carriers.duckdb", root / "out", (2023, 2024))
    GOLDEN.write_text(json.dumps(prints, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {GOLDEN}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
