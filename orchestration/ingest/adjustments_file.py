"""The office's adjustments file (contract: "Adjustments"): read it (.xlsx: the sheet 调整 or
adjustments, else the first; .csv in UTF-8 or GB18030; Chinese or key headers; Chinese labels
for kind, status and source) and check every row before anything happens. Every problem is
listed at once, each naming the row, the id, the column and what was expected.

Resolving the targets against the warehouse, and storing the file with the run:
`orchestration/ingest/adjustments_io.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.contract import datasets
from orchestration.ingest.headers import normalise
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


def clean(value: object) -> str | None:
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
            key: clean(row[i]) if i < len(row) else None
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
            parsed = row_target(str(record["target"]))
            field = field_key(parsed[0], str(record["field"])) if parsed else None
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
    if kind in ROW_KINDS and target and row_target(target) is None:
        problem("target", _target_form(kind), target)
    if kind == "set_value" and target and cells.get("field") and row_target(target):
        dataset = row_target(target)[0]  # type: ignore[index]
        if field_key(dataset, cells["field"]) is None:
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


def row_target(target: str) -> tuple[str, str, str, int] | None:
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


def field_key(dataset: str, field: str) -> str | None:
    from orchestration.ingest.headers import HeaderMatcher

    return HeaderMatcher(datasets()[dataset]).match(field).column


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
