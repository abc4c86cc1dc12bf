"""The bad-input corpus, second pass (issue 22): cases a new user's package held that the first
pass mishandled, and more a careful reviewer tries. One 2024 package goes once through the real
batch (the console script, in its own process) with the reports folder and the parent of `--out`
made read-only; the listing of everything under the test's root, before and after, shows what
the run wrote. A second package that must block runs the same way.

Each case asserts its finding where a clerk finds it (file, sheet, row, column) or that its rows
were read; every file's counts balance (rows_read = kept + rejected + duplicate).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
import xlsxwriter

from orchestration.lock import DUCKDB_CONFIG
from orchestration.sample.identifiers import uscc_from_parts
from orchestration.transform.manifest_cache import SHARED_CACHE_ENV

pytestmark = pytest.mark.slow

YEAR = 2024
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
    "企业状态",
    "营业收入（万元）",
]
FINANCING_HEADERS = ["载体编号", "企业名称", "统一社会信用代码", "融资日期", "融资金额", "融资类型"]
NFD_NAME = unicodedata.normalize("NFD", "tenants_Café_Ångström.csv")
LONG = "长" * 100_000


def uscc(n: int) -> str:
    return uscc_from_parts("91320500", f"{n:08d}")


def carrier_row(cid: str, name: str, n: int) -> list[str]:
    return [
        cid,
        name,
        "科技企业孵化器",
        "省级",
        "2019-06-01",
        "甲镇",
        f"{name}运营公司",
        uscc(9000 + n),
        "民营",
        "12000",
        "9000",
        "2018-01-01",
        "是",
        "500",
        "12",
    ]


def tenant_row(cid: str, n: int, **kw: str) -> list[str]:
    row = dict(
        zip(
            TENANT_HEADERS,
            [cid, f"企业{n}", uscc(n), "2022-03-01", "在孵", "800"],
            strict=True,
        )
    )
    row.update(kw)
    return [row[h] for h in TENANT_HEADERS]


def financing_row(cid: str, n: int, date: str, amount: str = "300") -> list[str]:
    return [cid, f"企业{n}", uscc(n), date, amount, "股权投资"]


def workbook(path: Path, sheets: dict[str, tuple[list[str], list[list[str]]]], **opts: Any) -> None:
    book = xlsxwriter.Workbook(str(path))
    for title, (headers, rows) in sheets.items():
        ws = book.add_worksheet(title)
        ws.write_row(0, 0, headers)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write_string(r, c, value)
        hook = opts.get(title)
        if hook is not None:
            hook(book, ws)
    book.close()


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(r) for r in [headers, *rows]) + "\n").encode("utf-8")


def patch_zip(path: Path, part: str, old: bytes, new: bytes) -> None:
    """Rewrite one part of an .xlsx (what a hand-edited or foreign-made file holds)."""
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == part:
                assert old in data, (part, old)
                data = data.replace(old, new)
            out.writestr(info, data)


@dataclass(frozen=True)
class Case:
    name: str
    dataset: str | None
    file: str
    row: int | None
    check: str
    severity: str = "error"


def build_package(reports: Path, outside: Path) -> list[Case]:
    cases: list[Case] = []
    # The year's own workbooks: C001 and C002, carriers, tenants, financing of 2024.
    for cid, name, base in (("C001", "甲孵化器", 100), ("C002", "乙孵化器", 200)):
        workbook(
            reports / f"{cid}_{name}.xlsx",
            {
                "载体信息": (CARRIER_HEADERS, [carrier_row(cid, name, base)]),
                "在孵企业": (TENANT_HEADERS, [tenant_row(cid, base + i) for i in range(3)]),
                "投融资": (
                    FINANCING_HEADERS,
                    [financing_row(cid, base + i, f"2024-0{i + 3}-10") for i in range(3)],
                ),
            },
        )

    # 1. A CSV with NUL bytes in one line: that line is a rejected row, the others are kept.
    data = csv_bytes(TENANT_HEADERS, [tenant_row("C001", 300 + i) for i in range(4)])
    lines = data.split(b"\n")
    lines[2] = lines[2].replace("企业".encode(), "企\x00\x00业".encode())
    (reports / "tenants_nul.csv").write_bytes(b"\n".join(lines))
    cases.append(Case("csv_nul_bytes_in_one_line", "tenants", "tenants_nul.csv", 3, "nul_bytes"))

    # 2. A 100,000-character cell, on row 5 of a CSV and row 4 of a workbook: reported (or kept)
    #    at its own row.
    rows = [tenant_row("C001", 310 + i) for i in range(5)]
    rows[3][2] = "9" * 100_000  # a credit code nobody could type: rejected where it is
    (reports / "tenants_longcell.csv").write_bytes(csv_bytes(TENANT_HEADERS, rows))
    cases.append(
        Case("very_long_cell_at_its_row", "tenants", "tenants_longcell.csv", 5, "malformed_uscc")
    )
    rows = [tenant_row("C002", 320 + i) for i in range(4)]
    rows[2][1] = "PLACEHOLDER"
    workbook(reports / "C002_长单元格.xlsx", {"在孵企业": (TENANT_HEADERS, rows)})
    patch_zip(reports / "C002_长单元格.xlsx", "xl/sharedStrings.xml", b"PLACEHOLDER", LONG.encode())

    # 3. Last year's workbook of C001 inside this year's package.
    workbook(
        reports / "C001_甲孵化器_2023年度.xlsx",
        {
            "载体信息": (CARRIER_HEADERS, [carrier_row("C001", "甲孵化器", 100)]),
            "在孵企业": (
                TENANT_HEADERS,
                [tenant_row("C001", 100, **{"营业收入（万元）": "1"}), tenant_row("C001", 150)],
            ),
            "投融资": (
                FINANCING_HEADERS,
                [financing_row("C001", 150 + i, f"2023-0{i + 3}-10") for i in range(4)],
            ),
        },
    )
    stray = "C001_甲孵化器_2023年度.xlsx"
    cases.append(
        Case("last_years_workbook_is_a_warning", None, stray, None, "file_year_mismatch", "warning")
    )
    cases.append(Case("last_years_carrier_row_not_used", "carriers", stray, 2, "other_year_file"))
    cases.append(Case("last_years_tenant_row_not_used", "tenants", stray, 2, "other_year_file"))

    # 4. Dates in Chinese numerals (read), approximate amounts (rejected, naming the value).
    (reports / "financing_cn.csv").write_bytes(
        csv_bytes(
            FINANCING_HEADERS,
            [
                financing_row("C002", 400, "二〇二四年三月五日"),
                financing_row("C002", 401, "2024年十二月三十一日"),
                financing_row("C002", 402, "2024-06-01", "约50万"),
                financing_row("C002", 403, "2024-06-02", "50余万"),
                financing_row("C002", 404, "二〇二四年二月三十日"),
            ],
        )
    )
    cases.append(
        Case("amount_about_50_wan", "financing", "financing_cn.csv", 4, "approximate_amount")
    )
    cases.append(
        Case("amount_50_odd_wan", "financing", "financing_cn.csv", 5, "approximate_amount")
    )
    cases.append(
        Case(
            "impossible_chinese_numeral_date", "financing", "financing_cn.csv", 6, "unreadable_date"
        )
    )

    # 5. A header row repeated in the middle of the data (a sheet pasted twice).
    rows = [tenant_row("C002", 410 + i) for i in range(2)] + [TENANT_HEADERS]
    rows += [tenant_row("C002", 412 + i) for i in range(2)]
    workbook(reports / "C002_表头重复.xlsx", {"在孵企业": (TENANT_HEADERS, rows)})
    cases.append(
        Case("header_repeated_mid_data", "tenants", "C002_表头重复.xlsx", 4, "repeated_header")
    )

    # 6. A CSV with a UTF-8 BOM whose lines are partly GB18030 (two editors, one file).
    utf8 = csv_bytes(TENANT_HEADERS, [tenant_row("C002", 420)])
    gb = ",".join(tenant_row("C002", 421)).encode("gb18030") + b"\n"
    (reports / "tenants_mixed.csv").write_bytes(b"\xef\xbb\xbf" + utf8 + gb)
    cases.append(
        Case("bom_with_gb18030_lines", None, "tenants_mixed.csv", None, "mixed_encoding", "warning")
    )

    # 7. A line in neither encoding among good lines: that row only is rejected.
    good = csv_bytes(TENANT_HEADERS, [tenant_row("C002", 430), tenant_row("C002", 431)])
    (reports / "tenants_badline.csv").write_bytes(good + b"C002,\xff\xfe\xfd\xff,x,y,z\n")
    cases.append(
        Case("line_in_unknown_encoding", "tenants", "tenants_badline.csv", 4, "unreadable_line")
    )

    # 8. A symlink in the reports folder pointing outside it: never followed, reported.
    secret = outside / "tenants_secret.csv"
    secret.write_bytes(csv_bytes(TENANT_HEADERS, [tenant_row("C002", 440)]))
    (reports / "tenants_link.csv").symlink_to(secret)
    cases.append(
        Case("symlink_pointing_outside", None, "tenants_link.csv", None, "symlink_not_followed")
    )

    # 9. A merged cell across data rows: Excel keeps the value in the first cell only; the
    #    rows below are rejected at their place, saying so, never filled in by guess.
    def merge(book: Any, ws: Any) -> None:
        ws.merge_range(1, 0, 2, 0, "C002", book.add_format({"valign": "vcenter"}))

    rows = [tenant_row("C002", 450 + i) for i in range(3)]
    workbook(reports / "C002_合并单元格.xlsx", {"在孵企业": (TENANT_HEADERS, rows)}, 在孵企业=merge)
    cases.append(
        Case("merged_cell_across_rows", "tenants", "C002_合并单元格.xlsx", 3, "merged_cell")
    )

    # 10. A hidden column holding last year's values under the same header, before the visible
    #     one: the visible column is read, the hidden one kept aside, with a warning.
    def hide(book: Any, ws: Any) -> None:
        ws.set_column(5, 5, None, None, {"hidden": True})

    headers = [*TENANT_HEADERS, "营业收入（万元）"]
    old_and_new = tenant_row("C002", 460)[:5] + ["999", "800"]
    workbook(reports / "C002_隐藏列.xlsx", {"在孵企业": (headers, [old_and_new])}, 在孵企业=hide)
    cases.append(
        Case(
            "hidden_column_of_old_values",
            "tenants",
            "C002_隐藏列.xlsx",
            1,
            "hidden_column",
            "warning",
        )
    )

    # Read whole, no finding needed: a protected sheet, an NFD name, old-Mac line ends, a used
    # range claiming a million empty formatted rows.
    def protect(book: Any, ws: Any) -> None:
        ws.protect("secret")

    workbook(
        reports / "C002_保护.xlsx",
        {"在孵企业": (TENANT_HEADERS, [tenant_row("C002", 470)])},
        在孵企业=protect,
    )
    (reports / NFD_NAME).write_bytes(csv_bytes(TENANT_HEADERS, [tenant_row("C002", 480)]))
    (reports / "tenants_cr.csv").write_bytes(
        csv_bytes(TENANT_HEADERS, [tenant_row("C002", 490), tenant_row("C002", 491)]).replace(
            b"\n", b"\r"
        )
    )

    def formatted(book: Any, ws: Any) -> None:
        fmt = book.add_format({"bg_color": "#FFFF00"})
        ws.write_blank(1_048_575, 5, None, fmt)

    workbook(
        reports / "C002_百万空行.xlsx",
        {"在孵企业": (TENANT_HEADERS, [tenant_row("C002", 500)])},
        在孵企业=formatted,
    )
    return cases


READ_WHOLE = {
    "C002_保护.xlsx": 1,
    NFD_NAME: 1,
    "tenants_cr.csv": 2,
    "C002_百万空行.xlsx": 1,
    "tenants_mixed.csv": 2,
    "C002_长单元格.xlsx": 4,
}
"""File → rows it must load and keep."""


@dataclass
class Run:
    root: Path
    reports: Path
    warehouse: Path
    out: Path
    done: subprocess.CompletedProcess
    before: dict[str, int]
    after: dict[str, int]
    unprivileged: bool

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
            return con.execute(sql, params or []).fetchall()

    def created_outside(self) -> list[str]:
        allowed = (self.out, self.warehouse.parent)
        return sorted(
            p
            for p in set(self.after) - set(self.before)
            if not any(Path(p).is_relative_to(a) for a in allowed)
        )


def listing(root: Path) -> dict[str, int]:
    """Every path under root (links not followed) with its modification time in ns."""
    found: dict[str, int] = {}
    for folder, dirs, names in os.walk(root):
        for name in dirs + names:
            path = Path(folder) / name
            found[str(path)] = path.lstat().st_mtime_ns
    return found


@functools.cache
def _unprivileged() -> tuple[int, int] | None:
    """(uid, gid) of `nobody` when this runs as root and `setpriv` can drop to it, so the batch
    really cannot write where it must not (root ignores permission bits). None when that user
    could not run the batch here (e.g. Python installed under root's private home: the batch's
    worker processes start the base interpreter)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return None
    try:
        import pwd

        entry = pwd.getpwnam("nobody")
    except (ImportError, KeyError):
        return None
    user = entry.pw_uid, entry.pw_gid
    probe = "import os, sys; os.stat(getattr(sys, '_base_executable', sys.executable))"
    done = subprocess.run(
        [*_setpriv(user), sys.executable, "-c", probe], capture_output=True, timeout=60
    )
    return user if done.returncode == 0 else None


