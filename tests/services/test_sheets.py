"""Reading sheets through calamine: an .xlsx as other writers than openpyxl produce it
(namespace prefixes, rows without numbers, entities, rich text, shared formulas, cells in any
attribute order), a sheet that starts further down and right, a long one, a damaged one; an
.ods written by hand (LibreOffice's way: repeated rows and cells, covered cells, formulas);
and the legacy-encoding check."""

import io
import zipfile
from datetime import date, datetime
from typing import Any

import pytest

from app.services.imports import scan, sheets
from app.services.imports.sheets import Formula, legacy_encoding, open_file
from tests import workbooks as w

WORKBOOK = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="H\xc6\xb0\xe1\xbb\x9bng d\xe1\xba\xabn" sheetId="2" r:id="rId2"/>'
            b'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>')
TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
         b'<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
         b'</Types>')


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
        z.writestr("xl/worksheets/sheet2.xml", b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
        z.writestr("[Content_Types].xml", TYPES)
        z.writestr("_rels/.rels", w.ROOT_RELS)
    out.seek(0)
    return out


@pytest.mark.parametrize("prefix", [True, False])
@pytest.mark.parametrize("block", [37, 100, 4096, 1 << 20])
def test_xlsx_from_other_writers(block: int, prefix: bool, monkeypatch: Any) -> None:
    """The scan reads the sheet in blocks of any size (a tag cut in two is read whole)."""
    monkeypatch.setattr(scan, "BLOCK", block)
    sheet = open_file(book(500, prefix), "tu-phan-mem-khac.xlsx")
    rows = [(n, cells) for n, cells in sheet.rows if any(c not in (None, "") for c in cells)]
    assert rows[0] == (1, ["Mã & tên", "", "a b", ""])  # the instructions sheet is passed over
    assert len(rows) == 499  # row 2 is empty
    assert rows[1] == (3, [3.0, Formula("="), "", True])  # a row without r follows the last
    assert rows[-1][0] == 500
    assert sheet.merged == ["A1:B1"]
    assert sheet.size == 500


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


def test_a_long_sheet(tmp_path: Any) -> None:
    path = _long_book(4_500, tmp_path)
    with path.open("rb") as f:
        sheet = open_file(f, path.name)
        assert sheet.size == 4_501
        rows = list(sheet.rows)
    assert sheet.merged == ["D40:D41"]
    assert rows[78] == (79, ["X0", 77_000, date(2021, 1, 22), Formula("=A2")])
    assert len(rows) == 4_501


def test_a_sheet_further_down_and_right(tmp_path: Any) -> None:
    """Rows keep the spreadsheet's numbers, cells their columns, however far the data starts."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet["C4"], sheet["D4"] = "Mã đơn vị", "Ngày"
    sheet["C5"], sheet["D5"] = "T-HT", datetime(2021, 2, 5, 10, 30)
    sheet["D6"] = date(2021, 2, 6)
    path = tmp_path / "lech.xlsx"
    book.save(path)
    with path.open("rb") as f:
        rows = [r for r in open_file(f, path.name).rows if any(r[1])]
    assert rows == [(4, [None, None, "Mã đơn vị", "Ngày"]),
                    (5, [None, None, "T-HT", datetime(2021, 2, 5, 10, 30)]),
                    (6, [None, None, "", date(2021, 2, 6)])]


def test_a_sheet_damaged_inside_is_refused(tmp_path: Any) -> None:
    """Bytes changed in the middle of the sheet (its checksum no longer matches): refused as a
    damaged file before calamine reads it."""
    path = _long_book(3_000, tmp_path)
    damaged = tmp_path / "hong.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(damaged, "w", zipfile.ZIP_STORED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item))
    data = bytearray(damaged.read_bytes())
    at = data.index(b'<row r="2000"')
    data[at + 20:at + 24] = b"XXXX"
    damaged.write_bytes(bytes(data))
    with damaged.open("rb") as f, pytest.raises(sheets.FileProblem) as refused:
        list(open_file(f, damaged.name).rows)
    assert refused.value.status == 415 and "bị hỏng" in refused.value.message


@pytest.mark.parametrize("row", [
    # Excel's and openpyxl's order (r, s, t) ...
    b'<c r="A7" s="1" t="s"><v>0</v></c><c r="B7" s="2"/><c r="C7" t="n"><v>2.5</v></c>'
    b'<c r="E7" s="3"><v>44230</v></c>',
    # ... and whatever else a writer puts: attributes in another order, others besides them.
    b'<c r="A7" t="s" s="1"><v>0</v></c><c r="B7" s="2"/><c r="C7" cm="1"><v>2.5</v></c>'
    b'<c s="3" r="E7"><v>44230</v></c>',
])
def test_cells_in_any_attribute_order(row: bytes) -> None:
    styles = (b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main"><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="0"/>'
              b'<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
    data = w.book(xl__sharedStrings_xml=b"".join(w.strings([b"<si><t>H\xc3\xa0m Tr\xc3\xad</t></si>"])),
                  xl__styles_xml=styles,
                  xl__worksheets__sheet1_xml=(w.HEAD + f'<worksheet xmlns="{w.MAIN}"><sheetData>'
                                              ).encode() + b'<row r="7">' + row + b"</row></sheetData></worksheet>")
    rows = [r for r in open_file(io.BytesIO(data), "thu-tu.xlsx").rows if any(r[1])]
    assert rows == [(7, ["Hàm Trí", "", 2.5, "", date(2021, 2, 3)])]


# -- .ods -----------------------------------------------------------------------------------
def test_an_ods_written_by_hand() -> None:
    """Typed cells, the instructions sheet passed over, a formula reported, merged cells
    found (calamine does not say), LibreOffice's endless empty rows at the end ignored."""
    rows = [["Mã đơn vị", "Số tiền (đồng)", "Ngày", "Đã nhận"],
            ["T-HT", 1_500_000, date(2021, 2, 5), True],
            ["T-LG", "=B2*2", date(2021, 2, 6), False],
            ["T-LG", 2.5, None, None]]
    data = w.ods(rows, sheets=("Hướng dẫn", "Dữ liệu"), merged={(3, 2): (1, 2)})
    data = _with_endless_empty_rows(data)
    sheet = open_file(io.BytesIO(data), "dong-gop.ods")
    got = list(sheet.rows)
    assert got[:3] == [(1, rows[0]), (2, ["T-HT", 1_500_000, date(2021, 2, 5), True]),
                       (3, ["T-LG", Formula("=B2*2"), date(2021, 2, 6), False])]
    assert got[3][0] == 4 and got[3][1][:2] == ["T-LG", 2.5]
    assert sheet.merged == ["C4:D4"]
    assert sheet.size == 4


def _with_endless_empty_rows(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        content = z.read("content.xml")
    end = (b'<table:table-row table:number-rows-repeated="1048572"><table:table-cell '
           b'table:number-columns-repeated="1024"/></table:table-row></table:table>')
    head, tail = content.rsplit(b"</table:table>", 1)
    return w.ods([], content=head + end + tail)


def test_an_ods_whose_rows_repeat_without_end_is_refused() -> None:
    """One row of values repeated a million times: a few hundred bytes, a grid of gigabytes."""
    content = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
               'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:'
               'table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
               '<office:spreadsheet><table:table table:name="S"><table:table-row '
               'table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" '
               'office:value="1" table:number-columns-repeated="100"/></table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    with pytest.raises(sheets.FileProblem) as refused:
        open_file(io.BytesIO(w.ods([], content=content.encode())), "bom.ods")
    assert refused.value.status == 413 and "1.000.000" in refused.value.message


def test_an_xls_is_read_and_an_odt_is_not() -> None:
    """A real .xls (xlwt's) is read, typed; a damaged one is refused as damaged, not as the
    wrong type; a text document is the wrong type."""
    read = list(open_file(io.BytesIO(w.xls([["Mã đơn vị", "Ngày", "Số tiền"],
                                            ["T-HT", date(2021, 2, 5), 1500000.5]])), "cu.xls").rows)
    assert read == [(1, ["Mã đơn vị", "Ngày", "Số tiền"]), (2, ["T-HT", date(2021, 2, 5), 1500000.5])]
    with pytest.raises(sheets.FileProblem) as refused:
        open_file(io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "cu.xls")
    assert refused.value.status == 415 and "bị hỏng" in refused.value.message
    with pytest.raises(sheets.FileProblem) as refused:
        open_file(io.BytesIO(w.book()), "van-ban.odt")
    assert refused.value.status == 415 and ".ods" in refused.value.message


@pytest.mark.parametrize("text,found", [
    ("Hµm TrÝ", "TCVN3 (ABC)"), ("®−êng", "TCVN3 (ABC)"), ("Haøm Trí", "VNI"), ("Höng", "VNI"),
    ("Hàm Trí", None), ("Đường bê tông", None), ("Diện tích (m²)", None), ("30°C", None),
    ("Nguyen Van A", None), ("Nguyễn Văn Đức", None),
    # 'Nguyễn Văn A', 'Trần Thị Bích', 'Công ty', 'Tiền mặt' in the old fonts
    ("Nguyeãn Vaên A", "VNI"), ("Traàn Thò Bích", "VNI"), ("Coâng ty", "VNI"),
    ("TiÒn mÆt", "TCVN3 (ABC)"),
    ("quân, xuân, tiên, yên, quê, thuê, hoà, hoá, loã xoã", None), ("5m×3m", None),
    ("iPhone, TpHCM", None),
])
def test_legacy_encodings(text: str, found: str | None) -> None:
    assert legacy_encoding(text) == found
