"""The summary report as files: the .docx and .xlsx built from the demo district's real
2016–2020 summary (and from a unit with no records) are opened again and read back."""

import io
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import docx
import openpyxl
import pytest
from docx.shared import Pt
from sqlalchemy import select

from app import demo
from app import vn
from app.db.session import session_scope
from app.db.units import Unit
from app.enums import PetitionType, Source, WorkCategory
from app.services import reports
from app.services.actor import SYSTEM
from app.services.reports.docx import build_docx
from app.services.reports.docx_header import recipient_lines
from app.services.reports.sheets import record_sheets
from app.services.reports.wording import totals_note
from app.services.reports.xlsx import build_xlsx
from tests.factories import make_unit, wipe

DATE_FROM, DATE_TO = date(2016, 1, 1), date(2020, 12, 31)
# The district Party Committee's Ban Dân vận: a Party body (Hướng dẫn 36-HD/VPTW). The
# recipients as a user may type them: with and without their dash and punctuation.
PARTICULARS = dict(issuer="HUYỆN ỦY HÀM THUẬN BẮC\nBAN DÂN VẬN", number="125-BC/BDVHU",
                   place="Hàm Thuận Bắc", issued_on=date(2021, 2, 5), signer_title="TRƯỞNG BAN",
                   signer_name="Nguyễn Văn Bình",
                   recipients=["Ban Dân vận Tỉnh ủy (b/c);", "- Thường trực Huyện ủy (b/c)",
                               "Lưu: VT"], kind="party")
# A state body's report (Nghị định 30/2020/NĐ-CP).
STATE = {**PARTICULARS, "issuer": "UBND TỈNH BÌNH THUẬN\nUBND HUYỆN HÀM THUẬN BẮC",
         "number": "125/BC-UBND", "kind": "state"}


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    """The demo is loaded once for this module, not wiped after each test."""
    yield


@pytest.fixture(scope="module")
def loaded(engine: Any) -> Iterator[dict[str, int]]:
    """The demo, plus a commune with no records at all; their unit ids."""
    wipe(engine)
    for session in session_scope(engine, write=True):
        assert demo.load(session)
        district = session.exec(select(Unit.id).where(Unit.code == "BTH.HTB")).scalar_one()
        empty = make_unit(session, code="BTH.HTB.TRONG", name="Xã Trống", parent_id=district,
                          active_to="2025-06-30")  # ends with its district
        ids = {"district": district, "empty": empty.id}
    yield ids
    wipe(engine)


def _summary(engine: Any, unit_id: int) -> dict[str, Any]:
    for session in session_scope(engine):
        return reports.summary(session, actor=SYSTEM, unit_id=unit_id, date_from=DATE_FROM,
                               date_to=DATE_TO)
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def district(engine: Any, loaded: dict[str, int]) -> dict[str, Any]:
    return _summary(engine, loaded["district"])


@pytest.fixture(scope="module")
def empty(engine: Any, loaded: dict[str, int]) -> dict[str, Any]:
    report = _summary(engine, loaded["empty"])
    assert report["works"]["total"] == 0 and report["petitions"]["resolution_rate"] is None
    return report


@pytest.fixture(scope="module")
def records(engine: Any, loaded: dict[str, int]) -> dict[str, Any]:
    """The sheets of records the download adds: the district's, over the period (their rows
    are read once: kept here as lists, for every test)."""
    for session in session_scope(engine):
        sheets = record_sheets(session, actor=SYSTEM, unit_id=loaded["district"],
                               date_from=DATE_FROM, date_to=DATE_TO)
        return {title: (what, header, list(rows)) for title, (what, header, rows) in sheets}
    raise AssertionError("unreachable")


# -- Word ------------------------------------------------------------------------------------

def _docx(report: dict[str, Any], particulars: dict[str, Any] = PARTICULARS) -> Any:
    data = build_docx(report, **particulars)
    assert data[:2] == b"PK"
    return docx.Document(io.BytesIO(data))


def _all_paragraphs(document: Any) -> list[Any]:
    """Body paragraphs and those inside tables (the header and signature are tables)."""
    out = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                out.extend(cell.paragraphs)
    return out


