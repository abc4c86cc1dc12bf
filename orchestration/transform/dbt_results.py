"""What a dbt command hands back, flattened: each node's outcome (`NodeOutcome`), the run as a
whole (`DbtRunResult`), and the error a failed run raises (`DbtRunError`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestration.errors import ExitCode, PipelineError

_FAILED_STATUSES = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class NodeOutcome:
    """One node of a dbt run: what it was, how it ended, and dbt's message."""

    unique_id: str
    resource_type: str
    status: str
    message: str
    failures: int | None
    execution_time: float

    @property
    def failed(self) -> bool:
        return self.status in _FAILED_STATUSES


@dataclass(frozen=True)
class DbtRunResult:
    """What `run_dbt` hands back: the command, whether it succeeded, and every node's outcome."""

    args: tuple[str, ...]
    success: bool
    nodes: tuple[NodeOutcome, ...] = ()
    elapsed_seconds: float = 0.0
    compiled_sql: tuple[str, ...] = field(default=(), repr=False)
    parsed_manifest: object | None = field(default=None, repr=False)
    """The Manifest a `parse` command hands back (cached: `load_or_parse_manifest`)."""

    @property
    def failed_nodes(self) -> tuple[NodeOutcome, ...]:
        return tuple(node for node in self.nodes if node.failed)

    def count(self, resource_type: str, status: str | None = None) -> int:
        return sum(
            1
            for node in self.nodes
            if node.resource_type == resource_type and (status is None or node.status == status)
        )

    def model_seconds(self) -> dict[str, float]:
        """Each model's execution time as dbt reports it (unique id -> seconds)."""
        return {n.unique_id: n.execution_time for n in self.nodes if n.resource_type == "model"}

    def one_line(self) -> str:
        """A short summary for the progress display."""
        by_type: dict[str, int] = {}
        for node in self.nodes:
            by_type[node.resource_type] = by_type.get(node.resource_type, 0) + 1
        parts = ", ".join(f"{n} {kind}" for kind, n in sorted(by_type.items()))
        state = "ok" if self.success else f"{len(self.failed_nodes)} failed"
        command = self.args[0] if self.args else ""
        seconds = f"{self.elapsed_seconds:.1f} s"
        return f"dbt {command}: {parts or 'nothing'} ({state}, {seconds})"


class DbtRunError(PipelineError):
    """dbt did not succeed; the message names each failing node and dbt's message for it."""

    def __init__(self, result: DbtRunResult, detail: str | None = None) -> None:
        self.result = result
        self.detail = detail
        failed = result.failed_nodes
        if failed:
            lines = [
                f"{node.unique_id} [{node.status}]: {first_line(node.message)}" for node in failed
            ]
            what = "; ".join(lines)
        else:
            what = detail or "dbt stopped before running any node (see the dbt log)"
        reason = f"清洗与建模失败 / dbt {' '.join(result.args[:1])} failed: {what}"
        super().__init__(ExitCode.TRANSFORM, reason)

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the dbt worker, raised again here
        return DbtRunError, (self.result, self.detail)


def first_line(message: str | None, limit: int = 400) -> str:
    """dbt's message on one line, at most `limit` characters."""
    text = " ".join((message or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def node_outcomes(results: object) -> tuple[tuple[NodeOutcome, ...], tuple[str, ...]]:
    """Flatten dbt's RunExecutionResult (or nothing, for parse errors) into NodeOutcomes."""
    outcomes: list[NodeOutcome] = []
    compiled: list[str] = []
    for item in getattr(results, "results", None) or ():
        node = getattr(item, "node", None)
        if node is None:
            continue
        status = str(getattr(item.status, "value", item.status))
        outcomes.append(
            NodeOutcome(
                unique_id=node.unique_id,
                resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
                status=status,
                message=str(item.message or ""),
                failures=item.failures,
                execution_time=float(item.execution_time or 0.0),
            )
        )
        sql = getattr(node, "compiled_code", None)
        if sql:
            compiled.append(sql)
    return tuple(outcomes), tuple(compiled)
