"""The framework-free baseline: the batch's own compiled model SQL, in dbt's order, in one
DuckDB connection, then the same scoring, on a copy of the warehouse a measured run built."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from orchestration.bench import models as bench_models


def model_order(manifest: dict) -> list[dict]:
    """The manifest's models in dependency order (dbt's own DAG, depth first)."""
    nodes = {
        uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] == "model"
    }
    ordered: list[dict] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes:
            return
        seen.add(uid)
        for dep in nodes[uid]["depends_on"]["nodes"]:
            visit(dep)
        ordered.append(nodes[uid])

    for uid in sorted(nodes):
        visit(uid)
    return ordered


def compile_models(warehouse: Path, target: Path) -> None:
    """Write the models' compiled SQL to `target`/manifest.json (the batch's build does not write
    it: `--no-write-json`). Compiled against the warehouse as the run left it, so incremental
    models compile to their incremental form, as they ran."""
    from orchestration import transform

    transform.run_dbt(
        ["compile", "--exclude", *transform.PIPELINE_EXCLUDE],
        warehouse=warehouse,
        target_path=target,
    )


def run_bare(
    warehouse: Path,
    target: Path,
    year: int,
    *,
    keep_copy: bool = False,
    profile: list[str] | None = None,
    profile_dir: Path | None = None,
) -> dict[str, float]:
    """The framework-free baseline: the same compiled model SQL, in dbt's order, in one DuckDB
    connection, then the same scoring, on a copy of the warehouse the batch just built.

    The copy is first put back to where the measured run's transform started: the year's rows
    leave the incremental staging tables (what their pre-hook does after a new ingest). Then each
    model runs as dbt materialises it: incremental models `insert into … <SQL>`, views
    `create or replace view`, tables `create or replace table`. Returns seconds for `sql` (all
    models), `score` (read marts + score) and `total`. The copy is attached under the catalog
    name the compiled SQL uses, so the SQL runs unchanged.
    """
    compile_models(warehouse, target)
    models = _compiled_models(target)
    copy = warehouse.with_name("bare.duckdb")
    shutil.copyfile(warehouse, copy)
    times, per_model = _replay(copy, models, year, profile or (), profile_dir)
    if not keep_copy:
        copy.unlink(missing_ok=True)
    return times | {f"model:{name}": seconds for name, seconds in per_model.items()}


def _compiled_models(target: Path) -> list[dict]:
    """The models of `target`/manifest.json in dependency order, each with its compiled SQL."""
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    models = model_order(manifest)
    missing = [m["unique_id"] for m in models if not m.get("compiled_code")]
    if missing:
        raise RuntimeError(f"no compiled SQL in the manifest for {missing[:3]}")
    return models


def _replay(
    copy: Path,
    models: list[dict],
    year: int,
    profile: Sequence[str],
    profile_dir: Path | None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Run the models' SQL and the scoring on the warehouse copy: seconds of `sql`, `score`
    and `total`, and the seconds of each model (bench_models.execute_models)."""
    import duckdb

    from orchestration import score
    from scoring.rulebook import load_rulebook, rulebook_path_for

    catalog = models[0]["database"]
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    rulebook = load_rulebook(rulebook_path_for(year))
    with duckdb.connect(":memory:", config=config) as con:
        quoted = str(copy).replace("'", "''")  # ATTACH takes no parameters; our own path
        con.execute(f"attach '{quoted}' as \"{catalog}\"")
        con.execute(f'use "{catalog}"')
        for model in models:
            if model["config"]["materialized"] == "incremental":
                con.execute(
                    f"delete from {model['relation_name']} where _assessment_year = ?", [year]
                )
        start = time.perf_counter()
        per_model = bench_models.execute_models(con, models, profile, profile_dir)
        sql_done = time.perf_counter()
        inputs = score.load_inputs(con, year)
        score.score(rulebook, year, inputs)
    end = time.perf_counter()
    return {"sql": sql_done - start, "score": end - sql_done, "total": end - start}, per_model