def _text(document: Any) -> str:
    return "\n".join(p.text for p in _all_paragraphs(document))


@pytest.fixture(scope="module")
def document(district: dict[str, Any]) -> Any:
    return _docx(district)


def test_docx_layout_is_the_administrative_one(document):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    mm = {side: round(getattr(section, f"{side}_margin").mm, 1)
          for side in ("top", "bottom", "left", "right")}
    assert 20 <= mm["top"] <= 25 and 20 <= mm["bottom"] <= 25
    assert 30 <= mm["left"] <= 35 and 15 <= mm["right"] <= 20
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    rfonts = normal.element.rPr.rFonts
    assert rfonts.get(docx.oxml.ns.qn("w:eastAsia")) == "Times New Roman"


def _header(document: Any) -> tuple[list[Any], list[Any]]:
    """The header's left and right paragraphs, those with text."""
    left, right = document.tables[0].rows[0].cells
    return [p for p in left.paragraphs if p.text], [p for p in right.paragraphs if p.text]


def _has_rule(p: Any) -> bool:
    """A paragraph drawn as a short line (its bottom border)."""
    ppr = p._p.pPr
    return ppr is not None and ppr.find(docx.oxml.ns.qn("w:pBdr")) is not None


def _bold(p: Any) -> bool:
    return all(r.bold for r in p.runs)


def test_docx_issuing_body_under_its_parent_body(document, district):
    """Line 1 the parent body, regular; line 2 the issuing body, bold: in both layouts."""
    for doc in (document, _docx(district, STATE)):
        left, _ = _header(doc)
        parent, body = left[0], left[1]
        assert [parent.text, body.text] in (["HUYỆN ỦY HÀM THUẬN BẮC", "BAN DÂN VẬN"],
                                            ["UBND TỈNH BÌNH THUẬN", "UBND HUYỆN HÀM THUẬN BẮC"])
        assert not any(r.bold for r in parent.runs) and _bold(body)
    # The header table draws no lines.
    borders = document.tables[0]._tbl.tblPr.find(docx.oxml.ns.qn("w:tblBorders"))
    assert all(e.get(docx.oxml.ns.qn("w:val")) == "nil" for e in borders)


def test_docx_party_layout(document):
    """HD 36-HD/VPTW: "ĐẢNG CỘNG SẢN VIỆT NAM" bold and underlined on the right, a star under
    the issuing body, "Số 125-BC/BDVHU" without a colon; no Quốc hiệu."""
    left, right = _header(document)
    assert [p.text for p in left] == ["HUYỆN ỦY HÀM THUẬN BẮC", "BAN DÂN VẬN", "*",
                                      "Số 125-BC/BDVHU"]
    assert [p.text for p in right] == ["ĐẢNG CỘNG SẢN VIỆT NAM",
                                       "Hàm Thuận Bắc, ngày 05 tháng 02 năm 2021"]
    party = right[0].runs[0]
    assert party.bold and party.underline and right[1].runs[0].italic
    text = _text(document)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text and "Độc lập" not in text
    heading = document.tables[-1].rows[0].cells[0].paragraphs[0].runs[0]
    assert heading.text == "Nơi nhận:" and heading.underline and not heading.bold


def test_docx_state_layout(district):
    """NĐ 30/2020: a rule under the issuing body, then "Số: 125/BC-UBND"; on the right the
    Quốc hiệu, the Tiêu ngữ in bold with its rule, the place and date in italics."""
    document = _docx(district, STATE)
    left_cell, right_cell = document.tables[0].rows[0].cells
    lines = left_cell.paragraphs
    assert [p.text for p in lines[:2]] == ["UBND TỈNH BÌNH THUẬN", "UBND HUYỆN HÀM THUẬN BẮC"]
    assert _has_rule(lines[2]) and lines[3].text == "Số: 125/BC-UBND"
    right = right_cell.paragraphs
    assert [p.text for p in right[:2]] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                           "Độc lập - Tự do - Hạnh phúc"]
    assert _bold(right[0]) and _bold(right[1]) and _has_rule(right[2])
    assert right[3].text == "Hàm Thuận Bắc, ngày 05 tháng 02 năm 2021" and right[3].runs[0].italic
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in _text(document)
    heading = document.tables[-1].rows[0].cells[0].paragraphs[0].runs[0]
    assert heading.text == "Nơi nhận:" and heading.bold and heading.italic


