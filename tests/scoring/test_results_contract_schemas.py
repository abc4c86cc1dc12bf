"""The scoring side of the one result contract: the tables scoring returns, their columns and
types come from scoring/results_contract.yaml; a consumer that disagrees fails here."""

from __future__ import annotations

import polars as pl
import pytest

from orchestration.score import COUNT_COLUMNS, DQ_COLUMNS
from scoring import engine, schemas
from scoring.adjustments import ADJUSTMENT_OUTPUT
from scoring.engine import score_year
from scoring.plausibility import FINDING_COLUMNS
from scoring.results_contract import (
    ColumnDoc,
    polars_type,
    result_contract,
    table_schema,
    tables_made_by,
)


def _contract(table: str) -> dict[str, pl.DataType]:
    cols = result_contract().tables[table].columns
    return {name: polars_type(col.type) for name, col in cols.items() if name != "run_id"}


def test_scoring_tables_are_the_contracts():
    assert engine.RESULT_TABLES == schemas.RESULT_TABLES == tables_made_by("scoring")
    assert set(schemas.OUTPUT_SCHEMAS) == set(schemas.OUTPUT_KEYS) == set(engine.RESULT_TABLES)
    for table in engine.RESULT_TABLES:
        assert schemas.OUTPUT_SCHEMAS[table] == _contract(table), table
        assert set(schemas.OUTPUT_KEYS[table]) <= set(_contract(table)), table


def test_the_step_edges_use_the_contracts_columns():
    assert _contract("dq_issues") == DQ_COLUMNS
    assert _contract("dataset_counts") == COUNT_COLUMNS
    assert _contract("adjustments") == ADJUSTMENT_OUTPUT
    dq = _contract("dq_issues")
    assert {c: dq[c] for c in FINDING_COLUMNS} == FINDING_COLUMNS


def test_every_published_column_has_a_known_type():
    for name, doc in result_contract().tables.items():
        assert doc.columns, name
        assert all(col.type for col in doc.columns.values()), name
        assert "run_id" not in table_schema(name)
    with pytest.raises(ValueError, match="unknown column type"):
        ColumnDoc(type="text", zh="x", en="x", description="x")
    assert polars_type("decimal(18,4)") == pl.Decimal(18, 4)


def test_score_year_returns_the_contracts_tables_and_types(rulebook, mk):
    carrier = mk.carriers({"carrier_id": "C1", "carrier_type": "incubator"})
    claim = mk.claims({"carrier_id": "C1", "claim_kind": "rd_equipment", "amount_audited_wan": 400})
    out = score_year(rulebook, mk.YEAR, mk.inputs(carrier, subsidy_claims=claim))
    assert [t for t in out if t != "dq_issues"] == list(tables_made_by("scoring"))
    for table in tables_made_by("scoring"):
        assert dict(out[table].schema) == _contract(table), table
