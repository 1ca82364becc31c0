"""Petitions (đơn thư): their lifecycle under the law, legal time limits, and the
confidentiality of a denouncer."""

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import Field as PField
from pydantic import model_validator

from sqlalchemy import func, select
from sqlmodel import Session

from app.db.fields import not_after_today
from app.db.petitions import (CONFIDENTIAL, Petition, PetitionCreate, PetitionExtension, PetitionRead,
                              PetitionStep, is_confidential)
from app.db.units import Unit
from app.enums import Channel, Domain, PetitionStatus, PetitionType, Role
from app.enums import PetitionStatus as S
from app.services import rollups, scope
from app.services.actor import Actor
from app.services.errors import Conflict, Forbidden, Invalid
from app.services.petition_rules import ACCEPT_DAYS, TIME_LIMITS, resolve_days
from app.services.records import ListParams, Records, check_version
from app.services.reports import Period, petition_sets

OPEN = frozenset({S.received, S.accepted, S.in_progress})
CLOSED = frozenset({S.resolved, S.withdrawn, S.transferred, S.rejected})
# Transferred (sent to the competent body) and rejected (not eligible) leave this unit's
# competence; the resolution rate does not count them.
OUTSIDE_COMPETENCE = frozenset({S.transferred, S.rejected})
TRANSITIONS: dict[S, frozenset[S]] = {
    S.received: frozenset({S.accepted, S.rejected, S.transferred, S.withdrawn}),
    S.accepted: frozenset({S.in_progress, S.resolved, S.withdrawn, S.transferred}),
    S.in_progress: frozenset({S.resolved, S.withdrawn, S.transferred}),
}


def _check(session: Session, actor: Actor, p: Petition) -> None:
    status = S(p.status)
    if status in (S.accepted, S.in_progress, S.resolved) and p.accepted_date is None:
        raise Invalid.field("accepted_date", f"Đơn ở trạng thái '{status.vi}' cần có ngày thụ lý.")
    if status == S.received and p.accepted_date is not None:
        raise Invalid.field("accepted_date", "Đơn chưa thụ lý thì không có ngày thụ lý.")
    if status in CLOSED and p.closed_date is None:
        raise Invalid.field("closed_date", f"Đơn ở trạng thái '{status.vi}' cần có ngày kết thúc.")
    if status in OPEN and p.closed_date is not None:
        raise Invalid.field("closed_date", "Đơn đang mở thì không có ngày kết thúc.")
    p.due_date = due_date(session, p)


def due_date(session: Session, p: Petition) -> date:
    """The legal deadline: to accept (before acceptance), else to resolve plus extensions."""
    if p.accepted_date is None:
        return p.received_date + timedelta(days=ACCEPT_DAYS)
    days = resolve_days(PetitionType(p.type), complex_=p.complex, remote=_is_remote(session, p.unit_id))
    if p.id is not None:
        days += session.exec(
            select(func.coalesce(func.sum(PetitionExtension.days), 0))
            .where(PetitionExtension.petition_id == p.id)
        ).scalar_one()
    return p.accepted_date + timedelta(days=days)


def _is_remote(session: Session, unit_id: int) -> bool:
    """A unit is remote if it, or a unit above it, is marked remote (vùng sâu, vùng xa)."""
    unit = session.get(Unit, unit_id)
    while unit is not None:
        if unit.remote:
            return True
        unit = session.get(Unit, unit.parent_id) if unit.parent_id else None
    return False


class Filters(ListParams):
    """Filters of the petitions list, one per enumerated field."""

    type: list[PetitionType] | None = None
    channel: list[Channel] | None = None
    domain: list[Domain] | None = None
    status: list[PetitionStatus] | None = None
    complex: bool | None = None
    figure: Literal["received", "carried_over", "in_competence", "resolved", "overdue"] | None = \
        PField(None, description="The petitions behind one figure of the summary report over "
                                 "[period_from, period_to].")
    period_from: date | None = None
    period_to: date | None = None

    @model_validator(mode="after")
    def _figure_needs_period(self) -> "Filters":
        if self.figure and not (self.period_from and self.period_to):
            raise ValueError("figure cần period_from và period_to")
        return self


