"""Realistic small result tables of one year, shaped as the contract's `results.*` tables.

Ten carriers of three types, sixteen indicators each, rewards under several rules, a clear-out
list, town tasks, targets, data-quality findings and a run record; with the extra columns the
scoring step adds (town, dimension, note_zh, article, needs_review). Values are computed here
from the rulebook's goalposts, so totals, grades and ranks agree with each other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl

YEAR = 2024

RULE_NAMES = {
    "R01": "载体改造提升奖补",
    "R02": "新认定国家级、省级孵化器和众创空间奖励",
    "R03": "科创平台启动运行经费",
    "R04": "研发设备投入奖补",
    "R05": "域外创新中心租金补贴",
    "R06": "科技服务机构开票收入增长奖励",
    "R07": "新认定省级科技公共服务平台、科技服务业百强奖励",
    "R08": "国家级、省级绩效评价优秀奖励",
    "R09": "在孵企业首次认定高企或毕业奖励",
    "R10": "在孵企业创新创业大赛获奖奖励",
}
RUN_ID = "20250115T020000-7f3a"

INDICATORS = (
    # code, dimension, name, points
    ("S1", "service", "在孵企业当年获得投融资总额（万元）", 10),
    ("S2", "service", "获得投融资的在孵企业占比", 5),
    ("S3", "service", "自有种子资金或合作孵化资金", 5),
    ("S4", "service", "每千平方米在孵企业数", 5),
    ("S5", "service", "当年招引科技型企业数", 5),
    ("P1", "performance", "当年首次认定高新技术企业数", 15),
    ("P2", "performance", "当年入库科技型中小企业数", 10),
    ("P3", "performance", "当年毕业企业数", 10),
    ("P4", "performance", "当年发明专利授权数", 10),
    ("P5", "performance", "当年专利授权总数", 5),
    ("P6", "performance", "引进高层次人才数", 5),
    ("D1", "sustainability", "在孵企业研发投入强度", 5),
    ("D2", "sustainability", "在孵企业纳税总额（万元）", 5),
    ("D3", "sustainability", "孵化面积使用率", 5),
    ("B1", "bonus", "国家级或省级绩效评价A等次", 3),
    ("B2", "bonus", "毕业企业区内落地", 2),
)

GOALPOSTS = {
    "incubator": dict(
        S1=2000,
        S2=0.2,
        S3=1,
        S4=3,
        S5=8,
        P1=3,
        P2=10,
        P3=3,
        P4=5,
        P5=20,
        P6=5,
        D1=0.06,
        D2=500,
        D3=0.75,
    ),
    "maker_space": dict(
        S1=300,
        S2=0.2,
        S3=1,
        S4=5,
        S5=10,
        P1=1,
        P2=8,
        P3=2,
        P4=2,
        P5=10,
        P6=3,
        D1=0.06,
        D2=100,
        D3=0.75,
    ),
    "accelerator": dict(
        S1=3000,
        S2=0.2,
        S3=1,
        S4=1,
        S5=5,
        P1=4,
        P2=8,
        P3=2,
        P4=5,
        P5=15,
        P6=5,
        D1=0.06,
        D2=1000,
        D3=0.75,
    ),
}

CARRIERS = (
    # id, name, type, town, performance factor (share of each goalpost reached)
    ("C001", "东湖科技企业孵化器", "incubator", "东湖镇", 1.00),
    ("C002", "南山生物医药孵化器", "incubator", "南山街道", 0.82),
    ("C003", "西城智能制造孵化器", "incubator", "西城镇", 0.55),
    ("C004", "北港软件孵化器", "incubator", "北港镇", 0.30),
    ("C005", "青年创客众创空间", "maker_space", "东湖镇", 0.95),
    ("C006", "星火众创空间", "maker_space", "南山街道", 0.72),
    ("C007", "新材料众创空间", "maker_space", "西城镇", 0.64),
    ("C008", "高新区加速器", "accelerator", "高新园区", 0.90),
    ("C009", "临港产业加速器", "accelerator", "北港镇", 0.74),
    ("C010", "未报送数据加速器", "accelerator", "西城镇", 0.0),
)


def _grade(score: float) -> str:
    if score >= 85:
        return "A"
    if score >= 70:
        return "B"
    if score >= 60:
        return "C"
    return "D"


def _scores_and_details() -> tuple[pl.DataFrame, pl.DataFrame]:
    details = []
    scores = []
    for cid, name, ctype, town, factor in CARRIERS:
        total = 0.0
        for k, (code, dim, ind_name, pts) in enumerate(INDICATORS):
            goal = GOALPOSTS[ctype].get(code)
            if code in ("B1", "B2"):
                raw = 1.0 if factor >= 0.9 else 0.0
                points = pts * raw
                bench = 1.0
            elif code == "S3":
                raw = 1.0 if factor >= 0.5 else 0.0
                points = pts * raw
                bench = 1.0
            else:
                # a little variety per indicator, still driven by the carrier's factor
                share = max(0.0, min(1.2, factor * (1.05 - 0.02 * k)))
                raw = round(goal * share, 4)
                points = pts * min(raw / goal, 1.0)
                bench = float(goal)
            note = None
            if cid == "C010":
                raw = None
                points = 0.0
                note = "数据缺失，按 0 分计 / data missing, counted as 0"
            total += points
            details.append(
                {
                    "assessment_year": YEAR,
                    "run_id": RUN_ID,
                    "carrier_id": cid,
                    "dimension": dim,
                    "indicator_code": code,
                    "indicator_name_zh": ind_name,
                    "raw_value": raw,
                    "benchmark": bench,
                    "points_max": float(pts),
                    "points": points,
                    "note_zh": note,
                }
            )
        scores.append(
            {
                "assessment_year": YEAR,
                "run_id": RUN_ID,
                "carrier_id": cid,
                "carrier_name": name,
                "carrier_type": ctype,
                "town": town,
                "total_score": round(total + 1e-9, 2),
                "grade": _grade(total),
                "veto_reason": None,
            }
        )
    frame = pl.DataFrame(scores, infer_schema_length=None)
    frame = frame.with_columns(
        pl.col("total_score")
        .rank("min", descending=True)
        .over("carrier_type")
        .cast(pl.Int32)
        .alias("rank_in_type")
    )
    frame = frame.with_columns(
        pl.when(pl.col("carrier_id") == "C010")
        .then(pl.lit("D"))
        .otherwise(pl.col("grade"))
        .alias("grade"),
        pl.when(pl.col("carrier_id") == "C010")
        .then(pl.lit("未报送在孵企业数据"))
        .otherwise(pl.col("veto_reason"))
        .alias("veto_reason"),
    )
    cols = [
        "assessment_year",
        "run_id",
        "carrier_id",
        "carrier_name",
        "carrier_type",
        "town",
        "total_score",
        "grade",
        "rank_in_type",
        "veto_reason",
    ]
    details_frame = pl.DataFrame(details, infer_schema_length=None)
    return _with_receipt(frame.select(cols), details_frame), details_frame


PREVIOUS = {  # carrier → its 2023 result (total, grade, rank); C005 is new in 2024
    "C001": (95.20, "A", 1),
    "C002": (72.10, "B", 2),
    "C003": (61.50, "C", 3),
    "C004": (30.50, "D", 4),
    "C006": (55.00, "D", 2),
    "C007": (66.00, "C", 1),
    "C008": (90.00, "A", 1),
    "C009": (71.00, "B", 2),
    "C010": (0.00, "D", 3),
}
BANDS = {"A": 85, "B": 70, "C": 60}


def _with_receipt(scores: pl.DataFrame, details: pl.DataFrame) -> pl.DataFrame:
    """The score receipt's columns (scoring/receipt.py), worked out for these carriers."""
    dims = details.group_by("carrier_id").agg(
        pl.col("points").filter(pl.col("dimension") == dim).sum().alias(col)
        for dim, col in (
            ("service", "service_points"),
            ("performance", "incubation_points"),
            ("sustainability", "sustainability_points"),
            ("bonus", "bonus_points"),
        )
    )
    rows = []
    for r in scores.iter_rows(named=True):
        nxt = {"D": "C", "C": "B", "B": "A"}.get(r["grade"])
        prev = PREVIOUS.get(r["carrier_id"], (None, None, None))
        vetoed = r["veto_reason"] is not None
        gap = None if nxt is None or vetoed else round(BANDS[nxt] - r["total_score"], 2)
        note = (
            f"一票否决：{r['veto_reason']}，评为 D / veto: D"
            if vetoed
            else f"总分 {r['total_score']:.2f} 分，在 {r['grade']} 档 / band {r['grade']}"
        )
        lift = ("P4", 4.0) if r["carrier_id"] == "C009" else (None, None)
        rows.append(
            {
                "carrier_id": r["carrier_id"],
                "grade_note_zh": note,
                "prev_total_score": prev[0],
                "prev_grade": prev[1],
                "prev_rank_in_type": prev[2],
                "next_grade": nxt,
                "points_to_next_grade": gap,
                "lift_indicator": lift[0],
                "lift_raw_value": lift[1],
            }
        )
    receipt = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col("prev_rank_in_type").cast(pl.Int32)
    )
    return scores.join(dims, on="carrier_id", how="left").join(receipt, on="carrier_id")


