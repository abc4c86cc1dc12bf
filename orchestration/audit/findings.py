"""Findings: the rows an audit reports, how their values read, and what they decide.

A finding has the columns of `results.dq_issues` plus `assessment_year` and `carrier_id`
(`FINDING_SCHEMA`). An error blocks publishing; a warning is reported only (`AuditResult`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "assessment_year": pl.Int32(),
    "dataset": pl.String(),
    "source_file": pl.String(),
    "sheet": pl.String(),
    "source_row": pl.Int64(),
    "carrier_id": pl.String(),
    "column_name": pl.String(),
    "check_name": pl.String(),
    "severity": pl.String(),
    "value_as_written": pl.String(),
    "message": pl.String(),
}
"""The columns of `results.dq_issues` plus assessment_year and carrier_id."""

MAX_FINDINGS_PER_EXPECTATION = 1000
"""Failing rows listed one by one per expectation; the rest become one summary row."""

MAX_VALUE_CHARS = 200


def format_value(value: Any) -> str | None:
    """A value as the office would read it: dates as ISO dates, no `nan`, no `.0` on integers."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.date().isoformat() if value == value.normalize() else value.isoformat()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return format_value(value.item())
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def message(meta: Mapping[str, Any], extra_zh: str = "", extra_en: str = "") -> str:
    """A finding's message from its expectation's meta: Chinese, then ` / ` English."""
    return f"{meta['message_zh']}{extra_zh} / {meta['message_en']}{extra_en}"


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def structural_finding(
    suite_name: str, dataset: str, year: int, check: str, zh: str, en: str, value: str | None
) -> pl.DataFrame:
    """A finding for a table that could not be checked at all (missing, unreadable): an error."""
    return pl.DataFrame(
        [
            {
                "assessment_year": year,
                "dataset": dataset,
                "source_file": None,
                "sheet": None,
                "source_row": None,
                "carrier_id": None,
                "column_name": None,
                "check_name": f"{suite_name}.{check}",
                "severity": "error",
                "value_as_written": format_value(value),
                "message": f"{zh} / {en}",
            }
        ],
        schema=FINDING_SCHEMA,
    )


@dataclass(frozen=True)
class AuditResult:
    """Findings of one audit step and whether they stop publishing."""

    findings: pl.DataFrame

    @property
    def error_count(self) -> int:
        return self.findings.filter(pl.col("severity") == "error").height

    @property
    def warning_count(self) -> int:
        return self.findings.filter(pl.col("severity") == "warning").height

    @property
    def blocks_publishing(self) -> bool:
        return self.error_count > 0

    def one_line(self) -> str:
        """The step's progress line: counts, and whether publishing is blocked."""
        verdict = "阻止发布 / blocks publishing" if self.blocks_publishing else "通过 / passed"
        return (
            f"检查发现错误 {self.error_count} 条、警告 {self.warning_count} 条（不含拒收行） / "
            f"checks: {self.error_count} errors, {self.warning_count} warnings "
            f"(rejected rows aside): {verdict}"
        )

    @classmethod
    def combine(cls, *results: AuditResult) -> AuditResult:
        frames = [r.findings for r in results]
        return cls(pl.concat(frames) if frames else empty_findings())
