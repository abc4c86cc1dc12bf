"""The bench's per-model view: where the time of the dbt build goes, the floor the national year
is held against, and the check that a change left every result as it was.

Called from orchestration/bench/run.py and bare.py (a few lines each):

- `execute_models`: the bare baseline runs the compiled models one by one, timed each; with
  `profile`, DuckDB's own profile of the named models (operators, their time and rows: what is
  scanned, joined, sorted) goes to text files (`profile_models`).
- `model_rows`: each model's rows after the measured run (for an incremental staging model, the
  rows of the measured year: what the run inserted).
- `model_table` / `format_models` / `models_markdown`: the per-model table, from the measured
  run's dbt results (each node's `execution_time`, handed back by `dbtRunner` in the run's
  metrics: the batch writes no run_results.json) beside the bare seconds and the rows.
- `measure_floor`: DuckDB reading the package's CSV files into typed tables, in the same run
  (machines differ in speed; the national target is a multiple of this floor); and the same
  files stored in a database file, as the warehouse keeps its tables, timed beside it.
- `results_fingerprint` / `compare_fingerprints`: every `results.*` table and Parquet file of the
  measured year as a fingerprint (rows, columns, sha256 of the sorted rows as text, without what
  differs between two runs of the same inputs by design), saved in the workdir and compared with
  another bench workdir's (`bench --compare DIR`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FINGERPRINT_FILE = "results_fingerprint.json"
"""Where the bench leaves the measured year's results fingerprint, in its workdir."""

VOLATILE = frozenset(
    {
        "run_id",
        "started_at",
        "finished_at",
        "triggered_by",
        "previous_run_id",
        "code_version",
        "reports_dir",
        "rules_file",
        "out_dir",
    }
)
"""Columns that differ between two runs of the same inputs by design (as tests/golden)."""

_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def short_name(unique_id: str) -> str:
    """`model.carrier_assess.stg_patents__checked` -> `stg_patents__checked`."""
    return unique_id.rsplit(".", 1)[-1]


# --------------------------------------------------------------------------------------------
# The bare run, model by model
# --------------------------------------------------------------------------------------------


def statement(model: dict) -> str:
    """A model's compiled SQL as dbt materialises it: `insert into` for incremental staging,
    `create or replace view|table` otherwise."""
    template = {
        "incremental": "insert into {name} by name\n{sql}",
        "view": "create or replace view {name} as\n{sql}",
    }.get(model["config"]["materialized"], "create or replace table {name} as\n{sql}")
    return template.replace("{name}", model["relation_name"]).replace(
        "{sql}", model["compiled_code"]
    )


def execute_models(
    con: Any, models: list[dict], profile: Iterable[str] = (), profile_dir: Path | None = None
) -> dict[str, float]:
    """Run each model's statement in order on `con`; return wall seconds per model (short
    name) and, under `cpu:<name>`, the process's CPU seconds for it (all DuckDB threads: less
    sensitive than wall time to other load on the machine).

    For the models named in `profile`, DuckDB's profiler (`enable_profiling`, public settings)
    writes the executed statement's operator tree with each operator's time and rows to
    `profile_dir/<model>.txt`; profiling costs a little, so their seconds are not comparable.
    """
    wanted = set(profile)
    seconds: dict[str, float] = {}
    for model in models:
        name = short_name(model["unique_id"])
        profiled = name in wanted and profile_dir is not None
        if profiled:
            assert profile_dir is not None
            profile_dir.mkdir(parents=True, exist_ok=True)
            con.execute("set enable_profiling = 'json'")
            out = str(profile_dir / f"{name}.json").replace("'", "''")
            con.execute(f"set profiling_output = '{out}'")  # our own path; SET binds no params
        start, cpu = time.perf_counter(), time.process_time()
        try:
            con.execute(statement(model))
        finally:
            seconds[name] = time.perf_counter() - start
            seconds[f"cpu:{name}"] = time.process_time() - cpu
            if profiled:
                con.execute("set enable_profiling = 'no_output'")
                con.execute("reset profiling_output")
    return seconds