def _money(values: list[float | None]) -> pl.Series:
    return pl.Series(
        [None if v is None else Decimal(str(v)).quantize(Decimal("0.0001")) for v in values],
        dtype=pl.Decimal(18, 4),
    )


def sample_result_tables() -> dict[str, pl.DataFrame]:
    """The ten result tables of one realistic small year (2024), freshly built each call."""
    scores, details = _scores_and_details()
    common = {"assessment_year": YEAR, "run_id": RUN_ID}

    actions = pl.DataFrame(
        [
            {
                **common,
                "carrier_id": "C004",
                "action": "transfer_operator",
                "reasons_zh": "2024、2023 年连续评为 D 等 / graded D in 2024 and 2023",
            },
            {
                **common,
                "carrier_id": "C010",
                "action": "rectify",
                "reasons_zh": "2024 年评为 D 等（未报送在孵企业数据） / graded D in 2024",
            },
        ]
    )

    rectifications = pl.DataFrame(
        [
            (
                2023,
                "C004",
                "D",
                "D",
                "missed",
                "transfer_operator",
                "整改未达标，2024 年转专业机构运营",
            ),
            (2024, "C004", "D", None, "open", "review", "整改中，待 2025 年评价结果复核"),
            (2023, "C006", "D", "C", "met", "close", "整改达标，结束跟踪"),
            (2024, "C010", "D", None, "open", "review", "整改中，待 2025 年评价结果复核"),
        ],
        schema=[
            "ordered_year",
            "carrier_id",
            "grade_then",
            "grade_in_due_year",
            "status",
            "next_action",
            "next_action_zh",
        ],
        orient="row",
    ).select(
        pl.lit(YEAR).alias("assessment_year"),
        pl.lit(RUN_ID).alias("run_id"),
        "carrier_id",
        "ordered_year",
        "grade_then",
        (pl.col("ordered_year") + 1).alias("due_year"),
        "grade_in_due_year",
        "status",
        "next_action",
        "next_action_zh",
    )

    clearout = pl.DataFrame(
        {
            "assessment_year": [YEAR] * 4,
            "run_id": [RUN_ID] * 4,
            "carrier_id": ["C002", "C003", "C003", "C006"],
            "uscc": [
                "91320500MA1X2Y3Z4A",
                "91320500MA1ABCDE5B",
                "91320500MA1QWERT6C",
                "91320500MA1ZXCVB7D",
            ],
            "enterprise_name": [
                "苏州康源生物科技有限公司",
                "西城精密机械有限公司",
                "已注销示例电子有限公司",
                "星火文创工作室",
            ],
            "entry_date": [
                dt.date(2018, 3, 1),
                dt.date(2019, 6, 15),
                dt.date(2021, 1, 4),
                dt.date(2022, 9, 1),
            ],
            "months_in_incubation": [81, 66, 47, 27],
            "reason_codes": [["C1"], ["C1", "C2"], ["C3"], ["C2"]],
            "reasons_zh": [
                "超期未毕业（81 个月，生物医药上限 60）",
                "超期未毕业（66 个月）；创新效益低下",
                "已注销仍在册",
                "创新效益低下（两年无专利、无融资、研发投入为 0）",
            ],
        }
    )

    reward_rows = [
        (
            "R01",
            "三(一)1",
            "operator",
            "东湖创新发展有限公司",
            "91320500MA1OPER01X",
            "C001",
            "改造提升投入审计额 850 万元 × 20%",
            170.0,
            200.0,
            170.0,
            False,
        ),
        (
            "R02",
            "三(一)2",
            "operator",
            "东湖创新发展有限公司",
            "91320500MA1OPER01X",
            "C001",
            "2024 年认定为国家级孵化器（原省级，补差）",
            20.0,
            40.0,
            20.0,
            False,
        ),
        (
            "R02",
            "三(一)2",
            "operator",
            "青年创客管理有限公司",
            "91320500MA1OPER05X",
            "C005",
            "2024 年认定为省级众创空间",
            10.0,
            10.0,
            10.0,
            False,
        ),
        (
            "R06",
            "三(二)6",
            "service_body",
            "苏州知识产权服务有限公司",
            "91320500MA1SERV01Y",
            "C002",
            "服务收入 180 万元，增长 20%",
            0.6,
            10.0,
            0.6,
            False,
        ),
        (
            "R08",
            "三(三)8",
            "operator",
            "高新区创业服务中心",
            "12320500MB1OPER08Z",
            "C008",
            "国家级绩效评价 A 等次",
            10.0,
            10.0,
            10.0,
            False,
        ),
        (
            "R09",
            "三(三)8",
            "operator",
            "东湖创新发展有限公司",
            "91320500MA1OPER01X",
            "C001",
            "首次认定高企 3 家、毕业 2 家：共 5 家 × 3 万元",
            15.0,
            10.0,
            10.0,
            False,
        ),
        (
            "R09",
            "三(三)8",
            "operator",
            "青年创客管理有限公司",
            "91320500MA1OPER05X",
            "C005",
            "首次认定高企 1 家 × 3 万元",
            3.0,
            10.0,
            3.0,
            False,
        ),
        (
            "R10",
            "三(三)8",
            "enterprise",
            "苏州康源生物科技有限公司",
            "91320500MA1X2Y3Z4A",
            "C002",
            "省级创新创业大赛一等奖",
            20.0,
            20.0,
            20.0,
            False,
        ),
        (
            "R03",
            "三(一)3",
            "operator",
            "临港平台运营有限公司",
            "91320500MA1OPER09W",
            "C009",
            "平台启动经费审计额 40 万元（低于 50 万元，待复核）",
            40.0,
            100.0,
            40.0,
            True,
        ),
    ]
    rewards = pl.DataFrame(
        {
            "assessment_year": [YEAR] * len(reward_rows),
            "run_id": [RUN_ID] * len(reward_rows),
            "rule_code": [r[0] for r in reward_rows],
            "article": [r[1] for r in reward_rows],
            "rule_name_zh": [RULE_NAMES[r[0]] for r in reward_rows],
            "payee_kind": [r[2] for r in reward_rows],
            "payee_name": [r[3] for r in reward_rows],
            "payee_uscc": [r[4] for r in reward_rows],
            "carrier_id": [r[5] for r in reward_rows],
            "basis_zh": [r[6] for r in reward_rows],
            "amount_before_cap": _money([r[7] for r in reward_rows]),
            "cap": _money([r[8] for r in reward_rows]),
            "amount": _money([r[9] for r in reward_rows]),
            "needs_review": [r[10] for r in reward_rows],
        }
    )
    rewards, reward_budget = _budgeted(rewards)

    towns = pl.DataFrame(
        {
            "assessment_year": [YEAR] * 5,
            "run_id": [RUN_ID] * 5,
            "town": ["东湖镇", "南山街道", "西城镇", "北港镇", "高新园区"],
            "tech_enterprises_attracted": [12, 7, 5, 3, 9],
            "tech_sme_registered": [15, 9, 6, 2, 11],
            "high_tech_cultivated": [4, 2, 1, 0, 3],
        }
    )

    targets = [
        ("T1", "新增科创载体面积（平方米）", 200000.0, 126500.0),
        ("T2", "其中新增孵化器面积（平方米）", 60000.0, 64200.0),
        ("T3", "新增省级以上科技企业孵化器、众创空间（家）", 6.0, 4.0),
        ("T4", "省级列统科创平台（家）", 5.0, 2.0),
        ("T5", "市级备案科创平台（家）", 8.0, 5.0),
        ("T6", "累计培育科技型中小企业（家）", 340.0, 211.0),
        ("T7", "累计毕业企业（家）", 100.0, 38.0),
        ("T8", "产业园区入驻科技型企业（家）", 650.0, 402.0),
        ("T9", "省级以上孵化器和科技产业综合体种子资金覆盖率", 1.0, 0.75),
    ]
    targets_progress = pl.DataFrame(
        {
            "assessment_year": [YEAR] * len(targets),
            "run_id": [RUN_ID] * len(targets),
            "target_code": [t[0] for t in targets],
            "target_zh": [t[1] for t in targets],
            "target_value": [t[2] for t in targets],
            "actual_value": [t[3] for t in targets],
            "progress_ratio": [t[3] / t[2] for t in targets],
        }
    )

    dq_rows = [
        (
            "tenants",
            "C002_南山生物医药孵化器.xlsx",
            "在孵企业",
            7,
            "uscc",
            "uscc_check",
            "error",
            "91320500MA1X2Y3Z4",
            "统一社会信用代码校验位错误 / USCC check character fails",
        ),
        (
            "tenants",
            "C003_西城智能制造孵化器.xlsx",
            "在孵企业",
            12,
            "entry_date",
            "parse_date",
            "error",
            "2023年13月1日",
            "日期无法识别 / date cannot be read",
        ),
        (
            "patents",
            "C001_东湖科技企业孵化器.xlsx",
            "专利",
            5,
            "patent_no",
            "patent_check",
            "error",
            "ZL 2023 1 0123456.7",
            "专利号校验位错误 / patent number check fails",
        ),
        (
            "financing",
            "financing_2024.csv",
            "",
            14,
            "amount",
            "negative_amount",
            "error",
            "-50万",
            "金额为负 / negative amount",
        ),
        (
            "patents",
            "C005_青年创客众创空间.xlsx",
            "专利",
            None,
            "备注",
            "unknown_column",
            "warning",
            None,
            "未知列已保留 / unknown column kept",
        ),
        (
            "graduations",
            "C001_东湖科技企业孵化器.xlsx",
            "毕业企业",
            9,
            None,
            "attribution_multiple",
            "warning",
            None,
            "同一事件由多个载体报送 / reported by several carriers",
        ),
    ]
    dq_issues = pl.DataFrame(
        {
            "assessment_year": [YEAR] * len(dq_rows),
            "run_id": [RUN_ID] * len(dq_rows),
            "dataset": [r[0] for r in dq_rows],
            "source_file": [r[1] for r in dq_rows],
            "sheet": [r[2] for r in dq_rows],
            "source_row": pl.Series([r[3] for r in dq_rows], dtype=pl.Int32),
            "column_name": [r[4] for r in dq_rows],
            "check_name": [r[5] for r in dq_rows],
            "severity": [r[6] for r in dq_rows],
            "value_as_written": [r[7] for r in dq_rows],
            "message": [r[8] for r in dq_rows],
        }
    )

    count_rows = [
        ("carriers", "C001_东湖科技企业孵化器.xlsx", 1, 1, 0, 0),
        ("tenants", "C002_南山生物医药孵化器.xlsx", 48, 46, 1, 1),
        ("tenants", "C003_西城智能制造孵化器.xlsx", 35, 34, 1, 0),
        ("patents", "C001_东湖科技企业孵化器.xlsx", 22, 20, 1, 1),
        ("financing", "financing_2024.csv", 30, 29, 1, 0),
    ]
    dataset_counts = pl.DataFrame(
        {
            "assessment_year": [YEAR] * len(count_rows),
            "run_id": [RUN_ID] * len(count_rows),
            "dataset": [r[0] for r in count_rows],
            "source_file": [r[1] for r in count_rows],
            "rows_read": [r[2] for r in count_rows],
            "rows_kept": [r[3] for r in count_rows],
            "rows_rejected": [r[4] for r in count_rows],
            "rows_duplicate": [r[5] for r in count_rows],
        }
    )

    runs = pl.DataFrame(
        {
            "run_id": [RUN_ID],
            "assessment_year": [YEAR],
            "started_at": [dt.datetime(2025, 1, 15, 2, 0, 0, tzinfo=dt.UTC)],
            "finished_at": [dt.datetime(2025, 1, 15, 2, 3, 41, tzinfo=dt.UTC)],
            "status": ["published"],
            "inputs_sha256": ["9f2c" + "0" * 60],
            "rules_sha256": ["a1b2" + "1" * 60],
            "code_version": ["0.1.0+g8368192"],
        }
    )

    return {
        "grade_robustness": _robustness(scores),
        "reward_budget": reward_budget,
        "carrier_scores": scores,
        "score_details": details,
        "carrier_actions": actions,
        "rectifications": rectifications,
        "tenant_clearout": clearout,
        "rewards": rewards,
        "town_tasks": towns,
        "targets_progress": targets_progress,
        "dq_issues": dq_issues,
        "dataset_counts": dataset_counts,
        "runs": runs,
    }


