"""A record type's blank paper form as a Word document: the same sheet as the printable page
(app/ui/paper.py, which hands over its fields), for an office that would rather edit or print
it from Word. The page decides what the sheet holds; this only lays it out, with the reports'
own Word helpers (app/services/reports/docx_layout.py: Times New Roman, Vietnamese runs)."""

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.shared import Cm, Mm, Pt

from app.services.reports.docx_layout import FONT, layout_cells, layout_table, para, run

SIZE, SMALL = Pt(12), Pt(10)
DOTS = "…" * 40
DATE = "____/____/________"
BOX = "☐"


def _setup(doc: Any, wide: bool) -> Any:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if wide else (Mm(210), Mm(297))
    section.top_margin = section.bottom_margin = Mm(12)
    section.left_margin, section.right_margin = Mm(15), Mm(12)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, SIZE
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    return section.page_width - section.left_margin - section.right_margin


def _line(p: Any, to: Any, after: str = "") -> None:
    """A dotted line from where `p` has got to, up to `to` (a tab with a dotted leader: it
    ends at the margin whatever the label's length), then `after` ('đồng')."""
    p.paragraph_format.tab_stops.add_tab_stop(to, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    run(p, "\t" + after, size=SIZE)


def _box(f: Any, cell: bool = False) -> str:
    """What the sheet prints for a field to be filled, by its kind (as the page draws it);
    '' where a dotted line is drawn instead."""
    if f.kind == "unit" and f.given:
        return f.given
    if f.options:
        return ("\n" if cell else "   ").join(f"{BOX} {o}" for o in f.options)
    if f.kind == "bool":
        return f"{BOX} Có"
    if f.kind == "date":
        return DATE
    if f.kind == "money" and cell:
        return "đồng"
    return ""


def _fields(doc: Any, fields: list[Any], secret_note: str, width: Any) -> None:
    told = False
    for i, f in enumerate(fields, 1):
        if f.secret and not told:
            told = True
            para(doc, secret_note, bold=True, size=SMALL, before=Pt(3), after=Pt(3))
        p = para(doc, "", before=Pt(4))
        run(p, f"{i}. ", size=SIZE)
        run(p, f.label, bold=True, size=SIZE)
        run(p, (" *" if f.required else "") + ": " + _box(f), size=SIZE)
        if not _box(f):
            short = f.kind in ("integer", "decimal", "quantity", "money")
            _line(p, int(width * 0.6) if short else width, " đồng" if f.kind == "money" else "")
        for _ in range(f.lines - 1):
            _line(para(doc, "", before=Pt(8)), width)
        if f.hint:
            para(doc, f"({f.hint})", italic=True, size=SMALL)


def _table(doc: Any, fields: list[Any], rows: int, width: Any) -> None:
    stt = Cm(1)
    table = layout_table(doc, [stt] + [int((width - stt) / len(fields))] * len(fields), borders=True)
    head = table.rows[0].cells
    run(head[0].paragraphs[0], "STT", bold=True, size=SMALL)
    for c, f in zip(head[1:], fields, strict=True):
        run(c.paragraphs[0], f.label + (" *" if f.required else ""), bold=True, size=SMALL)
    for n in range(1, rows + 1):
        cells = table.add_row().cells
        run(cells[0].paragraphs[0], str(n), size=SMALL)
        for c, f in zip(cells[1:], fields, strict=True):
            run(c.paragraphs[0], _box(f, cell=True), size=Pt(9))


def paper_docx(*, title: str, one: str, mark: str, unit: str, where: str, period: str,
               fields: list[Any], rows: int, secret_note: str) -> bytes:
    """The blank form: `fields` (app/ui/paper.py SheetField) one under another, or a table of
    `rows` lines across a landscape sheet."""
    doc = Document()
    width = _setup(doc, wide=bool(rows))
    _, (left, right) = layout_cells(doc, [int(width / 2), int(width / 2)])
    for cell, lines in ((left, [(unit.upper() or "ĐƠN VỊ: " + DOTS[:20], True), (where, False)]),
                        (right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
                                 ("Độc lập – Tự do – Hạnh phúc", True)])):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, (text, bold) in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else para(cell, "", align=WD_ALIGN_PARAGRAPH.CENTER)
            run(p, text, bold=bold, size=SIZE if bold else SMALL)
    para(doc, f"Mẫu {mark}", bold=True, size=SMALL, align=WD_ALIGN_PARAGRAPH.RIGHT, before=Pt(4))
    para(doc, f"PHIẾU GHI: {title.upper()}", bold=True, size=Pt(14),
         align=WD_ALIGN_PARAGRAPH.CENTER, before=Pt(4), after=Pt(4))
    p = para(doc, "Đơn vị: ")
    run(p, unit + (f" ({where})" if where else "") if unit else DOTS[:20], bold=True, size=SIZE)
    run(p, "      Kỳ: ", size=SIZE)
    run(p, period or f"từ ngày {DATE} đến ngày {DATE}", bold=bool(period), size=SIZE)
    para(doc, "Ghi rõ, đúng thứ tự các ô. Ô có dấu * phải ghi. Chọn bằng cách đánh dấu ✗ vào ô "
         "vuông. Ngày ghi theo ngày/tháng/năm; số tiền ghi bằng đồng."
         + (f" Mỗi dòng là một {one}." if rows else ""), italic=True, size=SMALL, after=Pt(4))
    if rows:
        _table(doc, fields, rows, width)
    else:
        _fields(doc, fields, secret_note, width)
    para(doc, "", after=Pt(6))
    _, (entered, sign) = layout_cells(doc, [int(width / 2), int(width / 2)])
    entered.paragraphs[0].text = ""
    run(entered.paragraphs[0], "Phần cán bộ xã ghi khi nhập vào máy", bold=True, size=SMALL)
    for text in (f"Đã nhập ngày {DATE}", "Số hồ sơ trên máy: __________", "Người nhập: " + DOTS[:20]):
        para(entered, text, size=SMALL, before=Pt(4))
    sign.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(sign.paragraphs[0], "……………, ngày ……… tháng ……… năm …………", size=SIZE)
    for text, bold, italic, before in (("TRƯỞNG THÔN", True, False, Pt(0)),
                                       ("(Ký, ghi rõ họ tên)", False, True, Pt(0)),
                                       ("Họ và tên: " + DOTS[:20], False, False, Pt(40))):
        para(sign, text, bold=bold, italic=italic, align=WD_ALIGN_PARAGRAPH.CENTER, before=before)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
