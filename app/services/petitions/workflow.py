"""A petition's lifecycle steps under the law (accept, start, resolve, withdraw, transfer,
reject; extend a denunciation's time limit), with the schemas of their input: the API and the
petition's page validate a step with the same schema and the same version check."""

from datetime import date
from typing import Any

from pydantic import Field
from sqlalchemy import func, select
from sqlmodel import Session

from app.db.fields import Happened, Input, not_after_today
from app.db.gate import writing
from app.db.petitions import Petition, PetitionExtension, PetitionStep
from app.enums import PetitionStatus as S
from app.enums import PetitionType
from app.services import scope
from app.services.actor import Actor
from app.services.errors import Conflict, Invalid
from app.services.petitions.records import due_date, records
from app.services.petitions.rules import CLOSED, TIME_LIMITS, TRANSITIONS, UNDER_WAY
from app.services.records import check_version

# What the button of each step says (the status it leads to, as an act).
STEP_LABELS: dict[S, str] = {
    S.accepted: "Thụ lý", S.in_progress: "Bắt đầu giải quyết", S.resolved: "Đã giải quyết xong",
    S.withdrawn: "Công dân rút đơn", S.transferred: "Chuyển cơ quan có thẩm quyền",
    S.rejected: "Không thụ lý (hướng dẫn, lưu đơn)",
}


class TransitionIn(Input):
    to: S = Field(title="Bước tiếp theo")
    date: Happened = Field(title="Ngày")
    note: str | None = Field(default=None, max_length=4000, title="Ghi chú")
    outcome: str | None = Field(default=None, max_length=4000, title="Kết quả (khi kết thúc)")


class ExtensionIn(Input):
    days: int = Field(ge=1, le=365, title="Số ngày gia hạn")
    decision_no: str | None = Field(default=None, max_length=100, title="Số quyết định gia hạn")
    date: Happened = Field(title="Ngày")


def transition(session: Session, *, actor: Actor, id: int, to: S, on: date,
               note: str | None = None, outcome: str | None = None,
               if_match: int | None = None) -> Petition:
    """Move a petition one legal step: accept, start, resolve, withdraw, transfer, reject."""
    writing(session)  # the writers' turn before any row (PostgreSQL: db.gate)
    p = records.get_for_write(session, actor=actor, id=id)
    scope.check_write(session, actor, p.unit_id)
    check_version(p, if_match)
    current = S(p.status)
    if to not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(f"'{s.vi}'" for s in sorted(TRANSITIONS.get(current, ())))
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
    writing(session)
    p = records.get_for_write(session, actor=actor, id=id)
    scope.check_write(session, actor, p.unit_id)
    check_version(p, if_match)
    if (future := not_after_today(on)) is not None:
        raise Invalid.field("date", future)
    limit = TIME_LIMITS[PetitionType(p.type)]
    if limit.max_extensions == 0:
        raise Conflict(f"Luật không cho gia hạn thời hạn giải quyết đơn loại "
                       f"'{PetitionType(p.type).vi}' ({limit.basis}).")
    if S(p.status) not in UNDER_WAY:
        raise Conflict("Chỉ gia hạn được đơn đã thụ lý và đang giải quyết.")
    count = _extensions(session, p)
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


def _extensions(session: Session, p: Petition) -> int:
    return session.exec(
        select(func.count()).where(PetitionExtension.petition_id == p.id)).scalar_one()


def next_steps(p: Petition) -> list[S]:
    """The lifecycle steps the law allows from where the petition stands (for the buttons)."""
    return sorted(TRANSITIONS.get(S(p.status), frozenset()), key=lambda s: list(S).index(s))


def can_extend(p: Petition, extensions: int) -> bool:
    limit = TIME_LIMITS[PetitionType(p.type)]
    return S(p.status) in UNDER_WAY and extensions < limit.max_extensions
