"""Security checks that need no pipeline run: the template holds no formula, the office
workbook writer keeps hostile text as text, and SQL in orchestration/ is never built by pasting
values (a static review of every f-string that looks like SQL).

The end-to-end checks (a hostile carrier name through the whole batch into the HTML reports and
the workbook, hostile file names) are in test_bad_rows.py, on its one pipeline run.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import openpyxl
import pytest

from orchestration.publish import workbook_cells
from orchestration.publish.template import write_template

ROOT = Path(__file__).resolve().parents[2]
TRIGGERS = ("=", "+", "-", "@")
HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "=1+1",
]


def test_template_holds_no_formula(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    workbook = openpyxl.load_workbook(path)
    cells = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                cells += cell.value is not None
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: {cell.value!r}"
    assert cells > 50  # the template was really read


@pytest.mark.parametrize("text", HOSTILE)
def test_write_cell_keeps_formula_like_text_as_a_string(tmp_path: Path, text: str) -> None:
    """Every kind the workbook writer knows, fed text that a spreadsheet would evaluate."""
    import xlsxwriter

    path = tmp_path / "cells.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    ws = workbook.add_worksheet("s")
    fmt = workbook_cells.Formats(workbook)
    kinds = ["text", "money", "ratio", "score", "number", "int", "date", "datetime"]
    for col, kind in enumerate(kinds):
        workbook_cells.write_cell(ws, fmt, 0, col, text, kind)
    workbook.close()
    ws2 = openpyxl.load_workbook(path).active
    for col, kind in enumerate(kinds, start=1):
        cell = ws2.cell(row=1, column=col)
        assert cell.data_type != "f", kind
        if cell.value is not None:
            assert cell.value == text, kind


# --------------------------------------------------------------------------------------------
# SQL is never built by pasting values

SQL_WORDS = re.compile(
    r"\b(select|insert|delete|update|create|alter|drop|attach|copy|from|where|values)\b", re.I
)
QUOTING_HELPERS = {"_q", "_quote", "_relation", "_sql_literal"}
"""Functions that quote an identifier (`"..."`, doubling quotes) or a literal (`'...'`)."""

REVIEWED: dict[str, set[str]] = {
    # Keyed by the file's path under orchestration/ (every sub-package is scanned).
    # audit/narrowing.py: the narrowing SQL is assembled from fragments that themselves hold only
    # quoted identifiers and `$pN` placeholders bound through `bind()` (prefilter_sql);
    # `relation` is _relation(...) of a suite's table name, `rid`/`window_sql`/`order` come
    # from code; `selected` is those same columns, `p.key` a uniqueness check's _q(...) columns,
    # `counts` the predicates' fragments.
    "audit/narrowing.py": {
        "', '.join(select_cols + derived_sql)",
        "', '.join(selected)",
        "', '.join(counts) or 'count(*)'",
        "p.key",
        "rid",
        "relation",
        "window_sql",
        "head",
        "picks",
        "out_cols",
        "counts",
        "' or '.join(predicates)",
        "pred",
        "p.sql",
        "p.order",
        "int(cap) + 1",
    },
    # audit/reading.py: `relation` is _relation(...) of a suite's table name; the columns are
    # _q(...) names; `derived_sql` holds the code constant DERIVED_COLUMNS behind _q(...) aliases;
    # `sql` is a Narrowing's own SQL (audit/narrowing.py above), wrapped to read no rows.
    "audit/reading.py": {
        "relation",
        "', '.join((f't.{_q(c)}' for c in columns))",
        "derived_sql",
        "sql",
    },
    # bench/models.py: the benchmark's counts over dbt's manifest relations, its own generated
    # CSV paths (quotes doubled) and integer table indexes, and the catalogue's result tables.
    "bench/models.py": {"relation", "index", "quoted", "table"},
    # bench/bare.py: a developer benchmark that replays dbt's own compiled SQL into a scratch file.
    "bench/bare.py": {"quoted", "catalog", "model['relation_name']"},
    # ingest/stray_year.py: `table` is _q(schema).._q(dataset); `norm(alias)` joins _q(key
    # column)s of a code constant behind a code alias ('r', 't').
    "ingest/stray_year.py": {"table", "norm('r')", "norm('t')"},
    # ingest/raw_tables.py: `target` is _q(schema).._q(table); `body`/`t` are column DDL from
    # the contract.
    "ingest/raw_tables.py": {"target", "body", "t"},
    # publish/tables.py: `target` is quoted schema.table; `columns` joined _quote(...) names;
    # the type comes from DuckDB's own catalogue.
    "publish/tables.py": {"target", "columns", "col_type"},
    # score/__init__.py: MART_FILTERS is a code constant: mart names and `$year`-parameterised
    # conditions.
    "score/__init__.py": {"mart", "condition"},
    # transform/staging_yml.py: YAML for dbt (accepted_values tests), not SQL.
    "transform/staging_yml.py": {"name", "values", "quote"},
    # runlog.py: the added runs columns and their types are a code constant (RUNS_ADDED_COLUMNS).
    "runlog.py": {"column", "sql_type"},
    # rederive.py: two fixed fragments chosen by whether results.run_rulebooks exists.
    "rederive.py": {"rulebook_cols", "join"},
    # audit/yearcheck.py: dataset and date column names from the code constant EVENT_DATES;
    # the year is bound as a parameter.
    "audit/yearcheck.py": {"column", "dataset", "' union all '.join(parts)"},
    # audit/dq_carriers.py: `by_number` is a fixed fragment of `?` placeholders, one per row
    # number, the numbers bound as parameters.
    "audit/dq_carriers.py": {"by_number"},
    # cli.py: a printed line, not SQL.
    "cli.py": {"published_copy_path(wh)"},
}


def _allowed(file: str, expr: ast.expr) -> bool:
    """An interpolation is allowed when it quotes, is a constant, or is a reviewed site."""
    quoted = isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name)
    if quoted and expr.func.id in QUOTING_HELPERS:  # type: ignore[union-attr]
        return True
    if isinstance(expr, ast.Name) and expr.id.isupper():  # a module constant (RESULTS_SCHEMA)
        return True
    return ast.unparse(expr) in REVIEWED.get(file, set())


def _sql_fstrings(root: Path = ROOT) -> list[tuple[str, int, str]]:
    """Every interpolation in an f-string that reads like SQL: (file, line, expression)."""
    sites = []
    for path in sorted((root / "orchestration").rglob("*.py")):
        name = path.relative_to(root / "orchestration").as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if not SQL_WORDS.search(literal):
                continue
            for value in node.values:
                if isinstance(value, ast.FormattedValue) and not _allowed(name, value.value):
                    sites.append((name, node.lineno, ast.unparse(value.value)))
    return sites


def test_sql_fstrings_interpolate_only_quoted_identifiers_or_reviewed_code() -> None:
    assert _sql_fstrings() == []


def test_the_static_check_catches_a_pasted_value(tmp_path: Path) -> None:
    """The check must fail on the mistake it guards against, in a step package too."""
    fake = tmp_path / "orchestration" / "step"
    fake.mkdir(parents=True)
    bad = "def f(con, name):\n    con.execute(f\"select * from t where name = '{name}'\")\n"
    (fake.parent / "bad.py").write_text(bad)
    (fake / "bad.py").write_text(bad)
    assert _sql_fstrings(tmp_path) == [("bad.py", 2, "name"), ("step/bad.py", 2, "name")]


def test_execute_calls_never_use_percent_or_format() -> None:
    """The other ways of pasting: `"..." % x` and `"...".format(x)` inside execute/sql calls."""
    offenders = []
    for path in sorted((ROOT / "orchestration").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("execute", "executemany", "sql", "query") or not node.args:
                continue
            first = node.args[0]
            pasted = (isinstance(first, ast.BinOp) and isinstance(first.op, ast.Mod)) or (
                isinstance(first, ast.Call)
                and isinstance(first.func, ast.Attribute)
                and first.func.attr == "format"
            )
            if pasted:
                offenders.append((path.name, node.lineno))
    assert offenders == []
