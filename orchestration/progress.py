"""Progress for people and logs, and the time and memory each step took.

Interactive terminals get a rich display; schedulers and pipes get plain timestamped lines;
`--quiet` prints only the closing line. Every step is measured (wall time and the peak resident
memory of the process during the step) for the benchmark command.
"""

from __future__ import annotations

import contextlib
import resource
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

Mode = Literal["rich", "plain", "quiet"]


def _rss_bytes() -> int:
    """Current resident memory of this process (Linux /proc), 0 when unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize()


class _PeakSampler:
    """Samples RSS every 20 ms in a thread, so a step's peak is seen even if it frees memory."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = _rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, _rss_bytes())

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())


@dataclass
class StepMetric:
    name: str
    seconds: float
    peak_rss_bytes: int
    detail: str = ""
    parts: dict[str, float] = field(default_factory=dict)
    """Seconds of the step's parts where it has some (the transform step: each dbt model's
    execution time from dbt's results), for the bench."""


@dataclass
class Progress:
    """The run's voice. `step()` measures and announces; `info()` adds a line of detail."""

    mode: Mode = "plain"
    metrics: list[StepMetric] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._console = None
        if self.mode == "rich":
            from rich.console import Console

            self._console = Console(stderr=False, highlight=False)

    @classmethod
    def auto(cls, quiet: bool = False) -> Progress:
        if quiet:
            return cls("quiet")
        return cls("rich" if sys.stdout.isatty() else "plain")

    def _plain(self, text: str) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        print(f"{stamp} {text}", flush=True)

    def info(self, text: str) -> None:
        if self.mode == "plain":
            self._plain(f"  {text}")
        elif self.mode == "rich":
            self._console.print(f"  [dim]{text}[/dim]")

    def table(self, title: str, columns: list[str], rows: list[list[object]]) -> None:
        """A small table (e.g. rows read per dataset); plain mode prints aligned text."""
        if self.mode == "quiet":
            return
        if self.mode == "rich":
            from rich.table import Table

            table = Table(title=title, title_justify="left")
            for col in columns:
                table.add_column(col, justify="right" if col != columns[0] else "left")
            for row in rows:
                table.add_row(*(str(v) for v in row))
            self._console.print(table)
            return
        self._plain(f"  {title}")
        widths = [
            max(len(str(c)), *(len(str(r[i])) for r in rows)) if rows else len(str(c))
            for i, c in enumerate(columns)
        ]
        self._plain(
            "    " + "  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=True))
        )
        for row in rows:
            self._plain(
                "    " + "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True))
            )

    @contextlib.contextmanager
    def step(self, name: str, label: str) -> Iterator[StepMetric]:
        """Announce, time and measure one step. The caller may set `metric.detail`."""
        metric = StepMetric(name=name, seconds=0.0, peak_rss_bytes=0)
        if self.mode == "plain":
            self._plain(f"▶ {label}")
        start = time.perf_counter()
        status_cm = (
            self._console.status(f"{label} …") if self.mode == "rich" else contextlib.nullcontext()
        )
        with _PeakSampler() as sampler, status_cm:
            yield metric
        metric.seconds = time.perf_counter() - start
        metric.peak_rss_bytes = sampler.peak
        self.metrics.append(metric)
        suffix = f" — {metric.detail}" if metric.detail else ""
        if self.mode == "plain":
            self._plain(f"✔ {label} ({metric.seconds:.1f} s){suffix}")
        elif self.mode == "rich":
            self._console.print(
                f"[green]✔[/green] {label} [dim]({metric.seconds:.1f} s)[/dim]{suffix}"
            )

    def done(self, text: str) -> None:
        """The closing line: always printed, even with --quiet."""
        print(text, flush=True)

    def fail(self, text: str) -> None:
        """The one-line reason a run stopped: always printed, to stderr."""
        print(text, file=sys.stderr, flush=True)


def write_metrics(metrics: list[StepMetric], rows: dict[str, int], path: Path) -> None:
    """The run's measurements as JSON, for the benchmark command."""
    import json
    from dataclasses import asdict

    # No figure for the workers here: a worker started by fork and exec keeps, in getrusage's
    # ru_maxrss, this process's size at the fork; the bench reads each one's VmHWM from /proc.
    doc = {"steps": [asdict(m) for m in metrics], "rows": rows}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
