"""The office's adjustments file at the edges: read it, check it, resolve its report-row targets
against the raw layer, store it with the run, and read back what a year was published with.

The rules that apply adjustments to a scored year are in `scoring/adjustments.py`; the report-row
kinds (`exclude_row`, `set_value`) are applied by staging from `raw._adjustments`, which the
run writes before dbt builds (`write_raw_adjustments`), for every loaded year.

A year's adjustments are the ones it was last published with (`results.adjustments`); a run of
the year with `--adjustments FILE` replaces them, a run without applies them again
(`stored_adjustments`), and so does a re-derivation of the year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from orchestration.config import RAW_SCHEMA, RESULTS_SCHEMA
from orchestration.contract import datasets
from orchestration.headers import normalise
from scoring.adjustments import (
    GRADES,
    KINDS,
    ROW_KINDS,
    SOURCES,
    STATUSES,
    conform_adjustments,
    parse_amount,
)

COLUMNS: dict[str, str] = {
    "adjustment_id": "编号",
    "kind": "类型",
    "target": "对象",
    "field": "字段",
    "value": "新值",
    "reason": "理由",
    "approved_by": "批准人",
    "approved_on": "批准日期",
    "status": "状态",
    "source": "来源",
}
"""The file's columns (contract: "Adjustments"), key → Chinese header."""

REQUIRED_HEADERS = ("adjustment_id", "kind", "target", "reason", "status")
SHEET_NAMES = ("调整", "adjustments")

RAW_TABLE = "_adjustments"
RAW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_assessment_year", "INTEGER"),
    ("_run_id", "VARCHAR"),
    ("adjustment_id", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("source_row", "INTEGER"),
    ("column_name", "VARCHAR"),
    ("value", "VARCHAR"),
    ("reason", "VARCHAR"),
)
"""`raw._adjustments`: the report-row adjustments staging applies, for every loaded year
(models/staging, macros/incremental_staging.sql). Ingest creates it empty; the run fills it."""

RAW_DDL = ", ".join(f"{name} {kind}" for name, kind in RAW_COLUMNS)


class AdjustmentError(ValueError):
    """The adjustments file cannot be used: exit 2 before anything is published."""


@dataclass(frozen=True)
class AdjustmentFile:
    path: Path
    sha256: str
    frame: pl.DataFrame
    """One row per row of the file, keys and codes canonical (`conform_adjustments` shape)."""
    rows: dict[str, str]
    """adjustment_id → where it is in the file (`第 N 行`), for messages."""


# --------------------------------------------------------------------------------------------
# reading


def _header_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for key, zh in COLUMNS.items():
        out[normalise(key)] = key
        out[normalise(zh)] = key
    return out


