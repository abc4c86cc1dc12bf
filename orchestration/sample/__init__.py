"""A realistic sample district: report packages as carriers hand them in, with a manifest.

`generate_sample` builds one simulated district (carriers, tenant enterprises and their patents,
certificates, graduations, financing, awards, evaluations, recognitions and subsidy claims over
the years), then writes one report package folder per year exactly as the contract describes:
per-carrier workbooks at district scale, a few large CSV files per dataset at bench scale, with
the messiness real packages have (date, money and bool forms, full-width characters, header
variants, title rows, a GB18030 CSV, a workbook handed in twice, a repeated row) and a handful of
planted bad rows. The manifest says what was planted and where, so tests and the demo can check
the batch finds exactly those.

Everything is vectorised (numpy, polars): the national bench (scale ≈ 267, ~3M patents) must be
generated in about a minute. The same arguments give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
import xlsxwriter
from pydantic import BaseModel, Field

from orchestration.contract import Column, datasets
from orchestration.sample.identifiers import (
    corrupt_uscc,
    patent_check_batch,
    patent_check_char,
    uscc_batch,
)

Fmt = Literal["auto", "xlsx", "csv"]

XLSX_MAX_SCALE = 5.0
"""fmt "auto" writes per-carrier workbooks up to this scale, large CSV files above it."""
CSV_PART_ROWS = 1_000_000
"""Bench CSVs are split into parts of at most this many rows."""

_EPOCH = dt.date(1970, 1, 1)
_EXCEL_EPOCH_OFFSET = 25569
"""Excel serial number of 1970-01-01 (serials count days from 1899-12-30)."""
_CELL_NUM = "\x01N"
_CELL_DATE = "\x01D"
"""Sentinels: the rendered text is written to .xlsx as a number / date cell, not a string."""

CARRIER_TYPES = (
    "incubator",
    "maker_space",
    "accelerator",
    "complex",
    "platform",
    "offshore_center",
    "industrial_park",
)
_TYPE_SHARE = (0.30, 0.20, 0.12, 0.10, 0.12, 0.06, 0.10)
_TYPE_TENANTS = (47, 29, 29, 56, 14, 12, 102)
"""Typical tenants incubating at once, per carrier type."""
_TYPE_S4 = (3, 5, 1, 2, 1, 2, 0.5)
"""Goalpost of S4 (tenants per 1000 m²) per type: incubation areas are drawn around it."""
_TYPE_SUFFIX = (
    "科技企业孵化器",
    "众创空间",
    "科技企业加速器",
    "科技产业综合体",
    "产业技术研究院",
    "离岸创新中心",
    "科技产业园",
)
OPERATOR_KINDS = ("government", "state_owned", "private", "professional")

JIANGDU_TOWNS = (
    "仙女镇",
    "小纪镇",
    "武坚镇",
    "樊川镇",
    "真武镇",
    "宜陵镇",
    "丁沟镇",
    "邵伯镇",
)
_TOWN_A = "龙川文昌芒稻凤城运河沿江新桥永安花荡吴桥郭村浦头大桥舜天塘头昭关宗村三江"
_TOWN_B = "东南西北新安宁和兴平丰盛华泰康湾塘港桥口"
_NAME_WORDS = [
    "龙川",
    "文昌",
    "仙城",
    "芒稻",
    "凤鸣",
    "运河",
    "智谷",
    "鼎盛",
    "星火",
    "启航",
    "汇智",
    "创谷",
    "紫藤",
    "润扬",
    "天成",
    "恒泰",
    "金湾",
    "邗沟",
    "广陵",
    "维扬",
    "青云",
    "瑞丰",
    "博远",
    "科润",
    "华创",
    "精诚",
    "新锐",
    "同创",
    "致远",
    "聚能",
    "长江",
    "淮扬",
    "银杏",
    "琼花",
    "明德",
    "鸿图",
    "昌达",
    "宏业",
    "卓越",
    "领航",
    "远景",
    "正泰",
    "新元",
    "中瑞",
    "海川",
    "江淮",
    "苏中",
    "通扬",
    "翔宇",
    "天禾",
]
_OFFSHORE_CITIES = ("上海", "南京", "深圳", "苏州", "杭州", "北京", "合肥", "无锡")
_ENTERPRISE_WORDS = [
    "华",
    "瑞",
    "博",
    "创",
    "智",
    "科",
    "睿",
    "恒",
    "泰",
    "新",
    "源",
    "达",
    "联",
    "晟",
    "卓",
    "越",
    "远",
    "航",
    "鑫",
    "鼎",
    "盛",
    "昊",
    "宇",
    "嘉",
    "德",
    "信",
    "诚",
    "明",
    "光",
    "启",
    "众",
    "凯",
    "峰",
    "润",
    "天",
    "安",
    "康",
    "禾",
    "骏",
    "弘",
    "立",
    "微",
    "芯",
    "元",
    "和",
    "晶",
    "谱",
    "图",
    "思",
    "帆",
    "锐",
    "迈",
    "纳",
    "拓",
    "铭",
    "辰",
    "尚",
    "同",
    "融",
]
INDUSTRIES = (
    "电子信息",
    "高端装备",
    "新材料",
    "软件和信息服务",
    "节能环保",
    "新能源",
    "汽车零部件",
    "智能制造",
    "文化创意",
    "生物医药",
    "集成电路",
    "现代农业",
)
LONG_INCUBATION_INDUSTRIES = ("生物医药", "集成电路", "现代农业")
_INDUSTRY_P = (0.14, 0.14, 0.11, 0.12, 0.07, 0.07, 0.07, 0.10, 0.04, 0.06, 0.05, 0.03)
_INDUSTRY_WORD = (
    "电子科技",
    "机械科技",
    "新材料科技",
    "信息技术",
    "环保科技",
    "新能源科技",
    "汽车零部件",
    "智能装备",
    "文化传媒",
    "生物医药科技",
    "半导体科技",
    "农业科技",
)
_TITLE_A = [
    "智能",
    "高效",
    "节能",
    "便携",
    "自动",
    "多功能",
    "复合",
    "可调",
    "新型",
    "模块化",
    "低噪声",
    "高精度",
]
_TITLE_B = [
    "检测装置",
    "控制系统",
    "制备方法",
    "连接结构",
    "散热组件",
    "传感器",
    "驱动电路",
    "清洗设备",
    "包装机构",
    "储能电池",
    "过滤装置",
    "识别方法",
    "夹具",
    "输送线",
    "外壳",
]
_COMPETITIONS = (
    ("中国创新创业大赛（江苏赛区）", "provincial"),
    ("江苏省科技创业大赛", "provincial"),
    ("“创客中国”江苏省中小企业创新创业大赛", "provincial"),
    ("扬州市创新创业大赛", "municipal"),
    ("扬州市“绿扬金凤”创业大赛", "municipal"),
)
_INVESTORS = {
    "equity": ("江苏高投", "扬州创投", "元禾原点", "深创投", "毅达资本", "苏高新创投"),
    "bank_loan": ("中国银行江都支行", "江苏银行扬州分行", "农商银行江都支行", "工商银行江都支行"),
    "su_ke_dai": ("江苏银行扬州分行", "南京银行扬州分行", "邮储银行江都支行"),
    "zhi_ke_dai": ("交通银行扬州分行", "中国银行江都支行"),
    "talent_loan": ("江苏银行扬州分行", "农商银行江都支行"),
    "venture_fund": ("扬州市天使投资基金", "江都区科创基金", "江苏省天使投资引导基金"),
    "other": ("扬州市融资担保公司", "江都区小微贷"),
}
_FIN_KINDS = (
    "equity",
    "bank_loan",
    "su_ke_dai",
    "zhi_ke_dai",
    "talent_loan",
    "venture_fund",
    "other",
)
_FIN_P = (0.22, 0.30, 0.18, 0.08, 0.07, 0.08, 0.07)
_FIN_MEDIAN = (400.0, 150.0, 200.0, 100.0, 80.0, 500.0, 60.0)
"""Median financing amount per kind, 万元."""
_ROUNDS = ("天使轮", "Pre-A轮", "A轮", "A+轮", "B轮")
_EXIT_KINDS = ("graduated", "moved_out", "cleared_out", "deregistered")
_STATUS_ZH = {"graduated": "毕业", "moved_out": "迁出", "cleared_out": "清退"}

DefectKind = Literal[
    "uscc_check",
    "invalid_date",
    "negative_amount",
    "negative_area",
    "unreadable_number",
    "missing_required",
    "patent_check",
    "patent_type_mismatch",
    "certificate_year_mismatch",
]


# --------------------------------------------------------------------------------------------
# Manifest


class PlantedDefect(BaseModel):
    """One bad cell the generator wrote on purpose: where a person finds it, and why it is bad."""

    dataset: str
    file: str
    sheet: str
    row: int
    """Excel row as a spreadsheet shows it (title and header rows counted), or CSV line."""
    column: str
    value: str
    kind: DefectKind


class YearManifest(BaseModel):
    """What one year's package holds and what was planted in it."""

    year: int
    package_dir: str
    fmt: Literal["xlsx", "csv"]
    files: list[str]
    rows: dict[str, int]
    """Data rows written per dataset (repeated rows and defective rows included)."""
    defects: list[PlantedDefect]
    scenarios: dict[str, Any] = Field(default_factory=dict)


class SampleManifest(BaseModel):
    """The generator's account of a sample: one entry per year."""

    seed: int
    scale: float
    years: dict[int, YearManifest]


# --------------------------------------------------------------------------------------------
# Small helpers


def _day(year: int, month: int = 1, day: int = 1) -> int:
    return (dt.date(year, month, day) - _EPOCH).days


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _alloc(n: int, shares: Sequence[float]) -> np.ndarray:
    """Split n into counts by shares (largest remainder), at least one each when n allows."""
    raw = np.asarray(shares) * n
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    if n >= len(shares):
        while (counts == 0).any():
            counts[np.argmax(counts)] -= 1
            counts[np.argmin(counts)] += 1
    return counts


def _money(values: np.ndarray) -> np.ndarray:
    """万元 amounts → integer hundredths of 万元 (exact decimal rendering, 2 decimals)."""
    return np.maximum(np.round(values * 100), 1).astype(np.int64)


def _dates(days: np.ndarray | pl.Series) -> pl.Series:
    return pl.Series(np.asarray(days, dtype=np.int32)).cast(pl.Date)


