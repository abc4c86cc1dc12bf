"""Run dbt in-process, and keep the dbt files that derive from the contract in step with it.

Two jobs live here because both are "the dbt side of the batch":

- `run_dbt` / `build` / `build_docs`: call dbt through the in-process `dbtRunner` (STACK.md: it
  saves ~1.4 s per call over a subprocess), with the warehouse, year, target and log paths set
  explicitly, and release dbt-duckdb's connection afterwards so the next step can open the file.
- `contract_artifacts` / `write_contract_artifacts`: the seeds and the Jinja macro that carry the
  contract's enum labels, Chinese headers and column types into dbt. They are generated from
  `orchestration/contract/datasets.yaml`; a test fails when the committed files drift from it.
  Regenerate with `python -m orchestration.transform codegen`.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import pickle
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.config import PROJECT_DIR, WAREHOUSE_ENV, dbt_target_dir
from orchestration.errors import ExitCode, PipelineError

if TYPE_CHECKING:  # the contract (pydantic) is imported where it is used: the CLI imports this
    from orchestration.contract import Column  # module to start the dbt process, and no more

# --------------------------------------------------------------------------------------------
# Running dbt
# --------------------------------------------------------------------------------------------

_FAILED_STATUSES = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class NodeOutcome:
    """One node of a dbt run: what it was, how it ended, and dbt's message."""

    unique_id: str
    resource_type: str
    status: str
    message: str
    failures: int | None
    execution_time: float

    @property
    def failed(self) -> bool:
        return self.status in _FAILED_STATUSES


@dataclass(frozen=True)
class DbtRunResult:
    """What `run_dbt` hands back: the command, whether it succeeded, and every node's outcome."""

    args: tuple[str, ...]
    success: bool
    nodes: tuple[NodeOutcome, ...] = ()
    elapsed_seconds: float = 0.0
    compiled_sql: tuple[str, ...] = field(default=(), repr=False)
    parsed_manifest: object | None = field(default=None, repr=False)
    """The Manifest a `parse` command hands back (cached: `load_or_parse_manifest`)."""

    @property
    def failed_nodes(self) -> tuple[NodeOutcome, ...]:
        return tuple(node for node in self.nodes if node.failed)

    def count(self, resource_type: str, status: str | None = None) -> int:
        return sum(
            1
            for node in self.nodes
            if node.resource_type == resource_type and (status is None or node.status == status)
        )

    def model_seconds(self) -> dict[str, float]:
        """Each model's execution time as dbt reports it (unique id -> seconds)."""
        return {n.unique_id: n.execution_time for n in self.nodes if n.resource_type == "model"}

    def one_line(self) -> str:
        """A short summary for the progress display."""
        by_type: dict[str, int] = {}
        for node in self.nodes:
            by_type[node.resource_type] = by_type.get(node.resource_type, 0) + 1
        parts = ", ".join(f"{n} {kind}" for kind, n in sorted(by_type.items()))
        state = "ok" if self.success else f"{len(self.failed_nodes)} failed"
        command = self.args[0] if self.args else ""
        seconds = f"{self.elapsed_seconds:.1f} s"
        return f"dbt {command}: {parts or 'nothing'} ({state}, {seconds})"


class DbtRunError(PipelineError):
    """dbt did not succeed; the message names each failing node and dbt's message for it."""

    def __init__(self, result: DbtRunResult, detail: str | None = None) -> None:
        self.result = result
        self.detail = detail
        failed = result.failed_nodes
        if failed:
            lines = [
                f"{node.unique_id} [{node.status}]: {_first_line(node.message)}" for node in failed
            ]
            what = "; ".join(lines)
        else:
            what = detail or "dbt stopped before running any node (see the dbt log)"
        reason = f"清洗与建模失败 / dbt {' '.join(result.args[:1])} failed: {what}"
        super().__init__(ExitCode.TRANSFORM, reason)

    def __reduce__(self) -> tuple[Any, ...]:  # raised in the dbt worker, raised again here
        return DbtRunError, (self.result, self.detail)


