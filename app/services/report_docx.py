"""The summary report (services/reports.py) as a Word document in the administrative layout of
Nghị định 30/2020/NĐ-CP: header, title, the figures in the words of the published report,
tables, signature and recipients.

A pure function of the summary dict: no database, no web framework. Every figure is printed
through app.vn."""

import io
import re
from collections.abc import Iterable
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
from app.enums import (Channel, Level, Measure, ModelKind, PetitionType, RecognitionTitle, Source,
                       WorkCategory)
from app.services.report_text import (MOVEMENT, gratitude_house_cost, mass_org_works,
                                      period_phrase, place_name, report_dates, report_subject,
                                      shown_measure)
from app.vn import printable

FONT = "Times New Roman"
SIZE = Pt(13)  # NĐ 30/2020, Phụ lục I: body text 13–14 pt
SMALL = Pt(11)  # the recipients under "Nơi nhận:"
TEXT_WIDTH = Cm(16)  # A4 less the 30 mm left and 20 mm right margins
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


# -- the body of the report in the article's words ----------------------------------------

def _qty(value: float, measure: Measure | None) -> str:
    return vn.print_number(value, 3 if measure == Measure.km else 0)


def _join(parts: Iterable[str]) -> str:
    return "; ".join(p for p in parts if p)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def result_paragraphs(report: dict[str, Any]) -> list[str]:
    """The figures as the published report words them; a clause only when its figure is not
    zero, a paragraph only when one of its clauses is."""
    paragraphs = [_general(report), _infrastructure(report), _front_and_unions(report),
                  _petitions(report), _commendations(report)]
    return [p for p in paragraphs if p] or ["Trong kỳ báo cáo chưa có số liệu được ghi nhận."]


def _general(r: dict[str, Any]) -> str:
    targets, models = r["targets"], r["models"]
    parts = []
    if targets["total"]:
        done = "đạt và vượt" if targets["achieved"] == targets["total"] else "đạt"
        parts.append(f"thực hiện {done} {vn.print_number(targets['achieved'])}/"
                     f"{vn.print_number(targets['total'])} chỉ tiêu chủ yếu đề ra")
    if models["total"]:
        kinds = [f"{vn.print_number(n)} {ModelKind(k).vi.split(' (')[0].lower()}"
                 for k, n in models["by_kind"].items() if n]
        extra = [", ".join(kinds)] if len(kinds) > 1 else []
        if models["recognized"]:
            extra.append(f"{vn.print_number(models['recognized'])} được công nhận")
        detail = f" ({'; '.join(extra)})" if extra else ""
        parts.append(f"đăng ký thực hiện {vn.print_number(models['total'])} mô hình, điển hình "
                     f"trên các lĩnh vực{detail}")
    return _sentence(_join(parts))


def _infrastructure(r: dict[str, Any]) -> str:
    roads, land, cat = r["roads"], r["land_donations"], r["works"]["by_category"]
    land_text = (f"dân hiến {vn.print_area(land['area_m2'])} đất"
                 + (f", trị giá {vn.print_money(land['value_vnd'])}" if land["value_vnd"] else "")
                 if land["area_m2"] else "")
    parts = []
    if roads["km"] or roads["total_cost_vnd"]:
        text = f"thi công giao thông nông thôn {vn.print_number(roads['km'], 3)} km"
        if roads["total_cost_vnd"]:
            text += f", kinh phí đầu tư {vn.print_money(roads['total_cost_vnd'])}"
        if roads["non_state_vnd"]:
            text += (", trong đó Nhân dân và các thành phần kinh tế đóng góp "
                     f"{vn.print_money(roads['non_state_vnd'])}")
        parts.append(text + (f" ({land_text})" if land_text else ""))
    elif land_text:
        parts.append(land_text)
    if roads["concrete_km"]:
        text = f"làm đường bê tông xi măng: {vn.print_number(roads['concrete_km'], 3)} km"
        if roads["concrete_cost_vnd"]:
            text += f", kinh phí {vn.print_money(roads['concrete_cost_vnd'])}"
        if roads["concrete_non_state_vnd"]:
            text += f" (Nhân dân góp {vn.print_money(roads['concrete_non_state_vnd'])})"
        parts.append(text)
    if cat["canal"]["quantity"]:
        parts.append(f"nạo vét {vn.print_number(cat['canal']['quantity'], 3)} km kênh thủy lợi nội đồng")
    if r["contributions"]["labor_days"]:
        parts.append(f"dân góp {vn.print_number(r['contributions']['labor_days'], 1)} ngày công lao "
                     "động làm các công trình giao thông nông thôn, thủy lợi, công trình phúc "
                     "lợi công cộng tại địa bàn dân cư")
    for title, names in r["recognitions"]["by_title"].items():
        parts.append(_recognition(title, names))
    return _sentence(_join(parts))


