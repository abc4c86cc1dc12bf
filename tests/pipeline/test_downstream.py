"""What downstream systems read about the result tables: comments, code labels, schema version."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.lock import DUCKDB_CONFIG
from orchestration.publish.tables import RESULT_TABLES, published_copy_path
from scoring.results_contract import (
    PARQUET_VERSION_KEY,
    render_markdown,
    result_contract,
    schema_version,
)

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[2] / "docs" / "results.md"


def _comments(path: Path) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    with duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG) as con:
        tables = dict(
            con.execute(
                "select table_name, comment from duckdb_tables() where schema_name = 'results'"
            ).fetchall()
        )
        columns = {
            (t, c): comment
            for t, c, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where schema_name = 'results'"
            ).fetchall()
        }
    return tables, columns


def test_every_published_table_and_column_is_described(published_district):
    warehouse = published_district.warehouse
    for path in (warehouse, published_copy_path(warehouse)):
        tables, columns = _comments(path)
        for name in (*RESULT_TABLES, "code_labels"):
            assert tables.get(name), (path.name, name)
        undescribed = [key for key, comment in columns.items() if not comment]
        assert not undescribed, (path.name, undescribed)
        contract = result_contract()
        for (table, column), comment in columns.items():
            doc = contract.tables[table].columns[column]
            assert comment.startswith(f"{doc.zh} / {doc.en}"), (table, column)


def test_code_labels_and_schema_version_are_published(published_district):
    with duckdb.connect(
        str(published_district.warehouse), read_only=True, config=DUCKDB_CONFIG
    ) as con:
        labels = dict(
            con.execute(
                "select code, label_zh from results.code_labels where column_name = 'action'"
            ).fetchall()
        )
        versions = {
            row[0]
            for row in con.execute(
                "select schema_version from results.runs where status = 'published'"
            ).fetchall()
        }
        grades = con.execute(
            "select distinct grade from results.carrier_scores where grade not in "
            "(select code from results.code_labels where column_name = 'grade')"
        ).fetchall()
    assert labels["transfer_operator"] == "转专业机构运营"
    assert versions == {schema_version()}
    assert grades == []
    folder = published_district.out / "2024"
    for name in (*RESULT_TABLES, "code_labels"):
        meta = pq.read_metadata(folder / f"{name}.parquet").metadata
        assert meta[PARQUET_VERSION_KEY.encode()] == schema_version().encode(), name


def test_the_committed_data_dictionary_is_current():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/results.md is stale: run `carrier-assess docs --results docs/results.md`"
    )


def test_every_published_table_has_exactly_the_contracts_columns(published_district):
    """The published tables and the result contract agree both ways: no column undescribed,
    no described column missing."""
    _, columns = _comments(published_district.warehouse)
    published: dict[str, set[str]] = {}
    for table, column in columns:
        published.setdefault(table, set()).add(column)
    contract = result_contract().tables
    assert set(published) == set(contract)
    for table, doc in contract.items():
        assert published[table] == set(doc.columns), table