def _first_line(message: str | None, limit: int = 400) -> str:
    text = " ".join((message or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@contextlib.contextmanager
def _environment(overrides: dict[str, str]) -> Iterator[None]:
    """Set env vars for the duration of one dbt call, then put the old values back."""
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def release_dbt_connections() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after an in-process run, so the caller
    can open the file straight away (`internals.dbt_duckdb.close_environment`)."""
    from orchestration.internals.dbt_duckdb import close_environment

    close_environment()


def run_dbt(
    args: Sequence[str],
    *,
    warehouse: Path,
    target_path: Path | None = None,
    quiet: bool = True,
    raise_on_failure: bool = True,
    manifest: object | None = None,
) -> DbtRunResult:
    """Run one dbt command in-process on `warehouse`.

    The project and profile are the installed dbt project (orchestration.config.PROJECT_DIR);
    dbt's target folder is the one given, else beside the warehouse (`_target_dir`), with its logs
    inside. The models build every loaded year, so no year goes to dbt: the
    parsed project is the same for every year and partial parsing stays valid between years.
    `manifest`: a project already parsed (`load_or_parse_manifest`), so dbt skips parsing. Raises
    DbtRunError naming the failing nodes unless `raise_on_failure` is off. dbt's DuckDB
    connection is always closed on return, so the caller can open the warehouse straight away.
    """
    from dbt.cli.main import dbtRunner

    args = [str(a) for a in args]
    if not args:
        raise ValueError("run_dbt needs a dbt command, e.g. ['build']")
    warehouse = Path(warehouse).expanduser().resolve()
    target = _target_dir(target_path, warehouse)
    log_path = target / "logs"
    command = [
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(log_path),
    ]
    command.insert(1, "--no-use-colors")
    if quiet:
        command.insert(1, "--quiet")
    env = {
        WAREHOUSE_ENV: str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PARTIAL_PARSE": "true",
    }
    started = time.perf_counter()
    try:
        with _environment(env):
            res = dbtRunner(manifest=manifest).invoke(command)  # type: ignore[arg-type]
    finally:
        release_dbt_connections()
    elapsed = time.perf_counter() - started
    nodes, compiled = _node_outcomes(res.result)
    result = DbtRunResult(
        args=tuple(args),
        success=bool(res.success),
        nodes=nodes,
        elapsed_seconds=elapsed,
        compiled_sql=compiled,
        parsed_manifest=res.result if args[0] == "parse" and res.success else None,
    )
    if raise_on_failure and not result.success:
        detail = _first_line(str(res.exception)) if res.exception else None
        raise DbtRunError(result, detail)
    return result


def _target_dir(target_path: Path | None, warehouse: Path) -> Path:
    """dbt's target folder: the one given, else $DBT_TARGET_PATH (a private target: tests,
    bench), else the warehouse's (`config.dbt_target_dir`: beside it, so writable wherever
    the package is installed)."""
    if target_path is None and os.environ.get("DBT_TARGET_PATH"):
        target_path = Path(os.environ["DBT_TARGET_PATH"])
    return Path(target_path).resolve() if target_path else dbt_target_dir(warehouse)


def _node_outcomes(results: object) -> tuple[tuple[NodeOutcome, ...], tuple[str, ...]]:
    """Flatten dbt's RunExecutionResult (or nothing, for parse errors) into NodeOutcomes."""
    outcomes: list[NodeOutcome] = []
    compiled: list[str] = []
    for item in getattr(results, "results", None) or ():
        node = getattr(item, "node", None)
        if node is None:
            continue
        status = str(getattr(item.status, "value", item.status))
        outcomes.append(
            NodeOutcome(
                unique_id=node.unique_id,
                resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
                status=status,
                message=str(item.message or ""),
                failures=item.failures,
                execution_time=float(item.execution_time or 0.0),
            )
        )
        sql = getattr(node, "compiled_code", None)
        if sql:
            compiled.append(sql)
    return tuple(outcomes), tuple(compiled)


def build(
    warehouse: Path,
    select: Sequence[str] | None = None,
    *,
    target_path: Path | None = None,
    quiet: bool = True,
) -> DbtRunResult:
    """`dbt build`: seeds, models, unit and data tests, in dependency order."""
    args = ["build"]
    if select:
        args += ["--select", *select]
    return run_dbt(args, warehouse=warehouse, target_path=target_path, quiet=quiet)


PIPELINE_EXCLUDE = ("resource_type:test", "resource_type:unit_test")
"""What the batch leaves out of `dbt build`: dbt's data and unit tests are development-time
tests (`make test` and tests/ run them on small data); the Great Expectations gate decides
publishing (DESIGN.md). Skipping them saves ~2/3 of the transform step (docs/benchmarks.md)."""