class _Ids:
    """Unique organisation-code bodies for every credit code the sample needs."""

    _A = 39_916_801
    """Multiplier coprime with 10^8: i → a·i + b mod 10^8 is a bijection."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._b = int(rng.integers(0, 10**8))
        self._next = 0

    def take(self, n: int, prefix: str | np.ndarray = "91321012") -> np.ndarray:
        idx = np.arange(self._next, self._next + n, dtype=np.int64)
        self._next += n
        bodies = (idx * self._A + self._b) % 10**8
        return uscc_batch(prefix, bodies)


# --------------------------------------------------------------------------------------------
# The simulated district


class _World:
    """The district's facts over all years, canonical (typed, clean); packages are views of it."""

    def __init__(self, scale: float, years: Sequence[int], seed: int) -> None:
        self.scale = scale
        self.years = tuple(sorted(years))
        self.first, self.last = self.years[0], self.years[-1]
        self.rng = np.random.default_rng([seed, 1])
        self.ids = _Ids(np.random.default_rng([seed, 2]))
        self.scenarios: dict[str, Any] = {}
        self._carriers()
        self._tenancies()
        self._enterprise_events()

    # -- carriers -------------------------------------------------------------------------------

    def _carriers(self) -> None:
        rng = self.rng
        n = max(len(CARRIER_TYPES), round(60 * self.scale))
        n_towns = max(2, round(8 * self.scale))
        towns = list(JIANGDU_TOWNS[:n_towns])
        k = 0
        while len(towns) < n_towns:
            a, b = _TOWN_A[k % len(_TOWN_A)], _TOWN_B[(k // len(_TOWN_A)) % len(_TOWN_B)]
            rep = k // (len(_TOWN_A) * len(_TOWN_B))
            towns.append(f"{a}{b}{'' if rep == 0 else rep + 1}镇")
            k += 1
        self.towns = np.array(towns)

        type_idx = np.repeat(np.arange(7), _alloc(n, _TYPE_SHARE))
        type_idx = type_idx[rng.permutation(n)]
        self.n_carriers = n
        width = max(3, len(str(n)))
        ids = np.array([f"C{i + 1:0{width}d}" for i in range(n)])
        town = self.towns[rng.integers(0, n_towns, n)]
        town[: min(n, n_towns)] = self.towns[: min(n, n_towns)]  # every town has a carrier
        # Carrier quality, standardised within each type so every scale (and seed) has the same
        # spread of good and poor carriers: the sample's totals scale linearly.
        z = rng.normal(0, 1, n)
        for t in range(7):
            sel = type_idx == t
            if sel.sum() >= 3:
                z[sel] = (z[sel] - z[sel].mean()) / z[sel].std()
        q = np.exp(-0.5 + 0.8 * z).clip(0.15, 2.5)
        op_kind = rng.choice(4, n, p=(0.15, 0.25, 0.35, 0.25))
        op_kind[:4] = np.arange(4)

        # Roles of a few carriers at fixed places, so the sample always has them.
        def first_of(t: int, skip: set[int]) -> int:
            cand = [i for i in np.flatnonzero(type_idx == t) if i not in skip]
            return int(cand[0])

        taken: set[int] = set()
        veto = first_of(CARRIER_TYPES.index("platform"), taken)
        taken.add(veto)
        gov_poor = first_of(0, taken)
        taken.add(gov_poor)
        r02 = first_of(0, taken)
        taken.add(r02)
        op_kind[gov_poor] = 0
        q[gov_poor] = 0.12
        q[r02] = max(q[r02], 1.3)
        q[veto] = 0.5
        self.roles = {"veto": veto, "gov_poor": gov_poor, "r02_topup": r02}

        words = np.array(_NAME_WORDS)
        name_word = words[rng.integers(0, len(words), n)]
        suffix = np.array(_TYPE_SUFFIX)[type_idx]
        city = np.array(_OFFSHORE_CITIES)[rng.integers(0, len(_OFFSHORE_CITIES), n)]
        names = np.where(
            type_idx == CARRIER_TYPES.index("offshore_center"),
            np.char.add(np.char.add("江都（", city), "）离岸创新中心"),
            np.char.add(name_word, suffix),
        )
        seen: dict[str, int] = {}
        uniq = []
        for nm in names.tolist():  # one pass over carriers (≤ 16k), not over rows
            c = seen.get(nm, 0)
            seen[nm] = c + 1
            uniq.append(nm if c == 0 else f"{nm}{c + 1}号")
        names = np.array(uniq)

        op_name = np.where(
            op_kind == 0,
            np.char.add(town, "科技创新服务中心"),
            np.char.add(
                np.char.add("扬州", name_word),
                np.array(["", "投资发展集团有限公司", "科技发展有限公司", "孵化器管理有限公司"])[
                    op_kind
                ],
            ),
        )
        op_prefix = np.where(op_kind == 0, "12321012", "91321012")
        op_uscc = self.ids.take(n, op_prefix)

        tenants_target = (np.array(_TYPE_TENANTS)[type_idx] * np.exp(rng.normal(0, 0.3, n))).clip(
            4, None
        )
        tenants_target[veto] = 0
        density = np.array(_TYPE_S4)[type_idx] * rng.uniform(0.6, 1.5, n) * np.sqrt(q)
        inc_area = np.round(np.maximum(tenants_target, 5) * 1000 / density, -1)
        total_area = np.round(inc_area * rng.uniform(1.15, 1.8, n), -1)
        est_year = rng.integers(2008, self.first, n)
        new = rng.random(n) < 0.08
        est_year = np.where(new, self.first + rng.integers(0, len(self.years), n), est_year)
        est_year[[veto, gov_poor, r02]] = [self.last - 1, 2012, 2015]
        est = np.array([_day(int(y)) for y in est_year]) + rng.integers(0, 300, n)

        level_p = {
            0: (0.25, 0.40, 0.30, 0.05),
            1: (0.15, 0.45, 0.30, 0.10),
            2: (0.0, 0.35, 0.40, 0.25),
        }
        level = np.full(n, "none", dtype=object)
        for t, p in level_p.items():
            sel = type_idx == t
            level[sel] = rng.choice(
                ["national", "provincial", "municipal", "district"], sel.sum(), p=p
            )
        other = type_idx >= 3
        level[other] = rng.choice(["municipal", "district", "none"], other.sum(), p=(0.3, 0.4, 0.3))
        level[gov_poor] = "municipal"
        level[r02] = "municipal"
        level_date = np.where(level == "none", -1, est + rng.integers(300, 1500, n)).clip(
            None, _day(self.first - 1, 12, 31)
        )

        seed_fund = rng.random(n) < (0.35 + 0.35 * np.minimum(q, 1.2))
        seed_fund[gov_poor] = False
        seed_amount = np.where(seed_fund, rng.choice([100, 200, 300, 500, 1000, 2000], n), 0)

        self.carriers = pl.DataFrame(
            {
                "c": np.arange(n),
                "carrier_id": ids,
                "carrier_name": names,
                "carrier_type": np.array(CARRIER_TYPES)[type_idx],
                "level": level.astype(str),
                "level_date": np.where(level_date < 0, 0, level_date).astype(np.int32),
                "town": town,
                "operator_name": op_name,
                "operator_uscc": op_uscc,
                "operator_kind": np.array(OPERATOR_KINDS)[op_kind],
                "total_area_m2": total_area,
                "incubation_area_m2": inc_area,
                "established_date": est.astype(np.int32),
                "seed_fund": seed_fund,
                "seed_fund_amount": np.where(seed_fund, _money(seed_amount.astype(float)), 0),
                "service_staff": (rng.poisson(4 + 4 * q) + 1).astype(np.int64),
                "q": q,
                "tenants_target": tenants_target,
            }
        ).with_columns(
            pl.when(pl.col("level") == "none")
            .then(None)
            .otherwise(pl.col("level_date").cast(pl.Date))
            .alias("level_date"),
            pl.col("established_date").cast(pl.Date),
            pl.when(pl.col("seed_fund"))
            .then(pl.col("seed_fund_amount"))
            .otherwise(None)
            .alias("seed_fund_amount"),
        )
        self.q = q
        self.type_idx = type_idx
        self.est = est

    # -- tenancies ------------------------------------------------------------------------------

    def _tenancies(self) -> None:
        """Entries and exits per carrier: a steady flow with mean stay ~3 years and a long tail."""
        rng = self.rng
        mean_stay = 3.0
        start = np.maximum(self.est, _day(self.first - 10))
        end = _day(self.last, 12, 31)
        span_years = (end - start) / 365.25
        tt = self.carriers["tenants_target"].to_numpy()
        counts = rng.poisson(tt / mean_stay * span_years)
        c = np.repeat(np.arange(self.n_carriers), counts)
        entry = start[c] + np.floor(rng.random(c.size) * (end - start[c] + 1)).astype(np.int64)
        q = self.q[c]
        stay = rng.gamma(4.0, mean_stay / 4.0, c.size) * 365.25
        stuck = rng.random(c.size) < 0.04
        stay = np.where(stuck, stay * 2.2, stay)
        exit_ = entry + np.maximum(stay, 60).astype(np.int64)
        keep = exit_ >= _day(self.first - 3)
        c, entry, exit_, q = c[keep], entry[keep], exit_[keep], q[keep]
        n = c.size
        p_grad = np.clip(0.7 + 0.22 * q, 0.3, 0.92)
        u = rng.random(n)
        rest = (1 - p_grad) / 3
        kind = np.where(
            u < p_grad,
            0,
            np.where(u < p_grad + rest * 1.4, 1, np.where(u < p_grad + rest * 2.2, 2, 3)),
        )
        exit_kind = np.where(exit_ > end, -1, kind)
        exit_ = np.where(exit_ > end, -1, exit_)
        # A few deregistered companies stay on the books: no exit date, status deregistered (C3).
        unreported = (exit_kind == 3) & (_year_of(np.maximum(exit_, 0)) >= self.first - 1)
        unreported &= rng.random(n) < 0.4

        ind = rng.choice(len(INDUSTRIES), n, p=_INDUSTRY_P)
        dormant = rng.random(n) < 0.07
        words = np.array(_ENTERPRISE_WORDS)
        w1 = words[rng.integers(0, len(words), n)]
        w2 = words[rng.integers(0, len(words), n)]
        inds = np.array(_INDUSTRY_WORD)[ind]
        city = np.where(rng.random(n) < 0.85, "扬州", "江苏")
        name = np.char.add(np.char.add(np.char.add(city, w1), np.char.add(w2, inds)), "有限公司")
        prefix = np.where(
            rng.random(n) < 0.85,
            "91321012",
            rng.choice(["91320100", "91321002", "91310115", "91320506"], n),
        )
        uscc = self.ids.take(n, prefix)
        # Tenants recruited by another town's committee (飞地 / enclave attribution).
        carrier_town = self.carriers["town"].to_numpy()[c]
        other_town = self.towns[rng.integers(0, len(self.towns), n)]
        enclave = (
            (_year_of(entry) >= self.first - 1)
            & (rng.random(n) < 0.06)
            & (other_town != carrier_town)
        )
        attracted = np.where(enclave, other_town, np.where(rng.random(n) < 0.3, carrier_town, ""))

        self.t = pl.DataFrame(
            {
                "e": np.arange(n),
                "c": c,
                "entry": entry.astype(np.int32),
                "exit": exit_.astype(np.int32),
                "exit_kind": exit_kind,
                "unreported": unreported,
                "q": q,
                "dormant": dormant,
                "industry": np.array(INDUSTRIES)[ind],
                "enterprise_name": name,
                "uscc": uscc,
                "attracted_by_town": attracted,
                "tech_recruit": rng.random(n) < np.clip(0.35 + 0.3 * q, 0, 0.9),
                "size": np.exp(rng.normal(np.log(180), 1.0, n)) * np.sqrt(q),
                "rd_ratio": np.where(dormant, 0.0, rng.uniform(0.015, 0.10, n) * np.sqrt(q)),
                "area_share": rng.uniform(0.6, 1.4, n),
                "primary": np.ones(n, dtype=bool),
            }
        )
        # Some enterprises are tenants of two carriers at once (double claims).
        alive_any = (exit_ < 0) | (exit_ >= _day(self.first))
        special = np.isin(c, list(self.roles.values()))
        cand = np.flatnonzero(alive_any & ~special & ~dormant & (entry < _day(self.first)))
        n_dbl = max(3, int(0.012 * cand.size))
        dbl = np.sort(rng.choice(cand, min(n_dbl, cand.size), replace=False))
        other_c = rng.integers(0, self.n_carriers, dbl.size)
        bad = (other_c == c[dbl]) | np.isin(other_c, list(self.roles.values()))
        other_c = np.where(bad, (other_c + 1 + c[dbl]) % self.n_carriers, other_c)
        other_c = np.where(np.isin(other_c, list(self.roles.values())), c[dbl], other_c)
        ok = other_c != c[dbl]
        dbl, other_c = dbl[ok], other_c[ok]
        second = (
            self.t[dbl]
            .with_columns(
                pl.Series("c", other_c),
                (pl.col("entry") + pl.Series(rng.integers(-200, 200, dbl.size)))
                .clip(pl.Series(self.est[other_c].astype(np.int32)))
                .cast(pl.Int32)
                .alias("entry"),
                pl.when(pl.col("exit_kind") == 0)
                .then(1)
                .otherwise(pl.col("exit_kind"))
                .alias("exit_kind"),
                pl.lit(False).alias("primary"),
            )
            .filter((pl.col("exit") < 0) | (pl.col("entry") < pl.col("exit")))
        )
        self.t = pl.concat([self.t, second]).sort("c", "entry", "e")
        self.scenarios["double_tenants"] = sorted(second["uscc"].to_list())

    # -- enterprise events over the years --------------------------------------------------------

    def _window(self, year: int) -> pl.DataFrame:
        """Primary tenancies alive in `year`, with the part of the year they were tenants."""
        y0, y1 = _day(year), _day(year, 12, 31)
        return (
            self.t.filter(pl.col("primary"), pl.col("entry") <= y1)
            .filter((pl.col("exit") < 0) | (pl.col("exit") >= y0))
            .with_columns(
                pl.max_horizontal(pl.col("entry"), pl.lit(y0)).alias("w0"),
                pl.when(pl.col("exit") < 0)
                .then(pl.lit(y1))
                .otherwise(pl.min_horizontal(pl.col("exit"), pl.lit(y1)))
                .alias("w1"),
            )
        )

    def _enterprise_events(self) -> None:
        rng = self.rng
        t = self.t.filter(pl.col("primary"))
        n = t.height
        e = t["e"].to_numpy()
        q = t["q"].to_numpy()
        dormant = t["dormant"].to_numpy()
        entry = t["entry"].to_numpy().astype(np.int64)
        exit_ = t["exit"].to_numpy().astype(np.int64)
        end = _day(self.last, 12, 31)
        life_end = np.where(exit_ < 0, end, exit_)

        # Patents: applied from a year before entry until leaving; type, grant and lapse.
        p_start = entry
        span = (life_end - p_start) / 365.25
        rate = np.where(dormant, 0.0, 2.0 * q * np.exp(rng.normal(0, 0.5, n)))
        k = rng.poisson(rate * span)
        pe = np.repeat(e, k)
        pidx = np.repeat(np.arange(n), k)
        app = p_start[pidx] + np.floor(rng.random(pe.size) * (life_end[pidx] - p_start[pidx] + 1))
        app = app.astype(np.int64)
        m = pe.size
        ptype = rng.choice(3, m, p=(0.33, 0.52, 0.15))
        delay = np.select(
            [ptype == 0, ptype == 1],
            [rng.uniform(1.3, 3.3, m), rng.uniform(0.35, 0.9, m)],
            rng.uniform(0.25, 0.6, m),
        )
        granted = rng.random(m) < np.where(ptype == 0, 0.7, 0.97)
        grant = np.where(granted, app + (delay * 365.25).astype(np.int64), -1)
        reject = np.where(granted, -1, app + (delay * 365.25).astype(np.int64))
        lapse = np.where(granted & (rng.random(m) < 0.05), grant + rng.integers(365, 1500, m), -1)
        app_year = _year_of(app)
        type_digit = np.array([1, 2, 3])[ptype]
        pct = rng.random(m) < 0.02
        type_digit = np.where(pct & (ptype == 0), 8, np.where(pct & (ptype == 1), 9, type_digit))
        order = np.lexsort((rng.random(m), type_digit, app_year))
        rank = np.empty(m, dtype=np.int64)
        grp = app_year[order] * 10 + type_digit[order]
        starts = np.r_[0, np.flatnonzero(np.diff(grp)) + 1]
        pos = np.arange(m) - np.repeat(starts, np.diff(np.r_[starts, m]))
        rank[order] = pos
        serial = 100_000 + rank * 13 + rng.integers(0, 13, m)
        digits = np.stack(
            [(app_year // 10 ** (3 - i)) % 10 for i in range(4)]
            + [type_digit]
            + [(serial // 10 ** (6 - i)) % 10 for i in range(7)],
            axis=1,
        )
        check = patent_check_batch(digits)
        num = (app_year * 10 + type_digit) * 10_000_000 + serial
        patent_no = np.char.add(np.char.add(num.astype(str), "."), check)
        a_ = np.array(_TITLE_A)[rng.integers(0, len(_TITLE_A), m)]
        b_ = np.array(_TITLE_B)[rng.integers(0, len(_TITLE_B), m)]
        title = np.char.add(np.char.add("一种", a_), b_)
        self.patents = pl.DataFrame(
            {
                "e": pe,
                "patent_no": patent_no,
                "patent_type": np.array(["invention", "utility_model", "design"])[ptype],
                "title": title,
                "application_date": app.astype(np.int32),
                "grant": grant.astype(np.int32),
                "reject": reject.astype(np.int32),
                "lapse": lapse.astype(np.int32),
            }
        )
        self._old_patents()

        # High-tech certificates: a first one some years after entry, renewals every 3 years.
        has = (~dormant) & (rng.random(n) < np.clip(0.5 * q + 0.3, 0, 0.9))
        entry_year = _year_of(entry)
        year_start = (entry_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        late = (entry - year_start.astype(np.int64)) > 300
        # the first certificate comes after entry (batches are issued in November and December)
        first_year = entry_year + np.maximum(rng.integers(0, 4, n), late.astype(np.int64))
        rows = []
        for r in range(4):
            yr = first_year + 3 * r
            alive = has & (yr <= self.last) & (yr >= self.first - 9)
            if r:
                has = has & (rng.random(n) < 0.75)
                alive &= has
            rows.append((e[alive], yr[alive], np.full(alive.sum(), r)))
        ce = np.concatenate([x[0] for x in rows])
        cy = np.concatenate([x[1] for x in rows])
        cr = np.concatenate([x[2] for x in rows])
        batch = np.array([(11, 6), (11, 30), (12, 13)])[rng.integers(0, 3, ce.size)]
        issue = (
            np.array([_day(int(y), int(mo), int(d)) for y, (mo, d) in zip(cy, batch, strict=True)])
            if ce.size < 50_000
            else self._batch_days(cy, batch)
        )
        order = np.lexsort((rng.random(ce.size), cy))
        crank = np.empty(ce.size, dtype=np.int64)
        starts = np.r_[0, np.flatnonzero(np.diff(cy[order])) + 1] if ce.size else np.array([0])
        crank[order] = np.arange(ce.size) - np.repeat(starts, np.diff(np.r_[starts, ce.size]))
        cert_no = np.char.add(
            np.char.add("GR", cy.astype(str)),
            np.char.add(
                "32", np.char.zfill((1000 + crank * 3 + rng.integers(0, 3, ce.size)).astype(str), 6)
            ),
        )
        self.certs = pl.DataFrame(
            {
                "e": ce,
                "certificate_no": cert_no,
                "issue_date": np.asarray(issue, dtype=np.int32),
                "cert_kind": np.where(cr == 0, "first", "renewal"),
            }
        )

        # Per-year facts: tech-SME registration, financing, awards, tenant figures.
        self.yearly: dict[int, dict[str, pl.DataFrame]] = {}
        for year in range(self.first - 2, self.last + 1):
            self.yearly[year] = self._year_events(year)

    def _batch_days(self, years: np.ndarray, md: np.ndarray) -> np.ndarray:
        base = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        month_start = base.astype("datetime64[M]") + (md[:, 0] - 1)
        return (month_start.astype("datetime64[D]") + (md[:, 1] - 1)).astype(np.int64)

    def _old_patents(self) -> None:
        """A few patents in the old 8-digit form (filed before 2003), long since lapsed."""
        rng = self.rng
        k = max(2, round(3 * self.scale))
        pick = rng.choice(self.patents.height, k, replace=False)
        yy = rng.integers(97, 100, k)
        serial = rng.integers(10000, 99999, k)
        nums = yy * 1_000_000 + 100_000 + serial
        digits = np.stack([(nums // 10 ** (7 - i)) % 10 for i in range(8)], axis=1)
        nos = np.char.add(np.char.add(nums.astype(str), "."), patent_check_batch(digits))
        app = np.array([_day(1900 + int(y), 3, 1) for y in yy]) + rng.integers(0, 200, k)
        upd = pl.DataFrame(
            {
                "row": pick,
                "patent_no_old": nos,
                "app_old": app.astype(np.int32),
            }
        )
        self.patents = (
            self.patents.with_row_index("row")
            .with_columns(pl.col("row").cast(pl.Int64))
            .join(upd.with_columns(pl.col("row").cast(pl.Int64)), on="row", how="left")
            .with_columns(
                pl.coalesce("patent_no_old", "patent_no").alias("patent_no"),
                pl.when(pl.col("app_old").is_not_null())
                .then(pl.lit("invention"))
                .otherwise(pl.col("patent_type"))
                .alias("patent_type"),
                pl.coalesce("app_old", "application_date").alias("application_date"),
                pl.when(pl.col("app_old").is_not_null())
                .then(pl.col("app_old") + 1100)
                .otherwise(pl.col("grant"))
                .alias("grant"),
                pl.when(pl.col("app_old").is_not_null())
                .then(pl.col("app_old") + 4000)
                .otherwise(pl.col("lapse"))
                .alias("lapse"),
            )
            .drop("row", "patent_no_old", "app_old")
        )
        self.scenarios["old_form_patents"] = sorted(nos.tolist())

    def _year_events(self, year: int) -> dict[str, pl.DataFrame]:
        rng = np.random.default_rng([int(self.rng.integers(0, 2**31)), year])
        w = self._window(year)
        n = w.height
        e = w["e"].to_numpy()
        q = w["q"].to_numpy()
        dormant = w["dormant"].to_numpy()
        w0 = w["w0"].to_numpy().astype(np.int64)
        w1 = w["w1"].to_numpy().astype(np.int64)

        def dates(idx: np.ndarray) -> np.ndarray:
            return w0[idx] + np.floor(rng.random(idx.size) * (w1[idx] - w0[idx] + 1)).astype(
                np.int64
            )

        reg = (~dormant) & (rng.random(n) < np.clip(0.22 * q + 0.05, 0, 0.7))
        reg_date = np.where(reg, dates(np.arange(n)), -1)
        sme = pl.DataFrame({"e": e, "reg_date": reg_date.astype(np.int32)}).filter(
            pl.col("reg_date") >= 0
        )
        serial = rng.integers(1000, 999_999, sme.height)
        sme = sme.with_columns(
            pl.Series(
                "reg_no",
                np.char.add(f"{year}32101204", np.char.zfill(serial.astype(str), 6)),
            )
        )

        k = rng.poisson(np.where(dormant, 0.0, 0.8 * q * np.exp(rng.normal(0, 0.4, n))))
        fi = np.repeat(np.arange(n), k)
        kind = rng.choice(len(_FIN_KINDS), fi.size, p=_FIN_P)
        amount = np.array(_FIN_MEDIAN)[kind] * np.exp(rng.normal(0, 0.8, fi.size)) * np.sqrt(q[fi])
        amount = np.where(amount > 50, np.round(amount, 0), np.round(amount, 1))
        inv_choice = rng.integers(0, 100, fi.size)
        investor = (
            np.array(
                [
                    _INVESTORS[_FIN_KINDS[kd]][ic % len(_INVESTORS[_FIN_KINDS[kd]])]
                    for kd, ic in zip(kind, inv_choice, strict=True)
                ]
            )
            if fi.size < 20_000
            else self._investors(kind, inv_choice)
        )
        rnd = np.where(kind == 0, np.array(_ROUNDS)[rng.integers(0, len(_ROUNDS), fi.size)], "")
        fin = pl.DataFrame(
            {
                "e": e[fi],
                "financing_date": dates(fi).astype(np.int32),
                "amount": _money(amount),
                "financing_kind": np.array(_FIN_KINDS)[kind],
                "investor": investor,
                "round": rnd,
            }
        ).unique(
            ["e", "financing_date", "amount", "financing_kind", "investor"], maintain_order=True
        )

        k = rng.poisson(np.where(dormant, 0.0, 0.085 * q))
        ai = np.repeat(np.arange(n), k)
        comp = rng.integers(0, len(_COMPETITIONS), ai.size)
        rank = rng.choice([1, 2, 3, 9], ai.size, p=(0.12, 0.22, 0.33, 0.33))
        awards = pl.DataFrame(
            {
                "e": e[ai],
                "competition": np.array([c[0] for c in _COMPETITIONS])[comp],
                "award_level": np.array([c[1] for c in _COMPETITIONS])[comp],
                "award_rank": rank.astype(str),
                "award_date": dates(ai).astype(np.int32),
            }
        ).unique(["e", "competition", "award_level", "award_date"], maintain_order=True)

        growth = 1.12 ** np.clip((year - _year_of(w["entry"].to_numpy())), 0, 10)
        revenue = w["size"].to_numpy() * growth * np.exp(rng.normal(0, 0.25, n))
        revenue = np.where(dormant, revenue * 0.2, revenue)
        rd = revenue * w["rd_ratio"].to_numpy()
        figures = pl.DataFrame(
            {
                "e": e,
                "revenue": _money(revenue),
                "rd_expense": np.where(dormant | (rd < 0.05), 0, _money(rd)),
                "tax_paid": _money(revenue * rng.uniform(0.02, 0.07, n)),
                "employees": (rng.poisson(6 + 10 * np.sqrt(q)) + 1).astype(np.int64),
                "talents": rng.poisson(0.12 * q).astype(np.int64),
                "miss": rng.random(n),
            }
        )
        return {"sme": sme, "financing": fin, "awards": awards, "figures": figures}

    def _investors(self, kind: np.ndarray, choice: np.ndarray) -> np.ndarray:
        out = np.empty(kind.size, dtype=object)
        for kd, name in enumerate(_FIN_KINDS):
            sel = kind == kd
            opts = np.array(_INVESTORS[name])
            out[sel] = opts[choice[sel] % len(opts)]
        return out.astype(str)

    # -- one year's package, canonical -----------------------------------------------------------

    def package(self, year: int) -> dict[str, pl.DataFrame]:
        """The ten datasets of year `year`'s package as typed, clean frames (before rendering)."""
        y0, y1 = _day(year), _day(year, 12, 31)
        car = self.carriers.select(pl.col("c"), pl.col("carrier_id"), pl.col("town"))
        rows = self.t.filter(pl.col("entry") <= y1).filter(
            (pl.col("exit") < 0) | (pl.col("exit") >= y0) | pl.col("unreported")
        )
        rows = rows.filter(pl.col("c") != self.roles["veto"])
        exited = (pl.col("exit") >= 0) & (pl.col("exit") <= y1)
        yearly = self.yearly[year]
        sme_now = yearly["sme"].rename({"reg_date": "d_now", "reg_no": "n_now"})
        sme_prev = self.yearly[year - 1]["sme"].rename({"reg_date": "d_prev", "reg_no": "n_prev"})
        tenants = (
            rows.join(car, on="c")
            .join(sme_now, on="e", how="left")
            .join(sme_prev, on="e", how="left")
            .join(yearly["figures"], on="e", how="left")
            .with_columns(
                pl.col("entry").cast(pl.Date).alias("entry_date"),
                pl.when(exited & ~pl.col("unreported"))
                .then(pl.col("exit").cast(pl.Date))
                .otherwise(None)
                .alias("exit_date"),
                pl.when(exited & pl.col("unreported"))
                .then(pl.lit("deregistered"))
                .when(exited)
                .then(
                    pl.col("exit_kind").replace_strict(
                        list(range(4)), list(_EXIT_KINDS), default=None
                    )
                )
                .otherwise(pl.lit("incubating"))
                .alias("tenant_status"),
                pl.coalesce("n_now", "n_prev").alias("tech_sme_reg_no"),
                pl.coalesce("d_now", "d_prev").cast(pl.Date).alias("tech_sme_reg_date"),
                pl.when(pl.col("miss") < 0.04)
                .then(None)
                .otherwise(pl.col("revenue"))
                .alias("revenue"),
                pl.when(pl.col("dormant") & (pl.col("miss") > 0.5))
                .then(None)
                .otherwise(pl.col("rd_expense"))
                .alias("rd_expense"),
                pl.when(pl.col("attracted_by_town") == "")
                .then(None)
                .otherwise(pl.col("attracted_by_town"))
                .alias("attracted_by_town"),
                pl.when(pl.col("entry") >= y0 - 365)
                .then(pl.col("tech_recruit"))
                .otherwise(None)
                .alias("tech_recruit_certified"),
            )
        )
        inc = self.carriers.select("c", "incubation_area_m2", "tenants_target")
        tenants = tenants.join(inc, on="c").with_columns(
            (
                pl.col("incubation_area_m2")
                / pl.col("tenants_target").clip(1, None)
                * pl.col("area_share")
                * (0.55 + 0.3 * pl.col("q").clip(0, 1.3))
            )
            .round(0)
            .alias("occupied_area_m2"),
        )
        # Several carriers' tenant rows of the same enterprise: events are reported by each.
        holders = tenants.select("e", "carrier_id", "uscc", "enterprise_name")

        pat = (
            self.patents.filter(pl.col("application_date") <= y1)
            .filter((pl.col("reject") < 0) | (pl.col("reject") > y1))
            .join(holders, on="e")
            .with_columns(
                pl.col("application_date").cast(pl.Date),
                pl.when((pl.col("grant") >= 0) & (pl.col("grant") <= y1))
                .then(pl.col("grant").cast(pl.Date))
                .otherwise(None)
                .alias("grant_date"),
                pl.when((pl.col("lapse") >= 0) & (pl.col("lapse") <= y1))
                .then(pl.lit("lapsed"))
                .when((pl.col("grant") >= 0) & (pl.col("grant") <= y1))
                .then(pl.lit("valid"))
                .otherwise(pl.lit("pending"))
                .alias("legal_status"),
            )
        )
        certs = (
            self.certs.filter(
                (pl.col("issue_date") >= _day(year - 3)) & (pl.col("issue_date") <= y1)
            )
            .join(
                tenants.select("e", "carrier_id", "uscc", "enterprise_name", "entry", "exit"),
                on="e",
            )
            .filter(
                (pl.col("issue_date") >= pl.col("entry"))
                & ((pl.col("exit") < 0) | (pl.col("issue_date") <= pl.col("exit")))
            )
            .with_columns(pl.col("issue_date").cast(pl.Date))
        )
        grads = tenants.filter(
            exited & (pl.col("exit_kind") == 0) & ~pl.col("unreported")
        ).with_columns(pl.col("exit_date").alias("graduation_date"))
        gn = grads.height
        rng = np.random.default_rng([year, 77, self.n_carriers])
        has_cert = grads["e"].is_in(self.certs["e"].implode()).to_numpy()
        basis = np.where(
            has_cert & (rng.random(gn) < 0.7),
            "high_tech",
            rng.choice(
                ["revenue", "acquired", "listed", "financed", "other"],
                gn,
                p=(0.55, 0.05, 0.03, 0.27, 0.10),
            ),
        )
        landed = rng.random(gn) < 0.6
        grads = grads.with_columns(
            pl.Series("graduation_basis", basis),
            pl.Series("landed_in_district", landed),
            pl.Series(
                "landed_park",
                np.where(landed, self.towns[rng.integers(0, len(self.towns), gn)], ""),
            ).replace("", None),
        )
        fin = (
            yearly["financing"]
            .join(holders, on="e")
            .with_columns(
                pl.col("financing_date").cast(pl.Date),
                pl.when(pl.col("round") == "").then(None).otherwise(pl.col("round")).alias("round"),
                pl.lit(None, pl.String).alias("amount_unit"),
            )
        )
        awards = (
            yearly["awards"].join(holders, on="e").with_columns(pl.col("award_date").cast(pl.Date))
        )

        out = {
            "carriers": self._carriers_rows(year),
            "tenants": tenants,
            "patents": pat,
            "high_tech": certs,
            "graduations": grads,
            "financing": fin,
            "awards": awards,
            "evaluations": self._evaluations(year),
            "recognitions": self._recognitions(year),
            "subsidy_claims": self._claims(year),
        }
        ds = datasets()
        return {
            name: frame.select(
                *[
                    (pl.col(col.name) if col.name in frame.columns else pl.lit(None)).alias(
                        col.name
                    )
                    for col in ds[name].columns
                ]
            )
            for name, frame in out.items()
        }

    def _carriers_rows(self, year: int) -> pl.DataFrame:
        r02 = self.roles["r02_topup"]
        rec = self._recognitions(year)
        up = rec.filter(pl.col("holder_name").is_null()).join(
            self.carriers.select("c", "carrier_id", "carrier_type"), on="carrier_id"
        )
        # Own-type recognitions raise the carrier's level from that year on.
        del up
        frame = self.carriers
        if self.first < year:
            frame = frame.with_columns(
                pl.when(pl.col("c") == r02)
                .then(pl.lit("national"))
                .otherwise(pl.col("level"))
                .alias("level"),
                pl.when(pl.col("c") == r02)
                .then(pl.lit(dt.date(year, 6, 18)))
                .otherwise(pl.col("level_date"))
                .alias("level_date"),
            )
        else:
            frame = frame.with_columns(
                pl.when(pl.col("c") == r02)
                .then(pl.lit("provincial"))
                .otherwise(pl.col("level"))
                .alias("level"),
                pl.when(pl.col("c") == r02)
                .then(pl.lit(dt.date(year, 5, 20)))
                .otherwise(pl.col("level_date"))
                .alias("level_date"),
            )
        return frame

    def _evaluations(self, year: int) -> pl.DataFrame:
        rng = np.random.default_rng([year, 11, self.n_carriers])
        frame = self._carriers_rows(year).filter(
            pl.col("carrier_type").is_in(["incubator", "maker_space", "accelerator"])
            & pl.col("level").is_in(["national", "provincial"])
        )
        q = frame["q"].to_numpy() * np.exp(rng.normal(0, 0.2, frame.height))
        grade = np.select([q > 1.15, q > 0.8, q > 0.45], ["A", "B", "C"], "D")
        prov = frame.select("carrier_id").with_columns(
            pl.lit("provincial").alias("evaluation_level"),
            pl.lit(year).alias("evaluation_year"),
            pl.Series("grade", grade),
        )
        q2 = frame["q"].to_numpy() * np.exp(rng.normal(0, 0.2, frame.height))
        grade2 = np.select([q2 > 1.2, q2 > 0.85, q2 > 0.5], ["A", "B", "C"], "D")
        nat = (
            frame.select("carrier_id", "level")
            .with_columns(
                pl.lit("national").alias("evaluation_level"),
                pl.lit(year).alias("evaluation_year"),
                pl.Series("grade", grade2),
            )
            .filter(pl.col("level") == "national")
            .drop("level")
        )
        return pl.concat([prov, nat]).sort("carrier_id", "evaluation_level")

    def _pick(
        self, types: Sequence[str], k: int, salt: int, exclude: Sequence[int] = ()
    ) -> list[int]:
        cand = [
            i
            for i in np.flatnonzero(np.isin(self.carriers["carrier_type"].to_numpy(), list(types)))
            if i not in set(exclude) | set(self.roles.values())
        ]
        rng = np.random.default_rng([salt, self.n_carriers])
        if not cand:
            return []
        return [int(x) for x in rng.choice(cand, min(k, len(cand)), replace=False)]

    def _recognitions(self, year: int) -> pl.DataFrame:
        """About 15 a year at scale 1: new provincial/national carriers, platforms, and service
        bodies."""
        s = max(1, round(self.scale))
        idx = self.years.index(year) if year in self.years else 0
        plan = [  # (types of carrier, recognized_type, level, count, holder is service body)
            (("incubator",), "incubator", "provincial", 2, False),
            (("incubator",), "incubator", "municipal", 2, False),
            (("maker_space",), "maker_space", "national", 1, False),
            (("maker_space",), "maker_space", "provincial", 2, False),
            (("accelerator",), "accelerator", "provincial", 1, False),
            (("platform",), "listed_platform", "provincial", 2, False),
            (("platform", "complex"), "filed_platform", "municipal", 3, False),
            (("complex", "incubator"), "public_service_platform", "provincial", 1, True),
            (("complex", "industrial_park"), "service_top100", "provincial", 1, True),
        ]
        recs: list[dict[str, Any]] = []
        car = self.carriers
        ids = car["carrier_id"].to_list()
        for j, (types, rtype, level, count, service) in enumerate(plan):
            for c in self._pick(types, count * s, salt=1000 * year + j):
                recs.append(
                    {
                        "c": c,
                        "recognized_type": rtype,
                        "recognized_level": level,
                        "service": service,
                    }
                )
        r02 = self.roles["r02_topup"]
        recs.append(
            {
                "c": r02,
                "recognized_type": "incubator",
                "recognized_level": "national" if idx > 0 else "provincial",
                "service": False,
            }
        )
        rng = np.random.default_rng([year, 5, self.n_carriers])
        n = len(recs)
        holders_uscc = self.service_bodies(n, year)
        frame = pl.DataFrame(
            {
                "carrier_id": [ids[r["c"]] for r in recs],
                "recognized_type": [r["recognized_type"] for r in recs],
                "recognized_level": [r["recognized_level"] for r in recs],
                "recognized_date": [
                    dt.date(year, 1, 1) + dt.timedelta(days=int(d))
                    for d in rng.integers(60, 330, n)
                ],
                "document_no": [
                    f"{'扬科发' if r['recognized_level'] == 'municipal' else '苏科高发'}"
                    f"〔{year}〕{int(x)}号"
                    for r, x in zip(recs, rng.integers(10, 300, n), strict=True)
                ],
                "holder_name": [
                    f"扬州{_NAME_WORDS[i % len(_NAME_WORDS)]}科技服务有限公司"
                    if r["service"]
                    else None
                    for i, r in enumerate(recs)
                ],
                "holder_uscc": [
                    holders_uscc[i] if r["service"] else None for i, r in enumerate(recs)
                ],
            },
            schema_overrides={"holder_name": pl.String, "holder_uscc": pl.String},
        )
        return frame.unique(
            ["carrier_id", "recognized_type", "recognized_level"], maintain_order=True
        )

    def service_bodies(self, n: int, year: int) -> list[str]:
        """Credit codes of service bodies hosted by carriers (stable per position and year)."""
        rng = np.random.default_rng([year, 9])
        bodies = (np.arange(n) * _Ids._A + 7_654_321 + int(rng.integers(0, 10**7))) % 10**8
        return uscc_batch("91321012", bodies).tolist()

    def _claims(self, year: int) -> pl.DataFrame:
        """About 40 claims a year at scale 1, values on both sides of every rule's boundary."""
        s = max(1, round(self.scale))
        recs = self._recognitions(year)
        r01 = (
            recs.filter(
                pl.col("recognized_level").is_in(["provincial", "national"])
                & pl.col("recognized_type").is_in(["incubator", "accelerator", "maker_space"])
                & pl.col("holder_name").is_null()
            )["carrier_id"]
            .unique(maintain_order=True)
            .to_list()
        )
        ids = self.carriers["carrier_id"].to_list()
        op = dict(zip(ids, self.carriers["operator_name"].to_list(), strict=True))
        op_uscc = dict(zip(ids, self.carriers["operator_uscc"].to_list(), strict=True))
        rows: list[dict[str, Any]] = []

        def add(
            cid: str,
            kind: str,
            amount: float,
            prev: float | None = None,
            idx: int | None = None,
            claimant: tuple[str, str] | None = None,
            note: str | None = None,
        ) -> None:
            name, uscc = claimant or (op[cid], op_uscc[cid])
            rows.append(
                {
                    "carrier_id": cid,
                    "claim_kind": kind,
                    "claimant_name": name,
                    "claimant_uscc": uscc,
                    "amount_audited": amount,
                    "amount_previous": prev,
                    "rent_year_index": idx,
                    "note": note,
                }
            )

        for i, cid in enumerate(r01):
            add(cid, "renovation", (850.0, 1200.0, 300.0, 460.5)[i % 4])
        for c in self._pick(
            ("industrial_park", "complex", "maker_space"), 2 * s, salt=year * 10 + 1
        ):
            add(ids[c], "renovation", 500.0, note="未获新认定 / no new recognition")
        for amount, c in zip(
            [280.0, 299.99, 300.0, 300.01, 450.0, 1200.0, 2000.0, 50.0] * s,
            self._pick(CARRIER_TYPES, 8 * s, salt=year * 10 + 2),
            strict=False,
        ):
            add(ids[c], "rd_equipment", amount)
        off = self._pick(("offshore_center",), 4 * s, salt=77)  # stable across years
        for j, c in enumerate(off):
            idx = j % 3 + 1 + (year - self.first)
            if idx <= 3:
                add(ids[c], "offshore_rent", (200.0, 600.0, 150.0)[j % 3], idx=idx)
        for c in self._pick(("incubator",), s, salt=year * 10 + 3):
            add(ids[c], "offshore_rent", 120.0, idx=1, note="非域外中心 / not an offshore centre")
        sr = [
            (100.0, 80.0),
            (100.5, 87.39),
            (150.0, 130.5),
            (150.0, 130.43),
            (120.0, 0.0),
            (130.0, None),
            (800.0, 300.0),
            (2000.0, 1000.0),
            (101.0, 50.0),
            (99.99, 60.0),
        ] * s
        hosts = self._pick(CARRIER_TYPES, len(sr), salt=year * 10 + 4)
        bodies = self.service_bodies(len(sr) + 1000, year + 5000)
        for j, ((amt, prev), c) in enumerate(zip(sr, hosts, strict=False)):
            claimant = (f"扬州{_NAME_WORDS[(j * 7) % len(_NAME_WORDS)]}科技咨询有限公司", bodies[j])
            add(ids[c], "service_revenue", amt, prev=prev, claimant=claimant)
        plats = self._pick(("platform",), 6 * s, salt=year * 10 + 5)
        for amount, c in zip([30.0, 49.99, 50.0, 80.0, 100.0, 150.0] * s, plats, strict=False):
            add(ids[c], "platform_startup", amount)
        for c in self._pick(("complex",), s, salt=year * 10 + 6):
            add(ids[c], "platform_startup", 60.0, note="非科创平台 / not a platform")
        frame = pl.DataFrame(
            rows,
            schema={
                "carrier_id": pl.String,
                "claim_kind": pl.String,
                "claimant_name": pl.String,
                "claimant_uscc": pl.String,
                "amount_audited": pl.Float64,
                "amount_previous": pl.Float64,
                "rent_year_index": pl.Int64,
                "note": pl.String,
            },
        ).with_columns(
            (pl.col("amount_audited") * 100).round(0).cast(pl.Int64),
            (pl.col("amount_previous") * 100).round(0).cast(pl.Int64),
        )
        return frame.unique(["carrier_id", "claim_kind", "claimant_uscc"], maintain_order=True)


# --------------------------------------------------------------------------------------------
# Rendering: canonical values → what clerks type


_FW_FROM = [chr(c) for c in range(0x21, 0x7F)]
_FW_TO = [chr(c + 0xFEE0) for c in range(0x21, 0x7F)]


def _fullwidth(expr: pl.Expr) -> pl.Expr:
    """ASCII letters, digits and punctuation → their full-width forms (NFKC undoes it)."""
    return expr.str.replace_many(_FW_FROM, _FW_TO)


def _choose(forms: np.ndarray, options: list[pl.Expr]) -> pl.Expr:
    f = pl.col("_f")
    out = options[-1]
    for k in range(len(options) - 2, -1, -1):
        out = pl.when(f == k).then(options[k]).otherwise(out)
    return out


def _forms(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), n, p=p / p.sum()).astype(np.int8)


def _plain_money(m: pl.Expr) -> pl.Expr:
    """Hundredths of 万元 → `1234.5` (no trailing zeros)."""
    ip = (m // 100).cast(pl.String)
    fr = (m % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    return pl.when(fr == "").then(ip).otherwise(pl.concat_str([ip, pl.lit("."), fr]))


def _render_money(m: pl.Expr, native: bool) -> list[pl.Expr]:
    ip = m // 100
    fr = (m % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    frac = pl.when(fr == "").then(pl.lit("")).otherwise(pl.concat_str([pl.lit("."), fr]))
    a, b, c = ip // 1_000_000, (ip // 1000) % 1000, ip % 1000
    z3 = lambda x: x.cast(pl.String).str.zfill(3)  # noqa: E731
    comma_int = (
        pl.when(a > 0)
        .then(pl.concat_str([a.cast(pl.String), pl.lit(","), z3(b), pl.lit(","), z3(c)]))
        .when(b > 0)
        .then(pl.concat_str([b.cast(pl.String), pl.lit(","), z3(c)]))
        .otherwise(c.cast(pl.String))
    )
    plain = _plain_money(m)
    yi_fr = (m % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    yi = pl.concat_str(
        [
            (m // 1_000_000).cast(pl.String),
            pl.when(yi_fr == "").then(pl.lit("")).otherwise(pl.concat_str([pl.lit("."), yi_fr])),
            pl.lit("亿"),
        ]
    )
    return [
        pl.concat_str([pl.lit(_CELL_NUM), plain]) if native else plain,  # 0 number
        plain,  # 1 text
        pl.concat_str([comma_int, frac]),  # 2 1,234.5
        pl.concat_str([plain, pl.lit("万")]),  # 3
        pl.concat_str([plain, pl.lit("万元")]),  # 4
        pl.concat_str([(m * 100).cast(pl.String), pl.lit("元")]),  # 5
        pl.when(m >= 100_000).then(yi).otherwise(pl.concat_str([plain, pl.lit("万元")])),  # 6
    ]


def _render_date(d: pl.Expr, native: bool) -> list[pl.Expr]:
    y, mo, da = (
        d.dt.year().cast(pl.String),
        d.dt.month().cast(pl.String),
        d.dt.day().cast(pl.String),
    )
    iso = d.dt.strftime("%Y-%m-%d")
    serial = (d.cast(pl.Int32) + _EXCEL_EPOCH_OFFSET).cast(pl.String)
    return [
        iso,
        pl.concat_str([y, pl.lit("/"), mo, pl.lit("/"), da]),
        pl.concat_str([y, pl.lit("."), mo, pl.lit("."), da]),
        d.dt.strftime("%Y%m%d"),
        pl.concat_str([y, pl.lit("年"), mo, pl.lit("月"), da, pl.lit("日")]),
        pl.concat_str([pl.lit(_CELL_DATE), iso]) if native else iso,
        pl.concat_str([pl.lit(_CELL_NUM), serial]) if native else serial,
    ]


_DATE_W_XLSX = (0.25, 0.10, 0.05, 0.05, 0.10, 0.35, 0.10)
_DATE_W_CSV = (0.45, 0.15, 0.08, 0.10, 0.17, 0.0, 0.05)
_MONEY_W = (0.50, 0.12, 0.10, 0.08, 0.08, 0.07, 0.05)
_BOOLS = (("是", "否"), ("Y", "N"), ("√", "×"), ("1", "0"), ("yes", "no"), ("true", "false"))
_BOOL_W = (0.55, 0.12, 0.12, 0.12, 0.05, 0.04)


_SPACED_COLUMNS = ("town", "attracted_by_town", "industry")


def _render_column(
    frame: pl.DataFrame, col: Column, rng: np.random.Generator, native: bool
) -> pl.Series:
    """One contract column of canonical values → text as written (sentinels for Excel cells)."""
    v = pl.col(col.name)
    n = frame.height
    if col.type == "date":
        opts = _render_date(v, native)
        forms = _forms(rng, n, _DATE_W_XLSX if native else _DATE_W_CSV)
    elif col.type == "money":
        opts = _render_money(v, native)
        forms = _forms(rng, n, _MONEY_W)
    elif col.type == "bool":
        opts = [pl.when(v).then(pl.lit(t)).otherwise(pl.lit(f)) for t, f in _BOOLS]
        forms = _forms(rng, n, _BOOL_W)
    elif col.type in ("int", "decimal"):
        text = v.cast(pl.String)
        if col.type == "decimal":
            text = text.str.replace(r"\.0$", "")
        opts = [
            pl.concat_str([pl.lit(_CELL_NUM), text]) if native else text,
            text,
            _fullwidth(text),
        ]
        forms = _forms(rng, n, (0.75, 0.2, 0.05) if native else (0.0, 0.95, 0.05))
    elif col.type == "uscc":
        grouped = pl.concat_str(
            [v.str.slice(0, 4), v.str.slice(4, 4), v.str.slice(8, 4), v.str.slice(12, 6)],
            separator=" ",
        )
        opts = [
            v,
            v.str.to_lowercase(),
            grouped,
            pl.concat_str(
                [v.str.slice(0, 8), v.str.slice(8, 9), v.str.slice(17, 1)], separator="-"
            ),
            _fullwidth(v),
            pl.concat_str([pl.lit(" "), v, pl.lit(" ")]),
        ]
        forms = _forms(rng, n, (0.70, 0.09, 0.07, 0.05, 0.05, 0.04))
    elif col.type == "enum":
        labels: dict[str, list[str]] = {}
        for label, code in col.values.items():
            labels.setdefault(str(code), []).append(label)
        pick = pl.lit(None, pl.String)
        for code, labs in labels.items():
            inner = pl.lit(labs[-1])
            for k in range(len(labs) - 2, -1, -1):
                inner = (
                    pl.when(pl.col("_f") % len(labs) == k).then(pl.lit(labs[k])).otherwise(inner)
                )
            pick = pl.when(v.cast(pl.String) == code).then(inner).otherwise(pick)
        opts = [pick]
        forms = rng.integers(0, 12, n).astype(np.int8)
        forms = np.where(rng.random(n) < 0.8, 0, forms).astype(np.int8)
    elif col.name == "patent_no":
        digits = v.str.replace(r"\.", "")
        body = v.str.split(".").list.first()
        check = v.str.split(".").list.last()
        long = body.str.len_chars() == 12
        zl = (
            pl.when(long)
            .then(
                pl.concat_str(
                    [
                        pl.lit("ZL "),
                        body.str.slice(0, 4),
                        pl.lit(" "),
                        body.str.slice(4, 1),
                        pl.lit(" "),
                        body.str.slice(5, 7),
                        pl.lit("."),
                        check,
                    ]
                )
            )
            .otherwise(pl.concat_str([pl.lit("ZL"), v]))
        )
        opts = [v, zl, pl.concat_str([pl.lit("CN"), v]), digits]
        forms = _forms(rng, n, (0.4, 0.25, 0.15, 0.2))
    else:  # free text and codes
        if col.name in ("carrier_id", "certificate_no", "tech_sme_reg_no", "document_no"):
            opts = [v, pl.concat_str([v, pl.lit(" ")])]
            forms = _forms(rng, n, (0.97, 0.03))
        else:
            broken = v.str.replace("有限公司", "\n有限公司") if native else v
            # Towns and industries also arrive with a plain space between Chinese characters
            # (`樊川 镇`, `生物 医药`) and towns without 镇 (`樊川`): the same town, industry.
            split = pl.lit(" " if col.name in _SPACED_COLUMNS else "\u3000")
            fullwidth = v.str.strip_suffix("镇") if col.name in ("town", "attracted_by_town") else v
            opts = [
                v,
                pl.concat_str([pl.lit(" "), v, pl.lit("  ")]),
                broken,
                _fullwidth(fullwidth),
                pl.concat_str([v.str.slice(0, 2), split, v.str.slice(2)])
                if col.name != "enterprise_name"
                else v,
            ]
            forms = _forms(rng, n, (0.86, 0.05, 0.04 if native else 0.0, 0.03, 0.02))
    out = frame.select(v, pl.Series("_f", forms)).select(_choose(forms, opts).alias(col.name))
    return out.to_series().cast(pl.String)


def _render(name: str, frame: pl.DataFrame, seed: int, year: int, native: bool) -> pl.DataFrame:
    """A dataset's canonical frame → text cells; keeps `_cid` (carrier) for the layout."""
    ds = datasets()[name]
    cols = []
    for j, col in enumerate(ds.columns):
        rng = np.random.default_rng([seed, year, list(datasets()).index(name), j])
        cols.append(_render_column(frame, col, rng, native))
    out = pl.DataFrame(cols).with_columns(
        frame["carrier_id"].alias("_cid"), pl.int_range(frame.height).alias("_i")
    )
    if name == "financing":
        out = _financing_units(out, frame, np.random.default_rng([seed, year, 99]), native)
    return out


def _financing_units(
    out: pl.DataFrame, frame: pl.DataFrame, rng: np.random.Generator, native: bool
) -> pl.DataFrame:
    """Some rows state the unit in 金额单位: the amount is then a plain number in that unit."""
    u = rng.random(out.height)
    unit = pl.Series("amount_unit", np.where(u < 0.06, "元", np.where(u < 0.14, "万元", "")))
    m = pl.col("amount")
    text = (
        frame.select(m.alias("m"))
        .with_columns(unit)
        .select(
            pl.when(pl.col("amount_unit") == "元")
            .then((pl.col("m") * 100).cast(pl.String))
            .otherwise(_plain_money(pl.col("m")))
            .alias("a")
        )["a"]
    )
    if native:
        text = _CELL_NUM + text
    stated = unit != ""
    return out.with_columns(
        pl.when(stated).then(text).otherwise(pl.col("amount")).alias("amount"),
        pl.when(stated).then(unit).otherwise(None).alias("amount_unit"),
    )


def _headers(name: str, rng: np.random.Generator, plain: bool = False) -> list[str]:
    """How one sheet's header row is written: Chinese, key, alias, spaced, unit dropped."""
    out = []
    style = "zh" if plain else rng.choice(["zh", "zh", "zh", "mixed"])
    for col in datasets()[name].columns:
        h = col.zh
        if style == "mixed":
            k = rng.integers(0, 8)
            if k == 1:
                h = col.name
            elif k == 2 and col.aliases:
                h = col.aliases[int(rng.integers(0, len(col.aliases)))]
            elif k == 3:
                h = f" {h[:2]} {h[2:]} " if len(h) > 2 else f" {h} "
            elif k == 4:
                h = h.replace("（", "(").replace("）", ")")
            elif k == 5 and h.endswith("）") and col.type != "money":
                h = h[: h.rindex("（")]
            elif k == 6 and col.type == "money" and "（" not in h:
                h = f"{h}（万元）"
        out.append(h)
    return out


def _as_csv_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Rendered cells for a CSV: Excel-cell sentinels become their text, no line breaks."""
    return frame.with_columns(
        pl.col(c)
        .str.replace(f"^{_CELL_DATE}", "")
        .str.replace(f"^{_CELL_NUM}", "")
        .str.replace_all("\n", "")
        for c in frame.columns
        if frame[c].dtype == pl.String
    )


# --------------------------------------------------------------------------------------------
# Layout: files, sheets, planted defects


_UNKNOWN_SHEET = "汇总表"
_EXTRA_HEADER = "联系人"


class _Year:
    """One year's package being laid out: rendered frames, file of each row, defects."""

    def __init__(self, world: _World, year: int, seed: int, xlsx: bool) -> None:
        self.world, self.year, self.seed, self.xlsx = world, year, seed, xlsx
        self.rng = np.random.default_rng([seed, year, 3])
        self.canon = world.package(year)
        self.frames = {
            name: _render(name, frame, seed, year, native=xlsx)
            for name, frame in self.canon.items()
        }
        self.defects: list[dict[str, Any]] = []
        self.scenarios: dict[str, Any] = {}
        ids = world.carriers["carrier_id"].to_list()
        self.ids = ids
        self.names = dict(zip(ids, world.carriers["carrier_name"].to_list(), strict=True))
        self.role_ids = {role: ids[c] for role, c in world.roles.items()}

    # -- special cases ---------------------------------------------------------------------------

    def _carrier_with(self, name: str, prefer: str | None, avoid: set[str]) -> str:
        counts = self.frames[name].group_by("_cid").len()
        ok = (
            set(counts.filter(pl.col("len") >= 3)["_cid"].to_list())
            - avoid
            - set(self.role_ids.values())
        )
        if prefer in ok:
            return prefer  # type: ignore[return-value]
        return sorted(ok)[len(ok) // 2]

    def plan_specials(self) -> None:
        width = len(self.ids[0]) - 1
        cid = lambda k: f"C{k:0{width}d}"  # noqa: E731
        self.gb_cid = self._carrier_with("financing", cid(31), set()) if self.xlsx else None
        self.dup_cid = self._carrier_with("tenants", cid(5), {self.gb_cid or ""})
        self.yuan_cid = self._carrier_with("financing", cid(12), {self.gb_cid or "", self.dup_cid})
        self.extra_cid = self._carrier_with("tenants", cid(20), {self.dup_cid})
        self.unknown_cid = self._carrier_with("tenants", cid(8), {self.dup_cid})
        self.rep_cid = self._carrier_with(
            "financing", cid(17), {self.gb_cid or "", self.dup_cid, self.yuan_cid}
        )
        fin = self.frames["financing"]
        canon_amount = self.canon["financing"]["amount"]
        if self.xlsx:
            # rows still align with the canonical frame here (nothing inserted yet)
            fin = fin.with_columns((canon_amount * 100).cast(pl.String).alias("_yuan"))
            fin = fin.with_columns(
                pl.when(pl.col("_cid") == self.yuan_cid)
                .then(pl.concat_str([pl.lit(_CELL_NUM), pl.col("_yuan")]))
                .otherwise(pl.col("amount"))
                .alias("amount"),
                pl.when(pl.col("_cid") == self.yuan_cid)
                .then(None)
                .otherwise(pl.col("amount_unit"))
                .alias("amount_unit"),
            ).drop("_yuan")
        # A row handed in twice in the same sheet.
        rows = np.flatnonzero((fin["_cid"] == self.rep_cid).to_numpy())
        r = int(rows[len(rows) // 2])
        fin = pl.concat([fin[: r + 1], fin[r : r + 1], fin[r + 1 :]])
        self.rep_index = r
        self.frames["financing"] = fin

    def assign_files(self) -> None:
        """Which file each rendered row goes to, and its position there."""
        for name, frame in self.frames.items():
            if self.xlsx:
                wb = pl.concat_str(
                    [pl.col("_cid"), pl.lit("_"), pl.col("_cid").replace_strict(self.names)]
                ) + pl.lit(".xlsx")
                file = (
                    pl.when(pl.lit(name == "financing") & (pl.col("_cid") == self.gb_cid))
                    .then(pl.lit(f"financing_{self.gb_cid}.csv"))
                    .otherwise(wb)
                )
                frame = frame.with_columns(file.alias("_file"))
            else:
                n = frame.height
                parts = max(1, math.ceil(n / CSV_PART_ROWS))
                if parts == 1:
                    frame = frame.with_columns(pl.lit(f"{name}.csv").alias("_file"))
                else:
                    k = (pl.int_range(n) * parts // n + 1).cast(pl.String).str.zfill(2)
                    frame = frame.with_columns(
                        pl.concat_str([pl.lit(f"{name}_part"), k, pl.lit(".csv")]).alias("_file")
                    )
            self.frames[name] = frame.with_columns(
                pl.int_range(pl.len()).over("_file").alias("_pos")
            )

    def sheet_of(self, name: str, file: str) -> tuple[str, int]:
        """Sheet name and number of title rows above the header, fixed per (file, dataset)."""
        if not file.endswith(".xlsx"):
            return "", 0
        rng = np.random.default_rng([self.seed, self.year, sum(map(ord, file)), len(name)])
        ds = datasets()[name]
        sheet = ds.name if rng.random() < 0.1 else ds.sheet_zh
        titles = int(rng.choice(3, p=(0.62, 0.26, 0.12)))
        return sheet, titles

    # -- defects ---------------------------------------------------------------------------------

    def plant_defects(self) -> None:
        """About ten bad rows of the kinds the contract rejects, never in the carriers sheet."""
        avoid = set(self.role_ids.values()) | {self.dup_cid, self.rep_cid}
        y = self.year
        used: dict[str, set[int]] = {}

        def pick(name: str, where: pl.Expr | None = None, file: str | None = None) -> int | None:
            frame = self.frames[name].with_row_index("_r")
            cond = ~pl.col("_cid").is_in(sorted(avoid))
            if file:
                cond = pl.col("_file") == file
            elif self.xlsx:
                cond &= pl.col("_file").str.ends_with(".xlsx")
            if where is not None:
                cond &= where
            cand = frame.filter(cond)["_r"].to_numpy()
            cand = np.setdiff1d(cand, np.fromiter(used.get(name, set()), dtype=np.int64))
            if cand.size == 0:
                return None
            r = int(self.rng.choice(cand))
            used.setdefault(name, set()).add(r)
            return r

        def plant(name: str, column: str, kind: str, value_fn, where=None, file=None) -> None:
            r = pick(name, where, file)
            if r is None:
                return
            frame = self.frames[name]
            i = int(frame["_i"][r])
            value = value_fn(self.canon[name], i)
            self.frames[name] = frame.with_columns(
                pl.when(pl.int_range(pl.len()) == r)
                .then(pl.lit(value, pl.String))
                .otherwise(pl.col(column))
                .alias(column)
            )
            self.defects.append(
                {"dataset": name, "r": r, "column": column, "value": value or "", "kind": kind}
            )

        def canon(col: str):
            return lambda frame, i: frame[col][i]

        plant("tenants", "uscc", "uscc_check", lambda f, i: corrupt_uscc(f["uscc"][i]))
        plant("tenants", "revenue", "unreadable_number", lambda f, i: "12..5")
        plant("tenants", "entry_date", "missing_required", lambda f, i: None)
        plant("tenants", "occupied_area_m2", "negative_area", lambda f, i: "-120")
        plant("financing", "financing_date", "invalid_date", lambda f, i: f"{y}-02-30")
        gb_file = f"financing_{self.gb_cid}.csv" if self.gb_cid else None
        plant("financing", "amount", "negative_amount", lambda f, i: "-50", file=gb_file)
        long_no = pl.col("_i").is_in(
            self.canon["patents"]
            .with_row_index("_j")
            .filter(pl.col("patent_no").str.len_chars() == 14)["_j"]
            .implode()
        )

        def bad_check(f: pl.DataFrame, i: int) -> str:
            body, check = f["patent_no"][i].split(".")
            wrong = "0123456789X"[("0123456789X".index(check) + 3) % 11]
            return f"{body}.{wrong}"

        def bad_type(f: pl.DataFrame, i: int) -> str:
            body = f["patent_no"][i].split(".")[0]
            digit = {"invention": "3", "utility_model": "1", "design": "2"}[f["patent_type"][i]]
            body = body[:4] + digit + body[5:]
            return f"{body}.{patent_check_char(body)}"

        plant("patents", "patent_no", "patent_check", bad_check, where=long_no)
        plant("patents", "patent_no", "patent_type_mismatch", bad_type, where=long_no)
        plant(
            "high_tech",
            "certificate_no",
            "certificate_year_mismatch",
            lambda f, i: f"GR{f['issue_date'][i].year - 1}{f['certificate_no'][i][6:]}",
        )
        target = "awards" if self.frames["awards"].height else "graduations"
        plant(target, "uscc", "missing_required", lambda f, i: None)
        del canon

    # -- manifest facts --------------------------------------------------------------------------

    def describe(self) -> None:
        t = self.canon["tenants"]
        multi = (
            t.group_by("uscc")
            .agg(pl.col("carrier_id").n_unique().alias("k"))
            .filter(pl.col("k") > 1)
        )
        shared = (
            self.canon["patents"]
            .group_by("patent_no")
            .agg(pl.col("carrier_id").n_unique().alias("k"))
            .filter(pl.col("k") > 1)
        )
        town = self.world.carriers.select("carrier_id", "town")
        enclave = t.join(town, on="carrier_id").filter(
            pl.col("attracted_by_town").is_not_null()
            & (pl.col("attracted_by_town") != pl.col("town"))
        )
        rec = self.canon["recognitions"]
        self.scenarios.update(
            {
                "roles": self.role_ids,
                "double_tenants": sorted(multi["uscc"].to_list())[:50],
                "double_tenant_count": multi.height,
                "shared_patent_count": shared.height,
                "shared_patents": sorted(shared["patent_no"].to_list())[:20],
                "enclave_tenant_count": enclave.height,
                "long_incubation_tenant_count": t.filter(
                    pl.col("industry").is_in(LONG_INCUBATION_INDUSTRIES)
                ).height,
                "deregistered_without_exit_count": t.filter(
                    (pl.col("tenant_status") == "deregistered") & pl.col("exit_date").is_null()
                ).height,
                "service_body_holders": rec.filter(pl.col("holder_name").is_not_null())
                .select("carrier_id", "recognized_type", "holder_name", "holder_uscc")
                .to_dicts(),
                "claims_by_kind": dict(
                    sorted(self.canon["subsidy_claims"].group_by("claim_kind").len().iter_rows())
                ),
                "old_form_patents": self.world.scenarios.get("old_form_patents", []),
            }
        )


# --------------------------------------------------------------------------------------------
# Writing


def _write_workbook(
    path: Path, year: int, author: str, sheets: list[tuple[str, list[str], list[str], list[tuple]]]
) -> None:
    """One .xlsx with fixed metadata (same input → same bytes). Sentinel cells become numbers
    and dates; empty cells are left unwritten, as a clerk leaves them."""
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"author": author, "created": dt.datetime(year + 1, 1, 15, 9, 30, 0)})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd" if len(path.name) % 2 else "yyyy/m/d"})
    title_fmt = wb.add_format({"bold": True})
    for sheet_name, titles, headers, rows in sheets:
        ws = wb.add_worksheet(sheet_name)
        r = 0
        for title in titles:
            ws.write_string(r, 0, title, title_fmt)
            r += 1
        for j, h in enumerate(headers):
            ws.write_string(r, j, h)
        r += 1
        for row in rows:
            for j, cell in enumerate(row):
                if cell is None or cell == "":
                    continue
                if cell.startswith(_CELL_NUM):
                    num = float(cell[2:])
                    ws.write_number(r, j, int(num) if num.is_integer() else num)
                elif cell.startswith(_CELL_DATE):
                    ws.write_datetime(r, j, dt.datetime.fromisoformat(cell[2:]), date_fmt)
                else:
                    ws.write_string(r, j, cell)
            r += 1
    wb.close()


def _title_rows(year: int, carrier: str, sheet_zh: str, n: int) -> list[str]:
    rows = [
        f"{year}年度{carrier}{sheet_zh}情况表",
        f"填报单位（盖章）：{carrier}    填报日期：{year + 1}年1月10日",
    ]
    return rows[:n]


def _write_year(world: _World, year: int, root: Path, seed: int, xlsx: bool) -> YearManifest:
    ly = _Year(world, year, seed, xlsx)
    ly.plan_specials()
    ly.assign_files()
    ly.plant_defects()
    ly.describe()
    folder = root / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file() and old.suffix in (".xlsx", ".csv"):
            old.unlink()
    ds = datasets()
    files: list[str] = []
    rows_written = {name: ly.frames[name].height for name in ds}
    defects: list[PlantedDefect] = []
    for d in ly.defects:
        rec = ly.frames[d["dataset"]].row(d["r"], named=True)
        sheet, titles = ly.sheet_of(d["dataset"], rec["_file"])
        row = rec["_pos"] + 2 + titles
        defects.append(
            PlantedDefect(
                dataset=d["dataset"],
                file=rec["_file"],
                sheet=sheet,
                row=row,
                column=d["column"],
                value=d["value"],
                kind=d["kind"],
            )
        )
    rep = ly.frames["financing"].row(ly.rep_index, named=True)
    rep_sheet, rep_titles = ly.sheet_of("financing", rep["_file"])
    ly.scenarios["repeated_row"] = {
        "dataset": "financing",
        "file": rep["_file"],
        "sheet": rep_sheet,
        "rows": [rep["_pos"] + 2 + rep_titles, rep["_pos"] + 3 + rep_titles],
    }
    data_cols = {name: [c.name for c in ds[name].columns] for name in ds}

    if xlsx:
        by_file = {
            name: ly.frames[name].partition_by("_file", as_dict=True, maintain_order=True)
            for name in ds
        }
        for cid in ly.ids:
            wb_name = f"{cid}_{ly.names[cid]}.xlsx"
            rng = np.random.default_rng([seed, year, 4, sum(map(ord, cid))])
            sheets = []
            for name in ds:
                part = by_file[name].get((wb_name,))
                n_rows = 0 if part is None else part.height
                if n_rows == 0 and not (name == "tenants" or rng.random() < 0.4):
                    continue
                sheet, titles = ly.sheet_of(name, wb_name)
                headers = _headers(name, rng, plain=name == "carriers")
                if name == "financing" and cid == ly.yuan_cid:
                    headers[data_cols[name].index("amount")] = "融资金额（元）"
                body = [] if part is None else part.select(data_cols[name]).rows()
                if name == "tenants" and cid == ly.extra_cid:
                    headers.append(_EXTRA_HEADER)
                    contacts = ["张工", "李经理", "王总", None]
                    body = [(*row, contacts[k % 4]) for k, row in enumerate(body)]
                    ly.scenarios["extra_column"] = {
                        "file": wb_name,
                        "sheet": sheet,
                        "header": _EXTRA_HEADER,
                    }
                sheets.append(
                    (
                        sheet,
                        _title_rows(year, ly.names[cid], ds[name].sheet_zh, titles),
                        headers,
                        body,
                    )
                )
            if cid == ly.unknown_cid:
                sheets.append(
                    (_UNKNOWN_SHEET, [], ["项目", "数量"], [("在孵企业", _CELL_NUM + "12")])
                )
                ly.scenarios["unknown_sheet"] = {"file": wb_name, "sheet": _UNKNOWN_SHEET}
            if cid == ly.yuan_cid:
                ly.scenarios["header_yuan"] = {
                    "file": wb_name,
                    "sheet": ly.sheet_of("financing", wb_name)[0],
                }
            _write_workbook(
                folder / wb_name, year, world.carriers["operator_name"][ly.ids.index(cid)], sheets
            )
            files.append(wb_name)
        dup = f"{ly.dup_cid}_{ly.names[ly.dup_cid]}.xlsx"
        copy = f"{ly.dup_cid}_{ly.names[ly.dup_cid]}_副本.xlsx"
        (folder / copy).write_bytes((folder / dup).read_bytes())
        files.append(copy)
        ly.scenarios["duplicate_workbook"] = {"original": dup, "copy": copy}
        gb = f"financing_{ly.gb_cid}.csv"
        part = by_file["financing"][(gb,)]
        frame = _as_csv_text(part.select(data_cols["financing"]))
        frame.columns = [c.zh for c in ds["financing"].columns]
        text = frame.write_csv(line_terminator="\r\n")
        (folder / gb).write_bytes(text.encode("gb18030"))
        files.append(gb)
        ly.scenarios["gb18030_file"] = gb
    else:
        for name in ds:
            for (file,), part in (
                ly.frames[name].partition_by("_file", as_dict=True, maintain_order=True).items()
            ):
                rng = np.random.default_rng([seed, year, 5, sum(map(ord, file))])
                headers = _headers(name, rng, plain=name == "carriers")
                if len(set(headers)) < len(headers):
                    headers = [c.zh for c in ds[name].columns]
                frame = _as_csv_text(part.select(data_cols[name]))
                frame.columns = headers
                frame.write_csv(folder / file)
                files.append(file)
    return YearManifest(
        year=year,
        package_dir=str(year),
        fmt="xlsx" if xlsx else "csv",
        files=sorted(files),
        rows=rows_written,
        defects=defects,
        scenarios=ly.scenarios,
    )


def generate_sample(
    root: Path,
    years: Sequence[int] = (2023, 2024),
    scale: float = 1.0,
    fmt: Fmt = "auto",
    seed: int = 2024,
) -> SampleManifest:
    """Write `root/<year>/` report packages of a simulated district and `root/manifest_<year>.json`.

    scale 1 ≈ a district of 60 carriers and 3,000 tenants a year; scale multiplies everything.
    fmt "auto" writes per-carrier workbooks up to scale 5 and large UTF-8 CSVs above.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    xlsx = fmt == "xlsx" or (fmt == "auto" and scale <= XLSX_MAX_SCALE)
    world = _World(scale, years, seed)
    manifest = SampleManifest(seed=seed, scale=scale, years={})
    for year in sorted(years):
        ym = _write_year(world, year, root, seed, xlsx)
        manifest.years[year] = ym
        (root / f"manifest_{year}.json").write_text(
            json.dumps(ym.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True)
            + "\n",
            encoding="utf-8",
        )
    return manifest


def sample_tables(
    years: Sequence[int] = (2023, 2024), scale: float = 1.0, seed: int = 2024
) -> dict[int, dict[str, pl.DataFrame]]:
    """The canonical (clean, typed) tables behind `generate_sample` with the same arguments, per
    year: what the batch should read back, for calibration and tests."""
    world = _World(scale, years, seed)
    return {year: world.package(year) for year in sorted(years)}
