"""The Chinese texts and example rows of the report template (`orchestration/publish/template.py`).

The contract (`contract/datasets.yaml`) gives each dataset's grain and some columns' notes in
English for the technician; the carriers read these Chinese versions. Each sheet's example row
is realistic and valid (credit codes and patent numbers verify), so a carrier can copy its form.
"""

from __future__ import annotations

import datetime as dt

GRAIN_ZH: dict[str, str] = {
    "carriers": "每个载体每年一行",
    "tenants": "每个在孵企业每个载体每年一行（当年任何时候在载体内的企业都要填）",
    "patents": "每件专利一行（同一专利重复填报或由两个载体填报，只计一次）",
    "high_tech": "每张高新技术企业证书一行",
    "graduations": "每次毕业一行",
    "financing": "每笔投融资一行",
    "awards": "每个获奖一行",
    "evaluations": "每个载体每年每级绩效评价一行（国家级、省级）",
    "recognitions": "载体或其服务机构获得的每项认定一行",
    "subsidy_claims": "每项奖补申报一行；金额填经评审核定的金额",
}

NOTE_ZH: dict[tuple[str, str], str] = {
    ("tenants", "industry"): "生物医药、集成电路、现代农业企业的孵化期为 60 个月，其余 48 个月",
    ("tenants", "attracted_by_town"): (
        "由其他镇（园区）招引的，填写招引镇（园区），该企业同时计入其任务"
    ),
    ("patents", "patent_no"): (
        "可带 ZL/CN 前缀、点和空格；12 位数字加校验位（2003 年后的 13 位格式）或旧的 8 位加校验位；"
        "第 5 位类型码须与专利类型一致，校验位须正确"
    ),
    ("high_tech", "certificate_no"): (
        "GR + 4 位年份 + 2 位省份代码 + 6 位序号，如 GR202432001234；年份须与发证日期一致"
    ),
    ("financing", "amount"): "单位取“金额单位”列，其次取表头中的单位（万元/元/亿元），否则为万元",
    ("recognitions", "holder_name"): "不填：认定给载体运营主体；填写：认定给载体内的服务机构",
    ("subsidy_claims", "amount_audited"): (
        "载体改造：审计后的改造费用；研发设备：近三年新增研发设备投入；域外中心租金：当年租金；"
        "科技服务开票：当年开票收入；平台运行经费：评审核定的金额"
    ),
    ("subsidy_claims", "amount_previous"): "仅科技服务开票填写",
    ("subsidy_claims", "rent_year_index"): "仅域外中心租金填写：1、2 或 3",
}

_OPERATOR = "91321012MA1XK2Q333"
_TENANT = "91321012MA1YT8W543"

EXAMPLES: dict[str, dict[str, object]] = {
    "carriers": {
        "carrier_id": "C001",
        "carrier_name": "某某科技企业孵化器",
        "carrier_type": "科技企业孵化器",
        "level": "省级",
        "level_date": dt.date(2021, 6, 18),
        "town": "仙女镇",
        "operator_name": "某某科技发展有限公司",
        "operator_uscc": _OPERATOR,
        "operator_kind": "民营",
        "total_area_m2": 20000,
        "incubation_area_m2": 15000,
        "established_date": dt.date(2019, 9, 1),
        "seed_fund": "是",
        "seed_fund_amount": 500,
        "service_staff": 8,
    },
    "tenants": {
        "carrier_id": "C001",
        "enterprise_name": "某某智能科技有限公司",
        "uscc": _TENANT,
        "entry_date": dt.date(2022, 3, 5),
        "tenant_status": "在孵",
        "industry": "高端装备",
        "tech_sme_reg_no": "202432101200123",
        "tech_sme_reg_date": dt.date(2024, 5, 20),
        "revenue": 860,
        "rd_expense": 95,
        "tax_paid": 32.5,
        "employees": 26,
        "talents": 2,
        "tech_recruit_certified": "是",
        "occupied_area_m2": 450,
    },
    "patents": {
        "carrier_id": "C001",
        "enterprise_name": "某某智能科技有限公司",
        "uscc": _TENANT,
        "patent_no": "ZL202410123456.0",
        "patent_type": "发明",
        "title": "一种智能检测装置",
        "application_date": dt.date(2024, 1, 10),
        "grant_date": dt.date(2024, 11, 22),
        "legal_status": "有效",
    },
    "high_tech": {
        "carrier_id": "C001",
        "enterprise_name": "某某智能科技有限公司",
        "uscc": _TENANT,
        "certificate_no": "GR202432001234",
        "issue_date": dt.date(2024, 12, 16),
        "cert_kind": "首次认定",
    },
    "graduations": {
        "carrier_id": "C001",
        "enterprise_name": "某某智能科技有限公司",
        "uscc": _TENANT,
        "graduation_date": dt.date(2024, 10, 8),
        "graduation_basis": "高新技术企业认定",
        "landed_in_district": "是",
        "landed_park": "江都高新区",
    },
    "financing": {
        "carrier_id": "C001",
        "enterprise_name": "某某智能科技有限公司",
        "uscc": _TENANT,
        "financing_date": dt.date(2024, 7, 1),
        "amount": 300,
        "amount_unit": "万元",
        "financing_kind": "股权投资",
        "investor": "某某创业投资基金",
        "round": "A 轮",
    },
    "awards": {
        "carrier_id": "C001",
        "enterprise_name": "某某智能科技有限公司",
        "uscc": _TENANT,
        "competition": "江苏省科技创业大赛",
        "award_level": "省级",
        "award_rank": "二等奖",
        "award_date": dt.date(2024, 9, 15),
    },
    "evaluations": {
        "carrier_id": "C001",
        "evaluation_level": "省级",
        "evaluation_year": 2024,
        "grade": "A",
    },
    "recognitions": {
        "carrier_id": "C001",
        "recognized_type": "科技企业孵化器",
        "recognized_level": "国家级",
        "recognized_date": dt.date(2024, 12, 1),
        "document_no": "国科火字〔2024〕123 号",
    },
    "subsidy_claims": {
        "carrier_id": "C001",
        "claim_kind": "载体改造",
        "claimant_name": "某某科技发展有限公司",
        "claimant_uscc": _OPERATOR,
        "amount_audited": 350,
        "note": "改造审计报告编号 2024-015",
    },
}
"""One realistic row per dataset: the template's example row (its first cell marked)."""