def test_docx_title_and_signature(document):
    paragraphs = [p.text for p in document.paragraphs]
    title = paragraphs.index("BÁO CÁO")
    assert document.paragraphs[title].runs[0].bold
    assert paragraphs[title + 1] == ("Tổng kết phong trào thi đua “Dân vận khéo” "
                                     "giai đoạn 2016 – 2020")
    assert "Hàm Thuận Bắc" in paragraphs[title + 2]
    signature = document.tables[-1].rows[0].cells
    for p in signature[0].paragraphs[1:]:
        assert all(Pt(11) <= r.font.size <= Pt(12) for r in p.runs)
    names = [p for p in signature[1].paragraphs if p.text]
    assert [p.text for p in names] == ["TRƯỞNG BAN", "Nguyễn Văn Bình"]
    assert all(r.bold for p in names for r in p.runs)


def test_docx_recipients_end_with_a_semicolon_and_the_last_with_a_full_stop(document):
    lines = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert lines == ["Nơi nhận:", "- Ban Dân vận Tỉnh ủy (b/c);",
                     "- Thường trực Huyện ủy (b/c);", "- Lưu: VT."]
    assert recipient_lines(["Như trên.", "Lưu: VT;"]) == ["- Như trên;", "- Lưu: VT."]
    assert recipient_lines(["", " - "]) == []


