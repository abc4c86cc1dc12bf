"""Writing a year's laid-out package into its folder: per-carrier workbooks (with the special
cases: a workbook handed in twice, a GB18030 CSV, an extra column, an unknown sheet, a header in
元) or, at bench scale, large UTF-8 CSV files per dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from orchestration.contract import datasets
from orchestration.sample.rendering.cells import CELL_NUM, as_csv_text
from orchestration.sample.rendering.headers import headers, title_rows
from orchestration.sample.rendering.layout import YearLayout
from orchestration.sample.rendering.workbook import Sheet, write_workbook

UNKNOWN_SHEET = "汇总表"
EXTRA_HEADER = "联系人"
CONTACTS = ["张工", "李经理", "王总", None]
"""The extra column's values, in turn."""

Parts = dict[str, dict[tuple[str, ...], pl.DataFrame]]
"""Per dataset, its rendered rows per file."""


def write_package(layout: YearLayout, folder: Path) -> list[str]:
    """Write the year's files into `folder`; returns their names. Records the special files in
    `layout.scenarios`."""
    if layout.xlsx:
        return _write_workbooks(layout, folder)
    return _write_csv_files(layout, folder)


def _data_columns(name: str) -> list[str]:
    return [c.name for c in datasets()[name].columns]


def _write_workbooks(layout: YearLayout, folder: Path) -> list[str]:
    """One workbook per carrier, a copy of one, and one carrier's financing as a GB18030 CSV."""
    by_file: Parts = {
        name: frame.partition_by("_file", as_dict=True, maintain_order=True)
        for name, frame in layout.frames.items()
    }
    files: list[str] = []
    operators = layout.world.carriers.frame["operator_name"].to_list()
    for cid, operator in zip(layout.ids, operators, strict=True):
        wb_name = layout.workbook_name(cid)
        sheets = _carrier_sheets(layout, cid, by_file)
        write_workbook(folder / wb_name, layout.year, operator, sheets)
        files.append(wb_name)
    files.append(_copy_duplicate(layout, folder))
    files.append(_write_gb18030(layout, folder, by_file))
    return files


def _carrier_sheets(layout: YearLayout, cid: str, by_file: Parts) -> list[Sheet]:
    """A carrier's sheets: every dataset it has rows of (tenants always, an empty sheet now and
    then), plus an unknown summary sheet for one carrier."""
    wb_name = layout.workbook_name(cid)
    rng = np.random.default_rng([layout.seed, layout.year, 4, sum(map(ord, cid))])
    sheets = []
    for name in datasets():
        part = by_file[name].get((wb_name,))
        n_rows = 0 if part is None else part.height
        if n_rows == 0 and not (name == "tenants" or rng.random() < 0.4):
            continue
        sheets.append(_sheet(layout, cid, name, part, rng))
    if cid == layout.unknown_cid:
        sheets.append((UNKNOWN_SHEET, [], ["项目", "数量"], [("在孵企业", CELL_NUM + "12")]))
        layout.scenarios["unknown_sheet"] = {"file": wb_name, "sheet": UNKNOWN_SHEET}
    if cid == layout.yuan_cid:
        sheet = layout.sheet_of("financing", wb_name)[0]
        layout.scenarios["header_yuan"] = {"file": wb_name, "sheet": sheet}
    return sheets


def _sheet(
    layout: YearLayout, cid: str, name: str, part: pl.DataFrame | None, rng: np.random.Generator
) -> Sheet:
    """One dataset's sheet in a carrier's workbook: name, title rows, header row, data rows."""
    wb_name = layout.workbook_name(cid)
    columns = _data_columns(name)
    sheet, titles = layout.sheet_of(name, wb_name)
    header = headers(name, rng, plain=name == "carriers")
    if name == "financing" and cid == layout.yuan_cid:
        header[columns.index("amount")] = "融资金额（元）"
    body = [] if part is None else part.select(columns).rows()
    if name == "tenants" and cid == layout.extra_cid:
        header.append(EXTRA_HEADER)
        body = [(*row, CONTACTS[k % 4]) for k, row in enumerate(body)]
        layout.scenarios["extra_column"] = {"file": wb_name, "sheet": sheet, "header": EXTRA_HEADER}
    sheet_zh = datasets()[name].sheet_zh
    return sheet, title_rows(layout.year, layout.names[cid], sheet_zh, titles), header, body


def _copy_duplicate(layout: YearLayout, folder: Path) -> str:
    """A byte-for-byte copy of one carrier's workbook (…_副本.xlsx)."""
    dup = layout.workbook_name(layout.dup_cid)
    copy = f"{layout.dup_cid}_{layout.names[layout.dup_cid]}_副本.xlsx"
    (folder / copy).write_bytes((folder / dup).read_bytes())
    layout.scenarios["duplicate_workbook"] = {"original": dup, "copy": copy}
    return copy


def _write_gb18030(layout: YearLayout, folder: Path, by_file: Parts) -> str:
    """One carrier's financing as a GB18030 CSV with Chinese headers and CRLF line ends."""
    gb = f"financing_{layout.gb_cid}.csv"
    frame = as_csv_text(by_file["financing"][(gb,)].select(_data_columns("financing")))
    frame.columns = [c.zh for c in datasets()["financing"].columns]
    text = frame.write_csv(line_terminator="\r\n")
    (folder / gb).write_bytes(text.encode("gb18030"))
    layout.scenarios["gb18030_file"] = gb
    return gb


def _write_csv_files(layout: YearLayout, folder: Path) -> list[str]:
    """Each dataset's rows in its CSV file(s), headers as an office writes them (Chinese when
    a mixed header would repeat a name)."""
    files: list[str] = []
    for name in datasets():
        parts = layout.frames[name].partition_by("_file", as_dict=True, maintain_order=True)
        for (file,), part in parts.items():
            rng = np.random.default_rng([layout.seed, layout.year, 5, sum(map(ord, file))])
            header = headers(name, rng, plain=name == "carriers")
            if len(set(header)) < len(header):
                header = [c.zh for c in datasets()[name].columns]
            frame = as_csv_text(part.select(_data_columns(name)))
            frame.columns = header
            frame.write_csv(folder / file)
            files.append(file)
    return files
