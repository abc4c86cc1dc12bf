"""The per-carrier details workbook (carrier_details_<year>.xlsx) and its column-wise writer:
every carrier's indicator rows, one sheet per carrier type, split past the sheet row limit,
read back with openpyxl; text never becomes a formula."""

from __future__ import annotations

import zipfile

import openpyxl
import polars as pl
import pytest

from orchestration import xlsx_columns
from orchestration.publish import details_workbook
from tests.reports.sample_tables import sample_result_tables


def _read(path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_every_carrier_and_indicator_is_there_one_sheet_per_type(tmp_path) -> None:
    tables = sample_result_tables()
    year = int(tables["carrier_scores"]["assessment_year"][0])
    path = details_workbook.write_details_workbook(tables, tmp_path / "d.xlsx", year)
    sheets = _read(path)
    details = tables["score_details"].filter(pl.col("assessment_year") == year)
    scores = tables["carrier_scores"].filter(pl.col("assessment_year") == year)
    assert len(sheets) == scores["carrier_type"].n_unique()
    headers = [label for _, label in details_workbook.COLUMNS]
    rows = []
    for body in sheets.values():
        assert list(body[0]) == headers
        rows += body[1:]
    assert len(rows) == details.height
    # each row carries its carrier's score beside the indicator's points
    got = {(r[0], r[8]): (r[3], r[13]) for r in rows}
    for rec in details.join(scores.select("carrier_id", "total_score"), on="carrier_id").iter_rows(
        named=True
    ):
        score, points = got[(rec["carrier_id"], rec["indicator_code"])]
        assert score == pytest.approx(float(rec["total_score"]))
        assert points == pytest.approx(float(rec["points"]))
    # a sheet holds one type only, named by its Chinese label
    type_of = dict(scores.select("carrier_id", "carrier_type").iter_rows())
    for name, body in sheets.items():
        types = {type_of[r[0]] for r in body[1:]}
        assert len(types) == 1
        assert name == details_workbook._type_label(types.pop())


def test_a_type_past_the_row_limit_continues_on_a_further_sheet(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(details_workbook, "SHEET_ROWS", 5)
    tables = sample_result_tables()
    year = int(tables["carrier_scores"]["assessment_year"][0])
    rows = details_workbook.detail_rows(tables, year)
    parts = details_workbook.sheets(rows)
    assert all(frame.height <= 5 for _, frame, _ in parts)
    assert sum(frame.height for _, frame, _ in parts) == rows.height
    names = [name for name, _, _ in parts]
    assert len(names) == len(set(names)) and any(name.endswith("(2)") for name in names)


def test_text_is_escaped_and_never_a_formula(tmp_path) -> None:
    frame = pl.DataFrame(
        {
            "text": ['=HYPERLINK("x")', "a<b>&c", None, "控制\x01字符"],
            "number": [1.5, None, float("nan"), -2.0],
            "count": [1, None, 3, 4],
            "flag": [True, False, None, True],
        }
    )
    path = xlsx_columns.write_xlsx(
        tmp_path / "x.xlsx", [("表", frame, ["文本", "数", "个", "是否"])]
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["表"]
    assert [c.value for c in ws[1]] == ["文本", "数", "个", "是否"]
    assert ws["A2"].value == '=HYPERLINK("x")' and ws["A2"].data_type == "s"
    assert ws["A3"].value == "a<b>&c" and ws["A4"].value is None and ws["A5"].value == "控制字符"
    assert ws["B2"].value == 1.5 and ws["B3"].value is None and ws["B4"].value is None
    assert ws["C4"].value == 3 and [ws[f"D{i}"].value for i in range(2, 6)] == [
        "是",
        "否",
        None,
        "是",
    ]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:D5"
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    # The data cells carry no reference (a third of the XML, most of the compressed size): an
    # empty one is written as <c/> so the next keeps its column (B4 empty, C4 = 3 above).
    body = sheet.split("</row>", 1)[1]
    assert "<c r=" not in body and body.count("<c/>") == 5


def test_column_letters() -> None:
    assert [xlsx_columns.column_letter(i) for i in (0, 25, 26, 701, 702)] == [
        "A", "Z", "AA", "ZZ", "AAA"
    ]  # fmt: skip


def _deflated_at(path, level: int) -> list[str]:
    """The members of the zip at `path` whose compressed size is not zlib's at `level`."""
    import zlib

    off = []
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
            size = len(deflate.compress(z.read(info)) + deflate.flush())
            if info.compress_type != zipfile.ZIP_DEFLATED or info.compress_size != size:
                off.append(info.filename)
    return off


def test_the_workbooks_the_batch_zips_are_deflated_at_its_level(tmp_path) -> None:
    """xlsx_columns.DEFLATE_LEVEL (3: national details 0.5 -> 0.2 s for 5.2 -> 6.2 MB): the
    details workbook's parts, and the office workbook's after its tables are spliced in."""
    from orchestration.publish.workbook import write_workbook

    tables = sample_result_tables()
    year = int(tables["carrier_scores"]["assessment_year"][0])
    details = details_workbook.write_details_workbook(tables, tmp_path / "d.xlsx", year)
    office = write_workbook(tables, tmp_path / "o.xlsx", year)
    assert xlsx_columns.DEFLATE_LEVEL != 6  # zipfile's default, which the change left
    assert _deflated_at(details, xlsx_columns.DEFLATE_LEVEL) == []
    assert _deflated_at(office, xlsx_columns.DEFLATE_LEVEL) == []
