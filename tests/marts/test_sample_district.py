"""The sample district (scale 1, 2023 and 2024) through the real ingest and dbt build; one real
carrier's tenant indicators recomputed independently in Python from its workbook rows."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from orchestration.ingest import ingest_package
from orchestration.sample import generate_sample
from tests.marts.builders import DUCKDB_CONFIG, query
from tests.parsed_dbt import run_dbt_parsed

pytestmark = pytest.mark.slow


_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


def _chinese_numerals(s: str) -> str:
    """二〇二四年三月五日 -> 2024年3月5日 (digit by digit in the year, 十 in month and day)."""
    m = re.fullmatch(r"([〇零一二三四五六七八九\d]{4})年([〇一二三四五六七八九十\d]{1,3})月"
                     r"([〇一二三四五六七八九十\d]{1,3})日?", s)  # fmt: skip
    if m is None:
        return s

    def number(part: str) -> str:
        part = part.translate(_CN_DIGITS)
        if "十" in part:
            tens, _, ones = part.partition("十")
            return str(int(tens or "1") * 10 + int(ones or "0"))
        return part

    return f"{m.group(1).translate(_CN_DIGITS)}年{number(m.group(2))}月{number(m.group(3))}日"


def parse_date(text: str | None) -> date | None:
    """The date forms of contract/README.md, written again here so the check is independent."""
    if text is None or not str(text).strip():
        return None
    s = _chinese_numerals(unicodedata.normalize("NFKC", str(text)).strip())
    for pattern in (
        r"^(\d{4})-(\d{1,2})-(\d{1,2})(?: 00:00:00)?$",
        r"^(\d{4})/(\d{1,2})/(\d{1,2})$",
        r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$",
        r"^(\d{4})(\d{2})(\d{2})$",
        r"^(\d{4})年(\d{1,2})月(\d{1,2})日$",
    ):
        m = re.match(pattern, s)
        if m:
            return date(*(int(g) for g in m.groups()))
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return date(1899, 12, 30) + timedelta(days=int(float(s)))
    raise ValueError(f"unreadable date {text!r}")


def read_sheet(path: Path, sheet: str) -> pl.DataFrame:
    """A sheet as text with the header row (the one starting 载体编号) as column names."""
    grid = pl.read_excel(path, sheet_name=sheet, has_header=False, infer_schema_length=0)
    header_at = next(i for i, v in enumerate(grid["column_0"].to_list()) if v == "载体编号")
    names = [re.sub(r"\s+", "", str(v)) for v in grid.row(header_at)]
    return grid.slice(header_at + 1).rename(dict(zip(grid.columns, names, strict=True)))


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sample")
    generate_sample(root / "reports", years=(2023, 2024), scale=1.0)
    warehouse = root / "carriers.duckdb"
    for year in (2023, 2024):
        with duckdb.connect(str(warehouse), config=DUCKDB_CONFIG) as con:
            ingest_package(con, year, root / "reports" / str(year), f"run-{year}")
    run_dbt_parsed(["build"], warehouse, root / "target")
    return warehouse, root / "reports"


def test_one_sample_carrier_by_hand(sample_warehouse: tuple[Path, Path]) -> None:
    warehouse, reports = sample_warehouse
    # A carrier whose 2024 workbook had no rejected carriers/tenants rows, so every row counts.
    flagged = {
        r["source_file"]
        for r in query(
            warehouse,
            "select distinct source_file from marts.data_quality_issues "
            "where assessment_year = 2024 and severity = 'error' "
            "and dataset in ('carriers', 'tenants')",
        )
    }
    workbook = next(p for p in sorted((reports / "2024").glob("C*.xlsx")) if p.name not in flagged)
    carrier = read_sheet(workbook, "载体信息").row(0, named=True)
    tenants = read_sheet(workbook, "在孵企业").filter(pl.col("载体编号").is_not_null())
    y_start, y_end = date(2024, 1, 1), date(2024, 12, 31)
    in_set = incubating = tech_sme = talents = 0
    for row in tenants.iter_rows(named=True):
        entry, exit_ = parse_date(row["入驻日期"]), parse_date(row.get("退出日期"))
        if not (entry <= y_end and (exit_ is None or exit_ >= y_start)):
            continue
        in_set += 1
        status = unicodedata.normalize("NFKC", row["企业状态"]).strip()
        if status in ("在孵", "incubating") and (exit_ is None or exit_ > y_end):
            incubating += 1
        reg = parse_date(row.get("科技型中小企业入库日期"))
        tech_sme += reg is not None and reg.year == 2024
        talents += int(row.get("引进高层次人才数") or 0)
    area = float(carrier["孵化面积（平方米）"])

    got = query(
        warehouse,
        "select * from marts.carrier_year_indicators where assessment_year = 2024 "
        "and carrier_id = ?",
        [carrier["载体编号"].strip().upper()],
    )[0]
    assert got["tenant_set_count"] == in_set > 0
    assert got["incubating_year_end_count"] == incubating
    assert got["tech_sme_registered_count"] == tech_sme
    assert (got["talents_sum"] or 0) == talents
    assert got["s4_raw"] == pytest.approx(incubating / (area / 1000))
    # Every row of every file is accounted for.
    bad = query(
        warehouse,
        "select * from marts.dataset_counts "
        "where rows_read <> rows_kept + rows_rejected + rows_duplicate",
    )
    assert bad == []
