"""The summary report (services/reports.py) as files: a Word document in the administrative
layout of Nghị định 30/2020/NĐ-CP, and an Excel workbook of the figures and the records.

Pure functions of the summary dict: no database, no web framework. Every figure is printed
through app.formatting; in Excel numbers are stored as numbers and only their display format
is set, so that Excel shows them with the reader's own separators."""

import io
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
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
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app import formatting as fmt
from app.enums import (Labelled, Level, Measure, ModelKind, OrgType, PetitionType,
                       RecognitionTitle, Source, UnitKind, WorkCategory)
from app.services.works import MEASURES

FONT = "Times New Roman"
SIZE = Pt(13)  # NĐ 30/2020, Phụ lục I: body text 13–14 pt
SMALL = Pt(11)  # the recipients under "Nơi nhận:"
TEXT_WIDTH = Cm(16)  # A4 less the 30 mm left and 20 mm right margins
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
MOVEMENT = "phong trào thi đua “Dân vận khéo”"
# The Front and the mass organisations (figure D12): works of agencies of the state, of the
# Party committees and of nobody in particular are not theirs.
MASS_ORGS = tuple(o for o in OrgType if o not in (OrgType.party_committee, OrgType.government,
                                                  OrgType.other))


# -- words shared by both files ------------------------------------------------------------

def period_phrase(date_from: date, date_to: date) -> str:
    """'năm 2020', 'giai đoạn 2016 – 2020' for whole years; otherwise the two dates."""
    if (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31):
        if date_from.year == date_to.year:
            return f"năm {date_from.year}"
        return f"giai đoạn {date_from.year} – {date_to.year}"
    return f"từ ngày {fmt.vndate(date_from)} đến ngày {fmt.vndate(date_to)}"


def report_subject(date_from: date, date_to: date) -> str:
    """A report over whole years sums up (tổng kết); over part of a year it gives results."""
    whole = (date_from.month, date_from.day, date_to.month, date_to.day) == (1, 1, 12, 31)
    return "Tổng kết" if whole else "Kết quả thực hiện"


def place_name(unit: dict[str, Any]) -> str:
    """'huyện Hàm Thuận Bắc' when the unit's kind is known (a level alone cannot tell a huyện
    from a thị xã, nor a xã from a thị trấn), else the bare name."""
    kind = unit.get("kind")
    if kind in UnitKind.__members__:
        return f"{UnitKind(kind).vi.lower()} {unit['name']}"
    return unit["name"]


def _dates(report: dict[str, Any]) -> tuple[date, date]:
    return date.fromisoformat(report["date_from"]), date.fromisoformat(report["date_to"])


def _mass_org_works(report: dict[str, Any]) -> tuple[int, int]:
    by_org = report["works"]["by_org_type"]
    return (sum(by_org.get(o.value, {}).get("count", 0) for o in MASS_ORGS),
            sum(by_org.get(o.value, {}).get("total_cost_vnd", 0) for o in MASS_ORGS))


def measure_of(category: WorkCategory) -> Measure | None:
    """The measure a category's quantity is summed in (none for 'other': it mixes them)."""
    return None if category == WorkCategory.other else MEASURES[category][0]


def _qty(value: float, measure: Measure | None) -> str:
    return fmt.number(value, 3 if measure == Measure.km else 0)


def _join(parts: Iterable[str]) -> str:
    return "; ".join(p for p in parts if p)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


# -- the body of the report in the article's words ----------------------------------------

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
        parts.append(f"thực hiện {done} {fmt.number(targets['achieved'])}/"
                     f"{fmt.number(targets['total'])} chỉ tiêu chủ yếu đề ra")
    if models["total"]:
        kinds = [f"{fmt.number(n)} {ModelKind(k).vi.split(' (')[0].lower()}"
                 for k, n in models["by_kind"].items() if n]
        extra = [", ".join(kinds)] if len(kinds) > 1 else []
        if models["recognized"]:
            extra.append(f"{fmt.number(models['recognized'])} được công nhận")
        detail = f" ({'; '.join(extra)})" if extra else ""
        parts.append(f"đăng ký thực hiện {fmt.number(models['total'])} mô hình, điển hình "
                     f"trên các lĩnh vực{detail}")
    return _sentence(_join(parts))