UNCHANGED_EXCLUDE = ("resource_type:seed", "config.materialized:view")
"""What a build with unchanged code leaves as it is: seeds and views depend only on the code."""

FINGERPRINT_TABLE = "staging._code_fingerprint"
"""Where the batch records the fingerprint of the dbt code the staged tables were built with."""


class Unread:
    """The stored fingerprint was not read by the caller (`build_models` reads it)."""


UNREAD = Unread()


def code_fingerprint() -> str:
    """SHA-256 over the dbt project's own files (models, macros, seeds, dbt_project.yml) and the
    dbt versions. Staging is incremental (macros/incremental_staging.sql); when this changes,
    rows staged by the old code are stale and the batch rebuilds them all (`--full-refresh`)."""
    files = [PROJECT_DIR / "dbt_project.yml", *_files_under(("models", "macros", "seeds"))]
    return _digest(files).hexdigest()


def _files_under(folders: Sequence[str]) -> list[Path]:
    """Every file under the project's given folders (those that exist), in a stable order."""
    files: list[Path] = []
    for folder in folders:
        if (PROJECT_DIR / folder).is_dir():
            files += sorted(p for p in (PROJECT_DIR / folder).rglob("*") if p.is_file())
    return files


def _digest(files: Sequence[Path]) -> hashlib._Hash:
    """SHA-256 over the dbt versions and the given files (their paths and bytes)."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb", "duckdb"):
        digest.update(f"{package}=={version(package)}\n".encode())
    for path in files:
        digest.update(path.relative_to(PROJECT_DIR).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest


DBT_SOURCE_FOLDERS = ("models", "macros", "seeds", "tests/dbt", "analyses", "snapshots")
"""Every folder dbt_project.yml names (model, macro, seed, test, analysis, snapshot paths)."""

MANIFEST_CACHE = "carrier_assess_manifest.pickle"
"""The parsed project, kept in the dbt target folder with the key it was parsed under."""


def manifest_key(warehouse: Path) -> str:
    """What a parsed dbt project depends on: every file dbt reads to parse it (dbt_project.yml,
    profiles.yml and every file of its source folders), the dbt and DuckDB versions, where the
    project lives, and the values of the environment variables those files read with
    `env_var()`, the warehouse path among them. Any change gives another key."""
    files = [
        PROJECT_DIR / "dbt_project.yml",
        PROJECT_DIR / "profiles.yml",
        *_files_under(DBT_SOURCE_FOLDERS),
    ]
    digest = _digest(files)
    digest.update(str(PROJECT_DIR).encode() + b"\0")
    environ = {**os.environ, WAREHOUSE_ENV: str(Path(warehouse).expanduser().resolve())}
    names = set()
    for path in files:
        if path.suffix in (".sql", ".yml", ".yaml"):
            names.update(_ENV_VAR.findall(path.read_text(encoding="utf-8", errors="replace")))
    for name in sorted(names):
        digest.update(f"{name}={environ.get(name)!r}\n".encode())
    return digest.hexdigest()


_ENV_VAR = re.compile(r"""env_var\(\s*['"]([^'"]+)['"]""")


def load_or_parse_manifest(warehouse: Path, target_path: Path | None = None) -> object | None:
    """The parsed dbt project: from the cache in the target folder when it was parsed under the
    same `manifest_key`, else parsed by `dbt parse` (and cached). None when parsing failed.

    dbt's own partial parsing still takes ~1 s for this project (it re-reads and re-checks
    every file); loading the pickled manifest takes ~0.02 s (docs/benchmarks.md). The key is
    stricter than partial parsing's own checks: any byte of any file dbt reads, the versions
    and the environment it renders. On a dbt version the cache was not written for
    (`internals.dbt`), dbt parses every time (with its partial parsing) and nothing is cached."""
    from orchestration.internals import dbt as dbt_internals

    if not dbt_internals.DOOR.is_open():
        res = run_dbt(
            ["parse"], warehouse=warehouse, target_path=target_path, raise_on_failure=False
        )
        return res.parsed_manifest
    key = manifest_key(warehouse)
    cache = _target_dir(target_path, warehouse) / MANIFEST_CACHE
    with contextlib.suppress(Exception), cache.open("rb") as handle:
        if pickle.load(handle) == key:  # the key first: a stale manifest is never unpickled
            return dbt_internals.load_manifest(handle)
    res = run_dbt(["parse"], warehouse=warehouse, target_path=target_path, raise_on_failure=False)
    if res.parsed_manifest is not None:
        with contextlib.suppress(Exception):
            partial = cache.with_name(cache.name + ".tmp")
            with partial.open("wb") as handle:
                pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
                dbt_internals.dump_manifest(res.parsed_manifest, handle)
            os.replace(partial, cache)
    return res.parsed_manifest


def stored_fingerprint(con: Any) -> str | None:
    """The fingerprint of the dbt code the warehouse was last built with (None: never built
    here), read on an open connection: the main process reads it while ingest holds the
    warehouse and hands it to the build (`BuildWorker.build`), which then need not open the
    warehouse once more before dbt does."""
    import duckdb

    try:
        rows = con.execute(f"select fingerprint from {FINGERPRINT_TABLE}").fetchall()
    except duckdb.CatalogException:
        return None
    return str(rows[0][0]) if rows else None


def _stored_fingerprint(warehouse: Path) -> str | None:
    from orchestration.lock import connect

    with connect(warehouse) as con:
        return stored_fingerprint(con)


def _store_fingerprint(warehouse: Path, fingerprint: str) -> None:
    from orchestration.lock import connect

    with connect(warehouse) as con:
        con.execute(
            f"create or replace table {FINGERPRINT_TABLE} as select ? as fingerprint", [fingerprint]
        )


def warm_up(warehouse: Path, target_path: Path | None, manifest: object | None) -> bool:
    """Take dbt's first-call costs before the build, without touching the warehouse.

    A `dbt ls` over the parsed project runs everything a build runs before its first query:
    the ~90 modules dbt imports only then (the DuckDB adapter, `duckdb`, the tasks), the
    validation schemas it builds on first use, the adapter's registration and the project's
    graph (~0.3 s of the transform step at district scale, docs/benchmarks.md). `ls` opens no
    connection, so it runs while the main process still holds the warehouse. It lists the
    project's exposures (there are none): nothing is printed. Whether it worked or not, the
    build that follows is the same; returns whether it did."""
    if manifest is None:
        return False
    from orchestration.internals import dbt as dbt_internals
    from orchestration.internals import dbt_duckdb

    dbt_internals.preimport_build_modules()
    dbt_duckdb.preimport_build_modules()
    result = run_dbt(
        ["ls", "--no-write-json", "--resource-type", "exposure"],
        warehouse=warehouse,
        target_path=target_path,
        raise_on_failure=False,
        manifest=manifest,
    )
    return result.success


def build_models(
    warehouse: Path,
    *,
    target_path: Path | None = None,
    quiet: bool = True,
    manifest: object | None = None,
    stored: str | None | Unread = UNREAD,
) -> DbtRunResult:
    """The batch's `dbt build`: seeds and models only, in dependency order.

    Staged rows of unchanged years are kept (incremental staging), and seeds and views are left
    as they are; when the dbt code changed since the last build here, or nothing was recorded
    yet, everything is rebuilt (`--full-refresh`).
    `--no-write-json`: the batch reads dbt's results in-process; writing manifest.json and
    run_results.json cost ~1 s (docs/benchmarks.md). `manifest`: the parsed project
    (`load_or_parse_manifest`); without it dbt parses first. `stored`: the warehouse's stored
    fingerprint if the caller read it (`stored_fingerprint`); else it is read here."""
    fingerprint = code_fingerprint()
    if isinstance(stored, Unread):
        stored = _stored_fingerprint(warehouse)
    if stored != fingerprint:
        args = ["build", "--no-write-json", "--full-refresh", "--exclude", *PIPELINE_EXCLUDE]
    else:
        # Same code as the last build here: the seeds and the views are as that build left
        # them, so only the tables are rebuilt (28 dbt nodes fewer; docs/benchmarks.md).
        args = ["build", "--no-write-json", "--exclude", *PIPELINE_EXCLUDE, *UNCHANGED_EXCLUDE]
    result = run_dbt(
        args, warehouse=warehouse, target_path=target_path, quiet=quiet, manifest=manifest
    )
    _store_fingerprint(warehouse, fingerprint)
    return result


def build_docs(warehouse: Path, out_dir: Path) -> Path:
    """Generate dbt's documentation as one static, offline HTML page; return its path."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    run_dbt(
        ["docs", "generate", "--static"],
        warehouse=warehouse,
        target_path=out_dir / "target",
    )
    page = out_dir / "index.html"
    page.write_bytes((out_dir / "target" / "static_index.html").read_bytes())
    return page