def test_docx_no_heading_is_left_at_the_foot_of_a_page(document):
    """Every heading keeps with what follows; so do a table's money unit line and its
    header row, and the last rows before the note and the signature."""
    headings = [p for p in document.paragraphs
                if p.text and p.runs[0].bold and p.text[:2] in ("I.", "II", "1.", "2.", "3.")]
    assert len(headings) == 5
    assert all(p.paragraph_format.keep_with_next for p in headings)
    units = [p for p in document.paragraphs if p.text == "Đơn vị tính tiền: triệu đồng"]
    assert units and all(p.paragraph_format.keep_with_next for p in units)
    grids = [t for t in document.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(grids) == 3
    for table in grids:
        assert all(c.paragraphs[0].paragraph_format.keep_with_next for c in table.rows[0].cells)


def test_docx_says_why_the_two_totals_differ(document, district):
    """Works 633.550 triệu (table 1), contributions 616.125 triệu (table 3): the note under
    them says why, from the figures (the donated land's value; the dates each is counted by)."""
    rows = [p.text for p in document.paragraphs]
    note = next(p for p in document.paragraphs if p.text.startswith("Ghi chú:"))
    assert rows.index(note.text) > rows.index("3. Nguồn lực huy động theo nguồn đóng góp")
    for phrase in ("633.550 triệu đồng", "616.125 triệu đồng", "là 17.425 triệu đồng",
                   "giá trị đất Nhân dân hiến (8.500 triệu đồng)", "theo ngày hoàn thành",
                   "theo ngày góp", "8.925 triệu đồng", "ngân sách nhà nước"):
        assert phrase in note.text, phrase
    assert note.paragraph_format.keep_with_next and all(r.italic for r in note.runs)
    assert totals_note({**district, "contributions": {**district["contributions"],
                                                      "total_vnd": district["works"]["total_cost_vnd"]}}) == ""


def test_docx_figures_in_the_articles_words(document):
    body = _text(document)
    for phrase in ("ĐẢNG CỘNG SẢN VIỆT NAM", "BÁO CÁO",
                   "ngày 05 tháng 02 năm 2021", "đạt và vượt 11/11 chỉ tiêu", "1.823/1.827",
                   "99,78%", "126,8 km", "103,6 tỷ đồng", "155,3 km kênh thủy lợi nội đồng",
                   "dân hiến 17,5 ha đất, trị giá 8,5 tỷ đồng",
                   "510 công trình, phần việc, tổng trị giá 71,66 tỷ đồng",
                   "xây dựng 165 căn, sửa 336 căn nhà tình nghĩa, với kinh phí 15,75 tỷ đồng",
                   "19.500 lượt người", "234 căn nhà tình thương với kinh phí 6,65 tỷ đồng",
                   "20,2 tỷ đồng giúp cho 88.296 lượt người",
                   "(Hàm Chính, Hàm Hiệp, Hàm Liêm, Thuận Minh, Hàm Thắng)"):
        assert phrase in body, phrase
    assert "Tiếp nhận và giải quyết 1.823/1.827 đơn, đạt 99,78%" in body


def test_docx_charity_houses_of_agencies_and_dialogues(document, district):
    """Figures D17 and D20, in the sentences of D16 and D19 that they belong to."""
    body = _text(document)
    assert ("xây mới 234 căn nhà tình thương với kinh phí 6,65 tỷ đồng, trong đó các cơ quan, "
            "doanh nghiệp, tổ chức vận động hỗ trợ xây 129 căn, tổng trị giá 4,34 tỷ đồng") in body
    dialogues = district["petitions"]["by_channel"]["dialogue"]
    assert dialogues >= 1
    assert ("đạt 99,78%; còn 3 đơn quá hạn chưa giải quyết xong; tổ chức đối thoại giữa người "
            "đứng đầu cấp ủy, chính quyền với Nhân dân, qua đó tiếp nhận "
            f"{vn.print_number(dialogues)} đơn.") in body


def test_docx_of_a_summary_issued_before_those_figures(district):
    """A report frozen when issued has no non_government nor by_channel: it builds as then."""
    cat = {k: {f: v for f, v in c.items() if f != "non_government"}
           for k, c in district["works"]["by_category"].items()}
    report = {**district, "works": {**district["works"], "by_category": cat},
              "petitions": {k: v for k, v in district["petitions"].items() if k != "by_channel"}}
    body = "\n".join(p.text for p in _docx(report).paragraphs)
    assert "234 căn nhà tình thương với kinh phí 6,65 tỷ đồng; vận động" in body
    assert "đạt 99,78%; còn 3 đơn quá hạn chưa giải quyết xong." in body
    assert "đối thoại" not in body and "129 căn" not in body


def test_docx_tables_use_the_labels_and_vietnamese_numbers(document, district):
    works_table = next(t for t in document.tables
                       if t.rows[0].cells[1].text == "Loại công trình, phần việc")
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in works_table.rows[1:]}
    assert all(c.vi in rows for c in WorkCategory) and "Tổng cộng" in rows
    concrete = rows[WorkCategory.road_concrete.vi]
    assert concrete[2] == vn.print_number(district["works"]["by_category"]["road_concrete"]["count"])
    assert concrete[3:6] == ["126,8", "km", "103.600"]  # the money in triệu đồng
    assert rows["Tổng cộng"][2] == vn.print_number(district["works"]["total"])
    petition_table = next(t for t in document.tables if t.rows[0].cells[-1].text == "Số đơn")
    cells = {r.cells[1].text: r.cells[2].text for r in petition_table.rows[1:]}
    assert cells["Thuộc thẩm quyền giải quyết"] == "1.827"
    assert cells["Đã giải quyết"] == "1.823" and cells["Tỷ lệ giải quyết"] == "99,78%"
    assert all(f"- {t.vi}" in cells for t in PetitionType)
    source_table = next(t for t in document.tables if t.rows[0].cells[1].text == "Nguồn đóng góp")
    assert [r.cells[1].text for r in source_table.rows[1:-1]] == [s.vi for s in Source]


def test_docx_every_run_is_times_new_roman_at_13_to_14_pt(document):
    # "Nơi nhận:" and its list (the signature table's left cell) are smaller by design.
    recipients = document.tables[-1].rows[0].cells[0]._tc
    checked = 0
    for p in _all_paragraphs(document):
        for run in p.runs:
            assert run.font.name == "Times New Roman", run.text
            east_asian = run._r.rPr.rFonts.get(docx.oxml.ns.qn("w:eastAsia"))
            assert east_asian == "Times New Roman", run.text
            if p._p.getparent() is not recipients:
                assert Pt(13) <= run.font.size <= Pt(14), run.text
                checked += 1
    assert checked > 100