def _infrastructure(r: dict[str, Any]) -> str:
    roads, land, cat = r["roads"], r["land_donations"], r["works"]["by_category"]
    land_text = (f"dân hiến {fmt.area(land['area_m2'])} đất"
                 + (f", trị giá {fmt.money(land['value_vnd'])}" if land["value_vnd"] else "")
                 if land["area_m2"] else "")
    parts = []
    if roads["km"] or roads["total_cost_vnd"]:
        text = f"thi công giao thông nông thôn {fmt.number(roads['km'], 3)} km"
        if roads["total_cost_vnd"]:
            text += f", kinh phí đầu tư {fmt.money(roads['total_cost_vnd'])}"
        if roads["non_state_vnd"]:
            text += (", trong đó Nhân dân và các thành phần kinh tế đóng góp "
                     f"{fmt.money(roads['non_state_vnd'])}")
        parts.append(text + (f" ({land_text})" if land_text else ""))
    elif land_text:
        parts.append(land_text)
    if roads["concrete_km"]:
        text = f"làm đường bê tông xi măng: {fmt.number(roads['concrete_km'], 3)} km"
        if roads["concrete_cost_vnd"]:
            text += f", kinh phí {fmt.money(roads['concrete_cost_vnd'])}"
        if roads["concrete_non_state_vnd"]:
            text += f" (Nhân dân góp {fmt.money(roads['concrete_non_state_vnd'])})"
        parts.append(text)
    if cat["canal"]["quantity"]:
        parts.append(f"nạo vét {fmt.number(cat['canal']['quantity'], 3)} km kênh thủy lợi nội đồng")
    if r["contributions"]["labor_days"]:
        parts.append(f"dân góp {fmt.number(r['contributions']['labor_days'], 1)} ngày công lao "
                     "động làm các công trình giao thông nông thôn, thủy lợi, công trình phúc "
                     "lợi công cộng tại địa bàn dân cư")
    for title, names in r["recognitions"]["by_title"].items():
        parts.append(_recognition(title, names))
    return _sentence(_join(parts))


def _recognition(title: str, names: list[str]) -> str:
    listed = f" ({', '.join(names)})"
    if title == RecognitionTitle.new_rural_commune:
        return f"thêm {fmt.number(len(names))} xã được công nhận đạt chuẩn xã nông thôn mới{listed}"
    label = RecognitionTitle(title).vi if title in RecognitionTitle.__members__ else title
    return f"{fmt.number(len(names))} đơn vị được công nhận “{label}”{listed}"


def _front_and_unions(r: dict[str, Any]) -> str:
    cat = r["works"]["by_category"]
    count, cost = _mass_org_works(r)
    first = []
    if count:
        first.append(f"Mặt trận và các đoàn thể chính trị – xã hội thực hiện {fmt.number(count)} "
                     f"công trình, phần việc, tổng trị giá {fmt.money(cost)}")
    new, repair = cat["gratitude_house_new"], cat["gratitude_house_repair"]
    houses = [f"{verb} {fmt.number(c['quantity'], 0)} căn"
              for verb, c in (("xây dựng", new), ("sửa", repair)) if c["quantity"]]
    if houses:
        spent = new["total_cost_vnd"] + repair["total_cost_vnd"]
        first.append(", ".join(houses) + " nhà tình nghĩa"
                     + (f", với kinh phí {fmt.money(spent)}" if spent else ""))
    if cat["health_insurance"]["quantity"]:
        first.append("cấp thẻ bảo hiểm y tế cho "
                     f"{fmt.number(cat['health_insurance']['quantity'], 0)} lượt người")
    second = []
    if cat["poor_fund"]["total_cost_vnd"]:
        second.append(f"góp Quỹ Vì người nghèo {fmt.money(cat['poor_fund']['total_cost_vnd'])}")
    charity = cat["charity_house"]
    if charity["quantity"]:
        second.append(f"xây mới {fmt.number(charity['quantity'], 0)} căn nhà tình thương"
                      + (f" với kinh phí {fmt.money(charity['total_cost_vnd'])}"
                         if charity["total_cost_vnd"] else ""))
    support = cat["social_support"]
    if support["total_cost_vnd"]:
        second.append(f"vận động {fmt.money(support['total_cost_vnd'])} giúp cho "
                      f"{fmt.number(support['quantity'], 0)} lượt người thuộc đối tượng xã hội "
                      "khó khăn" if support["quantity"] else
                      f"vận động {fmt.money(support['total_cost_vnd'])} hỗ trợ an sinh xã hội")
    return " ".join(s for s in (_sentence(_join(first)), _sentence(_join(second))) if s)


