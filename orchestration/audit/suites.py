"""The suite files of expectations/ as plain data (no Great Expectations), and which run when.

Suites are reviewed JSON files (GX 1.x format). Every expectation carries
`meta: {check_name, severity, message_zh, message_en}`; the suite's own meta names the table it
checks (`table`, `year_column`) and how it is read (`read`: `head`, one row for table-level checks;
`rows`, the year's rows, narrowed in DuckDB first when there are many; `all`, every row of the
year, never narrowed; `order_by`, the row order of a view). The reading side
works from these dicts alone; the validating side turns them into GX suites
(`validation.suite_from_doc`).

A value set may be written `{"$CODES": "<column>"}`: the codes the result contract
(`scoring/results_contract.yaml`) lists for that column, so a result suite cannot drift from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orchestration.config import EXPECTATIONS_DIR
from orchestration.contract import DATASET_ORDER

SEVERITIES = ("error", "warning")

SOURCE_COLUMNS = ("_source_file", "_sheet", "_source_row")
"""The columns that reference a row of the office's reports, read with every table that has them."""

RESULT_SUITES = ("carrier_scores", "score_details", "rectifications", "rewards")
"""The suites on the scoring result frames (after scoring, before publishing)."""

SuiteDoc = dict[str, Any]
"""A suite file as read (`name`, `meta`, `expectations` with `type`, `kwargs`, `meta`): what the
reading side works from, and what the worker turns into a GX suite."""


def suite_path(name: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{name}.json"


def suite_names(directory: Path = EXPECTATIONS_DIR) -> list[str]:
    """Every suite file in the folder, by name."""
    return sorted(p.stem for p in directory.glob("*.json"))


def load_suite_doc(name: str, directory: Path = EXPECTATIONS_DIR) -> SuiteDoc:
    """Read a suite file as plain data (no GX), strictly: every expectation names its check,
    severity and messages, or this raises."""
    path = suite_path(name, directory)
    doc = json.loads(path.read_text(encoding="utf-8"))
    for i, exp in enumerate(doc.get("expectations", [])):
        meta = exp.get("meta") or {}
        missing = {"check_name", "severity", "message_zh", "message_en"} - set(meta)
        if missing:
            raise ValueError(f"{path.name}: expectation {i} lacks meta {sorted(missing)}")
        if meta["severity"] not in SEVERITIES:
            raise ValueError(f"{path.name}: expectation {i} has severity {meta['severity']!r}")
        value_set = exp.get("kwargs", {}).get("value_set")
        if isinstance(value_set, dict) and "$CODES" in value_set:
            exp["kwargs"]["value_set"] = contract_codes(value_set["$CODES"])
    return {
        "name": doc.get("name", name),
        "meta": doc.get("meta") or {},
        "expectations": doc.get("expectations", []),
    }


def contract_codes(column: str) -> list[str]:
    """The codes the result contract lists for a column, in its order (KeyError: none)."""
    from scoring.results_contract import result_contract

    return list(result_contract().codes[column])


def suite_parameters(year: int | None) -> dict[str, Any]:
    """Values for `$PARAMETER` placeholders in suites (the date window depends on the year)."""
    import pandas as pd

    if year is None:
        return {}
    return {
        "year": year,
        "date_min": pd.Timestamp(1990, 1, 1),
        "year_start": pd.Timestamp(year, 1, 1),
        "year_end": pd.Timestamp(year, 12, 31),
    }


def columns_of(exp_type: str, kwargs: Mapping[str, Any]) -> list[str]:
    """The columns one expectation looks at."""
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    if "column_list" in kwargs:
        return list(kwargs["column_list"])
    return []


def suite_columns(suite: SuiteDoc) -> list[str]:
    """The columns the suite's expectations look at, in first-use order: what is read for it."""
    out: list[str] = []
    for exp in suite["expectations"]:
        for col in columns_of(exp["type"], exp["kwargs"]):
            if col not in out:
                out.append(col)
    return out


def raw_suites() -> list[str]:
    """The raw suites: final once ingest commits, so they can run while dbt builds."""
    return [f"raw_{d}" for d in DATASET_ORDER]


def model_suites() -> list[str]:
    """The suites on what dbt builds, in the order they run: staging, then marts."""
    stg = [f"stg_{d}" for d in DATASET_ORDER]
    marts = [
        "carrier_year_indicators",
        "tenant_year_facts",
        "attributed_events",
        "subsidy_claims",
        "marts_reconciliation",
    ]
    return stg + marts


def warehouse_suites() -> list[str]:
    """The pre-scoring suites in the order they run: raw, staging, marts."""
    return raw_suites() + model_suites()
