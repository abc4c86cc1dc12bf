"""row_values (parsed once per row) and value_lookups (once per distinct value) are the same
expressions: a column moved from one to the other stages the same values and the same failures
(macros/value_lookups.sql). Compiled by dbt, run on DuckDB, over awkward cells."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.transform import load_or_parse_manifest, run_dbt

pytestmark = pytest.mark.slow

DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

COLUMNS = {
    "patents": ["patent_no", "uscc"],
    "high_tech": ["certificate_no"],
    "tenants": ["revenue"],
}


def _probe(dataset: str, names: list[str]) -> str:
    """Both paths over `probe_<dataset>`, side by side per row."""
    selected = ",\n".join(
        f"    probe_{dataset}_by_row._parsed_{n} as row_{n}, _v_{n}._parsed as lookup_{n},\n"
        f"    probe_{dataset}_by_row._failure_{n} as row_failure_{n}, "
        f"_v_{n}._failure as lookup_failure_{n}"
        for n in names
    )
    return (
        "with\n"
        f"probe_{dataset} as (select * from probe_input_{dataset}),\n"
        f"{{{{ value_lookups('{dataset}', 'probe_{dataset}', {names}) }}}},\n"
        f"{{{{ row_values('{dataset}', 'probe_{dataset}', {names}) }}}}\n"
        f"select probe_{dataset}_by_row.i,\n{selected}\n"
        f"from probe_{dataset}_by_row\n"
        f"{{{{ lookup_joins('{dataset}', 'probe_{dataset}_by_row', {names}) }}}}\n"
        "order by probe_" + dataset + "_by_row.i"
    )


CELLS = [
    None,
    "",
    "   ",
    "#REF!",
    "#N/A",
    "无",
    "202310123456.6",
    "ZL 2023 1 0123456.6",
    "ZL202310123456.6",
    "CN202310123456.X",
    "2023101234566",
    "202310123456.7",
    "ＺＬ２０２３１０１２３４５６．６",
    "98123456.X",
    "981234561",
    "91320000MA1234567X",
    "91320000 MA1234567X",
    "９１３２００００ＭＡ１２３４５６７Ｘ",
    "9132000MA12345",
    "GR202432000021",
    "GR 2024 32 000021",
    "gr202432000021",
    "GR2024320000",
    "100",
    "1,234.5",
    "约50万",
    "50万",
    "-3",
    "12..5",
    "1e3",
    "（100）",
    "壹佰",
    "一段很长的文字" * 50,
]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("row_values")
    manifest = load_or_parse_manifest(root / "wh.duckdb", root / "target")  # parsed once
    out = {}
    for dataset, names in COLUMNS.items():
        result = run_dbt(
            ["compile", "--inline", _probe(dataset, names)],
            warehouse=root / "wh.duckdb",
            target_path=root / f"target_{dataset}",
            manifest=manifest,
        )
        assert result.compiled_sql, f"dbt compile --inline returned no SQL for {dataset}"
        out[dataset] = result.compiled_sql[0]
    return out


@pytest.mark.parametrize("dataset", list(COLUMNS))
def test_by_row_and_by_value_stage_the_same(compiled: dict[str, str], dataset: str) -> None:
    names = COLUMNS[dataset]
    columns = [f"{n} varchar" for n in names]
    if dataset == "tenants":
        columns += ["revenue__header_unit varchar"]
    with duckdb.connect(config=DUCKDB_CONFIG) as con:
        con.execute(f"create table probe_input_{dataset} (i integer, {', '.join(columns)})")
        rows = []
        for i, cell in enumerate(CELLS):
            values = [cell] * len(names)
            if dataset == "tenants":
                values += [["万元", "元", None][i % 3]]
            rows.append([i, *values])
        placeholders = ", ".join("?" * (len(names) + 1 + (dataset == "tenants")))
        con.executemany(f"insert into probe_input_{dataset} values ({placeholders})", rows)
        got = con.execute(compiled[dataset]).fetchall()
    assert len(got) == len(CELLS)
    failures = 0
    for row in got:
        pairs = row[1:]
        for by_row, by_value in zip(pairs[0::2], pairs[1::2], strict=True):
            assert by_row == by_value, (row[0], CELLS[row[0]], by_row, by_value)
        failures += sum(value is not None for value in pairs[2::4])
    assert failures, "the cells include ones that fail a check"