def _cells(path: Path) -> tuple[list[list[str | None]], str]:
    """The rows of the file as text cells, and where they came from (for messages)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv
        import io

        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise AdjustmentError(
                f"调整文件 {path.name} 无法解码（应为 UTF-8 或 GB18030）/ "
                f"{path.name}: not UTF-8 or GB18030 text"
            )
        rows = [[c if c != "" else None for c in r] for r in csv.reader(io.StringIO(text))]
        return rows, path.name
    if suffix in (".xlsx", ".xlsm"):
        import fastexcel

        try:
            reader = fastexcel.read_excel(path.read_bytes())
            names = list(reader.sheet_names)
            wanted = [n for n in names if normalise(n) in {normalise(s) for s in SHEET_NAMES}]
            sheet = wanted[0] if wanted else names[0]
            frame = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string")
            table = frame.to_polars()
        except Exception as exc:  # calamine raises its own error types
            raise AdjustmentError(
                f"调整文件 {path.name} 无法读取 / cannot read {path.name}: {exc}"
            ) from exc
        rows = [list(r) for r in table.iter_rows()]
        return rows, f"{path.name} 工作表“{sheet}”"
    raise AdjustmentError(
        f"调整文件应为 .xlsx 或 .csv / the adjustments file must be .xlsx or .csv: {path.name}"
    )


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return re.sub(r"\s+", " ", text) or None


def _code(value: str | None, labels: dict[str, str]) -> str | None:
    """A kind/status/source as its key: the key itself or its Chinese label."""
    if value is None:
        return None
    norm = normalise(value)
    for key, zh in labels.items():
        if norm in (normalise(key), normalise(zh)):
            return key
    return None


_DATE_FORMS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(text: str | None) -> dt.date | None:
    """A date as the office writes it (2024-03-05, 2024/3/5, 2024年3月5日, 20240305, an
    Excel serial number); None when it is not one."""
    if text is None:
        return None
    value = text.replace(" ", "")
    value = text if re.search(r"\d:\d", text) else value
    for form in _DATE_FORMS:
        match = form.match(value.strip())
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    if re.fullmatch(r"\d{5}(\.\d+)?", value):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(float(value)))
    return None


def read_adjustments(path: Path) -> AdjustmentFile:
    """Read and check the file (every problem at once, each naming the id and the column);
    raise `AdjustmentError` when any. Targets are resolved later (`resolve_row_targets`)."""
    path = Path(path)
    if not path.is_file():
        raise AdjustmentError(f"调整文件不存在 / adjustments file not found: {path}")
    rows, where = _cells(path)
    lookup = _header_lookup()
    header_index = None
    for index, row in enumerate(rows[:10]):
        named = {lookup.get(normalise(c)) for c in row if c} - {None}
        if "adjustment_id" in named and "kind" in named:
            header_index = index
            break
    if header_index is None:
        raise AdjustmentError(
            f"{where}：找不到表头（应含 编号、类型、对象、理由、状态 等列）/ no header row with "
            "adjustment_id, kind, target, reason, status"
        )
    header = [lookup.get(normalise(c)) if c else None for c in rows[header_index]]
    missing = [f"{COLUMNS[k]}（{k}）" for k in REQUIRED_HEADERS if k not in header]
    if missing:
        raise AdjustmentError(f"{where}：缺少列 / missing columns: {'、'.join(missing)}")
    records: list[dict[str, object]] = []
    places: dict[str, str] = {}
    problems: list[str] = []
    seen: dict[str, int] = {}
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {
            key: _clean(row[i]) if i < len(row) else None
            for i, key in enumerate(header)
            if key is not None
        }
        if not any(cells.values()):
            continue
        records.append(_check_row(cells, offset, seen, problems) | {"file_row": offset})
        places[str(cells.get("adjustment_id"))] = f"第 {offset} 行"
    cells_set: dict[tuple[str, str], str] = {}
    for record in records:  # two corrections of one cell: which one holds is not for us to say
        if record["kind"] == "set_value" and record["status"] == "accepted" and record["field"]:
            parsed = _row_target(str(record["target"]))
            field = _field_key(parsed[0], str(record["field"])) if parsed else None
            key = (str(record["target"]), str(field or record["field"]))
            if key in cells_set:
                problems.append(
                    f"编号 {record['adjustment_id']} 【对象】【字段】与编号 {cells_set[key]} 更正"
                    "同一单元格，应只保留一条 / two set_value adjustments of one cell"
                )
            cells_set[key] = str(record["adjustment_id"])
    if problems:
        raise AdjustmentError(
            f"调整文件有误，未发布 / adjustments file {path.name} rejected, nothing published: "
            + "；".join(problems)
        )
    frame = conform_adjustments(
        pl.DataFrame(
            records, schema={k: pl.String for k in COLUMNS} | {"file_row": pl.Int32}, orient="row"
        ).with_columns(pl.col("approved_on").map_elements(parse_date, return_dtype=pl.Date))
        if records
        else None
    )
    return AdjustmentFile(path, file_sha256(path), frame, places)


def _check_row(
    cells: dict[str, str | None], line: int, seen: dict[str, int], problems: list[str]
) -> dict[str, object]:
    """One row of the file with its codes canonical; its problems appended to `problems`."""
    adj_id = cells.get("adjustment_id")
    who = f"第 {line} 行 编号 {adj_id}" if adj_id else f"第 {line} 行"

    def problem(column: str, expected: str, value: str | None = None) -> None:
        shown = f"“{value}”" if value is not None else "空"
        problems.append(
            f"{who} 【{COLUMNS[column]}】为{shown}，应为{expected} / row {line} id {adj_id}: "
            f"{column} is {value!r}"
        )

    if adj_id is None:
        problem("adjustment_id", "在文件中唯一的编号")
    elif adj_id in seen:
        problems.append(
            f"{who} 【编号】与第 {seen[adj_id]} 行重复，编号应唯一 / duplicate adjustment_id "
            f"{adj_id} (rows {seen[adj_id]} and {line})"
        )
    else:
        seen[adj_id] = line
    kind = _code(cells.get("kind"), KINDS)
    if kind is None:
        problem(
            "kind",
            "exclude_row/剔除数据行、set_value/更正数据、set_grade/调整等级、"
            "set_reward/调整奖补金额 之一",
            cells.get("kind"),
        )
    status = _code(cells.get("status"), STATUSES)
    if status is None:
        problem("status", "accepted/通过、rejected/驳回、pending/待定 之一", cells.get("status"))
    source = cells.get("source")
    source = _code(source, SOURCES) or source
    if not cells.get("target"):
        problem("target", _target_form(kind))
    if not cells.get("reason"):
        problem("reason", "作出调整的理由")
    if status == "accepted":
        if not cells.get("approved_by"):
            problem("approved_by", "批准人（通过的调整必填）")
        if parse_date(cells.get("approved_on")) is None:
            problem(
                "approved_on", "批准日期，如 2025-03-05（通过的调整必填）", cells.get("approved_on")
            )
    elif cells.get("approved_on") and parse_date(cells.get("approved_on")) is None:
        problem("approved_on", "日期，如 2025-03-05", cells.get("approved_on"))
    value = cells.get("value")
    if kind == "set_value":
        if not cells.get("field"):
            problem("field", "要更正的列（列名或中文表头）")
        if value is None:
            problem("value", "更正后的值（按报送表的写法）")
    elif kind == "set_grade":
        if value is None or value.upper() not in GRADES:
            problem("value", "等级 A、B、C、D 之一", value)
        else:
            value = value.upper()
    elif kind == "set_reward" and parse_amount(value) is None:
        problem("value", "金额（万元，不小于 0；0 表示取消该奖补）", value)
    target = cells.get("target")
    if kind in ROW_KINDS and target and _row_target(target) is None:
        problem("target", _target_form(kind), target)
    if kind == "set_value" and target and cells.get("field") and _row_target(target):
        dataset = _row_target(target)[0]  # type: ignore[index]
        if _field_key(dataset, cells["field"]) is None:
            problem(
                "field",
                f"{datasets()[dataset].sheet_zh}（{dataset}）的列名或中文表头",
                cells.get("field"),
            )
    return {
        **cells,
        "kind": kind or cells.get("kind"),
        "status": status or cells.get("status"),
        "source": source,
        "value": value,
    }


def _target_form(kind: str | None) -> str:
    if kind in ROW_KINDS:
        return "报送数据行 <数据集>|<文件>|<工作表>|<行号>，如 patents|C001.xlsx|专利|5"
    if kind == "set_grade":
        return "载体编号，如 C001"
    if kind == "set_reward":
        return "奖补条目 <规则代码>|<收款方信用代码，无则名称>|<载体编号>"
    return "调整对象"


def _row_target(target: str) -> tuple[str, str, str, int] | None:
    """`<dataset>|<source_file>|<sheet>|<source_row>` → its parts (dataset as its key)."""
    parts = [p.strip() for p in target.split("|")]
    if len(parts) != 4 or not parts[1] or not re.fullmatch(r"\d+", parts[3]):
        return None
    dataset = next(
        (
            name
            for name, ds in datasets().items()
            if normalise(parts[0]) in (normalise(name), normalise(ds.sheet_zh))
        ),
        None,
    )
    if dataset is None:
        return None
    return dataset, parts[1], parts[2], int(parts[3])


def _field_key(dataset: str, field: str) -> str | None:
    from orchestration.headers import HeaderMatcher

    return HeaderMatcher(datasets()[dataset]).match(field).column


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# resolving report-row targets against raw


def resolve_row_targets(
    con: duckdb.DuckDBPyConnection,
    year: int,
    frame: pl.DataFrame,
    *,
    strict: bool,
    places: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Fill the row-level adjustments' `dataset, carrier_id, uscc, old_value, applied,
    effect_zh` from `raw.<dataset>` of `year`. An accepted adjustment whose row does not exist
    is an `AdjustmentError` when `strict` (the office's new file), else recorded as not applied
    (adjustments stored with an earlier publish, applied again)."""
    frame = conform_adjustments(frame)
    if frame.is_empty():
        return frame
    problems: list[str] = []
    updates: list[dict[str, object]] = []
    for row in frame.iter_rows(named=True):
        if row["kind"] not in ROW_KINDS:
            updates.append({})
            continue
        parsed = _row_target(row["target"] or "")
        if parsed is None:  # only stored rows get here (the file was checked)
            updates.append({"applied": False, "effect_zh": "对象格式有误，未执行"})
            continue
        dataset, source_file, sheet, source_row = parsed
        ds = datasets()[dataset]
        column = _field_key(dataset, row["field"]) if row["kind"] == "set_value" else None
        found = _raw_row(con, year, dataset, source_file, sheet, source_row)
        where = (
            f"{ds.sheet_zh} {source_file}{f' 工作表“{sheet}”' if sheet else ''} 第 {source_row} 行"
        )
        if found is None:
            if strict and row["status"] == "accepted":
                at = (places or {}).get(row["adjustment_id"], "")
                problems.append(
                    f"{at} 编号 {row['adjustment_id']} 【对象】{row['target']}：{year} 年报送材料中"
                    f"没有这一行（应为数据质量问题中列出的 数据集|文件|工作表|行号）/ "
                    f"id {row['adjustment_id']}: target row not found in the {year} package"
                )
            updates.append(
                {
                    "dataset": dataset,
                    "applied": False,
                    "effect_zh": f"对象不存在，未执行：{year} 年报送材料中没有 {where}",
                }
            )
            continue
        carrier = (found.get("carrier_id") or "").strip().upper() or None
        if row["kind"] == "exclude_row":
            key = "；".join(
                f"{ds.column(k).zh}={found.get(k)}" for k in ds.key if found.get(k) is not None
            )
            old_value = key or None
            effect = f"剔除 {where}：该行不参与评价，计为拒收行（数据质量问题 adjusted_exclude）"
        else:
            old_value = found.get(column)  # type: ignore[arg-type]
            effect = (
                f"更正 {where}【{ds.column(column).zh}】：由“{old_value or '空'}”改为"  # type: ignore[arg-type]
                f"“{row['value']}”，更正后的值按同样规则清洗校验"
            )
        updates.append(
            {
                "dataset": dataset,
                "carrier_id": carrier,
                "uscc": _clean(found.get("uscc")),
                "old_value": old_value,
                "applied": True,
                "effect_zh": effect,
                "field": column or row["field"],
            }
        )
    if problems:
        raise AdjustmentError(
            "调整文件有误，未发布 / adjustments rejected, nothing published: " + "；".join(problems)
        )
    records = [row | update for row, update in zip(frame.to_dicts(), updates, strict=True)]
    return conform_adjustments(pl.DataFrame(records, schema=frame.schema, orient="row"))


