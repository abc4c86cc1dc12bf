"""Reporting a bench result: the framework tax (the batch over the bare baseline), the floor
line, the console text, and the dated section added to docs/benchmarks.md with the machine's
facts."""

from __future__ import annotations

import os
import platform
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

from orchestration.bench import models as bench_models
from orchestration.bench.outputs import EXCEL_MAX_ROWS
from orchestration.bench.result import TARGETS, BenchResult, core_seconds


def machine_facts() -> dict[str, str]:
    """CPU model, cores, memory, Python and platform (from /proc where there is one)."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(handle.readline().split()[1])
            mem = f"{kib / (1 << 20):.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def framework_tax(result: BenchResult) -> dict[str, float] | None:
    """The batch over the bare baseline: the whole run, and its transform + score steps. With
    measured pairs (each run, then the bare baseline on what it built), the median of the
    per-pair ratios; else the reported run over the one bare run."""
    pairs = [p for p in result.pairs if p[2] > 0]
    if pairs:
        return {
            "whole_run": statistics.median([wall / bare for wall, _, bare in pairs]),
            "transform_and_score": statistics.median([core / bare for _, core, bare in pairs]),
        }
    if not result.bare or result.bare["total"] <= 0:
        return None
    return {
        "whole_run": result.wall_seconds / result.bare["total"],
        "transform_and_score": core_seconds(result.steps) / result.bare["total"],
    }


def tax_line(result: BenchResult) -> str | None:
    """The framework tax in one line (None without a bare run)."""
    tax = framework_tax(result)
    if tax is None or result.bare is None:
        return None
    line = (
        f"framework tax: bare DuckDB {result.bare['total']:.1f} s (model SQL "
        f"{result.bare['sql']:.1f} s + scoring {result.bare['score']:.1f} s); whole run "
        f"{tax['whole_run']:.2f}×, transform + score steps {tax['transform_and_score']:.2f}×"
    )
    if len(result.pairs) > 1:
        each = ", ".join(
            f"{core:.2f} s / {bare:.2f} s = {core / bare:.2f}×" for _, core, bare in result.pairs
        )
        line += f" (median of the runs, each over the bare run right after it: {each})"
    return line


def _walls_text(result: BenchResult, lead: str, tail: str) -> str:
    """Every measured run's wall time, when there were several (`lead` may say `{n}`)."""
    if len(result.walls) < 2:
        return ""
    return lead.format(n=len(result.walls)) + ", ".join(f"{w:.1f}" for w in result.walls) + tail


def floor_line(result: BenchResult) -> str | None:
    """The floor (DuckDB reading the package's CSVs into typed tables) and the run over it."""
    if not result.floor or result.floor["seconds"] <= 0 or not result.floor["files"]:
        return None  # no CSV in the package (a district's workbooks): no floor
    ratio = result.wall_seconds / result.floor["seconds"]
    limit = TARGETS.get(result.scale, {}).get("floor_multiple")
    verdict = ""
    if limit is not None:
        verdict = f" ({'meets' if ratio <= limit else 'MISSES'} ≤ {limit:g}×)"
    stored = result.floor.get("stored_seconds")
    return (
        f"floor: DuckDB reads the package's {int(result.floor['files'])} CSV files "
        f"({int(result.floor['rows']):,} rows) into typed tables in "
        f"{result.floor['seconds']:.1f} s; "
        f"the run is {ratio:.1f}× that{verdict}"
        + (
            f". Into a database file, stored as the warehouse stores its tables: {stored:.1f} s "
            f"({stored / result.floor['seconds']:.1f}× the floor; the run "
            f"{result.wall_seconds / stored:.1f}× that)"
            if stored
            else ""
        )
    )