def _recognition(title: str, names: list[str]) -> str:
    listed = f" ({', '.join(names)})"
    if title == RecognitionTitle.new_rural_commune:
        return f"thêm {vn.print_number(len(names))} xã được công nhận đạt chuẩn xã nông thôn mới{listed}"
    label = RecognitionTitle(title).vi if title in RecognitionTitle.__members__ else title
    return f"{vn.print_number(len(names))} đơn vị được công nhận “{label}”{listed}"


def _front_and_unions(r: dict[str, Any]) -> str:
    cat = r["works"]["by_category"]
    count, cost = mass_org_works(r)
    first = []
    if count:
        first.append(f"Mặt trận và các đoàn thể chính trị – xã hội thực hiện {vn.print_number(count)} "
                     f"công trình, phần việc, tổng trị giá {vn.print_money(cost)}")
    new, repair = cat["gratitude_house_new"], cat["gratitude_house_repair"]
    houses = [f"{verb} {vn.print_number(c['quantity'], 0)} căn"
              for verb, c in (("xây dựng", new), ("sửa", repair)) if c["quantity"]]
    if houses:
        spent = gratitude_house_cost(r)
        first.append(", ".join(houses) + " nhà tình nghĩa"
                     + (f", với kinh phí {vn.print_money(spent)}" if spent else ""))
    if cat["health_insurance"]["quantity"]:
        first.append("cấp thẻ bảo hiểm y tế cho "
                     f"{vn.print_number(cat['health_insurance']['quantity'], 0)} lượt người")
    second = []
    if cat["poor_fund"]["total_cost_vnd"]:
        second.append(f"góp Quỹ Vì người nghèo {vn.print_money(cat['poor_fund']['total_cost_vnd'])}")
    charity = cat["charity_house"]
    if charity["quantity"]:
        second.append(f"xây mới {vn.print_number(charity['quantity'], 0)} căn nhà tình thương"
                      + (f" với kinh phí {vn.print_money(charity['total_cost_vnd'])}"
                         if charity["total_cost_vnd"] else "") + _charity_helped(charity))
    support = cat["social_support"]
    if support["total_cost_vnd"]:
        second.append(f"vận động {vn.print_money(support['total_cost_vnd'])} giúp cho "
                      f"{vn.print_number(support['quantity'], 0)} lượt người thuộc đối tượng xã hội "
                      "khó khăn" if support["quantity"] else
                      f"vận động {vn.print_money(support['total_cost_vnd'])} hỗ trợ an sinh xã hội")
    return " ".join(s for s in (_sentence(_join(first)), _sentence(_join(second))) if s)


def _charity_helped(charity: dict[str, Any]) -> str:
    """Figure D17: of the charity houses, those that agencies, businesses and organisations
    built with funds they mobilised. (A summary frozen before the figure existed has none.)"""
    helped = charity.get("non_government") or {}
    if not helped.get("quantity"):
        return ""
    return (", trong đó các cơ quan, doanh nghiệp, tổ chức vận động hỗ trợ xây "
            f"{vn.print_number(helped['quantity'], 0)} căn"
            + (f", tổng trị giá {vn.print_money(helped['total_cost_vnd'])}"
               if helped.get("total_cost_vnd") else ""))


