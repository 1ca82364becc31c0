"""The two document layouts a report may be issued in, as choices and defaults: a state
body's (Nghị định 30/2020/NĐ-CP) and a Party body's (Hướng dẫn 36-HD/VPTW). Pure logic,
without python-docx: the API, the pages and issuing a report need them, and a server
process does not load docx and lxml until a Word download (docx_header.py draws them)."""

from typing import Any, Literal

from app.enums import UnitLevel

STATE, PARTY = "state", "party"
Kind = Literal["state", "party"]  # what a request may ask for
KINDS = {STATE: "Cơ quan nhà nước (Nghị định 30/2020/NĐ-CP)",
         PARTY: "Cơ quan Đảng (Hướng dẫn 36-HD/VPTW)"}
CAPITAL = "Hà Nội"  # where the central bodies issue the country's reports


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
