"""The two document layouts a report may be issued in, kept apart: a state body's
(Nghị định 30/2020/NĐ-CP, Phụ lục I) and a Party body's (Hướng dẫn 36-HD/VPTW of the Party
Central Office). They differ in the header (Quốc hiệu and Tiêu ngữ, or "ĐẢNG CỘNG SẢN VIỆT
NAM"), in the number ("Số: 12/BC-UBND" or "Số 12-BC/BDVHU"), in what sits under the issuing
body (a rule, or a star) and in how "Nơi nhận:" is set. Both put the parent body on the first
line and the issuing body, in bold, on the line under it."""

from typing import Any, Literal

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from app.enums import UnitLevel
from app.services.reports.docx_layout import (SIZE, SMALL, capitals, layout_cells, para, rule,
                                              run)

STATE, PARTY = "state", "party"
Kind = Literal["state", "party"]  # what a request may ask for
KINDS = {STATE: "Cơ quan nhà nước (Nghị định 30/2020/NĐ-CP)",
         PARTY: "Cơ quan Đảng (Hướng dẫn 36-HD/VPTW)"}
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
DANG = "ĐẢNG CỘNG SẢN VIỆT NAM"
CAPITAL = "Hà Nội"  # where the central bodies issue the country's reports
# Wider than the text (centred, into both margins): the Quốc hiệu and a district Party
# committee's name each fit on one line at 13 pt.
WIDTHS = [Cm(7), Cm(10.6)]
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def default_kind(unit: dict[str, Any]) -> str:
    """The country's reports on the movement come from the Central Committee's Ban Dân vận,
    the district's from the Huyện ủy's, Party bodies; a commune's or a village's from the
    commune's People's Committee, a state body."""
    return PARTY if unit.get("level") in (UnitLevel.country.value, UnitLevel.district.value,
                                          UnitLevel.province.value) else STATE


def _named(unit: dict[str, Any] | None) -> str:
    """ "HUYỆN HÀM THUẬN BẮC": a unit's level and name in capitals."""
    return f"{UnitLevel(unit['level']).vi} {unit['name']}".upper() if unit else ""


def default_particulars(kind: str, unit: dict[str, Any],
                        parent: dict[str, Any] | None) -> dict[str, str]:
    """The issuing body (its parent body on the first line), the number's form and the
    signer's title (and for the country the place) a unit's report gets in `kind` when the
    issuer gives none; `unit` and `parent` as {name, level}. A province's body has no body
    above it on its header, under a country root as at the root."""
    if unit["level"] == UnitLevel.country.value:
        return _national(kind)
    if parent and parent.get("level") == UnitLevel.country.value:
        parent = None
    district = unit["level"] == UnitLevel.district.value
    if kind == PARTY:
        if district:
            return {"issuer": f"HUYỆN ỦY {unit['name'].upper()}\nBAN DÂN VẬN",
                    "number": "…-BC/BDVHU", "signer_title": "TRƯỞNG BAN"}
        above = f"ĐẢNG BỘ {_named(parent)}\n" if parent else ""
        return {"issuer": f"{above}ĐẢNG ỦY {_named(unit)}", "number": "…-BC/ĐU",
                "signer_title": "T/M ĐẢNG ỦY\nBÍ THƯ"}
    above = f"UBND {_named(parent)}\n" if parent else ""
    return {"issuer": f"{above}UBND {_named(unit)}", "number": "…/BC-UBND",
            "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"}


def _national(kind: str) -> dict[str, str]:
    """The country's report: the Central Committee's Ban Dân vận ("Số …-BC/BDVTW") or the
    Government ("Số: …/BC-CP"), both in Hà Nội; the title says "trên địa bàn toàn quốc"."""
    if kind == PARTY:
        return {"issuer": "BAN CHẤP HÀNH TRUNG ƯƠNG\nBAN DÂN VẬN", "number": "…-BC/BDVTW",
                "signer_title": "TRƯỞNG BAN", "place": CAPITAL}
    return {"issuer": "CHÍNH PHỦ", "number": "…/BC-CP", "signer_title": "TM. CHÍNH PHỦ\nTHỦ TƯỚNG",
            "place": CAPITAL}


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