def _setpriv(user: tuple[int, int]) -> list[str]:
    return ["setpriv", f"--reuid={user[0]}", f"--regid={user[1]}", "--clear-groups"]


def make_root(prefix: str) -> Path:
    """A test root an unprivileged user can reach (pytest's own folders are root's only)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    return root


def run_batch(root: Path, reports: Path) -> Run:
    """The console script in its own process, with the reports folder and --out's parent
    read-only: as `nobody` through setpriv when possible (the folders are root's), else as this
    user with the write bits removed. Either way the listing before and after is compared."""
    warehouse = root / "warehouse" / "carriers.duckdb"
    warehouse.parent.mkdir(exist_ok=True)
    parent = root / "office"
    parent.mkdir(exist_ok=True)
    out = parent / str(YEAR)
    out.mkdir(exist_ok=True)  # the office made the year's folder; its parent is not ours
    home = root / "home"
    home.mkdir(exist_ok=True)  # listed: anything written here is written outside
    exe = Path(sys.executable).with_name("carrier-assess")
    command = [
        str(exe),
        "run",
        "--quiet",
        "--year",
        str(YEAR),
        "--reports",
        str(reports),
        "--warehouse",
        str(warehouse),
        "--out",
        str(out),
    ]
    user = _unprivileged()
    if user is not None:
        for folder in (warehouse.parent, out, home):
            os.chown(folder, *user)
        command = [
            "setpriv",
            f"--reuid={user[0]}",
            f"--regid={user[1]}",
            "--clear-groups",
            *command,
        ]
    for folder, _dirs, _names in os.walk(root):
        Path(folder).chmod(Path(folder).stat().st_mode | 0o055)  # others may read and enter
    read_only = [reports, parent, root]
    before = listing(root)
    for folder in read_only:
        folder.chmod(0o555)
    env = {
        # dbt's default target, and no cache folder shared with the suite: all it writes is seen
        **{k: v for k, v in os.environ.items() if k not in ("DBT_TARGET_PATH", SHARED_CACHE_ENV)},
        "HOME": str(home),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        done = subprocess.run(
            command,
            env=env,
            cwd=str(warehouse.parent),
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        for folder in read_only:
            folder.chmod(0o755)
    return Run(root, reports, warehouse, out, done, before, listing(root), user is not None)


@pytest.fixture(scope="module")
def corpus() -> Iterator[tuple[Run, list[Case]]]:
    root = make_root("carrier-assess-second-pass-")
    reports = root / "reports" / str(YEAR)
    reports.mkdir(parents=True)
    outside = root / "elsewhere"
    outside.mkdir()
    cases = build_package(reports, outside)
    try:
        yield run_batch(root, reports), cases
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _issues(run: Run) -> pl.DataFrame:
    with duckdb.connect(str(run.warehouse), read_only=True, config=DUCKDB_CONFIG) as con:
        frame = pl.from_arrow(
            con.sql(f"select * from results.dq_issues where assessment_year = {YEAR}").arrow()
        )
    assert isinstance(frame, pl.DataFrame)
    return frame


def test_the_year_is_published_and_nothing_is_written_outside(corpus) -> None:
    run, _ = corpus
    assert run.done.returncode == 0, run.done.stdout + run.done.stderr
    assert "Traceback" not in run.done.stderr
    assert run.created_outside() == []
    assert run.unprivileged == (_unprivileged() is not None)  # as nobody whenever possible
    # the reports folder is untouched: the same paths, the same times
    inside = {p: t for p, t in run.before.items() if Path(p).is_relative_to(run.reports)}
    assert {p: run.after.get(p) for p in inside} == inside
    # readers' paths are as before: out/<year>/<file>
    scores = pl.read_parquet(run.out / "carrier_scores.parquet")
    assert set(scores["carrier_id"]) == {"C001", "C002"}
    assert (run.out / f"dq_report_{YEAR}.html").is_file()


CASE_IDS = [
    "csv_nul_bytes_in_one_line",
    "very_long_cell_at_its_row",
    "last_years_workbook_is_a_warning",
    "last_years_carrier_row_not_used",
    "last_years_tenant_row_not_used",
    "amount_about_50_wan",
    "amount_50_odd_wan",
    "impossible_chinese_numeral_date",
    "header_repeated_mid_data",
    "bom_with_gb18030_lines",
    "line_in_unknown_encoding",
    "symlink_pointing_outside",
    "merged_cell_across_rows",
    "hidden_column_of_old_values",
]


@pytest.mark.parametrize("name", CASE_IDS)
def test_case_is_reported_where_it_is(corpus, name: str) -> None:
    run, cases = corpus
    spec = next(c for c in cases if c.name == name)
    issues = _issues(run).filter(
        (pl.col("check_name") == spec.check) & (pl.col("source_file") == spec.file)
    )
    if spec.dataset is not None:
        issues = issues.filter(pl.col("dataset") == spec.dataset)
    if spec.row is not None:
        issues = issues.filter(pl.col("source_row") == spec.row)
    assert issues.height >= 1, f"{name}: no {spec.check} at {spec}"
    for found in issues.iter_rows(named=True):
        assert found["severity"] == spec.severity
        assert " / " in found["message"] and "Traceback" not in found["message"]


def test_counts_balance_for_every_file(corpus) -> None:
    run, _ = corpus
    counts = run.query(
        "select dataset, source_file, rows_read, rows_kept, rows_rejected, rows_duplicate "
        "from results.dataset_counts where assessment_year = ?",
        [YEAR],
    )
    assert counts
    for dataset, file, read, kept, rejected, duplicate in counts:
        assert read == kept + rejected + duplicate, (dataset, file)
    by_file = {(d, f): (r, k, j) for d, f, r, k, j, _ in counts}
    assert by_file[("tenants", "tenants_nul.csv")] == (4, 3, 1)
    assert by_file[("tenants", "tenants_longcell.csv")] == (5, 4, 1)
    assert by_file[("tenants", "tenants_badline.csv")] == (3, 2, 1)
    assert by_file[("tenants", "C002_表头重复.xlsx")] == (5, 4, 1)


def test_files_that_can_be_read_are_read_whole(corpus) -> None:
    run, _ = corpus
    kept = dict(
        run.query(
            "select _source_file, count(*) from staging.stg_tenants "
            "where _assessment_year = ? group by 1",
            [YEAR],
        )
    )
    for file, n in READ_WHOLE.items():
        assert kept.get(file) == n, (file, kept.get(file))


def test_a_long_cell_keeps_its_row_and_its_text(corpus) -> None:
    run, _ = corpus
    got = run.query(
        "select _source_row, length(enterprise_name) from staging.stg_tenants "
        "where _source_file = ? order by 1",
        ["C002_长单元格.xlsx"],
    )
    assert got == [(2, 5), (3, 5), (4, len(LONG)), (5, 5)]


def test_last_years_workbook_does_not_stop_the_year(corpus) -> None:
    run, _ = corpus
    stray = "C001_甲孵化器_2023年度.xlsx"
    warning = _issues(run).filter(pl.col("check_name") == "file_year_mismatch")
    assert warning["source_file"].to_list() == [stray]
    assert warning["value_as_written"].to_list() == ["2023"]
    assert "2023" in warning["message"][0]
    # the year's own carrier row and revenue are used, not last year's
    revenue = run.query(
        "select revenue_wan from staging.stg_tenants where uscc = ? and _assessment_year = ?",
        [uscc(100), YEAR],
    )
    assert [float(r[0]) for r in revenue] == [800.0]
    # its own events are kept and placed in 2023 by the rules, its new tenant is kept
    events = run.query(
        "select count(*) from staging.stg_financing where _source_file = ? "
        "and year(financing_date) = 2023",
        [stray],
    )
    assert events == [(4,)]
    new_tenant = run.query(
        "select count(*) from staging.stg_tenants where _source_file = ? and uscc = ?",
        [stray, uscc(150)],
    )
    assert new_tenant == [(1,)]


def test_chinese_numeral_dates_are_read(corpus) -> None:
    run, _ = corpus
    got = run.query(
        "select _source_row, cast(financing_date as varchar) from staging.stg_financing "
        "where _source_file = 'financing_cn.csv' order by 1"
    )
    assert got == [(2, "2024-03-05"), (3, "2024-12-31")]


def test_the_symlinked_file_is_not_read(corpus) -> None:
    run, _ = corpus
    rows = run.query("select count(*) from raw.tenants where uscc = ?", [uscc(440)])
    assert rows == [(0,)]


def test_hidden_column_values_are_not_used(corpus) -> None:
    run, _ = corpus
    got = run.query("select revenue from raw.tenants where _source_file = 'C002_隐藏列.xlsx'")
    assert got == [("800",)]


@pytest.fixture(scope="module")
def blocked() -> Iterator[Run]:
    """A package with no carriers sheet: the gate blocks the year."""
    root = make_root("carrier-assess-second-pass-blocked-")
    reports = root / "reports" / str(YEAR)
    reports.mkdir(parents=True)
    workbook(
        reports / "C001_甲孵化器.xlsx",
        {"在孵企业": (TENANT_HEADERS, [tenant_row("C001", 1)])},
    )
    try:
        yield run_batch(root, reports)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_a_blocked_run_writes_its_report_inside_out_only(blocked) -> None:
    run = blocked
    assert run.done.returncode == 5, run.done.stdout + run.done.stderr
    assert run.created_outside() == []
    reports = list((run.out / "blocked").glob("*/dq_report.html"))
    assert len(reports) == 1
    assert str(reports[0]) in run.done.stdout + run.done.stderr  # the closing line names it


def test_the_inputs_digest_is_each_files_name_and_digest_in_sorted_order(tmp_path) -> None:
    """The files are hashed in parallel (runlog.inputs_sha256); the digest combines them in the
    sorted order of their relative names, whichever finishes first."""
    import hashlib

    from orchestration.runlog import inputs_sha256

    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    contents = {
        "tenants.csv": b"a,b\n1,2\n",
        "patents.csv": b"x" * 3_000_000,
        "sub/notes.txt": "备注".encode(),
        "awards.csv": b"",
    }
    for name, data in contents.items():
        (package / name).write_bytes(data)
    expected = hashlib.sha256()
    for name in sorted(contents, key=lambda n: package / n):
        file_digest = hashlib.sha256(contents[name]).hexdigest()
        expected.update(name.encode("utf-8") + b"\0" + file_digest.encode("ascii") + b"\n")
    assert inputs_sha256(package) == expected.hexdigest()


def test_the_inputs_digest_never_follows_a_symlink(tmp_path) -> None:
    """The run's inputs digest reads the package's files, not what a link points at."""
    from orchestration.runlog import inputs_sha256

    package = tmp_path / "package"
    package.mkdir()
    (package / "tenants.csv").write_bytes(b"a,b\n1,2\n")
    before = inputs_sha256(package)
    secret = tmp_path / "secret.csv"
    secret.write_bytes(b"x\n")
    (package / "link.csv").symlink_to(secret)
    (package / "linked_folder").symlink_to(tmp_path, target_is_directory=True)
    assert inputs_sha256(package) == before
    secret.write_bytes(b"changed\n")
    assert inputs_sha256(package) == before
