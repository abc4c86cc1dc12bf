"""The `carrier-assess` command line. It parses arguments and calls the pipeline; nothing else.

Exit codes are those of `orchestration.errors.ExitCode` (README.md "Exit codes").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from orchestration.errors import ExitCode

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="科创载体年度绩效评价 / Yearly assessment of science and technology innovation carriers.",
)

YearOpt = Annotated[int, typer.Option("--year", help="Assessment year (评价年度), e.g. 2024.")]
WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        help="DuckDB warehouse file "
        "[default: $CARRIER_ASSESS_WAREHOUSE or warehouse/carriers.duckdb]",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the closing line.")]


@app.command()
def run(
    year: YearOpt,
    reports: Annotated[
        Path, typer.Option("--reports", help="The year's report package folder (报送材料目录).")
    ],
    warehouse: WarehouseOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder [default: out/<year>]")
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Rulebook YAML [default: the bundled one for the year]"),
    ] = None,
    adjustments: Annotated[
        Path | None,
        typer.Option(
            "--adjustments",
            help="The office's adjustments file (调整文件, .xlsx or .csv); replaces the year's "
            "adjustments [default: those the year was last published with].",
        ),
    ] = None,
    quiet: QuietOpt = False,
    metrics: Annotated[
        Path | None,
        typer.Option("--metrics", hidden=True, help="Write per-step time and memory as JSON."),
    ] = None,
) -> None:
    """Run the whole batch for one year: ingest, clean, check, score, publish (评价批处理)."""
    from orchestration.transform.build_worker import BuildWorker

    # The dbt process first: its import (~1.2 s of CPU) then overlaps the batch's own imports
    # and ingest. Until the run holds the lock and tells it where, it reads no project file.
    with BuildWorker() as builder:
        from orchestration.pipeline import RunOptions, run_year
        from orchestration.progress import Progress, write_metrics

        progress = Progress.auto(quiet)
        options = RunOptions(
            year=year,
            reports=reports,
            warehouse=warehouse,
            out=out,
            rules=rules,
            adjustments=adjustments,
            build_worker=builder,
        )
        outcome = run_year(options, progress)
    if metrics is not None:
        write_metrics(progress.metrics, outcome.counts, metrics)
    if outcome.code == ExitCode.OK:
        progress.done(outcome.message)
    raise typer.Exit(int(outcome.code))


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Option("--reports", help="Where to write the sample packages.")
    ] = Path("reports"),
    warehouse: WarehouseOpt = None,
    out: Annotated[Path, typer.Option("--out", help="Output root.")] = Path("out"),
    quiet: QuietOpt = False,
) -> None:
    """Write the sample district's 2023 and 2024 packages, run both years, say where to look."""
    from orchestration.pipeline import RunOptions, office_file_names, run_year
    from orchestration.progress import Progress
    from orchestration.sample import generate_sample

    progress = Progress.auto(quiet)
    years = (2023, 2024)
    with progress.step("sample", "生成示例区县报送材料 / writing the sample district"):
        generate_sample(folder, years=years)
    outcome = None
    for year in years:
        progress.info(f"—— {year} ——")
        outcome = run_year(
            RunOptions(
                year=year,
                reports=folder / str(year),
                warehouse=warehouse,
                out=out / str(year),
            ),
            progress,
        )
        if outcome.code != ExitCode.OK:
            raise typer.Exit(int(outcome.code))
    from orchestration.config import warehouse_path
    from orchestration.publish.tables import published_copy_path

    last = out / str(years[-1])
    names = office_file_names(years[-1])
    wh = warehouse_path(warehouse)
    progress.done(
        "\n".join(
            [
                "示例完成 / demo finished. 结果在 / results are in:",
                f"  报送材料 / sample packages:  {folder}/2023, {folder}/2024",
                f"  评价工作簿 / office workbook: {last / names['workbook']}",
                f"  HTML 报告 / HTML report:      {last / names['report']}",
                f"  数据质量 / data quality:       {last / names['dq_report']}",
                f"  评分明细 / score details:      {last / names['details']}",
                f"  Parquet:                       {last}/*.parquet",
                f"  结果表 / result tables:        {wh} (schema results)",
                f"  只读副本 / read-only copy:     {published_copy_path(wh)}",
            ]
        )
    )


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", help="Where to write the .xlsx template.")],
) -> None:
    """Write the empty report workbook that carriers fill in (空白报送模板)."""
    from orchestration.publish.template import write_template

    path = write_template(out)
    typer.echo(f"模板已生成 / template written: {path}")


