"""The summary report (reports/summary.py) as a Word document in the administrative layout of
Nghị định 30/2020/NĐ-CP: header, title, the figures in the words of the published report
(wording.py), tables, signature and recipients.

A pure function of the summary dict: no database, no web framework. Every figure is printed
through app.vn."""

import io
import re
from datetime import date
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from app import vn
from app.services.reports.docx_header import header, recipients_block
from app.services.reports.layouts import STATE
from app.services.reports.docx_layout import (FONT, SIZE, TEXT_WIDTH, capitals, cell, layout_cells,
                                              layout_table, para, rule, run)
from app.services.reports.text import (MOVEMENT, period_phrase, place_name, report_dates,
                                       report_subject)
from app.services.reports.wording import (contribution_rows, petition_rows, result_paragraphs,
                                          totals_note, works_rows)
from app.vn import printable


# -- the document -----------------------------------------------------------------------------

def build_docx(report: dict[str, Any], *, issuer: str, number: str, place: str, issued_on: date,
               signer_title: str, signer_name: str, recipients: list[str],
               kind: str = STATE) -> bytes:
    """The report as a .docx: A4, Times New Roman 13 pt, header, title, body, tables,
    signature and recipients, laid out as a state body's text (Nghị định 30/2020/NĐ-CP) or,
    with `kind` "party", as a Party body's (Hướng dẫn 36-HD/VPTW): docx_header.py.

    `issuer` is the issuing body, its parent body first ("HUYỆN ỦY HÀM THUẬN BẮC\\nBAN DÂN
    VẬN"); `signer_title` may hold two lines too ("KT. TRƯỞNG BAN\\nPHÓ TRƯỞNG BAN")."""
    doc = Document()
    _page_setup(doc)
    date_from, date_to = report_dates(report)
    period = period_phrase(date_from, date_to)

    header(doc, kind, issuer, number, f"{place}, {vn.print_long_date(issued_on)}")
    para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=Pt(18))
    para(doc, f"{report_subject(date_from, date_to)} {MOVEMENT} {period}", bold=True,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, f"trên địa bàn {place_name(report['unit'])}", bold=True,
         align=WD_ALIGN_PARAGRAPH.CENTER)
    rule(doc.add_paragraph(), Cm(5.5), TEXT_WIDTH)

    _body(doc, f"Thực hiện {MOVEMENT} {period}, các cấp ủy đảng, chính quyền, Mặt trận Tổ quốc "
               f"và các đoàn thể chính trị – xã hội trên địa bàn {place_name(report['unit'])} "
               "đã tổ chức lãnh đạo, chỉ đạo và cụ thể hóa phong trào bằng những việc làm thiết "
               "thực. Kết quả đạt được như sau:")
    _heading(doc, "I. KẾT QUẢ THỰC HIỆN")
    for text in result_paragraphs(report):
        _body(doc, text)

    _heading(doc, "II. SỐ LIỆU TỔNG HỢP")
    _heading(doc, "1. Công trình, phần việc theo loại", upper=False)
    _unit_note(doc, "Đơn vị tính tiền: triệu đồng")
    _grid(doc, ["TT", "Loại công trình, phần việc", "Số công trình", "Khối lượng", "ĐVT",
                "Kinh phí", "Ngoài ngân sách"],
          works_rows(report), [Cm(1.1), Cm(4.7), Cm(1.8), Cm(2.1), Cm(1.7), Cm(2.3), Cm(2.4)])
    _heading(doc, "2. Tiếp nhận, giải quyết đơn thư", upper=False)
    _grid(doc, ["TT", "Nội dung", "Số đơn"], petition_rows(report), [Cm(1.2), Cm(10.8), Cm(4)])
    note = totals_note(report)
    _heading(doc, "3. Nguồn lực huy động theo nguồn đóng góp", upper=False)
    _unit_note(doc, "Đơn vị tính tiền: triệu đồng")
    _grid(doc, ["TT", "Nguồn đóng góp", "Số tiền", "Tỷ lệ"],
          contribution_rows(report), [Cm(1.2), Cm(7.8), Cm(4), Cm(3)], keep_with_next=True)
    if note:
        _note(doc, note)

    # Word's document properties hold 255 characters at most (python-docx refuses more): the
    # issuer, whole on the page above, is cut for the author property below.
    issuer = issuer[:255]
    _signature(doc, kind, signer_title, signer_name, recipients)
    doc.core_properties.title = printable(f"Báo cáo {report_subject(date_from, date_to).lower()} "
                                          f"{MOVEMENT} {period}")
    doc.core_properties.author = printable(" ".join(issuer.split()))
    doc.core_properties.language = "vi-VN"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(20)
    section.header_distance = Mm(10)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, SIZE
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    # Page numbers: from the second page on, centred in the top margin (NĐ 30, Phụ lục I).
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"),
                       ("end", None)):
        r = run(p, "")
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._r.append(instr)
        else:
            r.text = text


def _body(doc: Any, text: str) -> None:
    p = para(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=Pt(6))
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.line_spacing = 1.15


def _heading(doc: Any, text: str, *, upper: bool = True) -> None:
    p = para(doc, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=Pt(12 if upper else 6),
             after=Pt(6 if not upper else 0))
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.keep_with_next = True


def _unit_note(doc: Any, text: str) -> None:
    """The unit of a table's money columns, in italics above its right edge; on the page of
    the table, as its heading is."""
    p = para(doc, text, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=Pt(3))
    p.paragraph_format.keep_with_next = True


def _note(doc: Any, text: str) -> None:
    """A note under a table ("Ghi chú: ..."), in italics, kept with the signature that
    follows so neither stands alone on a page."""
    p = para(doc, "", align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=Pt(3), after=Pt(6))
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.keep_with_next = True
    run(p, "Ghi chú: ", bold=True, italic=True)
    run(p, text, italic=True)


def _grid(doc: Any, header: list[str], rows: list[list[str]], widths: list[Any], *,
          keep_with_next: bool = False) -> None:
    """A bordered table whose header row stays with its first row; with `keep_with_next` its
    last rows stay on the page of what follows (NĐ 30: the signature never stands alone on a
    page)."""
    table = layout_table(doc, widths, borders=True)
    for c, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        p = cell(c, width).paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        run(p, text, bold=True)
    for row in rows:
        total = row[1] == "Tổng cộng"
        for i, (c, text, width) in enumerate(zip(table.add_row().cells, row, widths,
                                                 strict=True)):
            p = cell(c, width).paragraphs[0]
            p.alignment = (WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER
                           if i == 0 or not _numeric(text) else WD_ALIGN_PARAGRAPH.RIGHT)
            if text:
                run(p, text, bold=total)
    # Repeat the header row on every page the table runs onto.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if keep_with_next:
        for row in table.rows[-2:]:
            for c in row.cells:
                c.paragraphs[0].paragraph_format.keep_with_next = True
    doc.add_paragraph().paragraph_format.keep_with_next = keep_with_next


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,%—-]+", text))


def _signature(doc: Any, kind: str, title: str, name: str, recipients: list[str]) -> None:
    table, (left, right) = layout_cells(doc, [Cm(8), Cm(8)])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    recipients_block(left, kind, recipients)
    right.paragraphs[0].paragraph_format.space_before = Pt(6)
    capitals(right, title, all_bold=True)
    for _ in range(4):  # room for the signature and the seal
        para(right, "")
    para(right, name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