# --------------------------------------------------------------------------------------------
# Contract-derived dbt files (seeds and the contract macro)
# --------------------------------------------------------------------------------------------

ENUM_LABELS_SEED = PROJECT_DIR / "seeds" / "enum_labels.csv"
ENUM_CODES_SEED = PROJECT_DIR / "seeds" / "enum_codes.csv"
DATASET_COLUMNS_SEED = PROJECT_DIR / "seeds" / "dataset_columns.csv"
CONTRACT_MACRO = PROJECT_DIR / "macros" / "contract_columns.sql"
STAGING_MODELS_YML = PROJECT_DIR / "models" / "staging" / "_staging__models.yml"

_GENERATED_NOTE = (
    "generated by `python -m orchestration.transform codegen` from "
    "orchestration/contract/datasets.yaml; do not edit by hand"
)


def enum_match_key(label: str) -> str:
    """The form an enum label is matched in: what `normalize_text` gives, without any spaces,
    lower-cased. Mirrors macros/enum_code.sql."""
    text = unicodedata.normalize("NFKC", label)
    return re.sub(r"\s+", "", text).lower()


def staged_column_name(column: Column) -> str:
    """The staging name of a contract column: money columns carry `_wan` (docs/architecture.md)."""
    return f"{column.name}_wan" if column.type == "money" else column.name


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def contract_artifacts() -> dict[Path, str]:
    """The text every contract-derived file must have, keyed by path."""
    from orchestration.contract import datasets

    label_rows = [["dataset", "column_name", "label", "code"]]
    code_rows = [["dataset", "column_name", "code", "label_zh"]]
    column_rows = [
        ["dataset", "column_name", "staged_column", "header_zh", "column_type", "is_required"]
    ]
    macro_data: dict[str, list[dict[str, object]]] = {}
    for name, dataset in datasets().items():
        macro_cols: list[dict[str, object]] = []
        for col in dataset.columns:
            column_rows.append(
                [
                    name,
                    col.name,
                    staged_column_name(col),
                    col.zh,
                    col.type,
                    "true" if col.required else "false",
                ]
            )
            enum_map: dict[str, str] = {}
            seen_codes: list[str] = []
            for label, code in col.values.items():
                code_text = str(code)
                label_rows.append([name, col.name, label, code_text])
                enum_map[enum_match_key(label)] = code_text
                if code_text not in seen_codes:
                    seen_codes.append(code_text)
                    code_rows.append([name, col.name, code_text, label])
            for code_text in seen_codes:  # the canonical code itself is accepted too
                enum_map.setdefault(enum_match_key(code_text), code_text)
            macro_cols.append(
                {
                    "name": col.name,
                    "zh": col.zh,
                    "type": col.type,
                    "required": col.required,
                    "staged": staged_column_name(col),
                    "labels": list(col.values),
                    "enum": enum_map,
                }
            )
        macro_data[name] = macro_cols
    # JSON in a Jinja string, read with fromjson: Jinja parses a dict literal this size in
    # ~0.1 s (more when dbt's threads race to compile it), every process that renders the
    # models; a string literal in ~2 ms (docs/benchmarks.md).
    body = (
        "{\n"
        + ",\n".join(
            f" {json.dumps(name)}: [\n"
            + ",\n".join(f"  {json.dumps(col, ensure_ascii=False)}" for col in cols)
            + "\n ]"
            for name, cols in macro_data.items()
        )
        + "\n}"
    )
    macro = (
        f"{{#- The contract's columns per dataset, {_GENERATED_NOTE}.\n"
        "    Each column: name, zh (Chinese header), type, required, staged (staging column\n"
        "    name), labels (enum labels as in the contract), enum (match key -> code). -#}\n"
        "{% macro contract_columns(dataset) -%}\n"
        "    {{ return(_contract_datasets()[dataset]) }}\n"
        "{%- endmacro %}\n\n"
        "{% macro contract_column(dataset, column_name) -%}\n"
        "    {%- for col in _contract_datasets()[dataset] if col.name == column_name -%}\n"
        "        {{ return(col) }}\n"
        "    {%- endfor -%}\n"
        "    {{ exceptions.raise_compiler_error("
        "'no contract column ' ~ dataset ~ '.' ~ column_name) }}\n"
        "{%- endmacro %}\n\n"
        "{% macro _contract_datasets() -%}\n"
        f"{{{{ return(fromjson('{_jinja_string_body(body)}')) }}}}\n"
        "{%- endmacro %}\n"
    )
    return {
        STAGING_MODELS_YML: _staging_models_yml(),
        ENUM_LABELS_SEED: _csv(label_rows),
        ENUM_CODES_SEED: _csv(code_rows),
        DATASET_COLUMNS_SEED: _csv(column_rows),
        CONTRACT_MACRO: macro,
    }