def test_docx_of_a_unit_without_records(empty):
    document = _docx(empty)
    body = _text(document)
    assert "BÁO CÁO" in body and "ngày 05 tháng 02 năm 2021" in body
    assert "Trong kỳ báo cáo chưa có số liệu được ghi nhận." in body
    for absent in ("chỉ tiêu chủ yếu", "km", "tỷ đồng", "nhà tình nghĩa", "lượt người",
                   "đối thoại", "hỗ trợ xây"):
        assert absent not in "\n".join(p.text for p in document.paragraphs), absent
    petition_table = next(t for t in document.tables if t.rows[0].cells[-1].text == "Số đơn")
    cells = {r.cells[1].text: r.cells[2].text for r in petition_table.rows[1:]}
    assert cells["Tỷ lệ giải quyết"] == "—" and cells["Thuộc thẩm quyền giải quyết"] == "0"


def test_docx_title_of_part_of_a_year(district):
    report = {**district, "date_from": "2020-01-01", "date_to": "2020-06-30"}
    paragraphs = [p.text for p in _docx(report).paragraphs]
    assert ("Kết quả thực hiện phong trào thi đua “Dân vận khéo” từ ngày 01/01/2020 đến ngày "
            "30/06/2020") in paragraphs


# -- Excel -----------------------------------------------------------------------------------

def _xlsx(report: dict[str, Any], sheets: dict[str, Any]) -> Any:
    data = build_xlsx(report, sheets)
    assert data[:2] == b"PK"
    return openpyxl.load_workbook(io.BytesIO(data))


def _headline(ws: Any) -> dict[str, Any]:
    """Label → the value cell, down to the first blank row."""
    out = {}
    for row in ws.iter_rows(min_row=3):
        if row[0].value is None:
            break
        out[row[0].value.strip()] = row[1]
    return out


def test_xlsx_headline_numbers_are_numbers(district, records):
    wb = _xlsx(district, records)
    assert wb.sheetnames[0] == "Tổng hợp"
    ws = wb["Tổng hợp"]
    assert ws["A1"].value == ("Tổng hợp phong trào thi đua “Dân vận khéo” — huyện Hàm Thuận Bắc, "
                              "giai đoạn 2016 – 2020")
    assert [c.value for c in ws[2]][:4] == ["Chỉ tiêu", "Giá trị", "Đơn vị tính", "Ghi chú"]
    assert ws.freeze_panes == "A3" and all(c.font.bold for c in ws[2] if c.value)
    cells = _headline(ws)
    expected = {
        "Đơn thuộc thẩm quyền": (1827, "#,##0"), "Đơn đã giải quyết": (1823, "#,##0"),
        "Chỉ tiêu đạt và vượt": (11, "#,##0"), "Đường bê tông xi măng": (126.8, "#,##0.00"),
        "Kinh phí đường bê tông xi măng": (103_600_000_000, "#,##0"),
        "Kênh thủy lợi nội đồng nạo vét": (155.3, "#,##0.00"),
        "Trị giá công trình, phần việc của Mặt trận và các đoàn thể": (71_660_000_000, "#,##0"),
        "Thẻ bảo hiểm y tế": (19_500, "#,##0"), "Đất hiến": (175_000, "#,##0"),
    }
    for label, (value, number_format) in expected.items():
        cell = cells[label]
        assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), label
        assert cell.value == value and cell.number_format == number_format, label
    rate = cells["Tỷ lệ giải quyết"]
    assert isinstance(rate.value, float) and rate.number_format == "0.00%"
    assert round(rate.value * 100, 2) == 99.78
    assert cells["Từ ngày"].is_date and cells["Từ ngày"].number_format == "dd/mm/yyyy"
    assert cells["Từ ngày"].value == datetime(2016, 1, 1)
    # Every value cell of the figures holds a number (or a date, or the unit's name).
    for label, cell in cells.items():
        if cell.value is not None and label != "Đơn vị báo cáo":
            assert isinstance(cell.value, (int, float, datetime)), label


