"""The unit tree: create, move, merge, and the checks that keep it a tree."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import Field as PField
from sqlalchemy import Date, Select, bindparam, exists, func, or_, select, text
from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session

from app.db.commendations import Commendation
from app.db.contributions import Contribution
from app.db.issued_reports import IssuedReport
from app.db.land_donations import LandDonation
from app.db.models import Model
from app.db.petitions import Petition
from app.db.recognitions import Recognition
from app.db.targets import Target
from app.db.units import Unit, UnitCreate, UnitSuccessor, UnitUpdate
from app.db.works import Work
from app.enums import KIND_LEVEL, Role, UnitKind, UnitLevel
from app.services import rollups, scope, unit_search
from app.services.actor import Actor
from app.services.errors import Conflict, Forbidden, Invalid
from app.services.in_force import coded, in_force_sql, span, validity
from app.services.records import Id, ListParams, Records, verbs
from app.vn import sort_key, today

# A unit's parent is of a higher level (a smaller depth); the country has none above it.
_DEPTH = {UnitLevel.country: 0, UnitLevel.province: 1, UnitLevel.district: 2, UnitLevel.commune: 3,
          UnitLevel.village: 4}
RECORD_TABLES: tuple[Any, ...] = (Model, Work, Contribution, LandDonation, Petition,
                                  Commendation, Target, Recognition, IssuedReport)


def _check(session: Session, actor: Actor, unit: Unit) -> None:
    if unit.parent_id is None and not (actor.role == Role.admin and actor.token_id is None):
        raise Forbidden("Chỉ quản trị viên được tạo đơn vị gốc (không có đơn vị cấp trên).")
    _check_code(session, unit)
    if unit.parent_id is not None:
        parent = session.get(Unit, unit.parent_id)
        assert parent is not None  # existence was checked by Records
        if _DEPTH[UnitLevel(unit.level)] <= _DEPTH[UnitLevel(parent.level)]:
            raise Invalid.field("level", f"Cấp '{UnitLevel(unit.level).vi}' không thể nằm dưới "
                                         f"'{parent.name}' ({UnitLevel(parent.level).vi}).")
        if unit.id is not None and scope.is_descendant(session, unit.parent_id, unit.id):
            raise Invalid.field("parent_id", "Không thể chuyển đơn vị vào dưới chính nó "
                                             "hoặc đơn vị cấp dưới của nó.")
        if unit.id is None or _changed(unit, "parent_id", "active_from", "active_to"):
            _within_parent(unit, parent)
    if unit.id is not None:
        child_levels = session.exec(select(Unit.level).where(Unit.parent_id == unit.id)).scalars()
        if any(_DEPTH[UnitLevel(c)] <= _DEPTH[UnitLevel(unit.level)] for c in child_levels):
            raise Invalid.field("level", "Đơn vị cấp dưới phải có cấp thấp hơn cấp mới của "
                                         "đơn vị này; hãy chuyển chúng đi trước.")
    _check_kind(unit)
    if unit.merged_into_id is not None:
        if session.get(Unit, unit.merged_into_id) is None:
            raise Invalid.field("merged_into_id", f"Đơn vị số {unit.merged_into_id} không tồn tại.")
        scope.check_write(session, actor, unit.merged_into_id, role=Role.manager)
        if unit.id is not None and scope.in_subtree(session, unit.merged_into_id, unit.id):
            raise Invalid.field("merged_into_id", "Không thể sáp nhập đơn vị vào chính nó "
                                                  "hoặc vào đơn vị thuộc phạm vi của nó.")
    _check_successors(session, actor, unit)


def _check_kind(unit: Unit) -> None:
    """A unit's kind is one of its level's (`enums.KIND_LEVEL`): a commune is no 'Quốc gia'.
    Checked when made, and when its kind or level changes (a unit stored before is kept)."""
    if not unit.kind or not (unit.id is None or _changed(unit, "kind", "level")):
        return
    kind, level = UnitKind(unit.kind), UnitLevel(unit.level)
    if KIND_LEVEL[kind] != level:
        raise Invalid.field("kind", f"'{kind.vi}' là đơn vị cấp {KIND_LEVEL[kind].vi.lower()}, "
                                    f"không phải cấp {level.vi.lower()}.")


def _changed(unit: Unit, *names: str) -> bool:
    state = sa_inspect(unit)
    return any(state.attrs[n].history.has_changes() for n in names)


def _within_parent(unit: Unit, parent: Unit) -> None:
    """A unit is in force only while its parent is: a village created under a commune that
    has ended would let records of today reach a unit that no longer exists."""
    if parent.active_to is not None and (unit.active_to is None or unit.active_to > parent.active_to):
        raise Invalid.field("active_to", f"Đơn vị cấp trên '{parent.name}' chỉ có hiệu lực đến "
                                         f"hết {parent.active_to:%d/%m/%Y}: đơn vị này phải hết "
                                         "hiệu lực chậm nhất ngày đó, hoặc chọn đơn vị cấp trên "
                                         "còn hiệu lực.")
    if parent.active_from is not None and unit.active_to is not None \
            and unit.active_to < parent.active_from:
        raise Invalid.field("parent_id", f"Đơn vị này hết hiệu lực ngày {unit.active_to:%d/%m/%Y}, "
                                         f"trước khi '{parent.name}' có hiệu lực (từ "
                                         f"{parent.active_from:%d/%m/%Y}): hãy chọn đơn vị cấp "
                                         "trên cùng thời kỳ.")
    if parent.active_from is not None and unit.active_from is not None \
            and unit.active_from < parent.active_from:
        raise Invalid.field("active_from", f"Đơn vị cấp trên '{parent.name}' có hiệu lực từ "
                                           f"{parent.active_from:%d/%m/%Y}: đơn vị này không thể "
                                           "có hiệu lực sớm hơn.")


def _check_successors(session: Session, actor: Actor, unit: Unit) -> None:
    """A unit divided between several successors: the default one (`merged_into_id`, through
    which its records roll up, each counted once) is one of them; none is the unit itself, in
    its subtree, or a unit it would succeed in turn (no cycle). The ids a write has set are
    then stored as the unit's links."""
    pending = unit.__dict__.pop("_successor_ids", None)
    ids = pending if pending is not None else [u.id for u in unit.successors]
    if not ids:
        if pending is not None:
            unit.successors = []
        return
    field = "successor_ids"
    if unit.id is not None and unit.id in ids:
        raise Invalid.field(field, "Một đơn vị không thể là đơn vị kế thừa của chính nó.")
    found = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(ids))).scalars()}  # type: ignore[union-attr]
    for i in ids:
        if i not in found:
            raise Invalid.field(field, f"Đơn vị số {i} không tồn tại.")
    if unit.merged_into_id not in found:
        raise Invalid.field("merged_into_id", "Đơn vị kế thừa mặc định (Sáp nhập vào) phải là "
                                              "một trong các đơn vị kế thừa.")
    if pending is not None:
        for i in ids:
            scope.check_write(session, actor, i, role=Role.manager)
        if unit.id is not None and _succeeds(session, ids, unit.id):
            raise Invalid.field(field, "Không thể chia đơn vị cho chính nó, cho đơn vị thuộc "
                                       "phạm vi của nó, hoặc cho đơn vị mà nó kế thừa "
                                       "(vòng kế thừa).")
        unit.successors = [found[i] for i in ids]


