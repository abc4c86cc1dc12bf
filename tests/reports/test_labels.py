"""One label per column: the office files' headers agree with the result dictionary."""

from __future__ import annotations

from orchestration.publish.labels import COLUMN_LABELS
from scoring.results_contract import result_contract


def test_every_office_header_is_the_dictionary_label_of_its_column():
    contract = result_contract()
    labels: dict[str, set[str]] = {}
    for doc in contract.tables.values():
        for column, cdoc in doc.columns.items():
            labels.setdefault(column, set()).add(cdoc.zh)
    for column, cdoc in contract.summary_columns.items():
        labels.setdefault(column, set()).add(cdoc.zh)
    disagree = {
        column: (label, sorted(labels[column]))
        for column, label in COLUMN_LABELS.items()
        if column in labels and label not in labels[column]
    }
    assert disagree == {}


def test_the_workbooks_labeller_says_what_value_label_says():
    """write_frame labels each column's codes once (`labeller`) and skips the columns without
    labels: for every shown column, every code of the vocabulary and some other text, the word
    is value_label's."""
    from orchestration.publish.labels import VALUE_LABELS, has_labels, value_label
    from orchestration.publish.workbook_cells import labeller

    codes = {code for labels in VALUE_LABELS.values() for code in labels}
    samples = [*sorted(codes), "patents", "carrier_id", "C1", "uscc_check_failed", "", None, 3]
    samples += ["veto_cleanup,capped", "a,b"]
    labelled = 0
    for column in COLUMN_LABELS:
        label = labeller(column)
        if label is None:
            assert not has_labels(column)
            assert all(value_label(column, value) == value for value in samples), column
            continue
        labelled += 1
        assert [label(value) for value in samples * 2] == [
            value_label(column, value) for value in samples * 2
        ], column
    assert labelled >= 10


def test_a_kind_that_does_not_vary_by_row_is_the_columns_on_every_row():
    """write_frame reads a row's kind only where `kind_varies_by_row` says it may differ."""
    from orchestration.publish.formatting import (
        INDICATOR_VALUE_KINDS,
        TARGET_VALUE_KINDS,
        kind_varies_by_row,
        row_kind,
    )

    rows = [{"indicator_code": code} for code in INDICATOR_VALUE_KINDS]
    rows += [{"target_code": code} for code in TARGET_VALUE_KINDS] + [{}]
    varying = set()
    for column in COLUMN_LABELS:
        for base in ("number", "int", "money", "ratio", "text", "date"):
            kinds = {row_kind(column, base, row) for row in rows}
            if kind_varies_by_row(column, base):
                varying.add(column)
            else:
                assert kinds == {base}, (column, base)
    assert {"raw_value", "target_value"} <= varying
