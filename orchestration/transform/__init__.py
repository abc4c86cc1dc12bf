"""The transform step: dbt builds the cleaned, de-duplicated and modelled layers from raw.

Reads: the warehouse's `raw.*` tables (what ingest loaded) and the dbt project (models, macros,
seeds; `orchestration.config.PROJECT_DIR`). Writes: the `staging`, `intermediate` and `marts`
schemas and the `reference` seeds, through `dbt build` run in-process (`build_models`), in a
process of its own during a run (`BuildWorker`).

Modules: `dbt_runner` (one dbt command in-process), `dbt_results` (what it hands back),
`batch_build` (the batch's build), `fingerprint` (which code the warehouse was built with),
`manifest_cache` (the parsed project kept across processes), `warm_up`, `build_worker`, and
`codegen` (the dbt files generated from the contract: `python -m orchestration.transform
codegen`).
"""

from orchestration.transform.batch_build import PIPELINE_EXCLUDE, build_models, build_threads
from orchestration.transform.build_worker import BuildWorker
from orchestration.transform.codegen import contract_artifacts, write_contract_artifacts
from orchestration.transform.dbt_results import DbtRunError, DbtRunResult, NodeOutcome
from orchestration.transform.dbt_runner import build, build_docs, release_dbt_connections, run_dbt
from orchestration.transform.fingerprint import code_fingerprint, stored_fingerprint
from orchestration.transform.manifest_cache import load_or_parse_manifest
from orchestration.transform.warm_up import warm_up

__all__ = [
    "PIPELINE_EXCLUDE",
    "BuildWorker",
    "DbtRunError",
    "DbtRunResult",
    "NodeOutcome",
    "build",
    "build_docs",
    "build_models",
    "build_threads",
    "code_fingerprint",
    "contract_artifacts",
    "load_or_parse_manifest",
    "release_dbt_connections",
    "run_dbt",
    "stored_fingerprint",
    "warm_up",
    "write_contract_artifacts",
]
