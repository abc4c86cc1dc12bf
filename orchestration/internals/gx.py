"""Great Expectations internals: `great_expectations.data_context.types.base` (the data
context's configuration classes), to make the audit's ephemeral context with its stores in
memory, analytics off and progress bars off.

Public path on another version: `gx.get_context(mode="ephemeral")` with GX's defaults
(analytics stay off through GX_ANALYTICS_ENABLED; progress bars may show)."""

from __future__ import annotations

import os
from typing import Any

from orchestration.internals._door import Door

DOOR = Door(
    library="great-expectations",
    written_for=("1.24.1",),
    public_path='gx.get_context(mode="ephemeral") with its default configuration',
)


def ephemeral_context() -> Any:
    """A new ephemeral GX data context: stores in memory, analytics and progress bars off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    if not DOOR.is_open():
        return gx.get_context(mode="ephemeral")
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)