def _raw_row(
    con: duckdb.DuckDBPyConnection,
    year: int,
    dataset: str,
    source_file: str,
    sheet: str,
    source_row: int,
) -> dict[str, str | None] | None:
    cursor = con.execute(
        f'select * from {RAW_SCHEMA}."{dataset}" where _assessment_year = ? '
        "and _source_file = ? and coalesce(_sheet, '') = ? and _source_row = ? limit 1",
        [year, source_file, sheet, source_row],
    )
    rows = cursor.fetchall()
    if not rows:
        return None
    row = rows[0]
    names = [d[0] for d in cursor.description]
    return dict(zip(names, row, strict=True))


# --------------------------------------------------------------------------------------------
# stored with the run


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchall()[0][0]
    )


def stored_adjustments(con: duckdb.DuckDBPyConnection, year: int) -> pl.DataFrame | None:
    """The adjustments year `year` was last published with (as the office's file gave them,
    unresolved), or None when it was never published with any (no row in results.adjustments).

    A re-derivation of the year scores with these: resolve them (`resolve_row_targets`,
    strict=False) and hand them to scoring as `ScoringInputs.adjustments`."""
    if not _exists(con, RESULTS_SCHEMA, "adjustments"):
        return None
    frame = pl.from_arrow(
        con.sql(
            f"""
            select adjustment_id, kind, target, field, new_value as value, reason,
                   approved_by, approved_on, status, source, file_row
            from {RESULTS_SCHEMA}.adjustments
            where assessment_year = ?
            order by file_row nulls last, adjustment_id
            """,
            params=[year],
        ).to_arrow_table()
    )
    return conform_adjustments(frame) if frame.height else None