def _petitions(r: dict[str, Any]) -> str:
    p = r["petitions"]
    if not (p["in_competence"] or p["received"]):
        return ""
    if not p["in_competence"]:
        text = (f"tiếp nhận {vn.print_number(p['received'])} đơn, không có đơn thuộc thẩm quyền "
                "giải quyết")
    else:
        text = (f"tiếp nhận và giải quyết {vn.print_number(p['resolved'])}/"
                f"{vn.print_number(p['in_competence'])} đơn, đạt {vn.print_percent(p['resolution_rate'])}")
        if p["overdue"]:
            text += f"; còn {vn.print_number(p['overdue'])} đơn quá hạn chưa giải quyết xong"
    # Figure D20. The summary counts the petitions received at dialogues, not the dialogues
    # themselves, so the sentence says that they were held and what they brought in.
    dialogues = (p.get("by_channel") or {}).get(Channel.dialogue.value, 0)
    if dialogues:
        text += ("; tổ chức đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân, "
                 f"qua đó tiếp nhận {vn.print_number(dialogues)} đơn")
    return _sentence(text)


def _commendations(r: dict[str, Any]) -> str:
    c = r["commendations"]
    if not c["total"]:
        return ""
    levels = [f"{Level(k).vi.lower()} {vn.print_number(n)}" for k, n in c["by_level"].items() if n]
    return _sentence(f"biểu dương, khen thưởng {vn.print_number(c['total'])} lượt tập thể, cá nhân "
                     f"có thành tích trong {MOVEMENT}"
                     + (f" ({', '.join(levels)})" if levels else ""))


# -- the tables, as rows of text --------------------------------------------------------------

def works_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for i, category in enumerate(WorkCategory, 1):
        c = report["works"]["by_category"][category.value]
        measure = shown_measure(category, c)
        rows.append([str(i), category.vi, vn.print_number(c["count"]),
                     _qty(c["quantity"], measure) if measure else "",
                     measure.vi if measure else "",
                     vn.print_number(c["total_cost_vnd"] / vn.TRIEU, 1),
                     vn.print_number(c["non_state_vnd"] / vn.TRIEU, 1)])
    w = report["works"]
    rows.append(["", "Tổng cộng", vn.print_number(w["total"]), "", "",
                 vn.print_number(w["total_cost_vnd"] / vn.TRIEU, 1),
                 vn.print_number(sum(c["non_state_vnd"] for c in w["by_category"].values())
                            / vn.TRIEU, 1)])
    return rows


def petition_rows(report: dict[str, Any]) -> list[list[str]]:
    p = report["petitions"]
    rows = [["1", "Tiếp nhận trong kỳ", vn.print_number(p["received"])]]
    rows += [["", f"- {t.vi}", vn.print_number(p["by_type"].get(t.value, 0))] for t in PetitionType]
    rows += [["2", "Kỳ trước chuyển sang", vn.print_number(p["carried_over"])],
             ["3", "Thuộc thẩm quyền giải quyết", vn.print_number(p["in_competence"])],
             ["4", "Đã giải quyết", vn.print_number(p["resolved"])],
             ["5", "Quá hạn, chưa giải quyết xong", vn.print_number(p["overdue"])],
             ["6", "Tỷ lệ giải quyết", vn.print_percent(p["resolution_rate"])]]
    return rows


def contribution_rows(report: dict[str, Any]) -> list[list[str]]:
    c = report["contributions"]
    total = c["total_vnd"]
    rows = [[str(i), s.vi, vn.print_number(c["by_source"].get(s.value, 0) / vn.TRIEU, 1),
             vn.print_percent(c["by_source"].get(s.value, 0) / total if total else None)]
            for i, s in enumerate(Source, 1)]
    rows.append(["", "Tổng cộng", vn.print_number(total / vn.TRIEU, 1),
                 vn.print_percent(1 if total else None)])
    return rows


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
