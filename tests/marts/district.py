"""A small two-year district (2023, 2024) for the mart tests, written as raw rows.

Carriers: C001 (incubator, 2000 m² incubation area, seed fund) and C002 (maker space).
Enterprises A..G; F is a tenant of both carriers in 2024 (a double claim). The hand computation
of C001's 2024 indicators lives in test_marts_build.py next to the assertions.
"""

from __future__ import annotations

from tests.marts.builders import patent_no, uscc

UA, UB, UC, UD, UE, UF, UG = (uscc(n) for n in range(1, 8))
PA_INV = patent_no(2023, 1, 1)  # A, invention, granted 2024-05-10
PA_UTIL = patent_no(2023, 2, 2)  # A, utility model, granted 2024-06-01
PB_DESIGN = patent_no(2023, 3, 3)  # B, design, granted 2023-11-01 (before B entered)
PD_INV = patent_no(2022, 1, 4)  # D, invention, granted 2024-06-30 (D's exit date)
PC_PENDING = patent_no(2024, 1, 5)  # C, invention, pending
PB_OLD = patent_no(2021, 2, 6)  # B, utility model, granted 2022-01-10 (a year not loaded)


def carrier(cid: str, name: str, ctype: str, area: str, seed: str) -> dict[str, str]:
    return {
        "carrier_id": cid,
        "carrier_name": name,
        "carrier_type": ctype,
        "level": "省级",
        "level_date": "2020-05-01",
        "town": "仙女镇",
        "operator_name": f"{name}运营有限公司",
        "operator_uscc": uscc(900 + int(cid[1:])),
        "operator_kind": "民营",
        "total_area_m2": "5000",
        "incubation_area_m2": area,
        "established_date": "2018-01-01",
        "seed_fund": seed,
    }


def tenant(cid: str, name: str, code: str, entry: str, status: str, **extra: str) -> dict:
    return {
        "carrier_id": cid,
        "enterprise_name": name,
        "uscc": code,
        "entry_date": entry,
        "tenant_status": status,
        **extra,
    }


def financing(cid: str, name: str, code: str, date: str, amount: str) -> dict[str, str]:
    return {
        "carrier_id": cid,
        "enterprise_name": name,
        "uscc": code,
        "financing_date": date,
        "amount": amount,
        "amount_unit": "万元",
        "financing_kind": "股权投资",
        "investor": "某创投",
    }


def patent(cid: str, name: str, code: str, no: str, ptype: str, applied: str, granted: str | None):
    row = {
        "carrier_id": cid,
        "enterprise_name": name,
        "uscc": code,
        "patent_no": no,
        "patent_type": ptype,
        "application_date": applied,
    }
    if granted:
        row["grant_date"] = granted
    return row


def certificate(cid: str, name: str, code: str, no: str, issued: str, kind: str) -> dict:
    return {
        "carrier_id": cid,
        "enterprise_name": name,
        "uscc": code,
        "certificate_no": no,
        "issue_date": issued,
        "cert_kind": kind,
    }


def year_2023() -> dict:
    """The 2023 package: history for 2024 (A's 2021 certificate, A's 2023 financing), and
    events dated in 2022, a year not loaded (B's patent grant, E's graduation)."""
    return {
        "C001.xlsx": {
            "carriers": [carrier("C001", "甲孵化器", "孵化器", "2000", "是")],
            "tenants": [
                tenant("C001", "甲公司", UA, "2020-01-15", "在孵", revenue="800"),
                tenant("C001", "丁公司", UD, "2021-06-01", "在孵"),
                tenant("C001", "戊公司", UE, "2019-03-01", "迁出", exit_date="2023-12-31"),
                tenant("C001", "己公司", UF, "2023-01-01", "在孵"),
            ],
            "high_tech": [
                certificate("C001", "甲公司", UA, "GR202132000011", "2021-10-01", "首次认定")
            ],
            "financing": [financing("C001", "甲公司", UA, "2023-05-01", "20")],
            "patents": [
                patent("C001", "乙公司", UB, PB_DESIGN, "外观设计", "2023-03-01", "2023-11-01"),
                # Granted in 2022, a year not loaded: counts nowhere, not an event.
                patent("C001", "乙公司", UB, PB_OLD, "实用新型", "2021-05-01", "2022-01-10"),
            ],
            "graduations": [
                {  # Dated 2022, a year not loaded: still an event (the targets' window).
                    "carrier_id": "C001",
                    "enterprise_name": "戊公司",
                    "uscc": UE,
                    "graduation_date": "2022-12-20",
                    "graduation_basis": "营业收入达标",
                    "landed_in_district": "是",
                }
            ],
        },
        "C002.xlsx": {
            "carriers": [carrier("C002", "乙众创空间", "众创空间", "1000", "否")],
        },
    }


