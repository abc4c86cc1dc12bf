"""models/staging/_staging__models.yml, generated from the contract: the docs and data tests of
every staging model (`stg_<dataset>`, `stg_<dataset>__checked`, `stg_<dataset>__rejected`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from orchestration.transform.contract_dbt import GENERATED_NOTE, staged_column_name

if TYPE_CHECKING:
    from orchestration.contract import Column, Dataset

META_DOCS = {
    "_assessment_year": "The assessment year of the package the row came in (INTEGER).",
    "_run_id": "The run that loaded the raw row.",
    "_source_file": "The report file, relative to the year's package folder.",
    "_file_sha256": "sha256 of the report file's bytes.",
    "_sheet": "The sheet name as in the workbook; '' for a CSV.",
    "_source_row": "The row number a spreadsheet shows (for CSV the line number, header = 1).",
    "_row_id": "`<dataset>:<year>:<file>:<sheet>:<row>`: the raw row's id, unique across years.",
}

CHECK_NAMES = (
    "formula_error",
    "required_missing",
    "unreadable_date",
    "unreadable_amount",
    "unreadable_integer",
    "unreadable_number",
    "unreadable_yes_no",
    "unknown_label",
    "negative_amount",
    "negative_area",
    "negative_number",
    "malformed_uscc",
    "uscc_check_failed",
    "malformed_patent_no",
    "patent_no_check_failed",
    "patent_type_mismatch",
    "malformed_certificate_no",
    "certificate_year_mismatch",
)
"""Every check_name staging can write (macros/staging_checks.sql documents each)."""


_NAME_DOCS = {
    "carrier_id": "text, normalised (normalize_text) and upper-cased",
    "patent_no": (
        "canonical patent number `202310123456.6` (old form `98123456.X`); check character"
        " verified and type digit agreeing with patent_type"
    ),
    "certificate_no": "`GR` + year + province + serial, upper-case; the year is the issue date's",
    "award_rank": "INTEGER code: 1, 2, 3 (一/二/三等奖), 9 (优胜奖)",
}
"""What a staged column holds, for the columns staging treats apart from their type."""

_TYPE_DOCS = {
    "string": "text, normalised (full-width to half-width, spaces collapsed, trimmed)",
    "uscc": "18-character unified social credit code, upper-case, check character verified",
    "date": "DATE (parse_date)",
    "money": "DECIMAL(18,4) in 万元 (parse_money: unit from the value, else the header, else 万元)",
    "int": "INTEGER, zero or more",
    "decimal": "DOUBLE, square metres, zero or more",
    "bool": "BOOLEAN (是/否, Y/N, yes/no, true/false, 1/0, √/×)",
}
"""What a staged column of each type holds (an enum: its canonical codes)."""


def column_doc(dataset: str, col: Column) -> str:
    """What a staged column holds, for the yml docs."""
    req = ", required" if col.required else ""
    what = _NAME_DOCS.get(col.name) or _TYPE_DOCS.get(col.type)
    if what is None:  # an enum
        codes = list(dict.fromkeys(str(v) for v in col.values.values()))
        what = f"canonical code: {', '.join(codes)}"
    if col.type == "money" and dataset == "financing":
        what = what.replace("else the header", "else 金额单位, else the header")
    return f"{col.zh}{req}: {what}."


def _column(name: str, doc: str, tests: list[str] | None = None) -> list[str]:
    """One column entry of a model: name, description and its data tests."""
    lines = [f"      - name: {name}", f"        description: {json.dumps(doc, ensure_ascii=False)}"]
    if tests:
        lines.append("        data_tests:")
        lines.extend(f"          - {t}" for t in tests)
    return lines


def _meta_columns(with_row_id_tests: bool) -> list[str]:
    """The load metadata columns: raw's metadata is ingest's to guarantee; staging tests the
    id it derives from it."""
    lines: list[str] = []
    for name, doc in META_DOCS.items():
        tests = ["not_null", "unique"] if with_row_id_tests and name == "_row_id" else None
        lines += _column(name, doc, tests)
    return lines


def _enum_test(col: Column) -> str:
    """The accepted_values test of an enum column: its codes (award_rank's unquoted)."""
    codes = list(dict.fromkeys(str(v) for v in col.values.values()))
    quote = "false" if col.name == "award_rank" else "true"
    values = ", ".join(json.dumps(v) if quote == "true" else v for v in codes)
    return f"accepted_values: {{arguments: {{values: [{values}], quote: {quote}}}}}"


def _passed_model(name: str, dataset: Dataset) -> list[str]:
    """stg_<dataset>: the rows that pass every check."""
    lines = [
        f"  - name: stg_{name}",
        "    description: >",
        f"      {dataset.sheet_zh} ({name}), the rows that pass every check: {dataset.grain}.",
        "      Typed and normalised; not yet de-duplicated (intermediate does that).",
        "    data_tests:",
        "      - every_raw_row_staged_once:",
        "          arguments:",
        f"            dataset: {name}",
        "    columns:",
        *_meta_columns(with_row_id_tests=True),
    ]
    for col in dataset.columns:
        if name == "financing" and col.name == "amount_unit":
            continue  # consumed by amount_wan
        tests = ["not_null"] if col.required else []
        if col.type == "enum":
            tests.append(_enum_test(col))
        lines += _column(staged_column_name(col), column_doc(name, col), tests or None)
    return lines


_CHECKED_READERS = {
    "carriers": ["      int_carriers_name_conflicts reads it too, for the check across rows."],
}
"""Who else reads a dataset's __checked table (beside its two staging views)."""


def _checked_model(name: str, dataset: Dataset) -> list[str]:
    """stg_<dataset>__checked: every raw row, parsed once, with the checks it fails."""
    lines = [
        f"  - name: stg_{name}__checked",
        "    description: >",
        f"      Every raw {name} row, parsed once, with the list of checks it fails. Staging's",
        f"      own plumbing: stg_{name} and stg_{name}__rejected read it so nothing is parsed",
        "      twice; a value that cannot be parsed is NULL here.",
        *_CHECKED_READERS.get(name, []),
        "    columns:",
        *_meta_columns(with_row_id_tests=False),
    ]
    for col in dataset.columns:
        doc = column_doc(name, col)
        if name == "financing" and col.name == "amount_unit":
            doc = "金额单位: canonical code (10k_cny, cny, 100m_cny); consumed by amount_wan."
        lines += _column(staged_column_name(col), doc + " NULL when it cannot be read.")
    lines += _column(
        "_failures",
        "The failed checks: list of STRUCT(column_name, check_name, value_as_written,"
        " message); empty when the row passes.",
    )
    lines += _column(
        "_failed_checks", "The failures as `column:check`, comma-joined; '' when the row passes."
    )
    return lines


def _rejected_model(name: str) -> list[str]:
    """stg_<dataset>__rejected: one row per (raw row, failing check)."""
    lines = [
        f"  - name: stg_{name}__rejected",
        "    description: >",
        f"      One row per (raw {name} row, failing check): the staging part of the",
        "      data-quality issues. A row with several failures appears once per failure.",
        "    columns:",
        *_column(
            "dataset", "The dataset key.", [f"accepted_values: {{arguments: {{values: [{name}]}}}}"]
        ),
    ]
    for m in ("_assessment_year", "_source_file", "_sheet", "_source_row", "_row_id"):
        lines += _column(m, META_DOCS[m], ["not_null"] if m == "_row_id" else None)
    checks = "accepted_values: {arguments: {values: [" + ", ".join(CHECK_NAMES) + "]}}"
    return [
        *lines,
        *_column("column_name", "The contract column (raw column name) that failed.", ["not_null"]),
        *_column(
            "check_name",
            "The check, short snake_case (see macros/staging_checks.sql).",
            ["not_null", checks],
        ),
        *_column("value_as_written", "The cell as written in the report (NULL when empty)."),
        *_column(
            "message",
            "中文 / English: the column's Chinese header, the value and what was expected.",
            ["not_null"],
        ),
    ]


def staging_models_yml() -> str:
    """`_staging__models.yml`: docs and data tests of every staging model, from the contract."""
    from orchestration.contract import datasets

    lines = [
        f"# {GENERATED_NOTE}.",
        "# Unit tests of the cleaning macros are in _staging__unit_tests.yml (hand-written).",
        "version: 2",
        "",
        "models:",
    ]
    for name, dataset in datasets().items():
        lines += _passed_model(name, dataset)
        lines += _checked_model(name, dataset)
        lines += _rejected_model(name)
    return "\n".join(lines) + "\n"