def _petitions(r: dict[str, Any]) -> str:
    p = r["petitions"]
    if not (p["in_competence"] or p["received"]):
        return ""
    if not p["in_competence"]:
        return _sentence(f"tiếp nhận {fmt.number(p['received'])} đơn, không có đơn thuộc "
                         "thẩm quyền giải quyết")
    text = (f"tiếp nhận và giải quyết {fmt.number(p['resolved'])}/"
            f"{fmt.number(p['in_competence'])} đơn, đạt {fmt.percent(p['resolution_rate'])}")
    if p["overdue"]:
        text += f"; còn {fmt.number(p['overdue'])} đơn quá hạn chưa giải quyết xong"
    return _sentence(text)


def _commendations(r: dict[str, Any]) -> str:
    c = r["commendations"]
    if not c["total"]:
        return ""
    levels = [f"{Level(k).vi.lower()} {fmt.number(n)}" for k, n in c["by_level"].items() if n]
    return _sentence(f"biểu dương, khen thưởng {fmt.number(c['total'])} lượt tập thể, cá nhân "
                     f"có thành tích trong {MOVEMENT}"
                     + (f" ({', '.join(levels)})" if levels else ""))


# -- the tables, as rows of text --------------------------------------------------------------

def works_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for i, category in enumerate(WorkCategory, 1):
        c = report["works"]["by_category"][category.value]
        measure = measure_of(category)
        has_qty = bool(c["quantity"]) and measure is not None
        rows.append([str(i), category.vi, fmt.number(c["count"]),
                     _qty(c["quantity"], measure) if has_qty else "",
                     measure.vi if has_qty else "",
                     fmt.number(c["total_cost_vnd"] / fmt.TRIEU, 1),
                     fmt.number(c["non_state_vnd"] / fmt.TRIEU, 1)])
    w = report["works"]
    rows.append(["", "Tổng cộng", fmt.number(w["total"]), "", "",
                 fmt.number(w["total_cost_vnd"] / fmt.TRIEU, 1),
                 fmt.number(sum(c["non_state_vnd"] for c in w["by_category"].values())
                            / fmt.TRIEU, 1)])
    return rows


def petition_rows(report: dict[str, Any]) -> list[list[str]]:
    p = report["petitions"]
    rows = [["1", "Tiếp nhận trong kỳ", fmt.number(p["received"])]]
    rows += [["", f"- {t.vi}", fmt.number(p["by_type"].get(t.value, 0))] for t in PetitionType]
    rows += [["2", "Kỳ trước chuyển sang", fmt.number(p["carried_over"])],
             ["3", "Thuộc thẩm quyền giải quyết", fmt.number(p["in_competence"])],
             ["4", "Đã giải quyết", fmt.number(p["resolved"])],
             ["5", "Quá hạn, chưa giải quyết xong", fmt.number(p["overdue"])],
             ["6", "Tỷ lệ giải quyết", fmt.percent(p["resolution_rate"])]]
    return rows


def contribution_rows(report: dict[str, Any]) -> list[list[str]]:
    c = report["contributions"]
    total = c["total_vnd"]
    rows = [[str(i), s.vi, fmt.number(c["by_source"].get(s.value, 0) / fmt.TRIEU, 1),
             fmt.percent(c["by_source"].get(s.value, 0) / total if total else None)]
            for i, s in enumerate(Source, 1)]
    rows.append(["", "Tổng cộng", fmt.number(total / fmt.TRIEU, 1),
                 fmt.percent(1 if total else None)])
    return rows


