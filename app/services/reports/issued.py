"""Issuing a report freezes its figures: a later correction of the records never changes a
document already sent, and the page shows what has changed since."""

import json
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.db.issued_reports import IssuedReport, IssueRequest
from app.enums import Role
from app.services import scope
from app.services.actor import Actor
from app.services.errors import NotFound
from app.services.reports.layouts import default_kind
from app.services.reports.summary import summary


def issue(session: Session, *, actor: Actor, data: IssueRequest) -> IssuedReport:
    """Compute the summary now and store it with the document's particulars."""
    scope.check_write(session, actor, data.unit_id, role=Role.manager)
    figures = summary(session, actor=actor, unit_id=data.unit_id,
                      date_from=data.date_from, date_to=data.date_to)
    row = IssuedReport(
        **data.model_dump(exclude={"recipients", "kind"}), recipients="\n".join(data.recipients),
        kind=data.kind or default_kind(figures["unit"]),
        issued_by=actor.username, figures=json.dumps(figures, ensure_ascii=False),
    )
    session.add(row)
    session.flush()
    return row


def base_query(actor: Actor) -> Any:
    return scope.restrict(select(IssuedReport), IssuedReport.unit_id, actor)


def get(session: Session, *, actor: Actor, id: int) -> IssuedReport:
    row = session.exec(base_query(actor).where(IssuedReport.id == id)).scalars().first()
    if row is None:
        raise NotFound(f"Không tìm thấy báo cáo đã ban hành số {id}.")
    return row


def list_(session: Session, *, actor: Actor, unit_id: int | None = None) -> list[IssuedReport]:
    stmt = base_query(actor).order_by(IssuedReport.issued_on.desc(), IssuedReport.id.desc())
    if unit_id is not None:
        stmt = stmt.where(IssuedReport.unit_id.in_(scope.subtree_ids(unit_id)))
    return list(session.exec(stmt.limit(200)).scalars())


def frozen(row: IssuedReport) -> dict[str, Any]:
    return json.loads(row.figures)


def changes_since(session: Session, *, actor: Actor, row: IssuedReport) -> list[dict[str, Any]]:
    """Each figure whose value today differs from the issued one: [{figure, issued, now}]."""
    now = summary(session, actor=actor, unit_id=row.unit_id, date_from=row.date_from,
                  date_to=row.date_to)
    then = frozen(row)
    return [{"figure": path, "issued": a, "now": b}
            for path, a, b in _diff(then, now, "") if path not in ("unit.name", "unit.code")]


def _diff(a: Any, b: Any, path: str) -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in sorted(set(a) | set(b)):
            out += _diff(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return out
    return [] if a == b else [(path, a, b)]