def _jinja_string_body(text: str) -> str:
    """`text` as the inside of a single-quoted Jinja string literal: Jinja reads backslash
    escapes in string literals, so backslashes and quotes are escaped to come back unchanged."""
    return text.replace("\\", "\\\\").replace("'", "\\'")


_META_DOCS = {
    "_assessment_year": "The assessment year of the package the row came in (INTEGER).",
    "_run_id": "The run that loaded the raw row.",
    "_source_file": "The report file, relative to the year's package folder.",
    "_file_sha256": "sha256 of the report file's bytes.",
    "_sheet": "The sheet name as in the workbook; '' for a CSV.",
    "_source_row": "The row number a spreadsheet shows (for CSV the line number, header = 1).",
    "_row_id": "`<dataset>:<year>:<file>:<sheet>:<row>`: the raw row's id, unique across years.",
}

CHECK_NAMES = (
    "formula_error",
    "required_missing",
    "unreadable_date",
    "unreadable_amount",
    "unreadable_integer",
    "unreadable_number",
    "unreadable_yes_no",
    "unknown_label",
    "negative_amount",
    "negative_area",
    "negative_number",
    "malformed_uscc",
    "uscc_check_failed",
    "malformed_patent_no",
    "patent_no_check_failed",
    "patent_type_mismatch",
    "malformed_certificate_no",
    "certificate_year_mismatch",
    "carrier_name_conflict",
)
"""Every check_name staging can write (macros/staging_checks.sql documents each)."""