def _succeeds(session: Session, starts: list[int], target: int) -> bool:
    """Whether `target` is one of `starts`, below one of them, or reached from one of them
    through successors (links or merged_into_id): a successor there would make a cycle."""
    seen: set[int] = set()
    todo = set(starts)
    while todo:
        if target in todo or any(scope.in_subtree(session, s, target) for s in todo):
            return True
        seen |= todo
        links = session.exec(select(UnitSuccessor.successor_id)
                             .where(UnitSuccessor.predecessor_id.in_(todo))).scalars()  # type: ignore[attr-defined]
        merged = session.exec(select(Unit.merged_into_id).where(
            Unit.id.in_(todo), Unit.merged_into_id.is_not(None))).scalars()  # type: ignore[union-attr]
        todo = {*links, *merged} - seen
    return False


def _check_code(session: Session, unit: Unit) -> None:
    """A code names one unit at a time: unique, without case, among the units whose validity
    [active_from, active_to] overlaps this one's (a commune after the 2025 reform may carry
    its predecessor's code from the day after the predecessor's last). Checked inside the
    write's transaction: on PostgreSQL a lock per code makes two concurrent writes of one code
    wait for each other (on SQLite a writer holds the write lock from its first statement)."""
    if session.get_bind().dialect.name == "postgresql":
        # One of 1 024 locks, not one per code: a country's import checks ~14 000 codes in one
        # transaction, and PostgreSQL's shared lock table (~6 400 by default) would overflow.
        session.exec(text("SELECT pg_advisory_xact_lock(2025, hashtext(lower(:code)) & 1023)")
                     .bindparams(code=unit.code))
    start, end = unit.active_from, unit.active_to
    with session.no_autoflush:
        other = session.exec(_SAME_CODE, params={
            "code": unit.code.lower(), "id": unit.id if unit.id is not None else 0,
            "start": start, "end": end}).scalars().first()
    if other is None:
        return
    starts = [d for d in (start, other.active_from) if d is not None]
    ends = [d for d in (end, other.active_to) if d is not None]
    when = span(max(starts) if starts else None, min(ends) if ends else None) or "mọi thời điểm"
    theirs = validity(other) or "không thời hạn"
    why = (f"Mã '{unit.code}' đang là mã của '{other.name}' (số {other.id}, hiệu lực {theirs}); "
           f"hai đơn vị cùng có hiệu lực {when}. Một mã chỉ thuộc một đơn vị tại mỗi thời "
           "điểm: hãy đặt ngày hết hiệu lực của đơn vị cũ trước ngày hiệu lực của đơn vị mới.")
    raise Conflict(why, errors=[{"loc": ["body", "code"], "msg": why}])