def stored_sha256(con: duckdb.DuckDBPyConnection, year: int) -> str | None:
    """The adjustments file digest of the year's last publish (None when it had none)."""
    row = con.execute(
        f"select adjustments_sha256 from {RESULTS_SCHEMA}.runs where assessment_year = ? "
        "and status = 'published' order by finished_at desc nulls last, run_id desc limit 1",
        [year],
    ).fetchall()
    return row[0][0] if row else None


def published_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The years with a published run."""
    if not _exists(con, RESULTS_SCHEMA, "runs"):
        return []
    rows = con.execute(
        f"select distinct assessment_year from {RESULTS_SCHEMA}.runs where status = 'published' "
        "order by 1"
    ).fetchall()
    return [int(r[0]) for r in rows]


def raw_rows(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    """The accepted, found report-row adjustments of a resolved frame, in raw._adjustments'
    shape."""
    schema = {n: pl.Int32 if t == "INTEGER" else pl.String for n, t in RAW_COLUMNS}
    records = []
    for row in conform_adjustments(frame).iter_rows(named=True):
        if row["kind"] not in ROW_KINDS or row["status"] != "accepted" or not row["applied"]:
            continue
        dataset, source_file, sheet, source_row = _row_target(row["target"])  # type: ignore[misc]
        records.append(
            {
                "_assessment_year": year,
                "adjustment_id": row["adjustment_id"],
                "kind": row["kind"],
                "dataset": dataset,
                "source_file": source_file,
                "sheet": sheet,
                "source_row": source_row,
                "column_name": row["field"] if row["kind"] == "set_value" else None,
                "value": row["value"] if row["kind"] == "set_value" else None,
                "reason": row["reason"],
            }
        )
    return pl.DataFrame(records, schema=schema, orient="row")


def ensure_raw_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(f"create table if not exists {RAW_SCHEMA}.{RAW_TABLE} ({RAW_DDL})")


def write_raw_adjustments(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, run_id: str) -> None:
    """Replace `raw._adjustments` whole with `frame` (every loaded year's report-row
    adjustments), in one transaction; `_run_id` is the run that wrote it."""
    ensure_raw_table(con)
    frame = frame.with_columns(pl.lit(run_id, dtype=pl.String).alias("_run_id"))
    con.execute("begin transaction")
    try:
        con.execute(f"delete from {RAW_SCHEMA}.{RAW_TABLE}")
        if frame.height:
            con.register("_adjustments_frame", frame.to_arrow())
            try:
                con.execute(
                    f"insert into {RAW_SCHEMA}.{RAW_TABLE} by name select * from _adjustments_frame"
                )
            finally:
                con.unregister("_adjustments_frame")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def year_adjustments(
    con: duckdb.DuckDBPyConnection, year: int, given: AdjustmentFile | None
) -> tuple[pl.DataFrame, bool]:
    """The resolved adjustments for a run of `year` and whether they are the stored ones:
    the file's (strict) when given, else those `year` was last published with (lenient)."""
    if given is not None:
        return resolve_row_targets(con, year, given.frame, strict=True, places=given.rows), False
    stored = stored_adjustments(con, year)
    if stored is None:
        return conform_adjustments(None), False
    return resolve_row_targets(con, year, stored, strict=False), True


def prepare_raw_adjustments(
    con: duckdb.DuckDBPyConnection, year: int, resolved: pl.DataFrame, run_id: str
) -> None:
    """Write `raw._adjustments` for every loaded year: `resolved` for `year`, the stored ones
    for every other published year (so staging re-parses no year it need not)."""
    frames = [raw_rows(resolved, year)]
    for other in published_years(con):
        if other == year:
            continue
        stored = stored_adjustments(con, other)
        if stored is not None:
            frames.append(raw_rows(resolve_row_targets(con, other, stored, strict=False), other))
    write_raw_adjustments(con, pl.concat(frames, how="vertical"), run_id)