def _refine(stmt: Any, filters: Filters) -> Any:
    """The report's petition figures as list filters: each figure links to its records."""
    if filters.figure and filters.period_from and filters.period_to:
        sets = petition_sets(Period(filters.period_from, filters.period_to))
        stmt = stmt.where(sets[filters.figure])
    return stmt


records = Records(
    Petition, label="đơn thư", date_field="received_date", create_schema=PetitionCreate,
    date_order=[("received_date", "accepted_date"), ("received_date", "closed_date"),
                ("accepted_date", "closed_date")],
    check=_check,
    special_filters=frozenset({"figure", "period_from", "period_to"}), refine=_refine,
    confidential=CONFIDENTIAL,
    resource="petitions",
    is_confidential=is_confidential,
    rollup=rollups.petition_effects,
)


def update(session: Session, *, actor: Actor, id: int, data: Any,
           if_match: int | None = None) -> tuple[Petition, dict[str, list[Any]]]:
    """Edit a petition's details; its status moves only through `transition`."""
    values = data.model_dump(exclude_unset=True)
    petition = records.get_for_write(session, actor=actor, id=id)
    if "status" in values and values["status"] != petition.status:
        raise Invalid.field("status", "Trạng thái đơn chỉ đổi qua thao tác chuyển bước "
                                      "(POST /api/v1/petitions/{id}/transitions).")
    if "type" in values and values["type"] != petition.type:
        _check_type_change(session, actor, petition)
    return records.update(session, actor=actor, id=id, data=data, if_match=if_match)


def _check_type_change(session: Session, actor: Actor, p: Petition) -> None:
    # Retyping a denunciation would show its confidential petitioner to whoever retyped it.
    if is_confidential(p) and not actor.at_least(Role.manager):
        why = "Chỉ lãnh đạo được đổi loại đơn tố cáo (thông tin người tố cáo được bảo mật)."
        raise Forbidden(why, errors=[{"loc": ["body", "type"], "msg": why}])
    has_extensions = session.exec(
        select(func.count()).where(PetitionExtension.petition_id == p.id)).scalar_one()
    if has_extensions:
        raise Conflict("Đơn đã được gia hạn theo Luật Tố cáo; không đổi loại đơn được.")


def transition(session: Session, *, actor: Actor, id: int, to: S, on: date,
               note: str | None = None, outcome: str | None = None,
               if_match: int | None = None) -> Petition:
    """Move a petition one legal step: accept, start, resolve, withdraw, transfer, reject."""
    p = records.get_for_write(session, actor=actor, id=id)
    scope.check_write(session, actor, p.unit_id)
    check_version(p, if_match)
    current = S(p.status)
    if to not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(s.value for s in sorted(TRANSITIONS.get(current, ())))
        raise Conflict(f"Không thể chuyển đơn từ '{current.vi}' sang '{to.vi}'. "
                       + (f"Các bước hợp lệ: {allowed}." if allowed else "Hồ sơ đã kết thúc."))
    last = _last_step_date(session, p)
    if on < last:
        raise Conflict(f"Ngày {on:%d/%m/%Y} trước bước trước đó ({last:%d/%m/%Y}).")
    if (future := not_after_today(on)) is not None:
        raise Invalid.field("date", future)
    values: dict[str, Any] = {"status": to}
    if to == S.accepted:
        values["accepted_date"] = on
    if to in CLOSED:
        values["closed_date"] = on
    if outcome is not None:
        values["outcome"] = outcome
    records.apply(session, actor=actor, obj=p, values=values, action="transition")
    session.add(PetitionStep(petition_id=p.id, from_status=current, to_status=to, date=on,
                             note=note, username=actor.username))
    session.flush()
    return p


