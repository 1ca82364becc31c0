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
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from app import vn
from app.services.reports.text import (MOVEMENT, period_phrase, place_name, report_dates,
                                       report_subject)
from app.services.reports.wording import (contribution_rows, petition_rows, result_paragraphs,
                                          works_rows)
from app.vn import printable

FONT = "Times New Roman"
SIZE = Pt(13)  # NĐ 30/2020, Phụ lục I: body text 13–14 pt
SMALL = Pt(11)  # the recipients under "Nơi nhận:"
TEXT_WIDTH = Cm(16)  # A4 less the 30 mm left and 20 mm right margins
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


# -- the document -----------------------------------------------------------------------------

def build_docx(report: dict[str, Any], *, issuer: str, number: str, place: str, issued_on: date,
               signer_title: str, signer_name: str, recipients: list[str]) -> bytes:
    """The report as a .docx: A4, Times New Roman 13 pt, header, title, body, tables,
    signature and recipients as Nghị định 30/2020/NĐ-CP lays out an administrative text.

    `issuer` is the issuing body, one line per level ("HUYỆN ỦY HÀM THUẬN BẮC\\nBAN DÂN VẬN");
    `signer_title` may hold two lines too ("KT. TRƯỞNG BAN\\nPHÓ TRƯỞNG BAN")."""
    doc = Document()
    _page_setup(doc)
    date_from, date_to = report_dates(report)
    period = period_phrase(date_from, date_to)

    _header(doc, issuer, number, f"{place}, {vn.print_long_date(issued_on)}")
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=Pt(18))
    _para(doc, f"{report_subject(date_from, date_to)} {MOVEMENT} {period}", bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, f"trên địa bàn {place_name(report['unit'])}", bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER)
    _rule(doc.add_paragraph(), Cm(5.5), TEXT_WIDTH)

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
    _heading(doc, "3. Nguồn lực huy động theo nguồn đóng góp", upper=False)
    _unit_note(doc, "Đơn vị tính tiền: triệu đồng")
    _grid(doc, ["TT", "Nguồn đóng góp", "Số tiền", "Tỷ lệ"],
          contribution_rows(report), [Cm(1.2), Cm(7.8), Cm(4), Cm(3)], keep_with_next=True)

    # Word's document properties hold 255 characters at most (python-docx refuses more): the
    # issuer, whole on the page above, is cut for the author property below.
    issuer = issuer[:255]
    _signature(doc, signer_title, signer_name, recipients)
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
        run = _run(p, "")
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         underline: bool = False, size: Pt = SIZE) -> Any:
    """A run that names its font itself (East-Asian and complex-script slots too), so Word
    never falls back to a theme font for Vietnamese letters."""
    run = p.add_run(printable(text))  # a row stored before the input rules still prints
    run.font.name, run.font.size = FONT, size
    run.font.bold, run.font.italic, run.font.underline = bold, italic, underline
    rfonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), FONT)
    rfonts.set(qn("w:cs"), FONT)
    return run


def _para(where: Any, text: str, *, bold: bool = False, italic: bool = False,
          underline: bool = False, size: Pt = SIZE, align: Any = None, before: Pt = Pt(0),
          after: Pt = Pt(0)) -> Paragraph:
    p = where.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_before, p.paragraph_format.space_after = before, after
    if text:
        _run(p, text, bold=bold, italic=italic, underline=underline, size=size)
    return p


def _body(doc: Any, text: str) -> None:
    p = _para(doc, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=Pt(6))
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.line_spacing = 1.15


def _heading(doc: Any, text: str, *, upper: bool = True) -> None:
    p = _para(doc, text, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, before=Pt(12 if upper else 6),
              after=Pt(6 if not upper else 0))
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.keep_with_next = True


def _unit_note(doc: Any, text: str) -> None:
    """The unit of a table's money columns, in italics above its right edge."""
    _para(doc, text, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, after=Pt(3))


def _rule(p: Paragraph, length: Any, width: Any) -> None:
    """A short centred horizontal line of `length` under the line above (the line under the
    issuing body and under the title in NĐ 30), drawn as the bottom border of an empty
    paragraph indented to that length."""
    side = max(int((width - length) / 2), 0)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = side
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p._p.get_or_add_pPr().append(borders)


