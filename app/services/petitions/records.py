"""Petitions (đơn thư) as a record resource: list, read and edit them, their derived legal
deadline, their history, and the confidentiality of a denouncer. The steps of their lifecycle
are in `workflow`, the law they follow in `rules`."""

from datetime import date, timedelta
from typing import Any, Literal

from pydantic import Field as PField
from pydantic import PrivateAttr, model_validator

from sqlalchemy import func, select
from sqlmodel import Session

from app.db.base import read_of
from app.db.petitions import (CONFIDENTIAL, Petition, PetitionCreate, PetitionExtension, PetitionRead,
                              PetitionStep, is_confidential)
from app.db.units import Unit
from app.enums import Channel, Domain, PetitionStatus, PetitionType, Role
from app.enums import PetitionStatus as S
from app.services import rollups, scope
from app.services.actor import Actor
from app.services.errors import Conflict, Forbidden, Invalid
from app.services.petitions import search
from app.services.petitions.rules import ACCEPT_DAYS, CLOSED, OPEN, UNDER_WAY, resolve_days
from app.services.records import ListParams, Records, verbs
from app.services.reports import Period, petition_sets


def _check(session: Session, actor: Actor, p: Petition) -> None:
    status = S(p.status)
    if status in UNDER_WAY | {S.resolved} and p.accepted_date is None:
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
    q: str | None = PField(None, max_length=200, description=(
        "Text search, without diacritics: the subject and handler, and the petitioner's name "
        "and address where the reader may see them (a denouncer's: managers and admins only)."))
    # The search as this reader may make it (`PetitionRecords`), never from the query.
    _search: Any = PrivateAttr(None)

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
    if filters._search is not None:
        stmt = stmt.where(filters._search)
    return stmt


class PetitionRecords(Records[Petition]):
    """The petitions' engine: its search reads the petitioner too, as far as the reader may
    (`search`), so a list and an export take the reader into the query."""

    def list_(self, session: Session, *, actor: Actor, filters: Any) -> Any:
        return super().list_(session, actor=actor, filters=_searched(filters, actor))

    def all(self, session: Session, *, actor: Actor, filters: Any, cap: int) -> list[Petition]:
        return super().all(session, actor=actor, filters=_searched(filters, actor), cap=cap)


def _searched(filters: Any, actor: Actor) -> Any:
    """The filters with their `q` taken over by the petitions' own search for this reader (the
    engine's plain search reads the subject and handler only)."""
    if not isinstance(filters, Filters) or not filters.q:
        return filters
    mine = filters.model_copy(update={"q": None})
    mine._search = search.matching(filters.q, actor)
    return mine


records = PetitionRecords(
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


def history(session: Session, *, actor: Actor, id: int) -> tuple[list[PetitionStep], list[PetitionExtension]]:
    p = get(session, actor=actor, id=id)
    steps = session.exec(select(PetitionStep).where(PetitionStep.petition_id == p.id)
                         .order_by(PetitionStep.date, PetitionStep.id)).scalars()
    exts = session.exec(select(PetitionExtension).where(PetitionExtension.petition_id == p.id)
                        .order_by(PetitionExtension.date, PetitionExtension.id)).scalars()
    return [*steps], [*exts]  # (`list` is this module's verb)


def present(p: Petition, actor: Actor) -> PetitionRead:
    """What this actor may read: a denouncer's identity only for managers and admins."""
    read = read_of(PetitionRead, p)
    if withheld(p, actor):
        for name in CONFIDENTIAL:
            setattr(read, name, None)
    return read


def withheld(p: Petition, actor: Actor) -> bool:
    """Whether this actor reads the petition without its denouncer's identity."""
    return is_confidential(p) and not actor.at_least(Role.manager)


def recompute_due_dates(session: Session, unit_id: int) -> int:
    """After a unit's remote flag, parent or merger changed: the legal deadlines of its
    subtree's accepted, still open petitions follow (they are derived, not edited)."""
    stmt = (select(Petition).where(scope.in_units(Petition.unit_id, scope.subtree_ids(unit_id)),
                                   Petition.accepted_date.is_not(None),
                                   Petition.status.in_(OPEN)))
    changed = 0
    for p in session.exec(stmt).scalars():
        due = due_date(session, p)
        if due != p.due_date:
            p.due_date = due
            changed += 1
    session.flush()
    return changed


# The five verbs (services/records/verbs.py): the engine's, but update, which leaves the
# status to the workflow's steps.
list, get, create, update, delete = verbs(records, update=update)