# -- Word ------------------------------------------------------------------------------------

def build_docx(report: dict[str, Any], *, issuer: str, number: str, place: str, issued_on: date,
               signer_title: str, signer_name: str, recipients: list[str]) -> bytes:
    """The report as a .docx: A4, Times New Roman 13 pt, header, title, body, tables,
    signature and recipients as Nghị định 30/2020/NĐ-CP lays out an administrative text.

    `issuer` is the issuing body, one line per level ("HUYỆN ỦY HÀM THUẬN BẮC\\nBAN DÂN VẬN");
    `signer_title` may hold two lines too ("KT. TRƯỞNG BAN\\nPHÓ TRƯỞNG BAN")."""
    doc = Document()
    _page_setup(doc)
    date_from, date_to = _dates(report)
    period = period_phrase(date_from, date_to)

    _header(doc, issuer, number, f"{place}, {fmt.long_date(issued_on)}")
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

    _signature(doc, signer_title, signer_name, recipients)
    doc.core_properties.title = (f"Báo cáo {report_subject(date_from, date_to).lower()} "
                                 f"{MOVEMENT} {period}")
    doc.core_properties.author = " ".join(issuer.split())
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
    run = p.add_run(text)
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


def _header(doc: Any, issuer: str, number: str, date_line: str) -> None:
    # Wider than the text (centred, into both margins): the Quốc hiệu and a district Party
    # committee's name each fit on one line at 13 pt.
    widths = [Cm(7), Cm(10.6)]
    left, right = (_cell(c, w) for c, w in zip(_layout_table(doc, widths, borders=False)
                                                .rows[0].cells, widths, strict=True))
    lines = [line.strip().upper() for line in issuer.splitlines() if line.strip()]
    center = WD_ALIGN_PARAGRAPH.CENTER
    first = left.paragraphs[0]
    first.alignment = center
    # NĐ 30: the parent body in capitals, the issuing body in bold capitals under it.
    for i, line in enumerate(lines):
        p = first if i == 0 else _para(left, "", align=center)
        _run(p, line, bold=i == len(lines) - 1)
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
    widths = [Cm(8), Cm(8)]
    table = _layout_table(doc, widths, borders=False)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = (_cell(c, w) for c, w in zip(table.rows[0].cells, widths, strict=True))
    p = left.paragraphs[0]
    p.paragraph_format.space_before = Pt(6)
    _run(p, "Nơi nhận:", bold=True, italic=True, size=Pt(12))
    for recipient in recipients:
        text = recipient if recipient.lstrip().startswith("-") else f"- {recipient}"
        _para(left, text, size=SMALL)

    p = right.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(6)
    for i, line in enumerate(line for line in title.splitlines() if line.strip()):
        target = p if i == 0 else _para(right, "", align=WD_ALIGN_PARAGRAPH.CENTER)
        _run(target, line.strip().upper(), bold=True)
    for _ in range(4):  # room for the signature and the seal
        _para(right, "")
    _para(right, name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)


# -- Excel -----------------------------------------------------------------------------------

INT, DEC, PCT, DAY = "#,##0", "#,##0.00", "0.00%", "dd/mm/yyyy"
VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving, so a fixed offset will do
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
# Columns that hold codes or years, not amounts: no thousands separator (2.020 is not a year).
PLAIN = re.compile(r"\b(mã|năm|id|stt|tt|số hiệu|điện thoại)\b", re.IGNORECASE)