def _budgeted(rewards: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reward lines under a budget of R01 below its claims (scoring.budget, real rulebook
    departments), and the budget rows."""
    import yaml

    from scoring.budget import apply_budget
    from scoring.rulebook import RULEBOOK_DIR, parse_rulebook

    doc = yaml.safe_load((RULEBOOK_DIR / f"{YEAR}.yaml").read_text(encoding="utf-8"))
    doc["budget"] = {"total": None, "rules": {"R01": 50}}
    paid, table = apply_budget(rewards, parse_rulebook(doc))
    paid = paid.with_columns(
        pl.col("amount", "amount_before_budget").cast(pl.Decimal(18, 4)),
        pl.col("budget_factor").cast(pl.Float64),
    )
    table = table.with_columns(
        pl.col("budget", "claimed", "paid").cast(pl.Decimal(18, 4)),
        pl.col("factor").cast(pl.Float64),
        assessment_year=pl.lit(YEAR, dtype=pl.Int32),
        run_id=pl.lit(RUN_ID),
    )
    return paid, table


def _robustness(scores: pl.DataFrame) -> pl.DataFrame:
    """Grade shares per carrier: the second and the fifth carrier borderline."""
    rows = []
    for i, (cid, grade) in enumerate(scores.select("carrier_id", "grade").iter_rows()):
        same = 0.55 if i in (1, 4) else 1.0
        shares = {g: 0.0 for g in "ABCD"}
        shares[grade] = same
        other = "B" if grade != "B" else "C"
        shares[other] += 1.0 - same
        rows.append(
            {
                "assessment_year": YEAR,
                "run_id": RUN_ID,
                "carrier_id": cid,
                "grade": grade,
                **{f"p_{g.lower()}": v for g, v in shares.items()},
                "p_same": same,
                "borderline": same < 0.8,
            }
        )
    return pl.DataFrame(rows)
