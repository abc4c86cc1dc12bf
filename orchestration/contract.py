"""The report package contract (contract/datasets.yaml) as typed Python objects."""

from __future__ import annotations

from functools import cache
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from orchestration.config import COLUMN_TYPES_YAML
from scoring.vocabulary import dataset_specs
from scoring.yaml_io import read_bundled_yaml

ColumnType = Literal["string", "uscc", "date", "int", "decimal", "money", "bool", "enum"]

DATASET_ORDER = (
    "carriers",
    "tenants",
    "patents",
    "high_tech",
    "graduations",
    "financing",
    "awards",
    "evaluations",
    "recognitions",
    "subsidy_claims",
)


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    zh: str
    type: ColumnType
    required: bool = False
    aliases: tuple[str, ...] = ()
    values: dict[str, str | int] = Field(default_factory=dict)
    note: str | None = None


class Dataset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    sheet_zh: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


class ColumnTypeDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str
    accepted_zh: str


@cache
def column_types() -> dict[str, ColumnTypeDoc]:
    """Each column type's Chinese name and what it accepts (the template's instructions)."""
    document = read_bundled_yaml(COLUMN_TYPES_YAML)
    types = {name: ColumnTypeDoc(**doc) for name, doc in document.items()}
    if set(types) != set(get_args(ColumnType)):
        raise ValueError(f"column_types.yaml: expected {', '.join(get_args(ColumnType))}")
    return types


@cache
def datasets() -> dict[str, Dataset]:
    """The ten datasets, in the contract's order."""
    out: dict[str, Dataset] = {}
    for name, spec in dataset_specs().items():
        cols = tuple(
            Column(name=col_name, **{k: v for k, v in col.items()})
            for col_name, col in spec["columns"].items()
        )
        out[name] = Dataset(
            name=name,
            sheet_zh=spec["sheet_zh"],
            grain=spec["grain"],
            key=tuple(spec["key"]),
            columns=cols,
        )
    return {name: out[name] for name in DATASET_ORDER}
