"""The cyclic garbage collector's pace in the batch's processes.

CPython collects its youngest generation every 700 new container objects and the whole heap
every few hundred young collections. The batch's processes allocate millions of short-lived
objects whose cycles are few (xlsxwriter's cells, Jinja's output, dbt's and Great
Expectations' results) beside large heaps that live for the whole process (dbt's manifest, GX's
context, the loaded libraries), so most collections find nothing and the full ones walk the
whole heap again. National, in whole runs: the workbook worker's CPU 6.6 -> 5.6 s, the audit
worker's 4.7 -> 3.4 s; publish ~1 s and the audit step ~0.5 s shorter (docs/benchmarks.md,
issue 21, tenth pass).

`collect_less()` raises the young generation's threshold, so that collections run ~100× less
often; cycles are still collected, a little later, and memory stays bounded by the same
mechanism. A public API (`gc.set_threshold`); each process calls it once as it starts.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 100_000
"""New container objects between two young collections (CPython's default: 700)."""
OLDER_THRESHOLDS = (50, 100)
"""Young collections per middle one, middle ones per full one (default: 10, 10)."""


def collect_less() -> None:
    """Collect cycles less often in this process (see the module's docstring)."""
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