def test_xlsx_works_by_category_under_the_figures(district, records):
    """A column per measure: no column adds km to houses or cards."""
    ws = _xlsx(district, records)["Tổng hợp"]
    top = next(r for r in ws.iter_rows() if r[0].value == "Công trình, phần việc theo loại")
    header = [c.value for c in top]
    assert header == ["Công trình, phần việc theo loại", "Số công trình", "Khối lượng (km)",
                      "Khối lượng (bóng đèn)", "Khối lượng (căn)", "Khối lượng (thẻ)",
                      "Khối lượng (lượt người)", "Kinh phí (đồng)",
                      "Trong đó ngoài ngân sách (đồng)"]
    rows = {r[0].value: dict(zip(header, r)) for r in ws.iter_rows(min_row=top[0].row + 1)
            if r[0].value in {c.vi for c in WorkCategory}}
    by_category = district["works"]["by_category"]
    canal, houses = rows[WorkCategory.canal.vi], rows[WorkCategory.charity_house.vi]
    assert canal["Số công trình"].value == by_category["canal"]["count"]
    assert (canal["Khối lượng (km)"].value, canal["Khối lượng (căn)"].value) == (155.3, None)
    assert canal["Khối lượng (km)"].number_format == "#,##0.00"
    assert houses["Khối lượng (căn)"].value == by_category["charity_house"]["quantity"]
    assert houses["Khối lượng (km)"].value is None
    assert rows[WorkCategory.health_insurance.vi]["Khối lượng (thẻ)"].value == 19_500
    cost = canal["Kinh phí (đồng)"]
    assert isinstance(cost.value, int) and cost.number_format == "#,##0"


def test_xlsx_one_sheet_per_record_type(district, records):
    wb = _xlsx(district, records)
    assert wb.sheetnames == ["Tổng hợp", "Mô hình", "Công trình", "Đóng góp", "Hiến đất",
                             "Đơn thư", "Khen thưởng", "Chỉ tiêu", "Công nhận"]
    for title, (what, header, rows) in records.items():
        ws = wb[title]
        assert ws["A1"].value == f"{what} — huyện Hàm Thuận Bắc, giai đoạn 2016 – 2020"
        assert [c.value for c in ws[2]] == header
        assert all(c.font.bold for c in ws[2]) and ws.freeze_panes == "A3"
        assert ws.max_row == len(rows) + 2 > 2, title
        assert ws.auto_filter.ref.startswith("A2:")
        assert all(ws.column_dimensions[chr(65 + i)].width >= 8 for i in range(len(header)))
    works_ws = wb["Công trình"]
    header = [c.value for c in works_ws[2]]
    qty = [h for h in header if h.startswith("Khối lượng")]  # one column per measure used
    assert qty[:2] == ["Khối lượng (km)", "Khối lượng (căn)"] and "Khối lượng (m)" not in qty
    assert header == ["Số hiệu", "Tên công trình, phần việc", "Đơn vị", "Loại công trình", *qty,
                      "Tổng kinh phí (đồng)", "Đơn vị thực hiện", "Ngày hoàn thành"]
    first = [c for c in works_ws[3]]
    assert isinstance(first[0].value, int) and first[0].number_format == "General"  # an id
    assert first[3].value in {c.vi for c in WorkCategory}  # the label, not the code
    cost, done = first[4 + len(qty)], first[6 + len(qty)]
    assert isinstance(cost.value, int) and cost.number_format == "#,##0"
    assert done.is_date and done.number_format == "dd/mm/yyyy"
    land = wb["Hiến đất"][3]
    assert isinstance(land[5].value, (int, float)) and land[1].number_format == "dd/mm/yyyy"


def test_xlsx_of_a_unit_without_records(empty):
    wb = _xlsx(empty, {"Công trình": ("Công trình, phần việc", ["Tên", "Ngày"], [])})
    cells = _headline(wb["Tổng hợp"])
    assert cells["Đơn đã giải quyết"].value == 0 and cells["Đơn thuộc thẩm quyền"].value == 0
    assert cells["Tỷ lệ giải quyết"].value is None
    assert wb["Công trình"].max_row == 2  # the title row and the header
    assert wb["Công trình"]["A1"].value.endswith("Xã Trống, giai đoạn 2016 – 2020")