def year_2024(b_financing: str = "50") -> dict:
    """The 2024 package. `b_financing` lets a test reload the year with one value changed."""
    return {
        "C001.xlsx": {
            "carriers": [carrier("C001", "甲孵化器", "孵化器", "2000", "是")],
            "tenants": [
                tenant(
                    "C001",
                    "甲公司",
                    UA,
                    "2020-01-15",
                    "在孵",
                    revenue="1000",
                    rd_expense="80",
                    tax_paid="50",
                    talents="2",
                    occupied_area_m2="300",
                    industry="软件",
                    tech_sme_reg_no="2024320000001",
                    tech_sme_reg_date="2024-03-01",
                ),
                tenant(
                    "C001",
                    "乙公司",
                    UB,
                    "2024-02-01",
                    "在孵",
                    revenue="500",
                    rd_expense="20",
                    tax_paid="10",
                    talents="1",
                    occupied_area_m2="200",
                    tech_recruit_certified="是",
                ),
                tenant(
                    "C001", "丙公司", UC, "2024-05-01", "在孵", tax_paid="5", occupied_area_m2="100"
                ),
                tenant(
                    "C001",
                    "丁公司",
                    UD,
                    "2021-06-01",
                    "毕业",
                    exit_date="2024-06-30",
                    revenue="2000",
                    rd_expense="100",
                    tax_paid="40",
                    talents="3",
                    occupied_area_m2="400",
                ),
                tenant(
                    "C001",
                    "戊公司",
                    UE,
                    "2019-03-01",
                    "迁出",
                    exit_date="2023-12-31",
                    revenue="9999",
                    talents="9",
                ),
                tenant(
                    "C001",
                    "己公司",
                    UF,
                    "2023-01-01",
                    "在孵",
                    revenue="300",
                    rd_expense="30",
                    tax_paid="6",
                    talents="0",
                    occupied_area_m2="50",
                ),
                # Rejected in staging: the credit code's check character fails.
                tenant(
                    "C001",
                    "坏公司",
                    UG[:-1] + ("0" if UG[-1] != "0" else "1"),
                    "2024-01-01",
                    "在孵",
                ),
            ],
            "financing": [
                financing("C001", "甲公司", UA, "2024-04-01", "100"),
                financing("C001", "乙公司", UB, "2024-06-01", b_financing),
                financing("C001", "丁公司", UD, "2024-08-01", "30"),
                financing("C001", "甲公司", UA, "2023-05-01", "20"),  # 2023's, reported again
            ],
            "patents": [
                patent("C001", "甲公司", UA, PA_INV, "发明", "2023-01-05", "2024-05-10"),
                patent("C001", "甲公司", UA, PA_INV, "发明", "2023-01-05", "2024-05-10"),
                patent("C001", "甲公司", UA, PA_UTIL, "实用新型", "2023-02-01", "2024-06-01"),
                patent("C001", "丁公司", UD, PD_INV, "发明", "2022-03-01", "2024-06-30"),
                patent("C001", "丙公司", UC, PC_PENDING, "发明", "2024-02-01", None),
            ],
            "high_tech": [
                # Labelled first, but A already holds a 2021 certificate: not a first.
                certificate("C001", "甲公司", UA, "GR202432000021", "2024-10-01", "首次认定"),
                certificate("C001", "乙公司", UB, "GR202432000022", "2024-11-01", "首次认定"),
            ],
            "graduations": [
                {
                    "carrier_id": "C001",
                    "enterprise_name": "丁公司",
                    "uscc": UD,
                    "graduation_date": "2024-06-30",
                    "graduation_basis": "营业收入达标",
                    "landed_in_district": "是",
                }
            ],
            "evaluations": [
                {
                    "carrier_id": "C001",
                    "evaluation_level": "国家级",
                    "evaluation_year": "2024",
                    "grade": "A",
                },
                {
                    "carrier_id": "C001",
                    "evaluation_level": "省级",
                    "evaluation_year": "2023",
                    "grade": "B",
                },
            ],
        },
        "C002.xlsx": {
            "carriers": [carrier("C002", "乙众创空间", "众创空间", "1000", "否")],
            "tenants": [
                tenant("C002", "己公司", UF, "2024-03-01", "在孵", talents="1"),
                # C009 is in no carriers sheet: a warning, never a build failure.
                tenant("C009", "戊公司", UE, "2024-01-01", "在孵"),
            ],
            "financing": [
                financing("C002", "甲公司", UA, "2024-04-01", "100"),  # C001's, reported again
                financing("C002", "己公司", UF, "2024-07-01", "200"),
            ],
            "high_tech": [
                certificate("C002", "己公司", UF, "GR202432000023", "2024-09-01", "首次认定"),
            ],
            "patents": [
                # C001's, reported again with another grant date: a conflict in the same year
                patent("C002", "甲公司", UA, PA_UTIL, "实用新型", "2023-02-01", "2024-06-15"),
            ],
        },
    }


FINDING_2024 = {
    "dataset": None,
    "source_file": "notes.docx",
    "sheet": None,
    "source_row": None,
    "column_name": None,
    "check_name": "file_ignored",
    "severity": "warning",
    "value_as_written": "notes.docx",
    "message": "不是报送文件，已忽略 / Not a report file, ignored",
}
