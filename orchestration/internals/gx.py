"""Great Expectations internals: `great_expectations.data_context.types.base` (the data
context's configuration classes), to make the audit's ephemeral context with its stores in
memory, analytics off and progress bars off.

Public path on another version: `gx.get_context(mode="ephemeral")` with GX's defaults
(analytics stay off through GX_ANALYTICS_ENABLED; progress bars may show).

On any version, `scipy.stats` is made a lazy module before GX is imported
(`defer_scipy_stats`, the standard library's public `importlib.util.LazyLoader`): GX imports it
for expectations the audit never uses, and executing it is ~1 s of the ~3.5 s GX import, on
every run (docs/benchmarks.md, issue 21). A use of it loads it then, unchanged."""

from __future__ import annotations

import importlib.util
import os
import sys
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
    defer_scipy_stats()
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


def defer_scipy_stats() -> None:
    """Make `scipy.stats` a lazy module unless it is imported already: found and registered
    now (in `sys.modules` and as `scipy`'s attribute), executed on the first attribute read.
    GX 1.x imports it in the modules of its KL divergence and KS test expectations (`from
    scipy import stats`), which bind the module without reading it; the audit's suites use
    neither. Not thread-safe on Python 3.11 while the module is still unloaded: call it in
    the thread that imports and runs GX."""
    if "scipy.stats" in sys.modules or importlib.util.find_spec("scipy") is None:
        return  # imported already, or no SciPy (then GX's own import says so)
    spec = importlib.util.find_spec("scipy.stats")  # imports `scipy` (small), not its stats
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["scipy.stats"] = module
    loader.exec_module(module)
    # `from scipy import stats` then finds the attribute; through scipy's own `__getattr__` the
    # import system would read the lazy module's `__spec__`, which loads it
    sys.modules["scipy"].stats = module
