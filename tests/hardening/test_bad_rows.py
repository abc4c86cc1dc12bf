"""The bad-input corpus, row level: one 2024 package holding every bad row (and a few bad files
beside good ones) goes once through the real batch (ingest, dbt, Great Expectations, scoring,
publish); each case then asserts its own finding from that one result.

Each case names where it sits (dataset, file, sheet, row, column) and the check that must
report it; every finding's message is `中文 / English`; the good rows around the bad ones are
still scored; rows_read = kept + rejected + duplicate per dataset and file. The same run feeds
the security tests: a carrier name made of HTML and SQL travels into both HTML reports, text
beginning with = + - @ into the office workbook, and hostile file names stay data.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import polars as pl
import pytest
import xlsxwriter

from orchestration.lock import DUCKDB_CONFIG
from orchestration.pipeline import RunOptions, office_file_names, run_year
from orchestration.progress import Progress
from orchestration.sample.identifiers import patent_check_char, uscc_from_parts

pytestmark = pytest.mark.slow

YEAR = 2024
XSS_NAME = "\"><script>alert(1)</script>'; drop table x; --"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")孵化器'
FORMULA_OPERATOR = "@SUM(1+1)运营公司"
FORMULA_TOWN = "+86 镇"
EVIL_CSV = "tenants_..\\..\\evil'\";drop table x;--.csv"
EVIL_XLSX = '=cmd|" calc"!A0; drop table x.xlsx'
LONG_NAME = "长" * 100_000

CARRIER_HEADERS = [
    "载体编号",
    "载体名称",
    "载体类型",
    "认定级别",
    "认定日期",
    "所属镇（园区）",
    "运营主体",
    "运营主体统一社会信用代码",
    "运营方式",
    "载体面积（平方米）",
    "孵化面积（平方米）",
    "建成投用日期",
    "自有种子资金或合作孵化资金",
    "种子资金规模（万元）",
    "专业服务人员数",
]
TENANT_HEADERS = [
    "载体编号",
    "企业名称",
    "统一社会信用代码",
    "入驻日期",
    "退出日期",
    "企业状态",
    "产业领域",
    "营业收入（万元）",
    "研发投入（万元）",
    "纳税总额（万元）",
    "从业人员数",
    "引进高层次人才数",
    "通过科技型企业招引认定",
    "使用面积（平方米）",
]
FINANCING_HEADERS = [
    "载体编号",
    "企业名称",
    "统一社会信用代码",
    "融资日期",
    "融资金额",
    "融资类型",
    "投资机构",
]
PATENT_HEADERS = [
    "载体编号",
    "专利权人",
    "专利权人统一社会信用代码",
    "专利号",
    "专利类型",
    "申请日",
    "授权公告日",
]
HIGH_TECH_HEADERS = ["载体编号", "企业名称", "统一社会信用代码", "证书编号", "发证日期", "认定类型"]
GRADUATION_HEADERS = ["载体编号", "企业名称", "统一社会信用代码", "毕业日期", "毕业依据"]
AWARD_HEADERS = [
    "载体编号",
    "企业名称",
    "统一社会信用代码",
    "大赛名称",
    "获奖级别",
    "名次",
    "获奖日期",
]


def uscc(n: int) -> str:
    """A valid credit code, distinct per n."""
    return uscc_from_parts("91320500", f"{n:08d}")


def bad_check(code: str) -> str:
    """The same code with a check character that does not verify."""
    last = "0" if code[-1] != "0" else "1"
    return code[:-1] + last


def carrier(cid: str, name: str, n: int, **kw: Any) -> dict[str, Any]:
    row = dict(
        zip(
            CARRIER_HEADERS,
            [
                cid,
                name,
                "科技企业孵化器",
                "省级",
                "2019-06-01",
                "甲镇",
                f"{name}运营公司",
                uscc(n),
                "民营",
                "12000",
                "9000",
                "2018-01-01",
                "是",
                "500",
                "12",
            ],
            strict=True,
        )
    )
    row.update(kw)
    return row


def tenant(cid: str, n: int, **kw: Any) -> dict[str, Any]:
    row = dict(
        zip(
            TENANT_HEADERS,
            [
                cid,
                f"企业{n}",
                uscc(n),
                "2022-03-01",
                None,
                "在孵",
                "软件",
                "800",
                "120",
                "30",
                "25",
                "2",
                "是",
                "300",
            ],
            strict=True,
        )
    )
    row.update(kw)
    return row


def financing(cid: str, n: int, date: str = "2024-05-06", **kw: Any) -> dict[str, Any]:
    row = dict(
        zip(
            FINANCING_HEADERS,
            [cid, f"企业{n}", uscc(n), date, "300", "股权投资", "某创投"],
            strict=True,
        )
    )
    row.update(kw)
    return row


@dataclass(frozen=True)
class Case:
    """One bad input and where its finding must point."""

    name: str
    dataset: str | None
    file: str
    sheet: str | None
    row: int | None
    column: str | None
    check: str
    severity: str


@dataclass
class Sheet:
    name: str
    headers: list[str]
    rows: list[dict[str, Any]]
    hidden: bool = False

    def add(self, row: dict[str, Any]) -> int:
        """Append a row; return the row number a spreadsheet shows (header = row 1)."""
        self.rows.append(row)
        return len(self.rows) + 1


@dataclass
class Corpus:
    root: Path
    reports: Path
    warehouse: Path
    out: Path
    cases: list[Case]
    good_tenants: int
    output: str
    code: int
    message: str
    before: set[Path]
    after: set[Path]

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
            return con.execute(sql, params or []).fetchall()


def write_workbook(path: Path, sheets: list[Sheet], merge_header: bool = False) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    for spec in sheets:
        ws = workbook.add_worksheet(spec.name)
        ws.write_row(0, 0, spec.headers)
        for r, row in enumerate(spec.rows, start=1):
            for c, header in enumerate(spec.headers):
                value = row.get(header)
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("=") and header.endswith("）"):
                    ws.write_formula(r, c, value, None, row.get("__cached", ""))
                else:
                    ws.write_string(r, c, str(value))
        if spec.hidden:
            ws.hide()
    workbook.close()


def write_csv(path: Path, headers: list[str], rows: list[dict[str, Any]], encoding: str) -> None:
    lines = [",".join(headers)]
    for row in rows:
        lines.append(",".join("" if row.get(h) is None else str(row[h]) for h in headers))
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def build_package(reports: Path) -> tuple[list[Case], int]:
    """The package and its cases. Good rows sit around every bad one."""
    cases: list[Case] = []

    def case(
        name: str,
        ds: str | None,
        file: str,
        sheet: str | None,
        row: int | None,
        column: str | None,
        check: str,
        severity: str = "error",
    ) -> None:
        cases.append(Case(name, ds, file, sheet, row, column, check, severity))

    # -- workbook A: three carriers, the tenants with every row defect, a hidden sheet -----
    a = "C001_甲孵化器.xlsx"
    carriers = Sheet("载体信息", CARRIER_HEADERS, [])
    carriers.add(carrier("C001", XSS_NAME, 9001))
    carriers.add(
        carrier(
            "C002",
            FORMULA_NAME,
            9002,
            运营主体=FORMULA_OPERATOR,
            **{"所属镇（园区）": FORMULA_TOWN},
        )
    )
    carriers.add(carrier("C003", "丙孵化器", 9003))
    tenants = Sheet("在孵企业", TENANT_HEADERS, [])
    good = 0
    for n in range(1, 7):
        tenants.add(tenant("C001" if n % 2 else "C003", n))
        good += 1
    tenants.add(tenant("Ｃ００２", 7, 统一社会信用代码=uscc(7).lower()[:6] + "-" + uscc(7)[6:]))
    good += 1  # full-width id and a lower-case, hyphenated code are accepted, not errors
    tenants.add(tenant("C002", 8, 入驻日期="45356"))  # an Excel serial date is accepted
    good += 1

    def bad_tenant(name: str, column: str, check: str, n: int, **kw: Any) -> None:
        case(name, "tenants", a, "在孵企业", tenants.add(tenant("C001", n, **kw)), column, check)

    bad_tenant(
        "impossible_date_2024_02_30", "entry_date", "unreadable_date", 20, 入驻日期="2024-02-30"
    )
    bad_tenant("negative_amount", "revenue", "negative_amount", 21, **{"营业收入（万元）": "-5"})
    bad_tenant(
        "amount_with_letters", "revenue", "unreadable_amount", 22, **{"营业收入（万元）": "12abc"}
    )
    bad_tenant(
        "uscc_check_character",
        "uscc",
        "uscc_check_failed",
        23,
        统一社会信用代码=bad_check(uscc(23)),
    )
    bad_tenant("malformed_uscc", "uscc", "malformed_uscc", 24, 统一社会信用代码="12345")
    bad_tenant("required_value_missing", "enterprise_name", "required_missing", 25, 企业名称=None)
    bad_tenant(
        "unknown_enum_label",
        "tenant_status",
        "unknown_label",
        26,
        企业状态="<script>alert(1)</script>",
    )
    bad_tenant("integer_in_words", "employees", "unreadable_integer", 27, 从业人员数="十二")
    bad_tenant(
        "unreadable_yes_no",
        "tech_recruit_certified",
        "unreadable_yes_no",
        28,
        通过科技型企业招引认定="也许",
    )
    bad_tenant(
        "negative_area", "occupied_area_m2", "negative_area", 29, **{"使用面积（平方米）": "-10"}
    )
    bad_tenant(
        "formula_ref_error",
        "revenue",
        "formula_error",
        30,
        **{"营业收入（万元）": "=#REF!+1", "__cached": "#REF!"},
    )
    bad_tenant(
        "formula_na_error",
        "rd_expense",
        "formula_error",
        31,
        **{"研发投入（万元）": "=NA()", "__cached": "#N/A"},
    )
    # Warnings, not rejections: the rows stay, the office is told.
    row = tenants.add(
        tenant("C001", 40, 入驻日期="2023-05-01", 退出日期="2022-01-01", 企业状态="迁出")
    )
    good += 1
    case(
        "exit_before_entry",
        "tenants",
        a,
        "在孵企业",
        row,
        "exit_date",
        "stg_tenants.entry_after_exit",
        "warning",
    )
    row = tenants.add(tenant("C001", 41, 入驻日期="2030-01-01"))
    good += 1
    case(
        "future_date",
        "tenants",
        a,
        "在孵企业",
        row,
        "entry_date",
        "stg_tenants.entry_date.plausible_date",
        "warning",
    )
    row = tenants.add(tenant("C999", 42))
    good += 1
    case(
        "tenant_of_unknown_carrier",
        "tenants",
        a,
        "在孵企业",
        row,
        "carrier_id",
        "tenant_carrier_unknown",
        "warning",
    )
    graduations = Sheet("毕业企业", GRADUATION_HEADERS, [], hidden=True)
    graduations.add(
        dict(
            zip(
                GRADUATION_HEADERS,
                ["C001", "企业1", uscc(1), "2024-06-30", "营业收入达标"],
                strict=True,
            )
        )
    )
    case("hidden_sheet", "graduations", a, "毕业企业", None, None, "hidden_sheet", "warning")
    write_workbook(reports / a, [carriers, tenants, graduations])

    # -- workbook B: the same carrier id under another name; patents and certificates ------
    b = "C003_丙孵化器（重报）.xlsx"
    carriers_b = Sheet("载体信息", CARRIER_HEADERS, [])
    row = carriers_b.add(carrier("C003", "乙孵化器", 9003))
    case(
        "same_carrier_id_two_names",
        "carriers",
        b,
        "载体信息",
        row,
        "carrier_name",
        "carrier_name_conflict",
    )
    patents = Sheet("专利", PATENT_HEADERS, [])
    patents.add(
        dict(
            zip(
                PATENT_HEADERS,
                ["C001", "企业1", uscc(1), "ZL202310123456.6", "发明", "2023-01-02", "2024-03-01"],
                strict=True,
            )
        )
    )
    row = patents.add(
        dict(
            zip(
                PATENT_HEADERS,
                ["C001", "企业1", uscc(1), "ZL202310123456.7", "发明", "2023-01-02", "2024-03-01"],
                strict=True,
            )
        )
    )
    case("patent_check_character", "patents", b, "专利", row, "patent_no", "patent_no_check_failed")
    row = patents.add(
        dict(
            zip(
                PATENT_HEADERS,
                [
                    "C001",
                    "企业1",
                    uscc(1),
                    "ZL202320123456." + patent_check_char("202320123456"),
                    "发明",
                    "2023-01-02",
                    None,
                ],
                strict=True,
            )
        )
    )
    case("patent_type_mismatch", "patents", b, "专利", row, "patent_type", "patent_type_mismatch")
    certs = Sheet("高企培育", HIGH_TECH_HEADERS, [])
    row = certs.add(
        dict(
            zip(
                HIGH_TECH_HEADERS,
                ["C001", "企业3", uscc(3), "GR2024AB0001", "2024-11-01", "首次认定"],
                strict=True,
            )
        )
    )
    case(
        "malformed_certificate_no",
        "high_tech",
        b,
        "高企培育",
        row,
        "certificate_no",
        "malformed_certificate_no",
    )
    row = certs.add(
        dict(
            zip(
                HIGH_TECH_HEADERS,
                ["C001", "企业3", uscc(3), "GR202332000001", "2024-11-01", "首次认定"],
                strict=True,
            )
        )
    )
    case(
        "certificate_year_mismatch",
        "high_tech",
        b,
        "高企培育",
        row,
        "certificate_no",
        "certificate_year_mismatch",
    )
    write_workbook(reports / b, [carriers_b, patents, certs])

    # -- workbook C: a report for another year (every event dated 2022) -----------------
    c = "C002_2022年度报表.xlsx"
    fin = Sheet("投融资", FINANCING_HEADERS, [])
    rows_2022 = [fin.add(financing("C002", n, date=f"2022-0{n - 50}-15")) for n in (51, 52, 53)]
    for r in rows_2022:
        case(
            f"report_for_another_year_row_{r}",
            "financing",
            c,
            "投融资",
            r,
            "financing_date",
            "stg_financing.financing_date.in_assessment_year",
            "warning",
        )
    # the whole file's events fall in 2022: the file is named too (issue 22), the year goes on
    case("report_for_another_year_file", None, c, None, None, None, "file_year_mismatch", "warning")
    grads = Sheet("毕业企业", GRADUATION_HEADERS, [])
    row = grads.add(
        dict(
            zip(
                GRADUATION_HEADERS,
                ["C002", "企业8", uscc(8), "2022-06-30", "营业收入达标"],
                strict=True,
            )
        )
    )
    case(
        "graduation_in_another_year",
        "graduations",
        c,
        "毕业企业",
        row,
        "graduation_date",
        "stg_graduations.graduation_date.in_assessment_year",
        "warning",
    )
    write_workbook(reports / c, [fin, grads])

    # -- workbook D: financing with bad amounts and a merged title over the header ----------
    d = "C001_融资.xlsx"
    workbook = xlsxwriter.Workbook(str(reports / d))
    ws = workbook.add_worksheet("投融资")
    ws.merge_range(0, 0, 0, 6, "2024年度投融资情况表（合并单元格标题）")
    ws.write_row(1, 0, FINANCING_HEADERS[:4])
    ws.merge_range(1, 4, 1, 5, "融资金额（元）")  # a merged header cell over E:F
    ws.write(1, 6, "融资类型")
    fin_rows = [
        ("C001", 1, "2024-04-01", "12.3万元", None),  # 万元 in the row beats 元 in the header
        ("C001", 3, "2024-04-02", "500000", None),  # 元 from the header: 50 万元
        ("C001", 5, "2024-04-03", "-100", None),
        ("C001", 5, "2024-04-04", "一百万", None),
        ("C001", 5, "2024-02-30", "100", None),
        ("C001", 5, "2024-04-05", "100", "备注"),  # a value under the merged header's 2nd cell
    ]
    for r, (cid, n, date, amount, extra) in enumerate(fin_rows, start=2):
        ws.write_row(r, 0, [cid, f"企业{n}", uscc(n), date, amount])
        if extra:
            ws.write(r, 5, extra)
        ws.write(r, 6, "股权投资")
    workbook.close()
    case(
        "merged_header_value_kept_in_extra",
        "financing",
        d,
        "投融资",
        2,
        "列F",
        "unknown_column",
        "warning",
    )
    case(
        "optional_value_missing_is_a_warning",
        "financing",
        d,
        "投融资",
        3,
        "investor",
        "stg_financing.investor.not_null",
        "warning",
    )
    case("negative_financing_amount", "financing", d, "投融资", 5, "amount", "negative_amount")
    case("amount_in_words", "financing", d, "投融资", 6, "amount", "unreadable_amount")
    case(
        "financing_date_2024_02_30",
        "financing",
        d,
        "投融资",
        7,
        "financing_date",
        "unreadable_date",
    )

    # -- CSVs: encodings, a very long cell, a hostile name -------------------------------
    write_csv(reports / "tenants_gb18030.csv", TENANT_HEADERS, [tenant("C003", 60)], "gb18030")
    good += 1
    write_csv(
        reports / "tenants_long.csv",
        TENANT_HEADERS,
        [tenant("C003", 61, 企业名称=LONG_NAME)],
        "utf-8-sig",
    )
    good += 1
    write_csv(reports / EVIL_CSV, TENANT_HEADERS, [tenant("C003", 62)], "utf-8")
    good += 1
    write_csv(reports / "tenants_utf16.csv", TENANT_HEADERS, [tenant("C003", 63)], "utf-16")
    case("csv_in_utf16", None, "tenants_utf16.csv", None, None, None, "unreadable_file")
    write_csv(reports / "tenants_nul.csv", TENANT_HEADERS, [tenant("C003", 64)], "utf-8")
    nul = (reports / "tenants_nul.csv").read_bytes().replace(b"64,", b"\x0064,", 1)
    (reports / "tenants_nul.csv").write_bytes(nul)  # the line is a rejected row, not the file
    case("csv_with_nul_bytes", "tenants", "tenants_nul.csv", None, 2, "_row", "nul_bytes")

    # -- files that cannot be read, beside the good ones --------------------------------
    (reports / "空文件.xlsx").write_bytes(b"")
    case("empty_file", None, "空文件.xlsx", None, None, None, "unreadable_file")
    (reports / "说明.docx").write_bytes(b"PK\x03\x04 not read")
    case("wrong_extension", None, "说明.docx", None, None, None, "ignored_file", "warning")
    (reports / "伪装.xlsx").write_text("载体编号,载体名称\nC009,假\n", encoding="utf-8")
    case("xlsx_that_is_not_a_zip", None, "伪装.xlsx", None, None, None, "unreadable_file")
    (reports / "加密.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600)
    case("password_protected_workbook", None, "加密.xlsx", None, None, None, "unreadable_file")
    (reports / EVIL_XLSX).write_bytes((reports / a).read_bytes()[:300])
    case("truncated_xlsx_with_hostile_name", None, EVIL_XLSX, None, None, None, "unreadable_file")
    shutil.copyfile(reports / b, reports / "C003_丙孵化器（重报）副本.xlsx")
    case(
        "same_workbook_twice",
        None,
        "C003_丙孵化器（重报）副本.xlsx",
        None,
        None,
        None,
        "duplicate_file",
        "warning",
    )
    return cases, good


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    root = tmp_path_factory.mktemp("corpus")
    reports = root / "reports" / str(YEAR)
    reports.mkdir(parents=True)
    cases, good = build_package(reports)
    warehouse = root / "warehouse" / "carriers.duckdb"
    out = root / "out" / str(YEAR)
    before = {p for p in root.rglob("*")}
    buffer = io.StringIO()
    with (
        pytest.MonkeyPatch.context() as env,  # the module's fixture: the values are put back
        contextlib.redirect_stdout(buffer),
        contextlib.redirect_stderr(buffer),
    ):
        env.setenv("DBT_TARGET_PATH", str(root / "target"))
        env.setenv("CARRIER_ASSESS_WAREHOUSE", str(warehouse))
        outcome = run_year(
            RunOptions(year=YEAR, reports=reports, warehouse=warehouse, out=out),
            Progress("plain"),
        )
    after = {p for p in root.rglob("*")}
    return Corpus(
        root,
        reports,
        warehouse,
        out,
        cases,
        good,
        buffer.getvalue(),
        int(outcome.code),
        outcome.message,
        before,
        after,
    )


def _issues(corpus: Corpus) -> pl.DataFrame:
    with duckdb.connect(str(corpus.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        frame = pl.from_arrow(
            con.execute(
                "select * from results.dq_issues where assessment_year = ?", [YEAR]
            ).to_arrow_table()
        )
    assert isinstance(frame, pl.DataFrame)
    return frame


BILINGUAL = re.compile(r"[\u4e00-\u9fff].* / .*[A-Za-z]", re.S)


def test_the_year_is_published_without_a_traceback(corpus: Corpus) -> None:
    assert corpus.code == 0, corpus.message
    assert "Traceback" not in corpus.output
    assert not (corpus.warehouse.parent / "logs").exists()  # no crash log was written


def test_the_corpus_holds_at_least_forty_cases(corpus: Corpus) -> None:
    names = [c.name for c in corpus.cases]
    assert len(set(names)) == len(names)
    assert len(names) + len(FILE_LEVEL_CASES_ELSEWHERE) >= 40


FILE_LEVEL_CASES_ELSEWHERE = (
    "zip_bomb",
    "sheet_at_excel_row_limit",
    "sheet_beyond_excel_row_limit",
    "csv_in_unknown_encoding",
    "malformed_csv",
    "no_dataset_sheet",
    "header_below_row_ten",
    "subfolder",
    "office_lock_file",
)
"""Cases that need their own package: tests/hardening/test_bad_files.py."""


def _case_ids() -> list[str]:
    """Parametrise by case name without running anything at collection time."""
    with tempfile.TemporaryDirectory(prefix="carrier-assess-cases-") as folder:
        return [c.name for c in build_package(Path(folder))[0]]


@pytest.mark.parametrize("name", _case_ids())
def test_case_is_reported_where_it_is(corpus: Corpus, name: str) -> None:
    spec = next(c for c in corpus.cases if c.name == name)
    issues = _issues(corpus).filter(
        (pl.col("check_name") == spec.check) & (pl.col("source_file") == spec.file)
    )
    if spec.dataset is not None:
        issues = issues.filter(pl.col("dataset") == spec.dataset)
    if spec.sheet is not None:
        issues = issues.filter(pl.col("sheet") == spec.sheet)
    if spec.row is not None:
        issues = issues.filter(pl.col("source_row") == spec.row)
    if spec.column is not None:
        issues = issues.filter(pl.col("column_name").str.contains(spec.column, literal=True))
    assert issues.height >= 1, f"{name}: no {spec.check} finding at {spec}"
    for found in issues.iter_rows(named=True):
        assert found["severity"] == spec.severity
        assert BILINGUAL.search(found["message"]), found["message"]
        assert "Traceback" not in found["message"]


def test_every_finding_is_bilingual_and_placed(corpus: Corpus) -> None:
    issues = _issues(corpus)
    assert issues.height > 0
    bad = issues.filter(~pl.col("message").str.contains(r"[\u4e00-\u9fff].* / .*[A-Za-z]"))
    assert bad.height == 0, bad.head(5).to_dicts()
    assert issues.filter(pl.col("source_file").is_null()).height == 0


def test_good_rows_around_the_bad_ones_are_all_kept(corpus: Corpus) -> None:
    kept = corpus.query(
        "select count(*) from staging.stg_tenants where _assessment_year = ?", [YEAR]
    )[0][0]
    assert kept == corpus.good_tenants
    # and they reach the scored tenant facts of their carriers (C999 is no carrier's)
    facts = corpus.query(
        "select count(*) from marts.tenant_year_facts where assessment_year = ?", [YEAR]
    )[0][0]
    assert facts >= corpus.good_tenants - 2  # the same enterprise may merge across files
    scored = {r[0] for r in corpus.query("select carrier_id from results.carrier_scores")}
    assert scored == {"C001", "C002", "C003"}


def test_every_file_that_could_be_read_was_loaded(corpus: Corpus) -> None:
    status = dict(
        corpus.query(
            "select source_file, status from raw._ingest_files where _assessment_year = ?", [YEAR]
        )
    )
    for name in (
        "C001_甲孵化器.xlsx",
        "C003_丙孵化器（重报）.xlsx",
        "C002_2022年度报表.xlsx",
        "C001_融资.xlsx",
        "tenants_gb18030.csv",
        "tenants_long.csv",
        EVIL_CSV,
    ):
        assert status[name] == "loaded", name


def test_conservation_per_dataset_and_file(corpus: Corpus) -> None:
    counts = corpus.query(
        "select dataset, source_file, rows_read, rows_kept, rows_rejected, rows_duplicate"
        " from results.dataset_counts where assessment_year = ?",
        [YEAR],
    )
    assert counts
    for dataset, file, read, kept, rejected, duplicate in counts:
        assert read == kept + rejected + duplicate, (dataset, file)
    raw = {}
    for dataset in ("carriers", "tenants", "financing", "patents", "high_tech", "graduations"):
        for file, n in corpus.query(
            f'select _source_file, count(*) from raw."{dataset}"'  # dataset: a code constant
            " where _assessment_year = ? group by 1",
            [YEAR],
        ):
            raw[(dataset, file)] = n
    read = {(d, f): r for d, f, r, *_ in counts}
    for key, n in raw.items():
        assert read.get(key) == n, key
    rejected = {(d, f): r for d, f, _r, _k, r, _d in counts}
    assert rejected[("carriers", "C003_丙孵化器（重报）.xlsx")] == 1


def test_same_carrier_id_with_two_names_names_both(corpus: Corpus) -> None:
    found = _issues(corpus).filter(pl.col("check_name") == "carrier_name_conflict").to_dicts()
    assert len(found) == 1
    message = found[0]["message"]
    assert "丙孵化器" in message and "乙孵化器" in message and "C001_甲孵化器.xlsx" in message
    names = corpus.query("select carrier_name from results.carrier_scores where carrier_id='C003'")
    assert names == [("丙孵化器",)]


def test_money_unit_in_the_row_beats_the_header(corpus: Corpus) -> None:
    got = corpus.query(
        "select _source_row, amount_wan from staging.stg_financing"
        " where _source_file = 'C001_融资.xlsx' order by 1"
    )
    assert [(r, float(a)) for r, a in got] == [(3, 12.3), (4, 50.0), (8, 0.01)]


def test_very_long_cell_is_kept_whole(corpus: Corpus) -> None:
    got = corpus.query(
        "select length(enterprise_name) from staging.stg_tenants where _source_file = ?",
        ["tenants_long.csv"],
    )
    assert got == [(len(LONG_NAME),)]


def test_formula_error_cells_are_also_reported_by_ingest(corpus: Corpus) -> None:
    found = _issues(corpus).filter(pl.col("check_name") == "formula_error")
    values = set(found.get_column("value_as_written").to_list())
    assert {"#REF!", "#N/A"} <= values


def test_hidden_sheet_rows_are_read(corpus: Corpus) -> None:
    got = corpus.query(
        "select count(*) from staging.stg_graduations where _sheet = '毕业企业'"
        " and _source_file = 'C001_甲孵化器.xlsx'"
    )
    assert got == [(1,)]


# --------------------------------------------------------------------------------------------
# Security of the outputs


def _out_file(corpus: Corpus, role: str) -> Path:
    return corpus.out / office_file_names(YEAR)[role]


@pytest.mark.parametrize("role", ["report", "dq_report"])
def test_html_reports_escape_a_hostile_carrier_name(corpus: Corpus, role: str) -> None:
    path = _out_file(corpus, role)
    # the data-quality report: its index, town pages and carrier pages (dq/ beside it)
    pages = [path, *sorted((path.parent / "dq").glob("*.html"))] if role == "dq_report" else [path]
    html = "\n".join(page.read_text(encoding="utf-8") for page in pages)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "drop table x; --" in html  # the name is there, as text


def test_office_workbook_never_stores_text_as_a_formula(corpus: Corpus) -> None:
    workbook = openpyxl.load_workbook(_out_file(corpus, "workbook"))
    seen: set[str] = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    seen.add(cell.value)
    # the hostile values reached the workbook, as strings
    assert FORMULA_NAME in seen
    assert {FORMULA_OPERATOR, FORMULA_TOWN} & seen


def test_hostile_file_names_write_nothing_outside_the_output_folder(corpus: Corpus) -> None:
    allowed = [corpus.root / "out", corpus.root / "warehouse", corpus.root / "target"]
    created = corpus.after - corpus.before
    outside = [p for p in created if not any(p.is_relative_to(a) for a in allowed)]
    assert outside == []
    assert not list(corpus.root.parent.glob("evil*"))
    assert not list(corpus.root.glob("evil*"))
    # the names are data: stored verbatim
    files = {r[0] for r in corpus.query("select source_file from raw._ingest_files")}
    assert {EVIL_CSV, EVIL_XLSX} <= files
    rows = corpus.query(
        "select count(*) from results.dataset_counts where source_file = ?", [EVIL_CSV]
    )
    assert rows == [(1,)]
