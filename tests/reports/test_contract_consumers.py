"""The publishing side reads the one result contract (scoring/results_contract.yaml): its lists
of tables and columns, and the office files' headers, must agree with it."""

from __future__ import annotations

from orchestration.publish import labels, office_tables, tables
from scoring.results_contract import result_contract

SHEET_NAME_FORBIDDEN = set("[]:*?/\\")


def test_the_published_tables_are_the_contracts_per_year_tables():
    contract = result_contract().tables
    assert set(tables.RESULT_TABLES) == {
        name for name, doc in contract.items() if doc.published == "per_year"
    }
    assert {"carrier_scores", "rewards", "dq_issues", "runs"} <= set(tables.RESULT_TABLES)
    assert not {"code_labels", "run_rulebooks"} & set(tables.RESULT_TABLES)


def test_the_office_tables_are_published_tables_in_the_contracts_order():
    order = list(result_contract().tables)
    assert set(office_tables.RESULT_TABLES) <= set(tables.RESULT_TABLES)
    assert list(office_tables.RESULT_TABLES) == sorted(office_tables.RESULT_TABLES, key=order.index)
    assert office_tables.RESULT_TABLES[0] == "carrier_scores"  # the workbook writes it first


def test_every_guaranteed_column_is_shown_under_its_contract_label():
    contract = result_contract().tables
    for table, columns in office_tables.CONTRACT_COLUMNS.items():
        assert columns, table
        for column in columns:
            assert column in labels.COLUMN_LABELS, f"{table}.{column} is not shown"
            assert labels.header(table, column) == contract[table].columns[column].zh


def test_every_shown_column_reads_as_the_contract_says():
    contract = result_contract()
    for table in office_tables.RESULT_TABLES:
        for column, doc in contract.tables[table].columns.items():
            if column in labels.LEFT_TO_PARQUET:
                assert column not in labels.COLUMN_LABELS
                continue
            assert labels.header(table, column) == doc.zh, (table, column)
    for column, doc in contract.summary_columns.items():
        assert labels.COLUMN_LABELS[column] == doc.zh, column


def test_the_columns_left_to_parquet_are_columns_of_office_tables():
    """A name left behind by a renamed column fails here instead of silently showing it."""
    contract = result_contract().tables
    office_columns = {c for t in office_tables.RESULT_TABLES for c in contract[t].columns}
    assert office_columns >= labels.LEFT_TO_PARQUET


def test_sheet_names_are_the_contracts_table_names_and_valid():
    contract = result_contract().tables
    for table in office_tables.RESULT_TABLES:
        name = labels.TABLE_LABELS[table]
        assert name == contract[table].zh
        assert len(name) <= 31 and not SHEET_NAME_FORBIDDEN & set(name), name
