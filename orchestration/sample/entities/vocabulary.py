"""The district's vocabulary: carrier types and their typical figures, towns, name parts,
industries, patent titles, competitions and financiers, with the shares they are drawn by."""

from __future__ import annotations

CARRIER_TYPES = (
    "incubator",
    "maker_space",
    "accelerator",
    "complex",
    "platform",
    "offshore_center",
    "industrial_park",
)
TYPE_SHARE = (0.30, 0.20, 0.12, 0.10, 0.12, 0.06, 0.10)
TYPE_TENANTS = (47, 29, 29, 56, 14, 12, 102)
"""Typical tenants incubating at once, per carrier type."""
TYPE_S4 = (3, 5, 1, 2, 1, 2, 0.5)
"""Goalpost of S4 (tenants per 1000 m²) per type: incubation areas are drawn around it."""
TYPE_SUFFIX = (
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
TOWN_A = "龙川文昌芒稻凤城运河沿江新桥永安花荡吴桥郭村浦头大桥舜天塘头昭关宗村三江"
TOWN_B = "东南西北新安宁和兴平丰盛华泰康湾塘港桥口"
"""Two-character halves of made-up town names, for scales with more towns than Jiangdu has."""
NAME_WORDS = [
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
OFFSHORE_CITIES = ("上海", "南京", "深圳", "苏州", "杭州", "北京", "合肥", "无锡")
ENTERPRISE_WORDS = list(
    "华瑞博创智科睿恒泰新源达联晟卓越远航鑫鼎盛昊宇嘉德信诚明光启众凯峰润天安康禾骏弘立微芯元和"
    "晶谱图思帆锐迈纳拓铭辰尚同融"
)
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
INDUSTRY_P = (0.14, 0.14, 0.11, 0.12, 0.07, 0.07, 0.07, 0.10, 0.04, 0.06, 0.05, 0.03)
INDUSTRY_WORD = (
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
"""The word an enterprise's name carries for its industry (same order as INDUSTRIES)."""
TITLE_A = [
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
TITLE_B = [
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
"""Patent titles are 一种 + a word of TITLE_A + a word of TITLE_B."""
COMPETITIONS = (
    ("中国创新创业大赛（江苏赛区）", "provincial"),
    ("江苏省科技创业大赛", "provincial"),
    ("“创客中国”江苏省中小企业创新创业大赛", "provincial"),
    ("扬州市创新创业大赛", "municipal"),
    ("扬州市“绿扬金凤”创业大赛", "municipal"),
)
INVESTORS = {
    "equity": ("江苏高投", "扬州创投", "元禾原点", "深创投", "毅达资本", "苏高新创投"),
    "bank_loan": ("中国银行江都支行", "江苏银行扬州分行", "农商银行江都支行", "工商银行江都支行"),
    "su_ke_dai": ("江苏银行扬州分行", "南京银行扬州分行", "邮储银行江都支行"),
    "zhi_ke_dai": ("交通银行扬州分行", "中国银行江都支行"),
    "talent_loan": ("江苏银行扬州分行", "农商银行江都支行"),
    "venture_fund": ("扬州市天使投资基金", "江都区科创基金", "江苏省天使投资引导基金"),
    "other": ("扬州市融资担保公司", "江都区小微贷"),
}
FIN_KINDS = tuple(INVESTORS)
FIN_P = (0.22, 0.30, 0.18, 0.08, 0.07, 0.08, 0.07)
FIN_MEDIAN = (400.0, 150.0, 200.0, 100.0, 80.0, 500.0, 60.0)
"""Median financing amount per kind, 万元."""
ROUNDS = ("天使轮", "Pre-A轮", "A轮", "A+轮", "B轮")
EXIT_KINDS = ("graduated", "moved_out", "cleared_out", "deregistered")