def profile_models(
    warehouse: Path, target: Path, year: int, names: Iterable[str], out_dir: Path
) -> list[Path]:
    """A separate bare pass (on a copy of the warehouse) that profiles the named models; the
    profile files' paths. The measured bare runs stay unprofiled."""
    from orchestration.bench.bare import run_bare

    names = list(names)
    run_bare(warehouse, target, year, profile=names, profile_dir=out_dir)
    return [out_dir / f"{name}.txt" for name in names if (out_dir / f"{name}.txt").exists()]


# --------------------------------------------------------------------------------------------
# Rows and the per-model table
# --------------------------------------------------------------------------------------------


def model_rows(warehouse: Path, models: list[dict], year: int) -> dict[str, int | None]:
    """Rows of each model after the run: a table's rows; an incremental model's rows of `year`
    (what the measured run inserted); None for a view (nothing stored: its cost is the cost of
    the model that reads it)."""
    import duckdb

    rows: dict[str, int | None] = {}
    with duckdb.connect(str(warehouse), read_only=True, config=_CONFIG) as con:
        for model in models:
            kind = model["config"]["materialized"]
            name = short_name(model["unique_id"])
            if kind == "view":
                rows[name] = None
                continue
            relation = model["relation_name"]
            try:
                query = f"select count(*) from {relation}"  # a relation name from dbt's manifest
                params: list[int] = []
                if kind == "incremental":
                    query, params = query + " where _assessment_year = ?", [year]
                rows[name] = int(con.execute(query, params).fetchall()[0][0])
            except duckdb.Error:
                rows[name] = None
    return rows