def headline_rows(report: dict[str, Any]) -> list[tuple[str, Any, str, str | None, str]]:
    """(label, value, unit, number format, note) of the first sheet; a row with no value and
    no format is a group heading."""
    r, cat = report, report["works"]["by_category"]
    date_from, date_to = _dates(report)
    p, roads, land, c = r["petitions"], r["roads"], r["land_donations"], r["contributions"]
    mass_count, mass_cost = _mass_org_works(r)
    new_rural = r["recognitions"]["by_title"].get(RecognitionTitle.new_rural_commune.value, [])
    gratitude = (cat["gratitude_house_new"]["total_cost_vnd"]
                 + cat["gratitude_house_repair"]["total_cost_vnd"])
    return [
        ("Đơn vị báo cáo", r["unit"]["name"], "", None, ""),
        ("Từ ngày", date_from, "", DAY, ""),
        ("Đến ngày", date_to, "", DAY, ""),
        ("Chỉ tiêu, mô hình", None, "", None, ""),
        ("Chỉ tiêu chủ yếu đề ra", r["targets"]["total"], "chỉ tiêu", INT, ""),
        ("Chỉ tiêu đạt và vượt", r["targets"]["achieved"], "chỉ tiêu", INT, ""),
        ("Mô hình, điển hình", r["models"]["total"], "mô hình", INT, ""),
        *((f"  {ModelKind(k).vi}", n, "mô hình", INT, "")
          for k, n in r["models"]["by_kind"].items()),
        ("Mô hình, điển hình được công nhận", r["models"]["recognized"], "mô hình", INT, ""),
        ("Giao thông, thủy lợi", None, "", None, ""),
        ("Đường giao thông nông thôn", roads["km"], "km", DEC, ""),
        ("Kinh phí đường giao thông nông thôn", roads["total_cost_vnd"], "đồng", INT, ""),
        ("  Trong đó Nhân dân và các thành phần kinh tế", roads["non_state_vnd"], "đồng", INT,
         "kể cả giá trị đất hiến"),
        ("Đường bê tông xi măng", roads["concrete_km"], "km", DEC, ""),
        ("Kinh phí đường bê tông xi măng", roads["concrete_cost_vnd"], "đồng", INT, ""),
        ("  Trong đó Nhân dân góp", roads["concrete_non_state_vnd"], "đồng", INT, ""),
        ("Kênh thủy lợi nội đồng nạo vét", cat["canal"]["quantity"], "km", DEC, ""),
        ("Đất hiến", land["area_m2"], "m²", INT, f"{fmt.number(land['households'])} hộ"),
        ("Giá trị đất hiến", land["value_vnd"], "đồng", INT, ""),
        ("Ngày công lao động", c["labor_days"], "ngày công", INT, ""),
        ("Xã đạt chuẩn nông thôn mới", len(new_rural), "xã", INT, ", ".join(new_rural)),
        ("Mặt trận, đoàn thể và an sinh", None, "", None, ""),
        ("Công trình, phần việc của Mặt trận và các đoàn thể", mass_count, "công trình", INT, ""),
        ("Trị giá công trình, phần việc của Mặt trận và các đoàn thể", mass_cost, "đồng", INT, ""),
        ("Nhà tình nghĩa xây mới", cat["gratitude_house_new"]["quantity"], "căn", INT, ""),
        ("Nhà tình nghĩa sửa chữa", cat["gratitude_house_repair"]["quantity"], "căn", INT, ""),
        ("Kinh phí nhà tình nghĩa", gratitude, "đồng", INT, ""),
        ("Thẻ bảo hiểm y tế", cat["health_insurance"]["quantity"], "thẻ", INT, ""),
        ("Quỹ Vì người nghèo", cat["poor_fund"]["total_cost_vnd"], "đồng", INT, ""),
        ("Nhà tình thương xây mới", cat["charity_house"]["quantity"], "căn", INT, ""),
        ("Kinh phí nhà tình thương", cat["charity_house"]["total_cost_vnd"], "đồng", INT, ""),
        ("An sinh xã hội: kinh phí vận động", cat["social_support"]["total_cost_vnd"], "đồng",
         INT, ""),
        ("An sinh xã hội: người được giúp", cat["social_support"]["quantity"], "lượt người",
         INT, ""),
        ("Đơn thư", None, "", None, ""),
        ("Đơn tiếp nhận trong kỳ", p["received"], "đơn", INT, ""),
        ("Đơn kỳ trước chuyển sang", p["carried_over"], "đơn", INT, ""),
        ("Đơn thuộc thẩm quyền", p["in_competence"], "đơn", INT, ""),
        ("Đơn đã giải quyết", p["resolved"], "đơn", INT, ""),
        ("Đơn quá hạn", p["overdue"], "đơn", INT, ""),
        ("Tỷ lệ giải quyết", p["resolution_rate"], "", PCT,
         "" if p["resolution_rate"] is not None else "không có đơn thuộc thẩm quyền"),
        ("Nguồn lực huy động", None, "", None, ""),
        ("Tổng đóng góp", c["total_vnd"], "đồng", INT, ""),
        *((f"  {s.vi}", c["by_source"].get(s.value, 0), "đồng", INT, "") for s in Source),
        ("Khen thưởng", r["commendations"]["total"], "lượt", INT, ""),
    ]