def _same_code() -> Any:
    """Another unit carrying :code (lower case) in a validity overlapping [:start, :end]
    (either end open: NULL). Built once: an import checks thousands of codes."""
    start, end = bindparam("start", type_=Date), bindparam("end", type_=Date)
    return (select(Unit).where(
        func.lower(Unit.code) == bindparam("code"), Unit.id != bindparam("id"),
        or_(end.is_(None), Unit.active_from.is_(None), Unit.active_from <= end),  # type: ignore[union-attr]
        or_(start.is_(None), Unit.active_to.is_(None), Unit.active_to >= start))  # type: ignore[union-attr]
        .order_by(Unit.id).limit(1))


_SAME_CODE = _same_code()


def _before_delete(session: Session, actor: Actor, unit: Unit) -> None:
    tables = (Unit, *RECORD_TABLES)
    for table in tables:
        column = table.parent_id if table is Unit else table.unit_id
        if session.exec(select(exists().where(column == unit.id))).scalar():
            raise Conflict(f"Không xóa được '{unit.name}': đơn vị còn đơn vị cấp dưới hoặc "
                           "bản ghi. Hãy đặt ngày hết hiệu lực hoặc sáp nhập thay vì xóa.")


class Filters(ListParams):
    """Filters of the units list, one per enumerated field."""

    level: list[UnitLevel] | None = None
    kind: list[UnitKind] | None = None
    parent_id: Id | None = None
    remote: bool | None = None
    code: str | None = PField(None, max_length=32, description=(
        "The unit that carried this official code on the date `on` (codes compared without "
        "case): after the 2025 reform a commune mostly carries a predecessor's code."))
    on: date | None = PField(None, description=(
        "With `code`: the date the code is read at (default: today). Alone: the units in "
        "force on that date."))


def _refine(stmt: Select[Any], filters: Any) -> Select[Any]:
    code, on = getattr(filters, "code", None), getattr(filters, "on", None)
    if code:
        stmt = stmt.where(coded(code))
    if code or on:
        stmt = stmt.where(in_force_sql(on or today()))
    if getattr(filters, "q", None) and not getattr(filters, "sort", None):
        # Best match first ("phu long": the Phú Longs before Phú Long Hưng), as the pickers do.
        stmt = stmt.order_by(*unit_search.best_first(filters.q, on))
    return stmt


records = Records(
    Unit, label="đơn vị", date_field="active_from", create_schema=UnitCreate,
    date_order=[("active_from", "active_to")], write_role=Role.manager, check=_check,
    before_delete=_before_delete, special_filters=frozenset({"code", "on"}), refine=_refine,
    unit_column="id", write_column="parent_id",
    resource="units", lockable=False,
)


def tree(session: Session, *, actor: Actor) -> list[Unit]:
    """Every unit the actor may see, ordered for display; the caller nests them by parent."""
    stmt = records.base_query(actor).order_by(Unit.level, Unit.name)
    return [*session.exec(stmt).scalars()]  # (`list` is this module's verb)


def nested(units: list[Unit]) -> list[tuple[Unit, int]]:
    """Units in tree order with their depth, for an indented list or a picker."""
    ids = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    out: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in sorted(children.get(parent, []),
                            key=lambda u: (u.active_to is not None, sort_key(u.name))):
            out.append((child, depth))
            walk(child.id, depth + 1)

    walk(None, 0)
    return out


KEYED_BY = ("level", "parent_id", "merged_into_id")