def outputs_line(result: BenchResult) -> str | None:
    """The published office files: the largest against the scale's size limit, the data-quality
    pages, the fullest workbook sheet against Excel's limit (bench/outputs.py)."""
    out = result.outputs
    if out is None or not out.files:
        return None
    name, size = out.largest
    limit = TARGETS.get(result.scale, {}).get("office_file_mb")
    verdict = ""
    if limit is not None:
        verdict = f" ({'meets' if size <= limit * 1e6 else 'MISSES'} ≤ {limit:g} MB)"
    book, sheet, rows = out.fullest_sheet
    sheets = sum(len(s) for s in out.sheets.values())
    return (
        f"office files: {len(out.files)} (the largest {name}, {size / 1e6:.1f} MB{verdict}); "
        f"{out.dq_pages:,} data-quality pages (the largest {out.largest_dq_page / 1e3:.0f} KB); "
        f"{sheets} workbook sheets, the fullest {book} / {sheet} with {rows:,} rows "
        f"({'within' if rows <= EXCEL_MAX_ROWS else 'OVER'} Excel's {EXCEL_MAX_ROWS:,})"
    )


def format_result(result: BenchResult) -> str:
    """The result as the console shows it: the run, its steps, tax, floor, comparison, models."""
    lines = [
        f"scale {result.scale} (×{result.multiplier:g}), year {result.year}: "
        f"{result.wall_seconds:.1f} s wall, peak {result.total_peak_bytes / (1 << 30):.2f} GiB "
        f"(all processes together; alone: main {result.peak_rss_bytes / (1 << 30):.2f}, "
        f"largest worker {result.worker_peak_rss_bytes / (1 << 30):.2f}), "
        f"exit {result.exit_code}; CPU {result.cpu_seconds:.1f} s, "
        f"load average before the run {result.load_average:.1f}"
        + _walls_text(result, "; median of {n} runs: ", " s"),
        f"  (sample generation {result.generate_seconds:.1f} s; previous year's run "
        f"{result.history_seconds:.1f} s)",
        "  step                seconds   peak MiB",
    ]
    for step in result.steps:
        mib = step["peak_rss_bytes"] / (1 << 20)
        lines.append(f"  {step['name']:<18} {step['seconds']:>8.2f} {mib:>10.0f}")
    lines += [
        f"  {line}" for line in (tax_line(result), floor_line(result), outputs_line(result)) if line
    ]
    if result.differences is not None:
        lines.append(
            "  results identical to the compared run"
            if not result.differences
            else "  results DIFFER from the compared run:\n    " + "\n    ".join(result.differences)
        )
    models = bench_models.format_models(result.models)
    if models:
        lines.append(models)
    return "\n".join(lines)


RESULTS = "## Results"
"""The heading under which `append_to_doc` keeps the newest section of each scale."""


def append_to_doc(result: BenchResult, doc: Path, archive: Path | None = None) -> None:
    """Add the result, with the machine's facts, to docs/benchmarks.md as the first section
    under its Results; the section it replaces (the same scale's older ones) moves to the top
    of `archive` (default docs/benchmarks-results.md), so the document shows the newest
    section of each scale and the archive every earlier one, newest first."""
    archive = archive or doc.with_name(f"{doc.stem}-results.md")
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n\n"
    head, preamble, sections, tail = _split_results(text)
    sections.insert(0, "\n".join(_doc_section(result)) + "\n")
    kept, moved = _newest_of_each_scale(sections)
    if moved:  # the archive first: stopped between the two writes, nothing is lost
        old = archive.read_text(encoding="utf-8") if archive.exists() else _ARCHIVE_HEAD
        a_head, a_preamble, a_sections, a_tail = _split_results(old)
        archive.write_text(_join_results(a_head, a_preamble, moved + a_sections, a_tail), "utf-8")
    doc.write_text(_join_results(head, preamble, kept, tail), "utf-8")


_ARCHIVE_HEAD = (
    "# Benchmarks: earlier results\n\n"
    "The sections `carrier-assess bench --record` replaced in [benchmarks.md](benchmarks.md),\n"
    "newest first; what each pass changed is told there.\n\n"
)


