"""The published result tables' dictionary (`results_contract.yaml`) as typed objects.

One place says what each `results.*` table and column is: its type, what it means in Chinese and
English, which step makes the table (`made_by`), and which codes the tables carry with their
labels. From it come: the scoring step's output schemas and table list (`table_schema`,
`tables_made_by`: scoring/schemas.py `OUTPUT_SCHEMAS`, scoring/engine.py `RESULT_TABLES`,
orchestration/score `DQ_COLUMNS`), the `COMMENT ON` text of every published table and column,
`results.code_labels`, the schema version in `results.runs` and the Parquet metadata, the
workbook's dictionary sheet (字段说明) and `docs/results.md`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from scoring import vocabulary
from scoring.yaml_io import read_bundled_yaml

CONTRACT_FILE = Path(__file__).resolve().parent / "results_contract.yaml"

PARQUET_VERSION_KEY = "carrier_assess_schema_version"
"""The Parquet key-value metadata entry that carries the schema version."""

CODE_LABELS_TABLE = "code_labels"


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str
    en: str


SQL_TYPES: dict[str, pl.DataType] = {
    "varchar": pl.String,
    "integer": pl.Int32,
    "bigint": pl.Int64,
    "double": pl.Float64,
    "boolean": pl.Boolean,
    "date": pl.Date,
    "timestamp": pl.Datetime("us"),
}
"""A column's `type` (DuckDB's name) as polars holds it; `decimal(p,s)` besides."""

_DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")


def polars_type(sql_type: str) -> pl.DataType:
    """The polars type of a contract column type (`integer`, `decimal(18,4)`, …)."""
    found = _DECIMAL.fullmatch(sql_type)
    if found:
        return pl.Decimal(int(found[1]), int(found[2]))
    return SQL_TYPES[sql_type]


class ColumnDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str | None = None
    """DuckDB's type name; every table column has one (summary columns have none)."""
    zh: str
    en: str
    description: str

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value is not None and value not in SQL_TYPES and not _DECIMAL.fullmatch(value):
            raise ValueError(f"unknown column type {value!r}")
        return value


class TableDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str
    en: str
    made_by: str
    """The step that makes the table's rows (`scoring`: scoring.engine.score_year)."""
    grain: str
    key: tuple[str, ...]
    description: str
    columns: dict[str, ColumnDoc]
    published: Literal["per_year", "per_run", "whole"] = "per_year"
    office_sheet: bool = False
    guaranteed: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _guaranteed_are_columns(self) -> TableDoc:
        unknown = [c for c in (*self.key, *self.guaranteed) if c not in self.columns]
        if unknown:
            raise ValueError(f"key or guaranteed columns not described: {', '.join(unknown)}")
        return self

    @model_validator(mode="after")
    def _typed(self) -> TableDoc:
        untyped = [name for name, col in self.columns.items() if col.type is None]
        if untyped:
            raise ValueError(f"columns without a type: {untyped}")
        return self


class ResultContract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: str
    tables: dict[str, TableDoc]
    summary_columns: dict[str, ColumnDoc]
    codes: dict[str, dict[str, Label]]


@cache
def result_contract() -> ResultContract:
    """The dictionary, validated (a typo in the file is an error naming the key); the report
    package's enums carry their Chinese labels from datasets.yaml (scoring/vocabulary.py)."""
    raw = read_bundled_yaml(CONTRACT_FILE)
    raw["codes"] = {column: _with_package_labels(column, e) for column, e in raw["codes"].items()}
    return ResultContract.model_validate(raw)


def _with_package_labels(column: str, entries: dict[str, dict]) -> dict[str, dict]:
    """A code section written with English labels only is a report-package enum: its codes
    must be those of datasets.yaml, and each takes the package's label on output."""
    if all("zh" in entry for entry in entries.values()):
        return entries
    package = vocabulary.package_labels().get(column, {})
    if list(entries) != list(package) or any("zh" in entry for entry in entries.values()):
        raise ValueError(
            f"results_contract.yaml codes.{column}: list the codes of datasets.yaml in its "
            f"order ({', '.join(package) or 'none there'}), each with its English label only"
        )
    return {code: {"zh": package[code], **entry} for code, entry in entries.items()}


def schema_version() -> str:
    return result_contract().schema_version


def tables_made_by(step: str) -> tuple[str, ...]:
    """The result tables a step makes, in the contract's order."""
    return tuple(name for name, doc in result_contract().tables.items() if doc.made_by == step)


