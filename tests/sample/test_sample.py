"""The sample district: deterministic, realistic in size, messy the way the contract says, and
every planted defect exactly where the manifest says."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from orchestration.contract import datasets
from orchestration.sample import SampleManifest, generate_sample, sample_tables
from orchestration.sample.identifiers import is_valid_uscc

sys.path.insert(0, str(Path(__file__).parent))
from approx_scores import approximate_scores  # noqa: E402

pytestmark = pytest.mark.slow


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_arguments_give_byte_identical_files(
    sample: SampleManifest, sample_root: Path, tmp_path
):
    again = tmp_path / "again"
    generate_sample(again)
    for year in (2023, 2024):
        first, second = _files(sample_root / str(year)), _files(again / str(year))
        assert first.keys() == second.keys()
        differing = [name for name in first if first[name] != second[name]]
        assert differing == []
        assert (sample_root / f"manifest_{year}.json").read_bytes() == (
            again / f"manifest_{year}.json"
        ).read_bytes()


def test_another_seed_gives_another_district(
    sample: SampleManifest, sample_root: Path, tmp_path
) -> None:
    """`sample` first: the default district is written before its manifest is read."""
    other = generate_sample(tmp_path / "other", years=(2024,), seed=7)
    assert (
        other.years[2024].rows
        != json.loads((sample_root / "manifest_2024.json").read_text(encoding="utf-8"))["rows"]
    )


RANGES = {
    "carriers": (60, 60),
    "tenants": (2600, 3400),
    "patents": (8000, 12000),
    "high_tech": (850, 1350),
    "graduations": (450, 650),
    "financing": (1500, 2300),
    "awards": (140, 260),
    "evaluations": (20, 50),
    "recognitions": (12, 20),
    "subsidy_claims": (30, 50),
}


@pytest.mark.parametrize("year", [2023, 2024])
def test_counts_at_scale_one(sample: SampleManifest, year: int) -> None:
    rows = sample.years[year].rows
    for name, (lo, hi) in RANGES.items():
        assert lo <= rows[name] <= hi, (name, rows[name])


def test_manifest_written_outside_the_packages(sample: SampleManifest, sample_root: Path) -> None:
    for year in (2023, 2024):
        on_disk = json.loads((sample_root / f"manifest_{year}.json").read_text(encoding="utf-8"))
        assert on_disk == sample.years[year].model_dump(mode="json")
        assert not list((sample_root / str(year)).glob("*.json"))
        assert sorted(p.name for p in (sample_root / str(year)).iterdir()) == on_disk["files"]


def test_one_workbook_per_carrier_and_the_special_files(sample: SampleManifest) -> None:
    ym = sample.years[2024]
    workbooks = [f for f in ym.files if f.endswith(".xlsx")]
    assert len(workbooks) == 61  # 60 carriers + one handed in twice
    assert all(re.match(r"^C\d{3}_.+\.xlsx$", f) for f in workbooks)
    assert ym.scenarios["gb18030_file"] in ym.files
    dup = ym.scenarios["duplicate_workbook"]
    assert {dup["original"], dup["copy"]} <= set(ym.files)


def test_duplicate_workbook_is_byte_identical(sample: SampleManifest, sample_root: Path) -> None:
    dup = sample.years[2024].scenarios["duplicate_workbook"]
    folder = sample_root / "2024"
    assert (folder / dup["original"]).read_bytes() == (folder / dup["copy"]).read_bytes()


def test_gb18030_csv_is_not_utf8(sample: SampleManifest, sample_root: Path) -> None:
    data = (sample_root / "2024" / sample.years[2024].scenarios["gb18030_file"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gb18030")
    assert text.splitlines()[0].startswith("载体编号,企业名称,统一社会信用代码")
    assert "\r\n" in text


def _header_index(ws, header_row: int, dataset: str, column: str) -> int:
    """1-based column of a contract column: sheets keep the contract's column order."""
    del ws, header_row
    names = [c.name for c in datasets()[dataset].columns]
    return names.index(column) + 1