def _last_step_date(session: Session, p: Petition) -> date:
    latest = session.exec(
        select(func.max(PetitionStep.date)).where(PetitionStep.petition_id == p.id)
    ).scalar()
    return max(d for d in (p.received_date, p.accepted_date, p.closed_date, latest) if d)


def extend(session: Session, *, actor: Actor, id: int, days: int, on: date,
           decision_no: str | None = None, if_match: int | None = None) -> Petition:
    """Record a legal extension of the time limit (a denunciation, at most twice, ≤ 30 days)."""
    p = records.get_for_write(session, actor=actor, id=id)
    scope.check_write(session, actor, p.unit_id)
    check_version(p, if_match)
    if (future := not_after_today(on)) is not None:
        raise Invalid.field("date", future)
    limit = TIME_LIMITS[PetitionType(p.type)]
    if limit.max_extensions == 0:
        raise Conflict(f"Luật không cho gia hạn thời hạn giải quyết đơn loại "
                       f"'{PetitionType(p.type).vi}' ({limit.basis}).")
    if S(p.status) not in (S.accepted, S.in_progress):
        raise Conflict("Chỉ gia hạn được đơn đã thụ lý và đang giải quyết.")
    count = session.exec(
        select(func.count()).where(PetitionExtension.petition_id == p.id)
    ).scalar_one()
    if count >= limit.max_extensions:
        raise Conflict(f"Đã gia hạn {count} lần, tối đa {limit.max_extensions} lần ({limit.basis}).")
    if not 1 <= days <= limit.max_extension_days:
        raise Invalid.field("days", f"Mỗi lần gia hạn từ 1 đến {limit.max_extension_days} ngày.")
    assert p.accepted_date is not None
    if on < p.accepted_date:
        raise Invalid.field("date", "Ngày gia hạn không được trước ngày thụ lý.")
    session.add(PetitionExtension(petition_id=p.id, days=days, decision_no=decision_no, date=on))
    session.flush()
    records.apply(session, actor=actor, obj=p, values={"due_date": due_date(session, p)},
                  action="extend")
    return p


def history(session: Session, *, actor: Actor, id: int) -> tuple[list[PetitionStep], list[PetitionExtension]]:
    p = records.get(session, actor=actor, id=id)
    steps = session.exec(select(PetitionStep).where(PetitionStep.petition_id == p.id)
                         .order_by(PetitionStep.date, PetitionStep.id)).scalars().all()
    exts = session.exec(select(PetitionExtension).where(PetitionExtension.petition_id == p.id)
                        .order_by(PetitionExtension.date, PetitionExtension.id)).scalars().all()
    return list(steps), list(exts)


def present(p: Petition, actor: Actor) -> PetitionRead:
    """What this actor may read: a denouncer's identity only for managers and admins."""
    read = PetitionRead.model_validate(p, from_attributes=True)
    if is_confidential(p) and not actor.at_least(Role.manager):
        for name in CONFIDENTIAL:
            setattr(read, name, None)
    return read


def recompute_due_dates(session: Session, unit_id: int) -> int:
    """After a unit's remote flag, parent or merger changed: the legal deadlines of its
    subtree's accepted, still open petitions follow (they are derived, not edited)."""
    stmt = (select(Petition).where(scope.in_units(Petition.unit_id, scope.subtree_ids(unit_id)),
                                   Petition.accepted_date.is_not(None),
                                   Petition.status.in_([s.value for s in OPEN])))
    changed = 0
    for p in session.exec(stmt).scalars():
        due = due_date(session, p)
        if due != p.due_date:
            p.due_date = due
            changed += 1
    session.flush()
    return changed


def next_steps(p: Petition) -> list[S]:
    """The lifecycle steps the law allows from where the petition stands (for the buttons)."""
    return sorted(TRANSITIONS.get(S(p.status), frozenset()), key=lambda s: list(S).index(s))


def can_extend(p: Petition, extensions: int) -> bool:
    limit = TIME_LIMITS[PetitionType(p.type)]
    return (S(p.status) in (S.accepted, S.in_progress) and extensions < limit.max_extensions)