def build_xlsx(report: dict[str, Any],
               sheets: dict[str, tuple[list[str], list[list[Any]]]]) -> bytes:
    """The figures on a first sheet "Tổng hợp", then one sheet per entry of `sheets`
    (title → (header, rows)): numbers as numbers, dates as dates, a frozen bold header."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    _header_row(ws, ["Chỉ tiêu", "Giá trị", "Đơn vị tính", "Ghi chú"])
    for label, value, unit, number_format, note in headline_rows(report):
        ws.append([label, _xl(value), unit, note])
        if number_format is None and value is None:
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        elif number_format:
            ws.cell(ws.max_row, 2).number_format = number_format
    _works_block(ws, report)
    _widths(ws, {1: 58, 2: 20, 3: 14, 4: 40})

    used: set[str] = {ws.title}
    for title, (header, rows) in sheets.items():
        sheet = wb.create_sheet(_sheet_title(title, used))
        _header_row(sheet, header)
        for row in rows:
            sheet.append([_xl(v) for v in row])
        _formats(sheet, header)
        if rows:
            sheet.auto_filter.ref = sheet.dimensions
        _widths(sheet, _fitted(sheet))
    wb.properties.title = f"Tổng hợp {MOVEMENT} — {report['unit']['name']}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _works_block(ws: Worksheet, report: dict[str, Any]) -> None:
    """Works by category under the headline figures, in đồng (not triệu: the cells compute)."""
    ws.append([])
    ws.append(["Công trình, phần việc theo loại", "Số công trình", "Khối lượng", "Đơn vị tính",
               "Kinh phí (đồng)", "Trong đó ngoài ngân sách (đồng)"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for category in WorkCategory:
        c = report["works"]["by_category"][category.value]
        measure = measure_of(category) if c["quantity"] else None
        ws.append([category.vi, c["count"], _xl(c["quantity"]) if measure else None,
                   measure.vi if measure else "", c["total_cost_vnd"], c["non_state_vnd"]])
        row = ws.max_row
        for col, number_format in ((2, INT), (3, DEC if measure == Measure.km else INT),
                                   (5, INT), (6, INT)):
            ws.cell(row, col).number_format = number_format
    for col in (5, 6):
        ws.column_dimensions[get_column_letter(col)].width = 20


def _header_row(ws: Worksheet, header: list[str]) -> None:
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "A2"


def _xl(value: Any) -> Any:
    """A value as an Excel cell takes it: labels for codes, whole floats as ints, naive times."""
    if isinstance(value, Labelled):
        return value.vi
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(VIETNAM).replace(tzinfo=None)  # Excel has no time zones
    return value


def _formats(ws: Worksheet, header: list[str]) -> None:
    for column, title in enumerate(header, 1):
        plain = bool(PLAIN.search(str(title)))
        for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = DAY
            elif isinstance(cell.value, int) and not plain:
                cell.number_format = INT
            elif isinstance(cell.value, float):
                cell.number_format = DEC


def _fitted(ws: Worksheet) -> dict[int, float]:
    widths: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            if isinstance(cell.value, (date, datetime)):
                length = 16 if isinstance(cell.value, datetime) else 11
            elif isinstance(cell.value, (int, float)):
                length = len(f"{cell.value:,.2f}")
            else:
                length = max(len(line) for line in str(cell.value).splitlines() or [""])
            widths[cell.column] = max(widths.get(cell.column, 8), min(length + 2, 60))
    return widths


def _widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = width


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ , unique ignoring case."""
    base = BAD_TITLE.sub("-", title).strip("'") or "Sheet"
    base, candidate, n = base[:31], base[:31], 2
    while candidate.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        candidate, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate
