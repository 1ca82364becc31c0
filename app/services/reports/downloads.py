"""The summary report as downloads: the figures (live, or frozen when issued) with the
records behind them, through the same scoped services as the lists."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app import vn
from app.db.units import Unit
from app.services.actor import Actor
from app.services.reports import issued
from app.services.reports.layouts import default_kind, default_particulars
from app.services.reports.sheets import record_sheets
from app.services.reports.summary import summary


def summary_docx(session: Session, *, actor: Actor, unit_id: int, date_from: date, date_to: date,
                 **given: Any) -> bytes:
    from app.services.reports.docx import build_docx  # python-docx, lxml: on the first download

    report = summary(session, actor=actor, unit_id=unit_id, date_from=date_from, date_to=date_to)
    return build_docx(report, **particulars(session, report, given))


def summary_xlsx(session: Session, *, actor: Actor, unit_id: int, date_from: date,
                 date_to: date) -> bytes:
    from app.services.reports.xlsx import build_xlsx  # openpyxl: loaded on the first download

    report = summary(session, actor=actor, unit_id=unit_id, date_from=date_from, date_to=date_to)
    return build_xlsx(report, record_sheets(session, actor=actor, unit_id=unit_id,
                                            date_from=date_from, date_to=date_to))


def issued_docx(session: Session, *, actor: Actor, id: int) -> bytes:
    """The issued document again, from its frozen figures: identical whatever changed since."""
    from app.services.reports.docx import build_docx

    row = issued.get(session, actor=actor, id=id)
    figures = issued.frozen(row)
    # A report issued before the layout could be chosen gets its unit's, as today.
    return build_docx(figures, issuer=row.issuer, number=row.number,
                      place=row.place, issued_on=row.issued_on, signer_title=row.signer_title,
                      signer_name=row.signer_name,
                      recipients=[r for r in row.recipients.split("\n") if r],
                      kind=row.kind or default_kind(figures["unit"]))


def particulars(session: Session, report: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """What the caller left out, filled in from the unit: the layout its reports are issued
    in, the issuing body under its parent body, the number's form, its name as the place."""
    unit = report["unit"]
    kind = given.get("kind") or default_kind(unit)
    out = {"place": unit["name"], "issued_on": vn.today(), "signer_name": "",
           "recipients": ["Như trên", "Lưu: VT"],
           **default_particulars(kind, unit, _parent(session, unit["id"])), "kind": kind}
    out.update({k: v for k, v in given.items() if v not in (None, "", [])})
    return out


def _parent(session: Session, unit_id: int) -> dict[str, Any] | None:
    """The unit's parent as {name, level}: the first line of its issuing body."""
    parent_id = session.exec(select(Unit.parent_id).where(Unit.id == unit_id)).scalar()
    row = session.exec(select(Unit.name, Unit.level).where(Unit.id == parent_id)).first() \
        if parent_id else None
    return {"name": row[0], "level": row[1]} if row else None


__all__ = ["issued_docx", "particulars", "summary_docx", "summary_xlsx"]
