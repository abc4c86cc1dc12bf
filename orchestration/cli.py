"""The `carrier-assess` command line. It parses arguments and calls the pipeline; nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="科创载体年度绩效评价 / Yearly assessment of science and technology innovation carriers.",
)


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", help="Where to write the .xlsx template.")],
) -> None:
    """Write the empty report workbook that carriers fill in (空白报送模板)."""
    from orchestration.template import write_template

    path = write_template(out)
    typer.echo(f"模板已生成 / template written: {path}")


if __name__ == "__main__":  # pragma: no cover
    app()
