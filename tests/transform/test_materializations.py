"""The project's own `table` and `incremental` materialisations (macros/materializations.sql):
one statement per model, and still atomic. The real dbt and DuckDB, on a tiny project in a
temporary folder whose macro folder is the project's file itself (so the test runs what the
batch runs): a failing model keeps its previous table, a view becomes a table, an incremental
model appends and is rebuilt on --full-refresh, and a view over a replaced table reads the new
rows, and an enforced contract is checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration import transform
from orchestration.config import PROJECT_DIR

pytestmark = pytest.mark.slow

PROFILE = """\
tiny:
  target: local
  outputs:
    local:
      type: duckdb
      path: "{path}"
      threads: 2
      config_options:
        autoinstall_known_extensions: false
        autoload_known_extensions: false
"""

PROJECT = """\
name: tiny
version: "1.0"
config-version: 2
profile: tiny
model-paths: ["models"]
macro-paths: ["macros"]
flags:
  send_anonymous_usage_stats: false
"""

MODELS = {
    # the value, or an error, as the run's vars say
    "numbers.sql": (
        "{{ config(materialized=var('kind', 'table')) }}\n"
        "{% if var('fail', false) %}select error('boom') as v"
        "{% else %}select {{ var('v', 1) }} as v{% endif %}\n"
    ),
    "appended.sql": (
        "{{ config(materialized='incremental') }}\n"
        "{% if var('fail', false) %}select error('boom') as v"
        "{% else %}select {{ var('v', 1) }} as v{% endif %}\n"
    ),
    # an enforced contract, as the marts have; another type or an extra column breaks it
    "typed.sql": (
        "{{ config(materialized='table') }}\nselect 7::{{ var('type', 'bigint') }} as v"
        "{% if var('extra', false) %}, 1 as extra{% endif %}\n"
    ),
    "typed.yml": (
        "models:\n  - name: typed\n    config:\n      contract: {enforced: true}\n"
        "    columns:\n      - name: v\n        data_type: bigint\n"
    ),
    "over_numbers.sql": (
        "{{ config(materialized='view') }}\nselect v * 10 as w from {{ ref('numbers') }}\n"
    ),
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    project = tmp_path / "tiny"
    (project / "models").mkdir(parents=True)
    (project / "macros").mkdir()
    shutil.copy(PROJECT_DIR / "macros" / "materializations.sql", project / "macros")
    (project / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (project / "profiles.yml").write_text(
        PROFILE.format(path=tmp_path / "tiny.duckdb"), encoding="utf-8"
    )
    for name, sql in MODELS.items():
        (project / "models" / name).write_text(sql, encoding="utf-8")
    return project


def _build(project: Path, *args: str, **vars_: object) -> bool:
    from dbt.cli.main import dbtRunner

    command = ["build", "--quiet", "--project-dir", str(project), "--profiles-dir", str(project)]
    command += ["--target-path", str(project / "target"), "--log-path", str(project / "logs")]
    if vars_:
        command += ["--vars", repr(dict(vars_))]
    try:
        return bool(dbtRunner().invoke([*command, *args]).success)
    finally:
        transform.release_dbt_connections()


def _read(project: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(project.parent / "tiny.duckdb"), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _kind(project: Path, name: str) -> str:
    sql = "select table_type from information_schema.tables where table_name = ?"
    return _read(project, sql, [name])[0][0]


def test_a_table_is_replaced_and_a_failing_model_keeps_the_previous_one(tiny: Path) -> None:
    assert _build(tiny, v=1)
    assert _build(tiny, v=2)
    assert _read(tiny, "select v from numbers") == [(2,)]
    assert _read(tiny, "select w from over_numbers") == [(20,)]  # the view reads the new table
    assert not _build(tiny, "--select", "numbers", fail=True)
    assert _read(tiny, "select v from numbers") == [(2,)]
    # nothing left behind by the failed statement
    names = {r[0] for r in _read(tiny, "select table_name from information_schema.tables")}
    assert names == {"numbers", "appended", "over_numbers", "typed"}
    # one statement per model: no temporary or backup relation, as dbt-duckdb's own makes
    # (views keep dbt-duckdb's materialisation)
    log = (tiny / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert 'create or replace table "tiny"."main"."numbers"' in log
    assert "numbers__dbt_" not in log.replace("over_numbers__dbt_", "")
    assert "appended__dbt_" not in log


def test_a_view_becomes_a_table(tiny: Path) -> None:
    assert _build(tiny, "--select", "numbers", kind="view", v=3)
    assert _kind(tiny, "numbers") == "VIEW"
    assert _build(tiny, "--select", "numbers", v=4)
    assert _kind(tiny, "numbers") == "BASE TABLE"
    assert _read(tiny, "select v from numbers") == [(4,)]


def test_an_incremental_model_appends_and_full_refresh_rebuilds_it(tiny: Path) -> None:
    assert _build(tiny, "--select", "appended", v=1)
    assert _build(tiny, "--select", "appended", v=2)
    assert _read(tiny, "select v from appended order by v") == [(1,), (2,)]
    assert not _build(tiny, "--select", "appended", fail=True)
    assert _read(tiny, "select v from appended order by v") == [(1,), (2,)]
    assert _build(tiny, "--select", "appended", "--full-refresh", v=5)
    assert _read(tiny, "select v from appended") == [(5,)]


def test_an_enforced_contract_is_checked(tiny: Path) -> None:
    assert _build(tiny, "--select", "typed")
    sql = "select data_type from information_schema.columns where table_name = 'typed'"
    assert _read(tiny, sql) == [("BIGINT",)]
    assert not _build(tiny, "--select", "typed", type="integer")
    assert not _build(tiny, "--select", "typed", extra=True)
    log = (tiny / "logs" / "dbt.log").read_text(encoding="utf-8")
    assert "This model has an enforced contract that failed" in log
    assert _read(tiny, "select v from typed") == [(7,)]
