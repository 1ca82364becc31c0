"""The summary report as downloads: the figures (live, or frozen when issued) with the
records behind them, through the same scoped services as the lists."""

from datetime import date
from typing import Any

from sqlmodel import Session

from app import vn
from app.services.actor import Actor
from app.services.reports import issued
from app.services.reports.docx import build_docx
from app.services.reports.sheets import record_sheets
from app.services.reports.summary import summary
from app.services.reports.xlsx import build_xlsx


def summary_docx(session: Session, *, actor: Actor, unit_id: int, date_from: date, date_to: date,
                 **particulars: Any) -> bytes:
    report = summary(session, actor=actor, unit_id=unit_id, date_from=date_from, date_to=date_to)
    return build_docx(report, **_particulars(report, particulars))


def summary_xlsx(session: Session, *, actor: Actor, unit_id: int, date_from: date,
                 date_to: date) -> bytes:
    report = summary(session, actor=actor, unit_id=unit_id, date_from=date_from, date_to=date_to)
    return build_xlsx(report, record_sheets(session, actor=actor, unit_id=unit_id,
                                            date_from=date_from, date_to=date_to))


def issued_docx(session: Session, *, actor: Actor, id: int) -> bytes:
    """The issued document again, from its frozen figures: identical whatever changed since."""
    row = issued.get(session, actor=actor, id=id)
    return build_docx(issued.frozen(row), issuer=row.issuer, number=row.number,
                      place=row.place, issued_on=row.issued_on, signer_title=row.signer_title,
                      signer_name=row.signer_name,
                      recipients=[r for r in row.recipients.split("\n") if r])


def _particulars(report: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """What the caller left out, filled in from the unit: its name as issuer and place."""
    unit = report["unit"]["name"]
    out = {"issuer": f"BAN DÂN VẬN\n{unit.upper()}", "number": "…/BC", "place": unit,
           "issued_on": vn.today(), "signer_title": "TRƯỞNG BAN", "signer_name": "",
           "recipients": ["Như trên", "Lưu VT"]}
    out.update({k: v for k, v in given.items() if v not in (None, "", [])})
    return out


__all__ = ["issued_docx", "summary_docx", "summary_xlsx"]