def table_schema(table: str, *, without: tuple[str, ...] = ("run_id",)) -> dict[str, pl.DataType]:
    """A result table's columns and polars types, in the contract's order; by default without
    `run_id`, which publishing adds."""
    columns = result_contract().tables[table].columns
    return {name: polars_type(col.type) for name, col in columns.items() if name not in without}


def column_doc(table: str, column: str) -> ColumnDoc | None:
    """A column's entry: the table's own, else the first table that has the column (a carrier's
    name shown beside its id on another table's list reads the same everywhere)."""
    tables = result_contract().tables
    own = tables.get(table)
    if own is not None and column in own.columns:
        return own.columns[column]
    found = (doc.columns[column] for doc in tables.values() if column in doc.columns)
    return next(found, result_contract().summary_columns.get(column))


def check_label(check_name: str) -> Label:
    """The Chinese and English name of a data-quality check.

    Quality-gate checks are named `<suite>.<column>.<check>`: they take the label of their
    last part, with the column named. An unknown check keeps its name, marked as a check.
    """
    checks = result_contract().codes["check_name"]
    if check_name in checks:
        return checks[check_name]
    parts = check_name.split(".")
    last = checks.get(parts[-1])
    if last is not None and len(parts) >= 2:
        where = parts[1] if len(parts) == 3 else parts[0]
        return Label(zh=f"{last.zh}（{where}）", en=f"{last.en} ({where})")
    return Label(zh=f"数据检查（{check_name}）", en=check_name)


def code_labels_frame(extra: dict[str, dict[str, Label]] | None = None) -> pl.DataFrame:
    """`results.code_labels`: every code the result tables carry, with its labels."""
    rows: list[tuple[str, str, str, str]] = []
    codes = {**result_contract().codes, **(extra or {})}
    for column, labels in codes.items():
        rows += [(column, code, label.zh, label.en) for code, label in labels.items()]
    rows += [("dataset", name, zh, name) for name, zh in vocabulary.dataset_names().items()]
    return pl.DataFrame(
        rows,
        schema={
            "column_name": pl.String,
            "code": pl.String,
            "label_zh": pl.String,
            "label_en": pl.String,
        },
        orient="row",
    ).sort(["column_name", "code"])


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def comment_statements(schema: str, table: str, columns: list[str]) -> list[str]:
    """`COMMENT ON` the table and each of `columns` that the dictionary describes."""
    doc = result_contract().tables.get(table)
    if doc is None:
        return []
    target = f'{schema}."{table}"'
    statements = [
        f"comment on table {target} is "
        + _sql_text(f"{doc.zh} / {doc.en}: {doc.description} (grain: {doc.grain})")
    ]
    for column in columns:
        col = doc.columns.get(column)
        if col is not None:
            text = f"{col.zh} / {col.en}: {col.description}"
            statements.append(f'comment on column {target}."{column}" is {_sql_text(text)}')
    return statements


def render_markdown() -> str:
    """docs/results.md: the data dictionary of the published tables."""
    contract = result_contract()
    lines = [
        "# The result tables (数据字典)",
        "",
        "Generated from `scoring/results_contract.yaml` by "
        "`carrier-assess docs --results docs/results.md`; do not edit by hand.",
        "",
        f"Schema version: **{contract.schema_version}** (in `results.runs.schema_version` and in "
        f"every Parquet file's metadata under `{PARQUET_VERSION_KEY}`). "
        + "Every table is in the warehouse's schema `results` and in the read-only copy; every "
        "year's folder holds each table as `<table>.parquet`. DuckDB carries the same "
        "descriptions (`select comment from duckdb_columns() where schema_name = 'results'`).",
        "",
    ]
    for name, doc in contract.tables.items():
        key = ", ".join(doc.key) or "—"
        lines += [
            f"## `{name}` — {doc.zh}",
            "",
            f"{doc.description}. Grain: {doc.grain}. Key: {key}.",
            "",
            "| column | type | 中文 | English | description |",
            "| --- | --- | --- | --- | --- |",
        ]
        for col, cdoc in doc.columns.items():
            lines.append(f"| `{col}` | {cdoc.type} | {cdoc.zh} | {cdoc.en} | {cdoc.description} |")
        lines.append("")
    lines += [
        "## Codes (代码对照)",
        "",
        "Also published as `results.code_labels`.",
        "",
    ]
    for column, labels in contract.codes.items():
        lines += [f"### `{column}`", "", "| code | 中文 | English |", "| --- | --- | --- |"]
        lines += [f"| `{code}` | {lab.zh} | {lab.en} |" for code, lab in labels.items()]
        lines.append("")
    return "\n".join(lines)