def default_successor(ids: Sequence[Any], chosen: Any = None, stored: int | None = None) -> Any:
    """Which of a unit's successors `ids` is its default (`merged_into_id`): the one chosen;
    else the stored default while it is still among them; else the first; None without any.
    The API's writes and the unit form (app/ui/unit_form.py) both ask here."""
    if chosen is not None:
        return chosen
    if stored is not None and stored in ids:
        return stored
    return ids[0] if ids else None


def canonical_successors(sent: dict[str, Any], stored: int | None) -> dict[str, Any]:
    """A write's successors in the one form they are stored in, whichever path sends them
    (the API, the unit form, the import, `dvk units load-official`): successors sent without a
    default get one (`default_successor`), sent only when it differs from the `stored` one;
    `null` successors mean none; and one successor alone is a merger into it, kept in
    `merged_into_id` only: links are for a unit divided between several (migration 0016), so
    a write that names the same one successor either way changes nothing."""
    if "successor_ids" in sent and sent["successor_ids"] is None:
        sent["successor_ids"] = []
    ids = sent.get("successor_ids")
    if ids and "merged_into_id" not in sent:
        default = default_successor(ids, stored=stored)
        if default != stored:  # the stored default still among them is left unsent, unchanged
            sent["merged_into_id"] = default
    if ids and len(set(ids)) == 1 and sent.get("merged_into_id", stored) == ids[0]:
        sent["successor_ids"] = []
    return sent


def create(session: Session, *, actor: Actor, data: Any) -> Unit:
    """Create a unit; its successors (if it was divided) are checked and stored with it, and
    audited in its one create entry."""
    sent = canonical_successors(data.model_dump(exclude_unset=True), None)
    ids = sent.pop("successor_ids", None)
    with rollups.TreeChange(session):  # a new unit holds no record: the sums stay whole
        return records.create(session, actor=actor, data=UnitCreate.model_validate(sent),
                              also={"successor_ids": ids} if ids else None)


def update(session: Session, *, actor: Actor, id: int, data: Any,
           if_match: int | None = None) -> tuple[Unit, dict[str, list[Any]]]:
    """Edit a unit; when a village moves or merges, its records' sums move with it."""
    unit = records.get_for_write(session, actor=actor, id=id)
    sent = data.model_dump(exclude_unset=True)
    if "successor_ids" in sent:
        data = UnitUpdate.model_validate(canonical_successors(sent, unit.merged_into_id))
    before = rollups.rollup_unit(session, unit.id)
    with rollups.TreeChange(session, [unit.id]) as change:
        unit, changes = records.update(session, actor=actor, id=id, data=data, if_match=if_match)
        if any(k in changes for k in KEYED_BY):
            after = rollups.rollup_unit(session, unit.id)
            if after != before:
                rollups.rebuild(session, keys=[before, after])
        change.changed([unit.id])
    if any(k in changes for k in ("remote", "parent_id", "merged_into_id")):
        from app.services.petitions import records as petitions  # their deadlines follow the unit

        petitions.recompute_due_dates(session, unit.id)
    return unit, changes


def splits(session: Session, ids: set[Any]) -> tuple[dict[int, list[int]], dict[int, list[Any]]]:
    """For the units `ids` divided between several successors, their successors, the default
    first; for those that received a part without being the default, (predecessor, default)."""
    if not ids:
        return {}, {}
    link, pred = UnitSuccessor, Unit
    rows = session.execute(
        select(link.predecessor_id, link.successor_id, pred.merged_into_id)
        .join(pred, pred.id == link.predecessor_id)
        .where(or_(link.predecessor_id.in_(ids), link.successor_id.in_(ids)))  # type: ignore[attr-defined]
        .order_by(link.predecessor_id, link.successor_id)).all()
    divided: dict[int, list[int]] = {}
    received: dict[int, list[Any]] = {}
    for p, s, default in rows:
        if p in ids:
            divided.setdefault(p, []).append(s)
        if s in ids and s != default:
            received.setdefault(s, []).append((p, default))
    for p, successors in divided.items():
        default = next((d for q, _, d in rows if q == p), None)
        successors.sort(key=lambda i: (i != default, i))
    return divided, received


def delete(session: Session, *, actor: Actor, id: int, if_match: int | None = None) -> Unit:
    """Delete a unit that holds nothing; the second tier's sums stay whole."""
    with rollups.TreeChange(session, [id]):
        return records.delete(session, actor=actor, id=id, if_match=if_match)


# The five verbs (services/records/verbs.py): the engine's, but create, which stores a
# divided unit's successors, update, which moves a unit's sums and its petitions' deadlines
# with it, and delete, which keeps the second tier's sums whole.
list, get, create, update, delete = verbs(records, create=create, update=update, delete=delete)