def test_xlsx_sheet_titles_follow_excels_rules(empty):
    long = "Mô hình / điển hình: danh sách đầy đủ của năm 2020"
    wb = _xlsx(empty, {long: ("a", ["Tên"], [["a"]]), "tổng hợp": ("b", ["Tên"], [["b"]])})
    assert len(wb.sheetnames) == 3 and all(len(t) <= 31 for t in wb.sheetnames)
    assert not any(ch in wb.sheetnames[1] for ch in "[]:*?/\\")
    assert wb.sheetnames[2].lower() != "tổng hợp"


def test_docx_says_only_what_the_figures_say(district):
    """A figure of zero is left out; targets partly met are not 'met and exceeded'."""
    charity = district["works"]["by_category"]["charity_house"]
    cat = {**district["works"]["by_category"],
           "canal": {**district["works"]["by_category"]["canal"], "quantity": 0.0},
           "charity_house": {**charity, "non_government": {**charity["non_government"],
                                                           "quantity": 0.0}}}
    channels = {**district["petitions"]["by_channel"], "dialogue": 0}
    report = {**district, "targets": {"total": 11, "achieved": 9},
              "works": {**district["works"], "by_category": cat},
              "petitions": {**district["petitions"], "by_channel": channels}}
    body = "\n".join(p.text for p in _docx(report).paragraphs)
    assert "Thực hiện đạt 9/11 chỉ tiêu chủ yếu" in body and "đạt và vượt" not in body
    assert "kênh thủy lợi nội đồng" not in body and "126,8 km" in body
    assert "234 căn nhà tình thương" in body and "hỗ trợ xây" not in body
    assert "đạt 99,78%" in body and "đối thoại" not in body


def test_xlsx_cells_of_other_types(empty):
    from datetime import UTC

    from app.enums import PetitionStatus

    sheets = {"Khác": ("Khác", ["Lúc", "Phức tạp", "Trạng thái", "Năm"],
                       [[datetime(2021, 2, 5, 1, 30, tzinfo=UTC), True,
                         PetitionStatus.resolved, 2020]])}
    row = _xlsx(empty, sheets)["Khác"][3]
    assert row[0].value == datetime(2021, 2, 5, 8, 30)  # Vietnam time, UTC+7
    assert row[0].number_format == "dd/mm/yyyy hh:mm"
    assert [c.value for c in row[1:]] == ["Có", PetitionStatus.resolved.vi, 2020]
    assert row[3].number_format == "General"  # a year, not 2.020


def test_xlsx_text_that_looks_like_a_formula_stays_text(empty):
    """A name typed as =HYPERLINK(...) must not become a live formula in the workbook."""
    sheets = {"Khác": ("Khác", ["Tên", "Số tiền"],
                       [['=HYPERLINK("http://x.invalid","bấm")', 5], ["=1+1", 2_000]])}
    ws = _xlsx(empty, sheets)["Khác"]
    assert [(c.value, c.data_type) for c in ws["A"][2:]] == [
        ('=HYPERLINK("http://x.invalid","bấm")', "s"), ("=1+1", "s")]
    assert ws["B4"].value == 2_000 and ws["B4"].number_format == "#,##0"


def test_xlsx_rows_read_once_in_batches_fit_every_row(empty):
    """The rows may be a generator (read once); the columns fit a value far past the first
    batch, and every row is written, in order."""
    from app.services.export_columns import BATCH

    n = 3 * BATCH + 7
    rows = ([i, "x" * (40 if i == n - 1 else 3)] for i in range(n))
    ws = _xlsx(empty, {"Nhiều": ("Nhiều dòng", ["Số hiệu", "Tên"], rows)})["Nhiều"]
    assert ws.max_row == n + 2 and ws["A3"].value == 0 and ws[f"A{n + 2}"].value == n - 1
    assert ws.column_dimensions["B"].width == 42
    assert ws.auto_filter.ref == f"A2:B{n + 2}"