def _split_results(text: str) -> tuple[str, str, list[str], str]:
    """The text before the Results heading; what stands between it and its first section; its
    `### ` sections in order; and any `## ` part after them (a document without the heading
    gets one at its end)."""
    if RESULTS not in text:
        text = text.rstrip() + f"\n\n{RESULTS}\n\n"
    head, body = text.split(RESULTS, 1)
    body, found, tail = ("\n" + body.strip("\n") + "\n").partition("\n## ")
    parts = body.split("\n### ")
    sections = [f"### {part.strip(chr(10))}\n" for part in parts[1:]]
    return head, parts[0].strip("\n"), sections, (found.lstrip("\n") + tail) if found else ""


def _join_results(head: str, preamble: str, sections: list[str], tail: str = "") -> str:
    lead = f"{RESULTS}\n\n" + (f"{preamble}\n\n" if preamble else "")
    return head + lead + "\n".join(sections) + (f"\n{tail}" if tail else "")


_SCALE_HEADING = re.compile(r"### (\w+) \(×")


def _newest_of_each_scale(sections: list[str]) -> tuple[list[str], list[str]]:
    """The sections to keep (the first, i.e. newest, of each scale) and those to move, both in
    order. A heading that names no scale (`### Measured before item 28`) labels the sections
    after it: it goes where the next scale's section goes (stays, if none follows)."""
    kept: list[str] = []
    moved: list[str] = []
    seen: set[str] = set()
    labels: list[str] = []
    for section in sections:
        match = _SCALE_HEADING.match(section)
        if match is None:
            labels.append(section)
            continue
        target = moved if match.group(1) in seen else kept
        target.extend([*labels, section])
        labels = []
        seen.add(match.group(1))
    return kept + labels, moved


def _doc_section(result: BenchResult) -> list[str]:
    """The result's markdown section: heading, machine, the run against its targets, rows, tax,
    the steps' table, floor and the per-model table."""
    facts = machine_facts()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = ", ".join(f"{k} {v:,}" for k, v in sorted(result.rows.items()))
    tax = tax_line(result)
    section = [
        f"### {result.scale} (×{result.multiplier:g}) — {stamp}",
        "",
        f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory']}, "
        f"Python {facts['python']}.",
        "",
        _run_paragraph(result, facts),
        "",
        f"Rows: {rows or 'n/a'}.",
        "",
        *([f"{tax}.", ""] if tax else []),
        "| step | seconds | peak RSS (MiB) |",
        "| --- | ---: | ---: |",
    ]
    for step in result.steps:
        section.append(
            f"| {step['name']} | {step['seconds']:.2f} | {step['peak_rss_bytes'] / (1 << 20):.0f} |"
        )
    section.append("")
    for line in (floor_line(result), outputs_line(result)):
        section += [f"{line}.", ""] if line else []
    if result.models:
        section += [*bench_models.models_markdown(result.models), ""]
    return section


def _run_paragraph(result: BenchResult, facts: dict[str, str]) -> str:
    """End to end: wall time and peak memory against the scale's targets, CPU and load."""
    target = TARGETS[result.scale]
    verdict = []
    if target["seconds"] is not None:
        ok = result.wall_seconds <= target["seconds"]
        verdict.append(f"time {'meets' if ok else 'MISSES'} ≤ {target['seconds']:g} s")
    ok_mem = result.total_peak_bytes <= target["peak_gib"] * (1 << 30)
    verdict.append(f"memory {'meets' if ok_mem else 'MISSES'} ≤ {target['peak_gib']:.3g} GiB")
    return (
        f"End to end, cold: **{result.wall_seconds:.1f} s**, peak "
        f"**{result.total_peak_bytes / (1 << 30):.2f} GiB**, the main process and its "
        f"workers (dbt, audit; national: workbook) together (alone at their peaks: main "
        f"{result.peak_rss_bytes / (1 << 30):.2f}, largest worker "
        f"{result.worker_peak_rss_bytes / (1 << 30):.2f}; {'; '.join(verdict)}). "
        f"Exit code {result.exit_code}. CPU (user + system) {result.cpu_seconds:.1f} s; "
        f"1-minute load average before the run {result.load_average:.1f} on "
        f"{facts['cores']} cores (other work on the machine inflates wall time)."
        + _walls_text(
            result, " The median of {n} cold runs, each starting in the same state: ", " s."
        )
    )
