"""The building blocks of the rulebook's parameter models (scoring/rulebook.py, and each rule's
own model beside its function, scoring/registry.py): strict frozen models and the value types
the rulebook's figures take."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

NonNeg = Annotated[Decimal, Field(ge=0)]
Positive = Annotated[Decimal, Field(gt=0)]
Share = Annotated[Decimal, Field(ge=0, le=1)]
CarrierType = Literal[
    "incubator",
    "accelerator",
    "maker_space",
    "complex",
    "platform",
    "offshore_center",
    "industrial_park",
]
CARRIER_TYPES: tuple[str, ...] = get_args(CarrierType)
Level = Literal["national", "provincial", "municipal"]
Grade = Literal["A", "B", "C", "D"]
Mode = Literal["highest_only", "stack"]


class Params(BaseModel):
    """A rulebook section: unknown keys are errors, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)