def _layout_table(doc: Any, widths: list[Any], *, borders: bool) -> Table:
    table = doc.add_table(rows=1, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if borders:
        table.style = doc.styles["Table Grid"]
    else:
        tbl_borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            e = OxmlElement(f"w:{edge}")
            e.set(qn("w:val"), "nil")
            tbl_borders.append(e)
        table._tbl.tblPr.append(tbl_borders)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    return table


def _cell(cell: _Cell, width: Any) -> _Cell:
    cell.width = width
    return cell


def _layout_cells(doc: Any, widths: list[Any]) -> tuple[Table, list[_Cell]]:
    """A borderless one-row table to place blocks side by side; its cells."""
    table = _layout_table(doc, widths, borders=False)
    return table, [_cell(c, w) for c, w in zip(table.rows[0].cells, widths, strict=True)]


def _capitals(cell: _Cell, text: str, *, all_bold: bool) -> list[str]:
    """Each line of `text` centred in capitals in `cell`, from its first paragraph on; bold
    all, or (NĐ 30's issuing body under its parent) only the last. Returns the lines."""
    lines = [line.strip().upper() for line in text.splitlines() if line.strip()]
    first = cell.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(lines):
        p = first if i == 0 else _para(cell, "", align=WD_ALIGN_PARAGRAPH.CENTER)
        _run(p, line, bold=all_bold or i == len(lines) - 1)
    return lines


def _header(doc: Any, issuer: str, number: str, date_line: str) -> None:
    # Wider than the text (centred, into both margins): the Quốc hiệu and a district Party
    # committee's name each fit on one line at 13 pt.
    widths = [Cm(7), Cm(10.6)]
    _, (left, right) = _layout_cells(doc, widths)
    center = WD_ALIGN_PARAGRAPH.CENTER
    lines = _capitals(left, issuer, all_bold=False)
    longest = max((len(line) for line in lines[-1:]), default=10)
    _rule(left.add_paragraph(), Cm(min(0.3 * longest * 0.5, 5)), widths[0] - Cm(0.38))
    _para(left, f"Số: {number}", align=center, before=Pt(6))

    p = right.paragraphs[0]
    p.alignment = center
    _run(p, QUOC_HIEU, bold=True)
    _para(right, TIEU_NGU, bold=True, underline=True, align=center)
    _para(right, date_line, italic=True, align=center, before=Pt(12))


def _grid(doc: Any, header: list[str], rows: list[list[str]], widths: list[Any], *,
          keep_with_next: bool = False) -> None:
    """A bordered table; with `keep_with_next` its last rows stay on the page of what follows
    (NĐ 30: the signature never stands alone on a page)."""
    table = _layout_table(doc, widths, borders=True)
    for cell, text, width in zip(table.rows[0].cells, header, widths, strict=True):
        _cell(cell, width)
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, text, bold=True)
    for row in rows:
        total = row[1] == "Tổng cộng"
        for i, (cell, text, width) in enumerate(zip(table.add_row().cells, row, widths,
                                                    strict=True)):
            _cell(cell, width)
            p = cell.paragraphs[0]
            p.alignment = (WD_ALIGN_PARAGRAPH.LEFT if i == 1 else WD_ALIGN_PARAGRAPH.CENTER
                           if i == 0 or not _numeric(text) else WD_ALIGN_PARAGRAPH.RIGHT)
            if text:
                _run(p, text, bold=total)
    # Repeat the header row on every page the table runs onto.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    if keep_with_next:
        for row in table.rows[-2:]:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True
    doc.add_paragraph().paragraph_format.keep_with_next = keep_with_next


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,%—-]+", text))


def _signature(doc: Any, title: str, name: str, recipients: list[str]) -> None:
    table, (left, right) = _layout_cells(doc, [Cm(8), Cm(8)])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    p = left.paragraphs[0]
    p.paragraph_format.space_before = Pt(6)
    _run(p, "Nơi nhận:", bold=True, italic=True, size=Pt(12))
    for recipient in recipients:
        text = recipient if recipient.lstrip().startswith("-") else f"- {recipient}"
        _para(left, text, size=SMALL)

    right.paragraphs[0].paragraph_format.space_before = Pt(6)
    _capitals(right, title, all_bold=True)
    for _ in range(4):  # room for the signature and the seal
        _para(right, "")
    _para(right, name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
