"""dbt build of staging over a tiny raw layer holding good rows and every kind of bad value.

One build for the module (seeds, the 30 staging models, their data tests and the dbt unit
tests); the tests then read what it wrote.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.config import PROJECT_DIR
from orchestration.contract import datasets
from orchestration.errors import ExitCode
from orchestration.transform import DbtRunError, build, release_dbt_connections, run_dbt
from tests.parsed_dbt import run_dbt_parsed

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location(
    "transform_fixtures", Path(__file__).with_name("conftest.py")
)
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)
write_raw = _fixtures.write_raw
DUCKDB_CONFIG = _fixtures.DUCKDB_CONFIG

U1 = "91320500MA1XY1123E"
U2 = "91350100M000100Y43"
U3 = "913205001347582290"

CARRIER = {
    "carrier_id": "c001",
    "carrier_name": "某某 科技企业孵化器",
    "carrier_type": "科技企业孵化器",
    "level": "省级",
    "town": "甲镇",
    "operator_name": "某某运营有限公司",
    "operator_uscc": U2,
    "operator_kind": "民营",
    "total_area_m2": "1,200",
    "incubation_area_m2": "800平方米",
    "established_date": "2020/1/5",
    "seed_fund": "是",
    "seed_fund_amount": "500000",
    "seed_fund_amount__header_unit": "元",
}
TENANT = {
    "carrier_id": "C001",
    "enterprise_name": "甲公司",
    "uscc": U1,
    "entry_date": "2024年3月5日",
    "tenant_status": "在孵",
    "revenue": "1.2亿元",
    "revenue__header_unit": "元",
}
PATENT = {
    "carrier_id": "C001",
    "enterprise_name": "甲公司",
    "uscc": U1,
    "patent_no": "ZL 2023 1 0123456.6",
    "patent_type": "发明",
    "application_date": "2023-01-10",
    "grant_date": "45356",
}
CERT = {
    "carrier_id": "C001",
    "enterprise_name": "甲公司",
    "uscc": U1,
    "certificate_no": "GR202432001234",
    "issue_date": "2024-10-28",
    "cert_kind": "首次认定",
}
GRAD = {
    "carrier_id": "C001",
    "enterprise_name": "乙公司",
    "uscc": U3,
    "graduation_date": "2024.6.30",
    "graduation_basis": "营业收入达标",
    "landed_in_district": "√",
}
FIN = {
    "carrier_id": "C001",
    "enterprise_name": "甲公司",
    "uscc": U1,
    "financing_date": "20240601",
    "amount": "1000000",
    "amount_unit": "元",
    "amount__header_unit": "万元",
    "financing_kind": "股权投资",
}
AWARD = {
    "carrier_id": "C001",
    "enterprise_name": "甲公司",
    "uscc": U1,
    "competition": "创新创业大赛",
    "award_level": "省级",
    "award_rank": "一等奖",
    "award_date": "2024-09-01",
}
EVAL = {
    "carrier_id": "C001",
    "evaluation_level": "国家级",
    "evaluation_year": "2023",
    "grade": "优秀",
}
RECOG = {
    "carrier_id": "C001",
    "recognized_type": "众创空间",
    "recognized_level": "市级",
    "recognized_date": "2024-05-01",
}
CLAIM = {
    "carrier_id": "C001",
    "claim_kind": "载体改造",
    "claimant_name": "某某运营有限公司",
    "claimant_uscc": U2,
    "amount_audited": "30万元",
}

# dataset -> rows; the comment on each bad row is the (column, check) it must be rejected for
RAW = {
    "carriers": [
        CARRIER,  # row 2
        CARRIER
        | {"carrier_id": "C002", "carrier_type": "孵化中心", "established_date": "2024-02-30"},
        CARRIER
        | {
            "carrier_id": "C003",
            "operator_uscc": "９１３５０１００ｍ０００１００ｙ４３",
            "total_area_m2": "-5",
        },
    ],
    "tenants": [
        TENANT,
        TENANT | {"uscc": "91320500MA1XY1123F"},
        TENANT | {"enterprise_name": "  "},
        TENANT | {"revenue": "12..5", "revenue__header_unit": None},
        TENANT | {"tax_paid": "#REF!"},
    ],
    "patents": [
        PATENT,
        PATENT | {"patent_no": "202320123456.1"},
        PATENT | {"patent_no": "202310123456.5"},
    ],
    "high_tech": [CERT, CERT | {"certificate_no": "GR202332001234"}],
    "graduations": [GRAD, GRAD | {"graduation_basis": "其它"}],
    "financing": [FIN, FIN | {"amount": "-10", "amount_unit": None}],
    "awards": [AWARD, AWARD | {"competition": None}],
    "evaluations": [EVAL, EVAL | {"evaluation_year": "2023.5"}],
    "recognitions": [RECOG, RECOG | {"holder_name": "某服务机构", "holder_uscc": "123"}],
    "subsidy_claims": [CLAIM, CLAIM | {"rent_year_index": "第一年"}],
}

EXPECTED_REJECTIONS = {
    ("carriers", 3, "carrier_type", "unknown_label"),
    ("carriers", 3, "established_date", "unreadable_date"),
    ("carriers", 4, "total_area_m2", "negative_area"),
    ("tenants", 3, "uscc", "uscc_check_failed"),
    ("tenants", 4, "enterprise_name", "required_missing"),
    ("tenants", 5, "revenue", "unreadable_amount"),
    ("tenants", 6, "tax_paid", "formula_error"),
    ("patents", 3, "patent_type", "patent_type_mismatch"),
    ("patents", 4, "patent_no", "patent_no_check_failed"),
    ("high_tech", 3, "certificate_no", "certificate_year_mismatch"),
    ("graduations", 3, "graduation_basis", "unknown_label"),
    ("financing", 3, "amount", "negative_amount"),
    ("awards", 3, "competition", "required_missing"),
    ("evaluations", 3, "evaluation_year", "unreadable_integer"),
    ("recognitions", 3, "holder_uscc", "malformed_uscc"),
    ("subsidy_claims", 3, "rent_year_index", "unreadable_integer"),
}

# A second year whose file name and rows repeat 2024's: ids must stay unique across years
RAW_2023_CARRIERS = [CARRIER | {"_assessment_year": 2023, "established_date": "2020-01-05"}]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("staging")
    warehouse = root / "wh.duckdb"
    counts = write_raw(warehouse, RAW)
    with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
        con.execute(
            "insert into raw.carriers by name select * replace (2023 as _assessment_year)"
            " from raw.carriers where _source_row = 2"
        )
    counts["carriers"] += 1
    result = build(warehouse, ["staging", "resource_type:seed"], target_path=root / "target")
    with duckdb.connect(str(warehouse), config={}) as con:  # not dbt's configuration
        reopened = con.execute("select count(*) from staging.stg_carriers").fetchone()[0]
    return warehouse, result, counts, reopened


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        return con.execute(sql, params or []).fetchall()


def test_build_passes_with_bad_rows_and_runs_every_unit_test(built):
    _, result, _, _ = built
    assert result.success and not result.failed_nodes
    unit_yml = yaml.safe_load((PROJECT_DIR / "models/staging/_staging__unit_tests.yml").read_text())
    assert result.count("unit_test", "pass") == len(unit_yml["unit_tests"]) >= 10
    assert result.count("model", "success") == 30
    assert result.count("test", "pass") > 100


def test_every_raw_row_is_kept_or_rejected_exactly_once(built):
    warehouse, _, counts, _ = built
    for name in datasets():
        raw = query(warehouse, f"select count(*) from raw.{name}")[0][0]
        kept = query(warehouse, f"select count(*) from staging.stg_{name}")[0][0]
        rejected = query(
            warehouse, f"select count(distinct _row_id) from staging.stg_{name}__rejected"
        )[0][0]
        overlap = query(
            warehouse,
            f"select count(*) from staging.stg_{name}"
            f" join staging.stg_{name}__rejected using (_row_id)",
        )[0][0]
        assert raw == counts[name] == kept + rejected, name
        assert overlap == 0, name


def test_rejections_are_exactly_the_bad_values(built):
    warehouse, _, _, _ = built
    got = set()
    for name in datasets():
        got |= set(
            query(
                warehouse,
                "select dataset, _source_row, column_name, check_name"
                f" from staging.stg_{name}__rejected",
            )
        )
    assert got == EXPECTED_REJECTIONS


def test_rejection_messages_name_column_value_and_expectation(built):
    warehouse, _, _, _ = built
    rows = query(
        warehouse,
        "select _row_id, _source_file, _sheet, value_as_written, message"
        " from staging.stg_carriers__rejected where check_name = 'unreadable_date'",
    )
    assert rows == [
        (
            "carriers:2024:carriers.csv::3",
            "carriers.csv",
            "",
            "2024-02-30",
            "【建成投用日期】日期无法识别：2024-02-30"
            "（应为 2024-03-05、2024/3/5、2024年3月5日 等格式，且须为真实存在的日期）"
            " / Unreadable date '2024-02-30' in 建成投用日期"
            " (expected a real date in a form such as 2024-03-05, 2024/3/5, 2024年3月5日)",
        )
    ]
    headers = {(n, c.name): c.zh for n, ds in datasets().items() for c in ds.columns}
    for name in datasets():
        for dataset, column, value, message in query(
            warehouse,
            "select dataset, column_name, value_as_written, message"
            f" from staging.stg_{name}__rejected",
        ):
            zh, en = message.split(" / ", 1)
            assert headers[(dataset, column)] in zh and headers[(dataset, column)] in en, message
            assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), message
            assert any(ch.isascii() and ch.isalpha() for ch in en), message
            if value is not None and value.strip():
                assert value in message, message


def test_staged_values_are_typed_and_normalised(built):
    warehouse, _, _, _ = built
    assert query(
        warehouse,
        "select carrier_id, _row_id, total_area_m2, incubation_area_m2, established_date,"
        " seed_fund, seed_fund_amount_wan, carrier_type, level, operator_uscc"
        " from staging.stg_carriers order by _row_id",
    ) == [
        (
            "C001",
            "carriers:2023:carriers.csv::2",
            1200.0,
            800.0,
            _date(2020, 1, 5),
            True,
            _dec("50"),
            "incubator",
            "provincial",
            U2,
        ),
        (
            "C001",
            "carriers:2024:carriers.csv::2",
            1200.0,
            800.0,
            _date(2020, 1, 5),
            True,
            _dec("50"),
            "incubator",
            "provincial",
            U2,
        ),
    ]
    assert query(warehouse, "select entry_date, revenue_wan from staging.stg_tenants") == [
        (_date(2024, 3, 5), _dec("12000"))
    ]
    assert query(
        warehouse, "select patent_no, patent_type, grant_date from staging.stg_patents"
    ) == [("202310123456.6", "invention", _date(2024, 3, 5))]
    assert query(warehouse, "select amount_wan from staging.stg_financing") == [(_dec("100"),)]
    assert query(warehouse, "select award_rank from staging.stg_awards") == [(1,)]
    assert query(
        warehouse, "select landed_in_district, graduation_date from staging.stg_graduations"
    ) == [(True, _date(2024, 6, 30))]


def test_staging_column_types_follow_the_architecture(built):
    warehouse, _, _, _ = built
    expected_type = {
        "string": "VARCHAR",
        "uscc": "VARCHAR",
        "date": "DATE",
        "int": "INTEGER",
        "decimal": "DOUBLE",
        "money": "DECIMAL(18,4)",
        "bool": "BOOLEAN",
        "enum": "VARCHAR",
    }
    for name, ds in datasets().items():
        types = dict(
            query(
                warehouse,
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'staging' and table_name = ?",
                [f"stg_{name}"],
            )
        )
        for meta in (
            "_assessment_year",
            "_run_id",
            "_source_file",
            "_file_sha256",
            "_sheet",
            "_source_row",
            "_row_id",
        ):
            assert meta in types, (name, meta)
        for col in ds.columns:
            if name == "financing" and col.name == "amount_unit":
                assert "amount_unit" not in types
                continue
            staged = f"{col.name}_wan" if col.type == "money" else col.name
            want = "INTEGER" if col.name == "award_rank" else expected_type[col.type]
            assert types.get(staged) == want, (name, staged, types.get(staged))
    rejected = query(
        warehouse,
        "select column_name from information_schema.columns where table_schema = 'staging'"
        " and table_name = 'stg_tenants__rejected' order by ordinal_position",
    )
    assert [r[0] for r in rejected] == [
        "dataset",
        "_assessment_year",
        "_source_file",
        "_sheet",
        "_source_row",
        "_row_id",
        "column_name",
        "check_name",
        "value_as_written",
        "message",
    ]


def test_run_dbt_releases_the_warehouse(built):
    """The fixture opened the file with another configuration right after build() returned,
    which fails while dbt-duckdb still holds it (STACK.md)."""
    _, _, _, reopened = built
    assert reopened == 2


def test_release_closes_what_dbt_duckdb_keeps_open(built, tmp_path, monkeypatch):
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    warehouse, _, _, _ = built
    monkeypatch.setenv("CARRIER_ASSESS_WAREHOUSE", str(warehouse))
    dirs = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    paths = ["--target-path", str(tmp_path / "t"), "--log-path", str(tmp_path / "logs")]
    dbtRunner().invoke(["--quiet", "show", "--inline", "select 1", *dirs, *paths])
    assert DuckDBConnectionManager._ENV is not None  # what STACK.md warns about
    release_dbt_connections()
    assert DuckDBConnectionManager._ENV is None
    with duckdb.connect(str(warehouse), config={}) as con:
        assert con.execute("select 1").fetchone() == (1,)


def test_staging_unit_tests_run_alone_and_pass(built, tmp_path):
    warehouse, _, _, _ = built
    result = run_dbt_parsed(
        ["test", "--select", "test_type:unit,staging"], warehouse, tmp_path / "target"
    )
    assert result.count("unit_test") == result.count("unit_test", "pass") >= 10


def test_failing_node_is_named_and_connection_still_released(tmp_path):
    warehouse = tmp_path / "empty.duckdb"
    with pytest.raises(DbtRunError) as caught:
        run_dbt(
            ["run", "--select", "stg_awards__checked"],
            warehouse=warehouse,
            target_path=tmp_path / "target",
        )
    assert caught.value.code == ExitCode.TRANSFORM
    assert "model.carrier_assess.stg_awards__checked" in caught.value.reason
    assert "awards" in caught.value.reason
    with duckdb.connect(str(warehouse), config={}) as con:
        assert con.execute("select 1").fetchone() == (1,)


def _date(y: int, m: int, d: int):
    import datetime

    return datetime.date(y, m, d)


def _dec(text: str):
    from decimal import Decimal

    return Decimal(text)
