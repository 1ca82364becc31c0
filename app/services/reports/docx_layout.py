"""The building blocks of the Word documents (docx.py, docx_header.py): runs that name their
font, paragraphs, the short rules of NĐ 30/2020 and borderless tables that place blocks side
by side. No wording and no figures here."""

from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from app.vn import printable

FONT = "Times New Roman"
SIZE = Pt(13)  # NĐ 30/2020, Phụ lục I: body text 13–14 pt
SMALL = Pt(11)  # the recipients under "Nơi nhận:"
TEXT_WIDTH = Cm(16)  # A4 less the 30 mm left and 20 mm right margins


def run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
         underline: bool = False, size: Pt = SIZE) -> Any:
    """A run that names its font itself (East-Asian and complex-script slots too), so Word
    never falls back to a theme font for Vietnamese letters."""
    r = p.add_run(printable(text))  # a row stored before the input rules still prints
    r.font.name, r.font.size = FONT, size
    r.font.bold, r.font.italic, r.font.underline = bold, italic, underline
    rfonts = r._r.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), FONT)
    rfonts.set(qn("w:cs"), FONT)
    return r


def para(where: Any, text: str, *, bold: bool = False, italic: bool = False,
         underline: bool = False, size: Pt = SIZE, align: Any = None, before: Pt = Pt(0),
         after: Pt = Pt(0)) -> Paragraph:
    p = where.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_before, p.paragraph_format.space_after = before, after
    if text:
        run(p, text, bold=bold, italic=italic, underline=underline, size=size)
    return p



def rule(p: Paragraph, length: Any, width: Any) -> None:
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


def layout_table(doc: Any, widths: list[Any], *, borders: bool) -> Table:
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


def cell(cell: _Cell, width: Any) -> _Cell:
    cell.width = width
    return cell


def layout_cells(doc: Any, widths: list[Any]) -> tuple[Table, list[_Cell]]:
    """A borderless one-row table to place blocks side by side; its cells."""
    table = layout_table(doc, widths, borders=False)
    return table, [cell(c, w) for c, w in zip(table.rows[0].cells, widths, strict=True)]


def capitals(where: _Cell, text: str, *, all_bold: bool) -> list[str]:
    """Each line of `text` centred in capitals in `where`, from its first paragraph on; bold
    all, or (the issuing body on the line under its parent body) only the last. Returns the
    lines."""
    lines = [line.strip().upper() for line in text.splitlines() if line.strip()]
    first = where.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(lines):
        p = first if i == 0 else para(where, "", align=WD_ALIGN_PARAGRAPH.CENTER)
        run(p, line, bold=all_bold or i == len(lines) - 1)
    return lines