def model_table(
    order: list[str],
    kinds: dict[str, str],
    dbt_seconds: dict[str, float],
    bare_seconds: dict[str, float],
    rows: dict[str, int | None],
    bare_cpu: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """One row per model in build order: name, materialisation, dbt's execution time in the
    measured run (four threads on two cores: models overlap), the bare sequential seconds, the
    rows; sorted later for display."""
    by_short = {short_name(uid): s for uid, s in dbt_seconds.items()}
    return [
        {
            "model": name,
            "materialized": kinds.get(name, ""),
            "dbt_seconds": by_short.get(name),
            "bare_seconds": bare_seconds.get(name),
            "bare_cpu_seconds": (bare_cpu or {}).get(name),
            "rows": rows.get(name),
        }
        for name in order
    ]


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def _sorted(models: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        models,
        key=lambda m: -(m["bare_seconds"] if m["bare_seconds"] is not None else -1.0),
    )


def format_models(models: list[dict[str, Any]]) -> str:
    """The per-model lines the bench prints, the costliest first."""
    if not models:
        return ""
    lines = [
        "  model                              kind          dbt s   bare s bare CPU s        rows"
    ]
    for m in _sorted(models):
        lines.append(
            f"  {m['model']:<34} {m['materialized']:<11} {_num(m['dbt_seconds'], '8.2f')} "
            f"{_num(m['bare_seconds'], '8.2f')} {_num(m.get('bare_cpu_seconds'), '10.2f')} "
            f"{_num(m['rows'], '11,')}"
        )
    return "\n".join(lines)


def models_markdown(models: list[dict[str, Any]]) -> list[str]:
    """The per-model table for docs/benchmarks.md, the costliest first."""
    if not models:
        return []
    lines = [
        "| model | materialised | dbt s (in the run) | bare s (alone) | bare CPU s | rows |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for m in _sorted(models):
        lines.append(
            f"| {m['model']} | {m['materialized']} | {_num(m['dbt_seconds'], '.2f')} | "
            f"{_num(m['bare_seconds'], '.2f')} | {_num(m.get('bare_cpu_seconds'), '.2f')} | "
            f"{_num(m['rows'], ',')} |"
        )
    return lines


def collect(
    manifest_models: list[dict],
    metrics: dict[str, Any],
    bare: dict[str, float] | None,
    warehouse: Path,
    year: int,
) -> list[dict[str, Any]]:
    """The per-model table of one measured run: dbt's seconds from the run's metrics (the
    transform step's `parts`), the bare run's seconds (`model:<name>` keys of `run_bare`), the
    rows counted in the warehouse the run built."""
    transform = next((s for s in metrics.get("steps", []) if s.get("name") == "transform"), {})
    dbt_seconds = {str(k): float(v) for k, v in (transform.get("parts") or {}).items()}
    bare_seconds = {
        key.split(":", 1)[1]: value
        for key, value in (bare or {}).items()
        if key.startswith("model:") and not key.startswith("model:cpu:")
    }
    bare_cpu = {
        key.split(":", 2)[2]: value
        for key, value in (bare or {}).items()
        if key.startswith("model:cpu:")
    }
    order = [short_name(m["unique_id"]) for m in manifest_models]
    kinds = {short_name(m["unique_id"]): m["config"]["materialized"] for m in manifest_models}
    rows = model_rows(warehouse, manifest_models, year)
    return model_table(order, kinds, dbt_seconds, bare_seconds, rows, bare_cpu)


# --------------------------------------------------------------------------------------------
# The floor: DuckDB reading the package's CSVs into typed tables
# --------------------------------------------------------------------------------------------


def measure_floor(reports: Path, stored: Path | None = None) -> dict[str, float]:
    """Seconds for DuckDB to read every CSV file of the package `reports` into typed tables
    (its own type detection, all cores, an in-memory database), and the rows read; a file
    DuckDB cannot read as it is (the small samples plant broken ones) is left out. The batch
    does more (every row checked, parsed, kept with its source), so this is a floor, not a
    target; measured in the same bench run because machines differ in speed.

    `stored`: a database file to read the same files into as well, checkpointed (compressed and
    written, as the warehouse keeps its tables) and closed inside the time, `stored_seconds`,
    then removed: what keeping the inputs once costs, beside the floor (docs/benchmarks.md)."""
    import duckdb

    files = sorted(Path(reports).rglob("*.csv"))
    with duckdb.connect(":memory:", config=_CONFIG) as con:
        seconds, read = _create_tables(con, files)
        counts = [con.execute(f"select count(*) from t{index}").fetchall() for index in read]
        rows = sum(int(count[0][0]) for count in counts)
    result = {"seconds": seconds, "rows": float(rows), "files": float(len(read))}
    if stored is not None and read:
        stored.unlink(missing_ok=True)
        try:
            start = time.perf_counter()
            with duckdb.connect(str(stored), config=_CONFIG) as con:
                _create_tables(con, [files[i] for i in read])
                con.execute("checkpoint")
            result["stored_seconds"] = time.perf_counter() - start
        finally:
            stored.unlink(missing_ok=True)
            stored.with_name(f"{stored.name}.wal").unlink(missing_ok=True)
    return result


def _create_tables(con: Any, files: list[Path]) -> tuple[float, list[int]]:
    """Seconds to read `files` into tables t<i> of `con`, and the indexes i of those read."""
    import duckdb

    read: list[int] = []
    start = time.perf_counter()
    for index, path in enumerate(files):
        quoted = str(path).replace("'", "''")  # our own generated path
        try:
            con.execute(
                f"create table t{index} as select * from read_csv('{quoted}', header = true)"
            )
        except duckdb.Error:  # the sample's deliberately broken files (small scales)
            continue
        read.append(index)
    return time.perf_counter() - start, read


# --------------------------------------------------------------------------------------------
# Identical results: a fingerprint of the measured year's results
# --------------------------------------------------------------------------------------------


def frame_fingerprint(frame: Any) -> dict[str, object]:
    """Rows, columns and the sha256 of the rows as canonical text, sorted (volatile columns
    aside): equal for equal tables, whatever their row order."""
    import polars as pl

    keep = sorted(c for c in frame.columns if c not in VOLATILE)
    text = frame.select(keep).cast({c: pl.String for c in keep}).fill_null("∅")
    rows = sorted("\x1f".join(row) for row in text.iter_rows())
    digest = hashlib.sha256("\x1e".join(rows).encode("utf-8")).hexdigest()
    return {"rows": frame.height, "columns": keep, "sha256": digest}


def results_fingerprint(warehouse: Path, out_root: Path) -> dict[str, object]:
    """Every `results.*` table (every year the bench ran; the runs table: its published rows)
    and every Parquet file under `out_root/<year>/`."""
    import duckdb
    import polars as pl

    prints: dict[str, object] = {}
    with duckdb.connect(str(warehouse), read_only=True, config=_CONFIG) as con:
        tables = con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'results' order by table_name"
        ).fetchall()
        for (table,) in tables:
            frame = pl.from_arrow(con.sql(f'select * from results."{table}"').to_arrow_table())
            assert isinstance(frame, pl.DataFrame)
            if table == "runs" and "status" in frame.columns:
                frame = frame.filter(pl.col("status") == "published")
            prints[f"table:{table}"] = frame_fingerprint(frame)
    for path in sorted(Path(out_root).glob("*/*.parquet")):
        frame = pl.read_parquet(path)
        if path.stem == "runs" and "status" in frame.columns:
            frame = frame.filter(pl.col("status") == "published")
        prints[f"parquet:{path.parent.name}/{path.name}"] = frame_fingerprint(frame)
    return prints


def write_fingerprint(workdir: Path, warehouse: Path, out_root: Path) -> Path:
    path = Path(workdir) / FINGERPRINT_FILE
    prints = results_fingerprint(warehouse, out_root)
    path.write_text(json.dumps(prints, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_fingerprint(where: Path) -> dict[str, object]:
    """A saved fingerprint: the file itself, or a bench workdir holding one."""
    path = Path(where)
    if path.is_dir():
        path = path / FINGERPRINT_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def compare_fingerprints(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What moved, one line each (empty: identical results)."""
    lines = []
    for key in sorted(set(expected) | set(actual)):
        want, got = expected.get(key), actual.get(key)
        if want is None or got is None:
            lines.append(f"{key}: {'new' if want is None else 'missing'}")
        elif want != got:
            what = [f for f in ("rows", "columns", "sha256") if want[f] != got[f]]
            lines.append(f"{key}: {', '.join(what)} differ ({want['rows']} → {got['rows']} rows)")
    return lines


def summarize_profile(path: Path, top: int = 12) -> str:
    """The costliest operators of a JSON profile (`execute_models` with `profile`), one line
    each: seconds (the operator's own), rows out, operator, and what it works on."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    flat: list[tuple[float, int, str, str]] = []

    def walk(node: dict) -> None:
        info = node.get("extra_info") or {}
        what = "; ".join(
            f"{k}: {' '.join(str(v).split())}"
            for k, v in info.items()
            if k
            in (
                "Table",
                "Conditions",
                "Join Type",
                "Groups",
                "Aggregates",
                "Expression",
                "Projections",
                "Filters",
                "Order By",
                "CTE Name",
                "Function",
            )
        )
        flat.append(
            (
                float(node.get("timing", 0.0)),
                int(node.get("intermediate_rows", 0)),
                node.get("name", ""),
                what,
            )
        )
        for child in node.get("children", []):
            walk(child)

    for root in doc.get("operator", []):
        walk(root)
    query = doc.get("query", {})
    lines = [f"{Path(path).stem}: CPU {float(query.get('cpu_time', 0.0)):.2f} s"]
    for seconds, rows, name, what in sorted(flat, key=lambda f: -f[0])[:top]:
        lines.append(f"  {seconds:7.3f} s {rows:>11,} rows  {name:<22} {what[:220]}")
    return "\n".join(lines)
