"""A tiny three-year district (2022–2024) written as report packages (CSV, contract keys).

C002 (government-run, no activity) is graded D every year, so its 2023 and 2024 actions depend
on the earlier grades; A's first certificate (2022) makes its 2023 one a renewal. Two facts
cross years as real packages do: the 2023 package reports late a financing of A dated 2022
(an in-order run of 2022 never saw it), and the 2024 package lists C's 2023 certificate again
(the newer package's row is the one kept). So a year scored while a later package is loaded
differs unless the marts are built as of that year.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tests.marts.builders import patent_no, uscc

YEARS = (2022, 2023, 2024)
UA, UB, UC, UD = (uscc(n) for n in range(11, 15))


def _carrier(cid: str, name: str, ctype: str, kind: str, town: str, seed: str) -> dict[str, str]:
    return {
        "carrier_id": cid,
        "carrier_name": name,
        "carrier_type": ctype,
        "level": "省级",
        "level_date": "2020-05-01",
        "town": town,
        "operator_name": f"{name}运营有限公司",
        "operator_uscc": uscc(900 + int(cid[1:])),
        "operator_kind": kind,
        "total_area_m2": "5000",
        "incubation_area_m2": "2000",
        "established_date": "2018-01-01",
        "seed_fund": seed,
    }


def _tenant(cid: str, name: str, code: str, entry: str, year: int, **extra: str) -> dict:
    return {
        "carrier_id": cid,
        "enterprise_name": name,
        "uscc": code,
        "entry_date": entry,
        "tenant_status": "在孵",
        "industry": "软件",
        "revenue": str(300 + 50 * (year - 2022)),
        "rd_expense": "20",
        "tax_paid": "10",
        "talents": "1",
        "occupied_area_m2": "200",
        **extra,
    }


def package(year: int) -> dict[str, list[dict[str, str]]]:
    """The package of `year`: dataset → rows of contract keys."""
    k = year - 2022
    carriers = [
        _carrier("C001", "甲孵化器", "孵化器", "民营", "仙女镇", "是"),
        _carrier("C002", "乙众创空间", "众创空间", "政府运营", "樊川镇", "否"),
        _carrier("C003", "丙孵化器", "孵化器", "国企运营", "邵伯镇", "是"),
    ]
    tenants = [
        _tenant("C001", "甲公司", UA, "2020-01-15", year),
        _tenant("C001", "乙公司", UB, "2021-03-01", year),
        _tenant("C003", "丙公司", UC, "2019-06-01", year),
        _tenant("C003", "丁公司", UD, "2021-09-01", year, rd_expense="0"),
    ]
    high_tech = []
    if year == 2022:
        high_tech.append(_cert("C001", "甲公司", UA, f"GR{year}32000011", year, "首次认定"))
    if year == 2023:
        # A's second certificate: a renewal only when 2022 is loaded
        high_tech.append(_cert("C001", "甲公司", UA, f"GR{year}32000012", year, "首次认定"))
        high_tech.append(_cert("C003", "丙公司", UC, f"GR{year}32000013", year, "首次认定"))
    if year == 2024:
        high_tech.append(_cert("C003", "丙公司", UC, "GR202332000013", 2023, "首次认定"))
    financing = [_financing(f"{year}-05-01", str(200 + 100 * k))]
    if year == 2023:
        financing.append(_financing("2022-12-01", "900"))  # reported late
    patents = [
        {
            "carrier_id": "C003",
            "enterprise_name": "丙公司",
            "uscc": UC,
            "patent_no": patent_no(year, 1, 100 + k),
            "patent_type": "发明",
            "application_date": f"{year}-01-05",
            "grant_date": f"{year}-10-10",
        }
    ]
    return {
        "carriers": carriers,
        "tenants": tenants,
        "high_tech": high_tech,
        "financing": financing,
        "patents": patents,
    }


def _financing(date: str, amount: str) -> dict[str, str]:
    return {
        "carrier_id": "C001",
        "enterprise_name": "甲公司",
        "uscc": UA,
        "financing_date": date,
        "amount": amount,
        "amount_unit": "万元",
        "financing_kind": "股权投资",
        "investor": "某创投",
    }


def _cert(cid: str, name: str, code: str, no: str, year: int, kind: str) -> dict[str, str]:
    return {
        "carrier_id": cid,
        "enterprise_name": name,
        "uscc": code,
        "certificate_no": no,
        "issue_date": f"{year}-11-20",
        "cert_kind": kind,
    }


def write_package(root: Path, year: int, rows: dict[str, list[dict]] | None = None) -> Path:
    """Write `root/<year>/<dataset>.csv` for each non-empty dataset; return the folder."""
    folder = root / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for dataset, records in (rows or package(year)).items():
        if not records:
            continue
        columns = list(dict.fromkeys(c for r in records for c in r))
        with (folder / f"{dataset}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(records)
    return folder


def write_all(root: Path) -> Path:
    for year in YEARS:
        write_package(root, year)
    return root