@pytest.mark.parametrize("year", [2023, 2024])
def test_every_planted_defect_is_where_the_manifest_says(
    sample: SampleManifest, sample_root: Path, year: int
) -> None:
    defects = sample.years[year].defects
    assert 8 <= len(defects) <= 12
    kinds = {d.kind for d in defects}
    assert kinds >= {
        "uscc_check",
        "invalid_date",
        "negative_amount",
        "unreadable_number",
        "missing_required",
        "patent_check",
        "patent_type_mismatch",
        "certificate_year_mismatch",
    }
    assert all(d.dataset != "carriers" for d in defects)
    for d in defects:
        path = sample_root / str(year) / d.file
        col = _header_index(None, 0, d.dataset, d.column)
        if d.file.endswith(".csv"):
            text = path.read_bytes().decode("gb18030")
            line = text.split("\r\n")[d.row - 1]
            cell = next(csv.reader(io.StringIO(line)))[col - 1]
        else:
            ws = openpyxl.load_workbook(path, read_only=True)[d.sheet]
            cell = next(ws.iter_rows(min_row=d.row, max_row=d.row, values_only=True))[col - 1]
        assert (cell or "") == d.value, (d, cell)
        if d.kind == "uscc_check":
            assert len(d.value) == 18 and not is_valid_uscc(d.value)
        if d.kind == "invalid_date":
            assert d.value == f"{year}-02-30"