@app.command("adjustments")
def adjustments_command(
    template: Annotated[
        bool, typer.Option("--template", help="Write the empty adjustments workbook.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where to write the .xlsx file.")
    ] = None,
) -> None:
    """The office's adjustments file (调整与申诉): `--template --out FILE` writes an empty one."""
    if not template or out is None:
        raise typer.BadParameter("use: carrier-assess adjustments --template --out FILE")
    from orchestration.publish.adjustments_template import write_adjustments_template

    path = write_adjustments_template(out)
    typer.echo(f"调整文件模板已生成 / adjustments template written: {path}")


@app.command()
def rulebook(
    year: YearOpt,
    out: Annotated[Path, typer.Option("--out", help="Where to write the rulebook YAML.")],
) -> None:
    """Write the default rulebook of a year, the one a run would use (默认评价规则)."""
    from scoring.rulebook import default_rulebook_text

    text, source_year = default_rulebook_text(year)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    origin = (
        f"{year} 年度默认规则 / the bundled {year} default"
        if source_year == year
        else f"沿用 {source_year} 年度默认规则 / the bundled {source_year} default"
    )
    typer.echo(f"规则文件已生成 / rulebook written: {out} ({origin})")


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder for the packages.")] = Path("reports"),
    scale: Annotated[float, typer.Option("--scale", help="1 = a district of ~60 carriers.")] = 1.0,
    years: Annotated[str, typer.Option("--years", help="Comma-separated years.")] = "2023,2024",
) -> None:
    """Write a sample district's report packages without running the batch (示例数据)."""
    from orchestration.sample import generate_sample

    year_list = tuple(int(y) for y in years.split(",") if y.strip())
    generate_sample(out, years=year_list, scale=scale)
    folders = ", ".join(str(out / str(y)) for y in year_list)
    typer.echo(f"示例材料已生成 / sample packages written: {folders}")


@app.command()
def bench(
    scale: Annotated[
        str, typer.Option("--scale", help="district | province | national")
    ] = "district",
    workdir: Annotated[
        Path, typer.Option("--workdir", help="Scratch folder (emptied first).")
    ] = Path("bench"),
    record: Annotated[
        bool,
        typer.Option(
            "--record/--no-record",
            help="Add the result to docs/benchmarks.md (the scale's older section moves to "
            "docs/benchmarks-results.md).",
        ),
    ] = True,
    repeat: Annotated[
        int | None,
        typer.Option(
            "--repeat",
            help="Cold runs of the year, each from the same state; the median is reported "
            "[default: 3 at district scale, else 1].",
        ),
    ] = None,
    decision: Annotated[
        bool,
        typer.Option(
            "--decision",
            help="Also time whatif (a cold process) and the robustness draws on the warehouse "
            "the bench published.",
        ),
    ] = False,
    run_batch: Annotated[
        bool,
        typer.Option(
            "--run/--no-run",
            help="With --decision: --no-run reuses the warehouse already in --workdir.",
        ),
    ] = True,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            help="Another bench workdir (same scale): fail unless every result table and "
            "Parquet file is identical to its.",
        ),
    ] = None,
    profile: Annotated[
        int,
        typer.Option("--profile", help="Write DuckDB's profile of the N costliest models."),
    ] = 0,
) -> None:
    """Generate a year at the given scale, run the batch cold, print time and memory per step."""
    from orchestration.bench import SCALES, append_to_doc, format_result, run_bench
    from orchestration.config import PROJECT_DIR

    if scale not in SCALES:
        raise typer.BadParameter(f"--scale must be one of {', '.join(SCALES)}")
    if decision and not run_batch:
        from orchestration.bench.decision import measure

        typer.echo(measure(workdir.resolve() / "warehouse.duckdb", 2024, workdir.resolve()).text())
        return
    runs = repeat if repeat is not None else (3 if scale == "district" else 1)
    result = run_bench(
        scale,
        workdir.resolve(),
        repeat=max(1, runs),
        compare=compare.resolve() if compare else None,
        profile=profile,
    )
    typer.echo(format_result(result))
    if record:
        append_to_doc(result, PROJECT_DIR / "docs" / "benchmarks.md")
    if result.exit_code == 0 and result.differences:
        raise typer.Exit(1)
    if decision and result.exit_code == 0:
        from orchestration.bench.decision import measure

        typer.echo(measure(workdir.resolve() / "warehouse.duckdb", 2024, workdir.resolve()).text())
    raise typer.Exit(result.exit_code)