def _column_doc(dataset: str, col: Column) -> str:
    """What a staged column holds, for the yml docs."""
    req = ", required" if col.required else ""
    if col.name == "carrier_id":
        what = "text, normalised (normalize_text) and upper-cased"
    elif col.name == "patent_no":
        what = (
            "canonical patent number `202310123456.6` (old form `98123456.X`); check character"
            " verified and type digit agreeing with patent_type"
        )
    elif col.name == "certificate_no":
        what = "`GR` + year + province + serial, upper-case; the year is the issue date's"
    elif col.type == "string":
        what = "text, normalised (full-width to half-width, spaces collapsed, trimmed)"
    elif col.type == "uscc":
        what = "18-character unified social credit code, upper-case, check character verified"
    elif col.type == "date":
        what = "DATE (parse_date)"
    elif col.type == "money":
        what = (
            "DECIMAL(18,4) in 万元 (parse_money: unit from the value, else the header, else 万元)"
        )
        if dataset == "financing":
            what = what.replace("else the header", "else 金额单位, else the header")
    elif col.type == "int":
        what = "INTEGER, zero or more"
    elif col.type == "decimal":
        what = "DOUBLE, square metres, zero or more"
    elif col.type == "bool":
        what = "BOOLEAN (是/否, Y/N, yes/no, true/false, 1/0, √/×)"
    else:
        codes = list(dict.fromkeys(str(v) for v in col.values.values()))
        what = f"canonical code: {', '.join(codes)}"
        if col.name == "award_rank":
            what = "INTEGER code: 1, 2, 3 (一/二/三等奖), 9 (优胜奖)"
    return f"{col.zh}{req}: {what}."


