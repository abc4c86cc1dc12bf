"""The project's own `table` and `incremental` materialisations (macros/materializations.sql)
honour only some of dbt's model configs. Every table and incremental model of the project, as
dbt parses it, asks for nothing else: a model that sets `grants`, `persist_docs`, `indexes`,
`on_schema_change`, a `unique_key`, another incremental strategy, a foreign key or Python
fails here, before a build silently ignores it."""

from __future__ import annotations

from typing import Any

import pytest

from orchestration import transform

HONOURED = {
    # dbt's own, whatever the materialisation: naming, selection, documentation, access
    "enabled", "alias", "schema", "database", "tags", "meta", "group", "access", "docs",
    "packages", "static_analysis", "materialized",
    # what macros/materializations.sql does with them
    "pre-hook", "post-hook", "contract", "full_refresh",
}  # fmt: skip

NOT_HONOURED_DEFAULTS: dict[str, Any] = {
    "grants": {},
    "persist_docs": {},
    "on_schema_change": "ignore",
    "on_configuration_change": "apply",
    "quoting": {},
    "column_types": {},
    "event_time": None,
    "batch_size": None,
    "lookback": 1,
    "begin": None,
    "concurrent_batches": None,
    "freshness": None,
}
"""Configs the materialisations ignore, with dbt's defaults: a model may only leave them be."""


def unhonoured(config: dict[str, Any], language: str = "sql", constraints=()) -> list[str]:
    """What of one table or incremental model's config the materialisations would ignore."""
    found = [
        f"{key}={value!r}"
        for key, value in sorted(config.items())
        if key not in HONOURED
        and key not in ("incremental_strategy", "unique_key")
        and (key not in NOT_HONOURED_DEFAULTS or value != NOT_HONOURED_DEFAULTS[key])
    ]
    if config.get("incremental_strategy") not in (None, "append"):
        found.append(f"incremental_strategy={config['incremental_strategy']!r}")
    if config.get("unique_key") is not None:
        found.append(f"unique_key={config['unique_key']!r}")
    if language != "sql":
        found.append(f"language={language}")
    found += [f"constraint={c}" for c in constraints if c == "foreign_key"]
    return found


def test_the_check_sees_what_the_materialisations_ignore():
    base = {"materialized": "table", "schema": "marts", "grants": {}, "unique_key": None}
    assert unhonoured(base) == []
    grants = {"select": ["office"]}
    assert unhonoured({**base, "grants": grants}) == ["grants={'select': ['office']}"]
    assert unhonoured({**base, "indexes": [{"columns": ["a"]}]}) == ["indexes=[{'columns': ['a']}]"]
    assert unhonoured({**base, "persist_docs": {"relation": True}})
    assert unhonoured({**base, "on_schema_change": "append_new_columns"})
    assert unhonoured({**base, "incremental_strategy": "merge", "unique_key": "id"}) == [
        "incremental_strategy='merge'",
        "unique_key='id'",
    ]
    assert unhonoured(base, language="python") == ["language=python"]
    assert unhonoured(base, constraints=["not_null", "foreign_key"]) == ["constraint=foreign_key"]


@pytest.mark.slow
def test_no_model_asks_for_a_config_the_materialisations_ignore(tmp_path):
    manifest = transform.load_or_parse_manifest(tmp_path / "w.duckdb", tmp_path / "target")
    checked, offenders = 0, {}
    for node in manifest.nodes.values():
        ours = node.config.materialized in ("table", "incremental")
        if node.resource_type != "model" or not ours:
            continue
        checked += 1
        constraints = [str(getattr(c.type, "value", c.type)) for c in node.constraints]
        for column in node.columns.values():
            constraints += [str(getattr(c.type, "value", c.type)) for c in column.constraints]
        found = unhonoured(node.config.to_dict(), str(node.language), constraints)
        if found:
            offenders[node.unique_id] = found
    assert checked >= 20  # the staging tables, intermediate and marts
    assert offenders == {}
