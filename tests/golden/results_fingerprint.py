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

import hashlib
import json
import sys
from pathlib import Path

import duckdb
import polars as pl

GOLDEN = Path(__file__).with_name("sample_results.json")

VOLATILE = frozenset(
    {
        "run_id",
        "started_at",
        "finished_at",
        "triggered_by",
        "previous_run_id",
        "code_version",
        "reports_dir",
        "rules_file",
        "out_dir",
    }
)
"""Columns that differ between two runs of the same inputs by design."""


def frame_fingerprint(frame: pl.DataFrame) -> dict[str, object]:
    keep = sorted(c for c in frame.columns if c not in VOLATILE)
    text = frame.select(keep).cast({c: pl.String for c in keep}).fill_null("∅")
    rows = sorted("\x1f".join(row) for row in text.iter_rows())
    digest = hashlib.sha256("\x1e".join(rows).encode("utf-8")).hexdigest()
    return {"rows": frame.height, "columns": keep, "sha256": digest}


def fingerprint(warehouse: Path, out_root: Path, years: tuple[int, ...]) -> dict[str, object]:
    """Every `results.*` table of the warehouse and every Parquet file of `out_root/<year>/`."""
    out: dict[str, object] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'results' order by table_name"
            ).fetchall()
        ]
        for table in tables:
            frame = pl.from_arrow(con.sql(f'select * from results."{table}"').to_arrow_table())
            if table == "runs":
                frame = frame.filter(pl.col("status") == "published")
            out[f"table:{table}"] = frame_fingerprint(frame)
    for year in years:
        for path in sorted((out_root / str(year)).glob("*.parquet")):
            frame = pl.read_parquet(path)
            if path.stem == "runs":
                frame = frame.filter(pl.col("status") == "published")
            out[f"parquet:{year}/{path.name}"] = frame_fingerprint(frame)
    return out


def differences(expected: dict[str, object], actual: dict[str, object]) -> list[str]:
    """What moved, one line each: a table gone or new, its rows, its columns, its content."""
    lines = []
    for key in sorted(set(expected) | set(actual)):
        want, got = expected.get(key), actual.get(key)
        if want is None or got is None:
            lines.append(f"{key}: {'new' if want is None else 'missing'}")
        elif want != got:
            what = [f for f in ("rows", "columns", "sha256") if want[f] != got[f]]
            lines.append(f"{key}: {', '.join(what)} differ ({want['rows']} → {got['rows']} rows)")
    return lines


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
