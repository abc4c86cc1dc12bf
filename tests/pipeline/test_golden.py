"""Identical results: the sample's result tables and Parquet files equal the committed
fingerprint (tests/golden/sample_results.json). A refactor must leave it as it is; a change
meant to move results regenerates it (`python tests/golden/results_fingerprint.py --update`),
and its diff names the tables that moved."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"


def _module():
    spec = importlib.util.spec_from_file_location(
        "results_fingerprint", GOLDEN_DIR / "results_fingerprint.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_results_equal_the_committed_fingerprint(published_district):
    fp = _module()
    actual = fp.fingerprint(
        published_district.warehouse, published_district.out, years=(2023, 2024)
    )
    expected = json.loads(fp.GOLDEN.read_text(encoding="utf-8"))
    assert fp.differences(expected, actual) == []


def test_the_fingerprint_sees_a_changed_cell():
    import polars as pl

    fp = _module()
    frame = pl.DataFrame({"carrier_id": ["C1", "C2"], "grade": ["A", "B"], "run_id": ["x", "y"]})
    same = frame.with_columns(pl.lit("z").alias("run_id")).reverse()
    changed = frame.with_columns(pl.Series("grade", ["A", "C"]))
    assert fp.frame_fingerprint(frame) == fp.frame_fingerprint(same)
    assert fp.frame_fingerprint(frame) != fp.frame_fingerprint(changed)
    diff = fp.differences({"table:t": fp.frame_fingerprint(frame)}, {})
    assert diff == ["table:t: missing"]
