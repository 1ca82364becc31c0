"""Period approval: a manager locks a unit subtree's records for a period; while the approval
stands, creating, changing or deleting a record of that subtree dated in the period is refused."""

from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.db.approvals import Approval, ApprovalCreate
from app.db.units import Unit
from app.enums import Role
from app.vn import print_date
from app.services import audit, scope
from app.services.actor import Actor
from app.services.errors import Conflict, Invalid, NotFound


def covering_units(unit_id: int, name: str = "covering") -> Any:
    """The unit, every unit above it, and every unit it was merged into (with theirs): an
    approval on any of them covers the unit's records."""
    up = select(Unit.id, Unit.parent_id, Unit.merged_into_id).where(Unit.id == unit_id) \
        .cte(name, recursive=True)
    above = aliased(Unit)
    up = up.union(select(above.id, above.parent_id, above.merged_into_id).join(
        up, (above.id == up.c.parent_id) | (above.id == up.c.merged_into_id)))
    return select(up.c.id)


def ensure_open(session: Session, unit_id: int | None, day: date | None) -> None:
    """Refuse (409) a change to a record of `unit_id` dated `day` inside an approved period.
    The covering units are the unit and `scope.ancestor_ids` (the same set as
    `covering_units`), looked up by id: a write has most of them in its session already."""
    if unit_id is None or day is None:
        return
    units = [unit_id, *scope.ancestor_ids(session, unit_id)]
    hit = session.exec(_OPEN, params={"units": units, "day": day}).first()
    if hit is not None:
        raise locked(*hit)


# Built once: only its parameters change from one write to the next.
_OPEN = (select(Approval, Unit.name).join(Unit, Unit.id == Approval.unit_id)
         .where(Approval.unit_id.in_(bindparam("units", expanding=True)),
                Approval.status == "approved", Approval.period_start <= bindparam("day"),
                Approval.period_end >= bindparam("day")).limit(1))


def locked(approval: Approval, unit_name: str) -> Conflict:
    """The refusal of a change inside `approval`'s period, naming who can lift it."""
    return Conflict(
        f"Số liệu của {unit_name} từ {print_date(approval.period_start)} đến {print_date(approval.period_end)} "
        f"đã được phê duyệt (phê duyệt số {approval.id}, do {approval.approved_by}); không thêm, "
        "sửa, xóa được bản ghi trong kỳ này. Lãnh đạo đơn vị đó (hoặc cấp trên) có thể rút "
        "phê duyệt để mở khóa.")


def standing(session: Session) -> list[tuple[Approval, str]]:
    """Every standing approval with its unit's name (a few per unit and year at most): an
    import checks its rows against them in memory."""
    return list(session.exec(select(Approval, Unit.name).join(Unit, Unit.id == Approval.unit_id)
                             .where(Approval.status == "approved")).all())


def approve(session: Session, *, actor: Actor, data: ApprovalCreate) -> Approval:
    scope.check_write(session, actor, data.unit_id, role=Role.manager)
    if data.period_end < data.period_start:
        raise Invalid.field("period_end", "Không được trước ngày đầu kỳ.")
    row = Approval(unit_id=data.unit_id, period_start=data.period_start,
                   period_end=data.period_end, approved_by=actor.username, note=data.note)
    session.add(row)
    session.flush()
    audit.record(session, username=actor.username, user_id=actor.user_id, action="approve",
                 resource="approvals", record_id=row.id, unit_id=row.unit_id,
                 changes={"period_start": [None, row.period_start], "period_end": [None, row.period_end]})
    return row


def _query(actor: Actor) -> Any:
    """Approvals of the actor's subtree, and those above it that cover the actor's unit."""
    visible = scope.visible_unit_ids(actor)
    if visible is None or actor.unit_id is None:
        return select(Approval)
    return select(Approval).where(or_(scope.in_units(Approval.unit_id, visible),
                                      Approval.unit_id.in_(covering_units(actor.unit_id, "above_actor"))))


def list_(session: Session, *, actor: Actor, unit_id: int | None = None) -> list[Approval]:
    stmt = _query(actor).order_by(Approval.period_start.desc(), Approval.id.desc())
    if unit_id is not None:
        stmt = stmt.where(Approval.unit_id.in_(covering_units(unit_id)))
    return list(session.exec(stmt.limit(500)).scalars())


def get(session: Session, *, actor: Actor, id: int) -> Approval:
    row = session.exec(_query(actor).where(Approval.id == id)).scalars().first()
    if row is None:
        raise NotFound(f"Không tìm thấy phê duyệt số {id}.")
    return row


def withdraw(session: Session, *, actor: Actor, id: int) -> None:
    """Lift an approval (a manager of its unit or above): the period is open again."""
    row = get(session, actor=actor, id=id)
    scope.check_write(session, actor, row.unit_id, role=Role.manager)
    audit.record(session, username=actor.username, user_id=actor.user_id, action="withdraw",
                 resource="approvals", record_id=row.id, unit_id=row.unit_id,
                 changes={"status": ["approved", "withdrawn"]})
    session.delete(row)
    session.flush()
