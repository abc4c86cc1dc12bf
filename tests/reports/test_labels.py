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