@app.command()
def whatif(
    year: YearOpt,
    rules: Annotated[
        Path, typer.Option("--rules", help="The rulebook YAML to compare (e.g. a changed copy).")
    ],
    warehouse: WarehouseOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder [default: out/whatif/<year>]")
    ] = None,
) -> None:
    """Score the published year again under another rulebook and compare; publishes nothing
    (规则变更影响对比)."""
    from orchestration.errors import PipelineError
    from orchestration.whatif import run_whatif

    try:
        outcome = run_whatif(year, rules, warehouse=warehouse, out=out)
    except PipelineError as exc:
        typer.echo(f"未对比 / not compared: {exc.reason}", err=True)
        raise typer.Exit(int(exc.code)) from None
    times = ", ".join(f"{k} {v:.2f} s" for k, v in outcome.timings.items())
    typer.echo(f"对比完成 / compared: {outcome.one_line()}")
    typer.echo(f"  用时 / time: {times} (total {sum(outcome.timings.values()):.2f} s)")
    for path in outcome.files.values():
        typer.echo(f"  {path}")


@app.command()
def docs(
    out: Annotated[Path, typer.Option("--out", help="Folder for the site.")] = Path("out/docs"),
    warehouse: WarehouseOpt = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Write the result tables' data dictionary (docs/results.md) here instead.",
        ),
    ] = None,
) -> None:
    """Build dbt's documentation site offline (one static HTML page) (数据模型文档)."""
    if results is not None:
        from scoring.results_contract import render_markdown

        results.write_text(render_markdown(), encoding="utf-8")
        typer.echo(f"数据字典已生成 / data dictionary written: {results}")
        return
    from orchestration.config import warehouse_path
    from orchestration.transform import build_docs

    page = build_docs(warehouse=warehouse_path(warehouse), out_dir=out)
    typer.echo(f"文档已生成 / docs written: {page}")


def main() -> None:
    """The `carrier-assess` console script: the app, then a quick exit.

    Once a command has returned, every file and database it opened is closed (each step closes
    what it opens). What remains is the interpreter's own teardown, freeing dbt's, Great
    Expectations' and polars' objects one by one: ~0.6 s of a 10 s district run
    (docs/benchmarks.md). So the process leaves after its exit handlers, without it
    (`internals.cpython.leave`). An exception still ends the usual way, with its traceback.
    """
    import sys

    from orchestration.collector import collect_less
    from orchestration.internals.cpython import DOOR, leave

    collect_less()
    DOOR.is_open()  # checked at start-up: said in the log before the run, not after it
    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):  # SystemExit("message"): print it, as the interpreter would
        print(code, file=sys.stderr)
        code = 1
    leave(code if isinstance(code, int) else 0 if code is None else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