def _scan_cells(folder: Path, sheet: str) -> list[object]:
    cells: list[object] = []
    for path in sorted(folder.glob("C*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        if sheet in wb.sheetnames:
            for row in wb[sheet].iter_rows(values_only=True):
                cells.extend(c for c in row if c is not None)
        wb.close()
    return cells


def test_value_forms_are_as_messy_as_the_contract_says(sample_root: Path) -> None:
    folder = sample_root / "2024"
    cells = _scan_cells(folder, "投融资") + _scan_cells(folder, "在孵企业")
    text = [c for c in cells if isinstance(c, str)]
    found = {
        "iso": r"^20\d\d-\d\d-\d\d$",
        "slash": r"^20\d\d/\d{1,2}/\d{1,2}$",
        "dot": r"^20\d\d\.\d{1,2}\.\d{1,2}$",
        "compact": r"^20\d{6}$",
        "cn_date": r"^20\d\d年\d{1,2}月\d{1,2}日$",
        "comma_money": r"^\d{1,3}(,\d{3})+(\.\d+)?$",
        "wan": r"^\d+(\.\d+)?万$",
        "wanyuan": r"^\d+(\.\d+)?万元$",
        "yuan": r"^\d+元$",
        "bool_cn": r"^[是否]$",
        "bool_yn": r"^[YN]$",
        "bool_tick": r"^[√×]$",
        "uscc_lower": r"^[0-9a-z]{18}$",
        "uscc_spaced": r"^\w{4} \w{4} \w{4} \w{6}$",
        "uscc_hyphen": r"^\w{8}-\w{9}-\w$",
        "fullwidth": r"[０-９Ａ-Ｚａ-ｚ]",
        "line_break": "\n",
        "stray_space": r"^ .+ $",
    }
    missing = [k for k, pat in found.items() if not any(re.search(pat, t) for t in text)]
    assert missing == []
    assert any(isinstance(c, dt.datetime) for c in cells), "real Excel date cells"
    serials = [c for c in cells if isinstance(c, int | float) and 36000 < c < 46500]
    assert serials, "Excel serial numbers as plain numbers"
    patents = [c for c in _scan_cells(folder, "专利") if isinstance(c, str)]
    for pat in (
        r"^ZL \d{4} \d \d{7}\.[\dX]$",
        r"^CN\d{12}\.[\dX]$",
        r"^\d{12}\.[\dX]$",
        r"^\d{13}$",
    ):
        assert any(re.match(pat, p) for p in patents), pat


def test_sheets_headers_and_titles_vary(sample: SampleManifest, sample_root: Path) -> None:
    folder = sample_root / "2024"
    sheet_names: set[str] = set()
    first_cells: set[str] = set()
    headers: set[str] = set()
    for path in sorted(folder.glob("C*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        sheet_names |= set(wb.sheetnames)
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(min_row=1, max_row=3, values_only=True))
            if rows and rows[0] and rows[0][0]:
                first_cells.add(str(rows[0][0]))
            for r in rows:
                headers |= {str(c) for c in r if isinstance(c, str)}
        wb.close()
    assert {"在孵企业", "专利"} <= sheet_names
    assert sheet_names & {d for d in datasets()}, "some sheets named by key"
    assert any(c.endswith("情况表") for c in first_cells), "title rows above the header"
    assert "融资金额（元）" in headers
    assert any(h.strip() != h for h in headers), "headers with stray spaces"
    assert headers & {"入孵日期", "信用代码", "社会信用代码", "所属镇", "申请号", "授权日"}
    sc = sample.years[2024].scenarios
    assert sc["extra_column"]["header"] in headers
    assert sc["unknown_sheet"]["sheet"] in sheet_names


def test_repeated_row_is_a_copy(sample: SampleManifest, sample_root: Path) -> None:
    rep = sample.years[2024].scenarios["repeated_row"]
    ws = openpyxl.load_workbook(sample_root / "2024" / rep["file"], read_only=True)[rep["sheet"]]
    a, b = rep["rows"]
    rows = list(ws.iter_rows(min_row=a, max_row=b, values_only=True))
    assert rows[0] == rows[1] and rows[0][0]


def test_veto_carrier_hands_in_no_tenants(sample: SampleManifest, sample_root: Path) -> None:
    veto = sample.years[2024].scenarios["roles"]["veto"]
    (path,) = (sample_root / "2024").glob(f"{veto}_*.xlsx")
    wb = openpyxl.load_workbook(path, read_only=True)
    name = "在孵企业" if "在孵企业" in wb.sheetnames else "tenants"
    rows = [r for r in wb[name].iter_rows(values_only=True) if any(r)]
    assert all("载体编号" in r or "carrier_id" in r or len([c for c in r if c]) == 1 for r in rows)


# --- the district behind the files ------------------------------------------------------------


@pytest.fixture(scope="module")
def tables() -> dict[int, dict[str, pl.DataFrame]]:
    return sample_tables()


def test_carriers_cover_types_operators_towns(tables) -> None:
    car = tables[2024]["carriers"]
    assert car["carrier_type"].n_unique() == 7
    assert car["operator_kind"].n_unique() == 4
    assert car["town"].n_unique() == 8
    assert all(is_valid_uscc(c) for c in car["operator_uscc"])


def test_identifiers_valid_everywhere(tables) -> None:
    for t in tables.values():
        for name, frame in t.items():
            for col in datasets()[name].columns:
                if col.type == "uscc":
                    values = frame[col.name].drop_nulls()
                    assert all(is_valid_uscc(v) for v in values), (name, col.name)


def test_enterprises_carry_over_with_same_entry_dates(tables) -> None:
    key = ["carrier_id", "uscc"]
    a = tables[2023]["tenants"].select(*key, "entry_date")
    b = tables[2024]["tenants"].select(*key, "entry_date")
    both = a.join(b, on=key, suffix="_b")
    assert both.height > 0.6 * a.height
    assert (both["entry_date"] == both["entry_date_b"]).all()
    assert b.join(a, on=key, how="anti").height > 300  # new entrants
    statuses = set(tables[2024]["tenants"]["tenant_status"])
    assert statuses == {"incubating", "graduated", "moved_out", "cleared_out", "deregistered"}


def test_renewals_follow_a_certificate_three_years_earlier(tables) -> None:
    t = tables[2024]["high_tech"]
    assert set(t["cert_kind"]) == {"first", "renewal"}
    years = t.with_columns(pl.col("issue_date").dt.year().alias("y"))
    renew = years.filter(pl.col("cert_kind") == "renewal", pl.col("y") == 2024)
    prior = years.filter(pl.col("y") == 2021).select("uscc").unique()
    assert renew.height and renew.join(prior, on="uscc", how="anti").height == 0
    assert (t["certificate_no"].str.slice(2, 4).cast(pl.Int32) == t["issue_date"].dt.year()).all()


def test_planted_scenarios(sample: SampleManifest, tables) -> None:
    sc = sample.years[2024].scenarios
    t24 = tables[2024]
    assert sc["double_tenant_count"] >= 5 and sc["shared_patent_count"] >= 5
    assert sc["enclave_tenant_count"] >= 5
    assert sc["long_incubation_tenant_count"] >= 100
    assert sc["deregistered_without_exit_count"] >= 1
    assert sc["service_body_holders"]
    rec = pl.concat([tables[y]["recognitions"] for y in (2023, 2024)])
    r02 = sc["roles"]["r02_topup"]
    got = rec.filter(pl.col("carrier_id") == r02, pl.col("recognized_type") == "incubator")
    assert sorted(zip(got["recognized_date"].dt.year(), got["recognized_level"], strict=True)) == [
        (2023, "provincial"),
        (2024, "national"),
    ]
    gov = t24["carriers"].filter(pl.col("carrier_id") == sc["roles"]["gov_poor"])
    assert gov["operator_kind"].item() == "government"
    claims = t24["subsidy_claims"]
    assert set(claims["claim_kind"]) == {
        "renovation",
        "rd_equipment",
        "offshore_rent",
        "service_revenue",
        "platform_startup",
    }
    rd = set(claims.filter(pl.col("claim_kind") == "rd_equipment")["amount_audited"])
    assert {29999, 30000, 30001} <= rd  # hundredths of 万元 around 300
    ps = claims.filter(pl.col("claim_kind") == "platform_startup")["amount_audited"]
    assert ps.min() < 5000 and ps.max() > 10000
    assert set(claims["rent_year_index"].drop_nulls()) <= {1, 2, 3}


def test_grades_and_clearout_reasons_spread(sample: SampleManifest, tables) -> None:
    roles = sample.years[2024].scenarios["roles"]
    s24 = approximate_scores(tables, 2024)
    s23 = approximate_scores(tables, 2023)
    counts = dict(s24["grade"].value_counts().iter_rows())
    assert all(counts.get(g, 0) >= 3 for g in "ABCD"), counts
    for s in (s23, s24):
        assert s.filter(pl.col("carrier_id") == roles["gov_poor"])["grade"].item() == "D"
    assert s24.filter(pl.col("carrier_id") == roles["veto"])["total"].item() == 0
    ten = tables[2024]["tenants"]
    inc = ten.filter(pl.col("tenant_status") == "incubating", pl.col("exit_date").is_null())
    months = (2024 - inc["entry_date"].dt.year()) * 12 + (12 - inc["entry_date"].dt.month())
    assert (months > 48).sum() > 10  # C1
    dormant = inc.filter(pl.col("rd_expense").fill_null(0) == 0)
    assert dormant.height > 10  # C2 candidates
    c3 = ten.filter(pl.col("tenant_status") == "deregistered", pl.col("exit_date").is_null())
    assert c3.height >= 1


def test_scale_two_csv_has_about_twice_the_rows(sample: SampleManifest, tmp_path) -> None:
    m = generate_sample(tmp_path / "s2", years=(2024,), scale=2.0, fmt="csv")
    ym = m.years[2024]
    assert ym.fmt == "csv"
    assert ym.files == sorted(f"{name}.csv" for name in datasets())
    one = sample.years[2024].rows
    for name in ("tenants", "patents", "financing", "high_tech", "graduations"):
        assert 1.6 < ym.rows[name] / one[name] < 2.5, name
    frame = pl.read_csv(tmp_path / "s2" / "2024" / "tenants.csv", infer_schema=False)
    assert frame.height == ym.rows["tenants"]
    for d in ym.defects:
        lines = (tmp_path / "s2" / "2024" / d.file).read_text(encoding="utf-8").split("\n")
        cell = next(csv.reader(io.StringIO(lines[d.row - 1])))
        names = [c.name for c in datasets()[d.dataset].columns]
        assert cell[names.index(d.column)] == d.value