def _staging_models_yml() -> str:
    """`_staging__models.yml`: docs and data tests of every staging model, from the contract."""
    from orchestration.contract import datasets

    y: list[str] = [
        f"# {_GENERATED_NOTE}.",
        "# Unit tests of the cleaning macros are in _staging__unit_tests.yml (hand-written).",
        "version: 2",
        "",
        "models:",
    ]

    def col(name: str, doc: str, tests: list[str] | None = None) -> None:
        y.append(f"      - name: {name}")
        y.append(f"        description: {json.dumps(doc, ensure_ascii=False)}")
        if tests:
            y.append("        data_tests:")
            y.extend(f"          - {t}" for t in tests)

    def meta(with_row_id_tests: bool) -> None:
        # raw's metadata is ingest's to guarantee; staging tests the id it derives from it
        for name, doc in _META_DOCS.items():
            tests = ["not_null", "unique"] if with_row_id_tests and name == "_row_id" else None
            col(name, doc, tests)

    for name, dataset in datasets().items():
        kept = [c for c in dataset.columns if not (name == "financing" and c.name == "amount_unit")]
        # stg_<dataset>
        y += [
            f"  - name: stg_{name}",
            "    description: >",
            f"      {dataset.sheet_zh} ({name}), the rows that pass every check: {dataset.grain}.",
            "      Typed and normalised; not yet de-duplicated (intermediate does that).",
            "    data_tests:",
            "      - every_raw_row_staged_once:",
            "          arguments:",
            f"            dataset: {name}",
            "    columns:",
        ]
        meta(with_row_id_tests=True)
        for c in kept:
            tests: list[str] = ["not_null"] if c.required else []
            if c.type == "enum":
                codes = list(dict.fromkeys(str(v) for v in c.values.values()))
                quote = "false" if c.name == "award_rank" else "true"
                tests.append(
                    "accepted_values: {arguments: {values: ["
                    + ", ".join(json.dumps(v) if quote == "true" else v for v in codes)
                    + f"], quote: {quote}}}}}"
                )
            col(staged_column_name(c), _column_doc(name, c), tests or None)
        # stg_<dataset>__checked
        y += [
            f"  - name: stg_{name}__checked",
            "    description: >",
            f"      Every raw {name} row, parsed once, with the list of checks it fails. Staging's",
            f"      own plumbing: stg_{name} and stg_{name}__rejected read it so nothing is parsed",
            "      twice; a value that cannot be parsed is NULL here.",
            "    columns:",
        ]
        meta(with_row_id_tests=False)
        for c in dataset.columns:
            doc = _column_doc(name, c)
            if name == "financing" and c.name == "amount_unit":
                doc = "金额单位: canonical code (10k_cny, cny, 100m_cny); consumed by amount_wan."
            col(staged_column_name(c), doc + " NULL when it cannot be read.")
        col(
            "_failures",
            "The failed checks: list of STRUCT(column_name, check_name, value_as_written,"
            " message); empty when the row passes.",
        )
        col(
            "_failed_checks",
            "The failures as `column:check`, comma-joined; '' when the row passes.",
        )
        # stg_<dataset>__rejected
        y += [
            f"  - name: stg_{name}__rejected",
            "    description: >",
            f"      One row per (raw {name} row, failing check): the staging part of the",
            "      data-quality issues. A row with several failures appears once per failure.",
            "    columns:",
        ]
        col(
            "dataset", "The dataset key.", [f"accepted_values: {{arguments: {{values: [{name}]}}}}"]
        )
        for m in ("_assessment_year", "_source_file", "_sheet", "_source_row", "_row_id"):
            col(m, _META_DOCS[m], ["not_null"] if m == "_row_id" else None)
        col("column_name", "The contract column (raw column name) that failed.", ["not_null"])
        col(
            "check_name",
            "The check, short snake_case (see macros/staging_checks.sql).",
            [
                "not_null",
                "accepted_values: {arguments: {values: [" + ", ".join(CHECK_NAMES) + "]}}",
            ],
        )
        col("value_as_written", "The cell as written in the report (NULL when empty).")
        col(
            "message",
            "中文 / English: the column's Chinese header, the value and what was expected.",
            ["not_null"],
        )
    return "\n".join(y) + "\n"


def write_contract_artifacts() -> list[Path]:
    """Write every contract-derived file; return those whose text changed."""
    changed: list[Path] = []
    for path, text in contract_artifacts().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def __getattr__(name: str) -> Any:
    """`transform.BuildWorker`: the dbt worker, in `orchestration.transform.build_worker`
    (imported on first use: it imports this module)."""
    if name == "BuildWorker":
        from orchestration.transform.build_worker import BuildWorker

        return BuildWorker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
