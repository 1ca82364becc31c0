"""The two document layouts a report may be issued in, kept apart: a state body's
(Nghị định 30/2020/NĐ-CP, Phụ lục I) and a Party body's (Hướng dẫn 36-HD/VPTW of the Party
Central Office). They differ in the header (Quốc hiệu and Tiêu ngữ, or "ĐẢNG CỘNG SẢN VIỆT
NAM"), in the number ("Số: 12/BC-UBND" or "Số 12-BC/BDVHU"), in what sits under the issuing
body (a rule, or a star) and in how "Nơi nhận:" is set. Both put the parent body on the first
line and the issuing body, in bold, on the line under it. The choices and each unit's
defaults are in layouts.py (no docx there: the server loads this on a Word download only)."""

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from app.services.reports.docx_layout import (SIZE, SMALL, capitals, layout_cells, para, rule,
                                              run)
from app.services.reports.layouts import PARTY

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
DANG = "ĐẢNG CỘNG SẢN VIỆT NAM"
# Wider than the text (centred, into both margins): the Quốc hiệu and a district Party
# committee's name each fit on one line at 13 pt.
WIDTHS = [Cm(7), Cm(10.6)]
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def header(doc: Any, kind: str, issuer: str, number: str, date_line: str) -> None:
    """The header block of `kind`: issuer and number on the left, the national or the Party
    line and the place and date on the right."""
    _, (left, right) = layout_cells(doc, WIDTHS)
    lines = capitals(left, issuer, all_bold=False)
    if kind == PARTY:
        # HD 36: a star under the issuing body, the number without a colon; "ĐẢNG CỘNG SẢN
        # VIỆT NAM" in bold capitals, underlined.
        para(left, "*", align=CENTER)
        para(left, f"Số {number}", align=CENTER)
        run(_first(right), DANG, bold=True, underline=True)
        para(right, date_line, italic=True, align=CENTER, before=Pt(18))
        return
    # NĐ 30: a short rule under the issuing body (about a third of its line), "Số:" and the
    # number; the Quốc hiệu, and the Tiêu ngữ in bold with a rule as long as itself.
    longest = len(lines[-1]) if lines else 10
    rule(left.add_paragraph(), Cm(min(0.3 * longest * 0.5, 5)), WIDTHS[0] - Cm(0.38))
    para(left, f"Số: {number}", align=CENTER, before=Pt(6))
    run(_first(right), QUOC_HIEU, bold=True)
    para(right, TIEU_NGU, bold=True, align=CENTER)
    rule(right.add_paragraph(), Cm(6.1), WIDTHS[1] - Cm(0.38))
    para(right, date_line, italic=True, align=CENTER, before=Pt(10))


def _first(cell: Any) -> Any:
    p = cell.paragraphs[0]
    p.alignment = CENTER
    return p


def recipient_lines(recipients: list[str]) -> list[str]:
    """Each recipient as NĐ 30 and HD 36 set them: "- " before, ";" after, and a full stop
    after the last ("- Như trên;", ..., "- Lưu: VT.")."""
    names = [r.strip().lstrip("-").strip().rstrip(";.,").strip() for r in recipients]
    names = [n for n in names if n]
    return [f"- {n}{'.' if i == len(names) - 1 else ';'}" for i, n in enumerate(names)]


def recipients_block(cell: Any, kind: str, recipients: list[str]) -> None:
    """"Nơi nhận:" (state: bold italic, 12 pt; Party: underlined) and the recipients, 11 pt."""
    p = cell.paragraphs[0]
    p.paragraph_format.space_before = Pt(6)
    if kind == PARTY:
        run(p, "Nơi nhận:", underline=True, size=SIZE)
    else:
        run(p, "Nơi nhận:", bold=True, italic=True, size=Pt(12))
    for line in recipient_lines(recipients):
        para(cell, line, size=SMALL)
