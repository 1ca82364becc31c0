"""Reading sheets: the .xlsx reader against what other writers than openpyxl produce
(namespace prefixes, rows without numbers, entities, rich text, shared formulas), read in
blocks of any size; and the legacy-encoding check."""

import io
import multiprocessing
import zipfile
from datetime import date
from typing import Any

import pytest

from app.services.imports import sheets, xlsx, xlsx_rows
from app.services.imports.sheets import Formula, legacy_encoding, open_file

WORKBOOK = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="H\xc6\xb0\xe1\xbb\x9bng d\xe1\xba\xabn" sheetId="2" r:id="rId2"/>'
            b'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="x" Target="worksheets/sheet2.xml"/></Relationships>')


def book(rows: int, prefix: bool = True) -> io.BytesIO:
    sheet = (b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<x:cols><x:col min="1" max="2" width="9"/></x:cols><x:sheetData>'
             b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>M&#227; &amp; t\xc3\xaan</x:t></x:is></x:c>'
             b'<x:c r="C1" t="inlineStr"><x:is><x:r><x:t>a</x:t></x:r><x:r><x:t xml:space="preserve"> b</x:t>'
             b'</x:r></x:is></x:c></x:row><x:row r="2"/>'
             + b"".join(b'<x:row><x:c r="A%d"><x:v>%d</x:v></x:c><x:c r="B%d"><x:f t="shared" si="0"/>'
                        b'<x:v>3</x:v></x:c><x:c r="D%d" t="b"><x:v>1</x:v></x:c></x:row>' % (i, i, i, i)
                        for i in range(3, rows + 1))
             + b'</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells></x:worksheet>')
    if not prefix:  # Excel's own way: no prefix, and here a cell without attributes too
        sheet = sheet.replace(b"x:", b"").replace(b":x=", b"=").replace(b'<c r="A1" t="inlineStr">', b'<c t="inlineStr">')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/worksheets/sheet2.xml", b"<worksheet/>")
    out.seek(0)
    return out


@pytest.mark.parametrize("prefix", [True, False])
@pytest.mark.parametrize("block", [37, 100, 4096, 1 << 20])
def test_xlsx_read_in_blocks_of_any_size(block: int, prefix: bool, monkeypatch: Any) -> None:
    monkeypatch.setattr(xlsx, "BLOCK", block)
    sheet = open_file(book(500, prefix), "tu-phan-mem-khac.xlsx")
    rows = list(sheet.rows)
    assert rows[0] == (1, ["Mã & tên", None, "a b"])  # the instructions sheet is passed over
    assert len(rows) == 499  # row 2 is empty, so not listed
    assert rows[1] == (3, [3, Formula("="), None, True])  # a row without r follows the last
    assert rows[-1][0] == 500
    assert sheet.merged == ["A1:B1"]


def _long_book(rows: int, tmp_path: Any) -> Any:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Số tiền", "Ngày", "Ghi chú"])
    for i in range(rows):
        sheet.append([f"X{i % 7}", i * 1000, date(2021, 1, 1 + i % 28), "=A2" if i == 77 else f"đợt {i}"])
    sheet.merge_cells("D40:D41")
    path = tmp_path / "dai.xlsx"
    book.save(path)
    return path


def test_a_long_sheet_is_read_by_a_process_of_its_own(tmp_path: Any, monkeypatch: Any) -> None:
    """What the reader process sends is what this process reads itself, batches joined in
    order, merged ranges at the end; stopping early ends the reader."""
    path = _long_book(4_500, tmp_path)  # more than two of the reader's batches
    with path.open("rb") as f:
        here = open_file(f, path.name)
        assert here.size == 4_501
        rows_here = list(here.rows)
    monkeypatch.setattr(xlsx, "ASIDE_ROWS", 100)
    with path.open("rb") as f:
        aside = open_file(f, path.name)
        assert aside.rows.gi_code.co_name == "_rows_aside"
        assert list(aside.rows) == rows_here
    assert aside.merged == here.merged == ["D40:D41"]
    assert rows_here[78] == (79, ["X0", 77_000, date(2021, 1, 22), Formula("=A2")])
    assert len(rows_here) == 4_501
    with path.open("rb") as f:
        stopped = open_file(f, path.name)
        first = next(stopped.rows)
        assert first[0] == 1
        stopped.rows.close()  # as an import refused after its first rows does
    assert not [p for p in multiprocessing.active_children() if p.name == "xlsx-reader"]


@pytest.mark.parametrize("aside", [True, False])
def test_a_sheet_damaged_inside_is_refused(aside: bool, tmp_path: Any, monkeypatch: Any) -> None:
    """Bytes changed in the middle of the sheet (its checksum no longer matches): refused as a
    damaged file, by the reader process as by this one."""
    path = _long_book(3_000, tmp_path)
    damaged = tmp_path / "hong.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item))
    data = bytearray(damaged.read_bytes())
    at = data.index(b'<row r="2000"')
    data[at + 20:at + 24] = b"XXXX"
    damaged.write_bytes(bytes(data))
    monkeypatch.setattr(xlsx, "ASIDE_ROWS", 100 if aside else 10**9)
    with damaged.open("rb") as f:
        rows = open_file(f, damaged.name).rows
        with pytest.raises(sheets.FileProblem) as refused:
            list(rows)
    assert refused.value.status == 415 and "bị hỏng" in refused.value.message


@pytest.mark.parametrize("row", [
    # Excel's and openpyxl's order (r, s, t), read by one regular expression ...
    b'<c r="A7" s="1" t="s"><v>0</v></c><c r="B7" s="2"/><c r="C7" t="n"><v>2.5</v></c>'
    b'<c r="E7" s="3"><v>44230</v></c>',
    # ... and whatever else a writer puts, cell by cell: attributes in another order, others
    # besides them, a cell without any.
    b'<c r="A7" t="s" s="1"><v>0</v></c><c r="B7" s="2"/><c r="C7" cm="1"><v>2.5</v></c>'
    b'<c s="3" r="E7"><v>44230</v></c>',
    b'<c><v>5</v></c><c r="C7" s="1" t="s"><v>0</v></c>',
])
def test_cells_in_any_attribute_order(row: bytes) -> None:
    from datetime import date

    values = xlsx_rows.row_values(row, ["Hàm Trí"], frozenset({3}), date(1899, 12, 30))
    if row.startswith(b"<c><v>5"):  # a cell without a column letter stands at its position
        assert values == [5, None, "Hàm Trí"]
    else:
        assert values == ["Hàm Trí", None, 2.5, None, date(2021, 2, 3)]


@pytest.mark.parametrize("text,found", [
    ("Hµm TrÝ", "TCVN3 (ABC)"), ("®−êng", "TCVN3 (ABC)"), ("Haøm Trí", "VNI"), ("Höng", "VNI"),
    ("Hàm Trí", None), ("Đường bê tông", None), ("Diện tích (m²)", None), ("30°C", None),
    ("Nguyen Van A", None), ("Nguyễn Văn Đức", None),
])
def test_legacy_encodings(text: str, found: str | None) -> None:
    assert legacy_encoding(text) == found
