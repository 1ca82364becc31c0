"""The shape every record resource shares: a scoped base query, list with the contract's
filters, get, create, update with optimistic locking, delete.

Each resource module (services/models.py, services/works.py, ...) makes one `Records` with
its table, its date field and its own rules (`check`), and exposes plain functions.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import NoneType, SimpleNamespace, UnionType
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from pydantic import model_validator
from pydantic import Field as PField
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from app.db.base import MAX_ID, utcnow
from app.db.fields import Printable
from app.db.labels import label as field_label
from app.db.models import Model
from app.db.units import Unit
from app.db.works import Work
from app.enums import Role
from app.services import approvals, audit, in_force, rollups, scope
from app.services.actor import Actor
from app.services.paging import Page
from app.services.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from app.vn import fold

T = TypeVar("T", bound=SQLModel)

# Filters every list accepts; the rest of a filter object are equality/IN filters on columns.
COMMON_FILTERS = frozenset({"unit_id", "date_from", "date_to", "updated_since", "limit",
                            "offset", "sort", "q"})


Id = Annotated[int, PField(ge=1, le=MAX_ID)]


class ListParams(Printable):
    """The list parameters every resource takes (a query-parameter model in the API)."""

    limit: int = PField(50, ge=1, le=500, description="Page size (max 500).")
    offset: int = PField(0, ge=0, le=MAX_ID)
    unit_id: Id | None = PField(None, description="This unit and every unit below it.")
    date_from: date | None = PField(None, description="Inclusive, on the resource's date field.")
    date_to: date | None = PField(None, description="Inclusive, on the resource's date field.")
    updated_since: datetime | None = PField(None, description="Changed at or after (UTC).")
    sort: str | None = PField(None, max_length=40, description="A field name; '-' for descending.")
    q: str | None = PField(None, max_length=200, description="Text search.")

    @model_validator(mode="after")
    def _check(self) -> "ListParams":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from phải trước hoặc bằng date_to")
        if self.updated_since is not None and self.updated_since.tzinfo is None:
            self.updated_since = self.updated_since.replace(tzinfo=UTC)
        return self


@dataclass
class Records(Generic[T]):
    table: type[T]
    label: str  # Vietnamese name of one record, for messages: "mô hình"
    date_field: str | None
    create_schema: type[SQLModel]
    # (earlier, later) pairs of date fields: the later one may not be before the earlier.
    date_order: Sequence[tuple[str, str]] = ()
    write_role: Role = Role.clerk
    # Resource-specific rules on the merged object, before it is flushed.
    check: Callable[[Session, Actor, T], None] | None = None
    before_delete: Callable[[Session, Actor, T], None] | None = None
    # The name in the API and the audit log ("models", "land-donations").
    resource: str = ""
    # Records dated inside an approved period may not change (units are not such records).
    lockable: bool = True
    # Whether an audit entry of this record may hold a denouncer's identity.
    is_confidential: Callable[[T], bool] | None = None
    # What a record adds to the pre-aggregated sums (services/rollups.py), if anything.
    rollup: Callable[[Session, T], list[Any]] | None = None
    # Filters of this resource that are not plain column matches, and how to apply them.
    special_filters: frozenset[str] = frozenset()
    # Fields of a confidential record (`is_confidential`) only managers read, sort by (a
    # hidden name's order would reveal it) or change: name → Vietnamese label.
    confidential: Mapping[str, str] = field(default_factory=dict)
    refine: Callable[[Select[Any], Any], Select[Any]] | None = None
    # The column that places a record in the tree (reads are scoped and filtered on it) ...
    unit_column: str = "unit_id"
    # ... and the one a write is checked against (a unit is written under its parent).
    write_column: str | None = None
    # The dates (the first one given) on which the record's unit must be in force; by
    # default the date field of a record kept on a unit (services/in_force.py).
    in_force_on: Sequence[str] | None = None
    required: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.required = frozenset(
            name for name, info in self.create_schema.model_fields.items()
            if not _allows_none(info.annotation)
        )
        if self.in_force_on is None:
            self.in_force_on = (self.date_field,) if self.date_field and \
                self.unit_column == "unit_id" else ()

    # -- reading ---------------------------------------------------------------------------
    def base_query(self, actor: Actor) -> Select[Any]:
        """What this actor may see: the one place rows are scoped."""
        return scope.restrict(select(self.table), self._unit_col, actor)

    def get(self, session: Session, *, actor: Actor, id: int) -> T:
        stmt = self.base_query(actor).where(self.table.id == id)  # type: ignore[attr-defined]
        obj = session.exec(stmt).scalars().first()
        if obj is None:
            raise NotFound(f"Không tìm thấy {self.label} số {id} (hoặc nằm ngoài phạm vi của bạn).")
        return obj

    def get_for_write(self, session: Session, *, actor: Actor, id: int) -> T:
        """The record to change: 404 if there is none, 403 if it lies outside the subtree."""
        try:
            return self.get(session, actor=actor, id=id)
        except NotFound:
            if session.get(self.table, id) is not None:
                raise Forbidden(f"{self.label.capitalize()} số {id} nằm ngoài phạm vi đơn vị "
                                "bạn phụ trách.") from None
            raise

    def list_(self, session: Session, *, actor: Actor, filters: Any) -> Page[T]:
        stmt = self.filtered(self.base_query(actor), filters)
        total = session.exec(select(func.count()).select_from(stmt.subquery())).scalar_one()
        sort = getattr(filters, "sort", None)
        if sort and sort.lstrip("-") in self.confidential and not actor.at_least(Role.manager):
            raise Invalid("Không sắp xếp được theo trường được bảo mật.",
                          errors=[{"loc": ["query", "sort"], "msg": "Trường được bảo mật."}])
        stmt = stmt.order_by(*self._order(sort))
        stmt = stmt.limit(filters.limit).offset(filters.offset)
        items = list(session.exec(stmt).scalars())
        return Page(items=items, total=total, limit=filters.limit, offset=filters.offset)

    def choices(self, session: Session, *, actor: Actor, unit_id: int, cap: int = 300) -> list[T]:
        """The records a record of `unit_id` may refer to (a contribution's work, a work's
        model): those the actor sees, on one line of the tree with that unit, newest first.
        It is the rule `Lookup.check_reference` enforces, offered before the clerk picks."""
        line = select(Unit.id).where(scope.on_line(session, unit_id))
        stmt = self.base_query(actor).where(self._unit_col.in_(line))
        order = getattr(self.table, self.date_field) if self.date_field else self.table.id  # type: ignore[attr-defined]
        return list(session.exec(stmt.order_by(order.desc(), self.table.id.desc()).limit(cap)).scalars())  # type: ignore[attr-defined]

    def all(self, session: Session, *, actor: Actor, filters: Any, cap: int) -> list[T]:
        """Every matching record (at most `cap`), oldest first: for exports."""
        stmt = self.filtered(self.base_query(actor), filters)
        order = getattr(self.table, self.date_field) if self.date_field else self.table.id  # type: ignore[attr-defined]
        return list(session.exec(stmt.order_by(order, self.table.id).limit(cap)).scalars())  # type: ignore[attr-defined]

    def filtered(self, stmt: Select[Any], filters: Any) -> Select[Any]:
        t = self.table
        if filters.unit_id is not None:
            stmt = stmt.where(scope.in_units(self._unit_col,
                                             scope.subtree_ids(filters.unit_id, "filter_units")))
        if self.date_field and filters.date_from is not None:
            stmt = stmt.where(getattr(t, self.date_field) >= filters.date_from)
        if self.date_field and filters.date_to is not None:
            stmt = stmt.where(getattr(t, self.date_field) <= filters.date_to)
        if filters.updated_since is not None:
            stmt = stmt.where(t.updated_at >= filters.updated_since)  # type: ignore[attr-defined]
        if getattr(filters, "q", None) and hasattr(t, "search_text"):
            # Without diacritics on both sides: "ham tri" finds "Hàm Trí".
            words = fold(filters.q).split()
            stmt = stmt.where(*(t.search_text.like(f"%{w}%") for w in words))
        if self.refine is not None:
            stmt = self.refine(stmt, filters)
        for name, value in filters:
            if name in COMMON_FILTERS or name in self.special_filters or value in (None, []):
                continue
            column = getattr(t, name)
            stmt = stmt.where(column.in_(value) if isinstance(value, list) else column == value)
        return stmt

    # -- writing ---------------------------------------------------------------------------
    def create(self, session: Session, *, actor: Actor, data: SQLModel) -> T:
        obj = self.table.model_validate(data.model_dump())
        self._validate(session, actor, obj)
        session.add(obj)
        self._flush(session)
        if self.rollup is not None:
            rollups.apply(session, self.rollup(session, obj), 1)
        self._audit(session, actor, "create", obj,
                    {k: [None, v] for k, v in _fields(obj).items() if v is not None})
        return obj

    def update(self, session: Session, *, actor: Actor, id: int, data: SQLModel,
               if_match: int | None = None) -> tuple[T, dict[str, list[Any]]]:
        obj = self.get_for_write(session, actor=actor, id=id)
        check_version(obj, if_match)
        changes = self.apply(session, actor=actor, obj=obj, values=data.model_dump(exclude_unset=True))
        return obj, changes

    def apply(self, session: Session, *, actor: Actor, obj: T, values: dict[str, Any],
              action: str = "update") -> dict[str, list[Any]]:
        """Apply field values to a stored record, check it, flush, audit; returns the changes
        as {field: [old, new]}."""
        self.refuse_confidential(actor, values, obj)
        for name, value in values.items():
            if value is None and name in self.required:
                raise Invalid.field(name, "Bắt buộc nhập, không được để trống.")
        column = self.write_column or self.unit_column
        old_unit = getattr(obj, column)
        changes = {k: [getattr(obj, k), v] for k, v in values.items() if getattr(obj, k) != v}
        if not changes:
            # Nothing to change still answers only those who may change it.
            if old_unit is not None:
                scope.check_write(session, actor, old_unit, role=self.write_role)
            return {}
        if old_unit is not None and column in changes:
            scope.check_write(session, actor, old_unit, role=self.write_role)
        # No autoflush while checking: the checks query, and a half-checked change must not
        # reach the database (nor bump the version twice).
        self._ensure_open(session, obj)
        with session.no_autoflush:
            before = self.rollup(session, obj) if self.rollup is not None else []
            for name, (_, new) in changes.items():
                setattr(obj, name, new)
            self._validate(session, actor, obj, changed=set(changes))
            # What really changed, once the checks have filled in what they fill in (a
            # work's status left empty keeps its own): the audit logs only that.
            changes = {k: [old, getattr(obj, k)] for k, (old, _) in changes.items()
                       if getattr(obj, k) != old}
            if not changes:
                return {}
            obj.updated_at = utcnow()  # type: ignore[attr-defined]
        self._flush(session)
        if self.rollup is not None:
            rollups.apply(session, before, -1)
            rollups.apply(session, self.rollup(session, obj), 1)
        self._audit(session, actor, action, obj, changes)
        return changes

    def refuse_confidential(self, actor: Actor, values: Mapping[str, Any], stored: T) -> None:
        """Below manager, a change that carries a confidential field of a record that is, or
        would become, confidential (a denunciation's petitioner) is refused (403), whatever
        the value and whatever is stored: set, replaced, erased or sent as it is, alike. It
        is checked before anything is compared, so that no answer (status, body, version,
        audit, an import's counts) depends on the stored value: a guess is never confirmed.
        Creating may carry it: the clerk who receives a denunciation records who sent it,
        and the answer (`present`) never holds it. Changes are for managers, who read it."""
        if actor.at_least(Role.manager) or self.is_confidential is None:
            return
        carried = [name for name in self.confidential if name in values]
        if not carried:
            return
        after = SimpleNamespace(**{**_fields(stored), **values})
        if not (self.is_confidential(stored) or self.is_confidential(after)):
            return
        why = ("của đơn tố cáo được bảo mật: khi đơn đã lưu, chỉ lãnh đạo được ghi, sửa hay "
               "xóa. Hãy để trống, không gửi trường này.")
        labels = [self.confidential[name] for name in carried]
        raise Forbidden(f"{', '.join(labels)} {why}",
                        errors=[{"loc": ["body", name], "msg": f"{label} {why}"}
                                for name, label in zip(carried, labels)])

    def delete(self, session: Session, *, actor: Actor, id: int, if_match: int | None = None) -> T:
        obj = self.get_for_write(session, actor=actor, id=id)
        check_version(obj, if_match)
        self.check_change(session, actor, obj)
        if self.before_delete is not None:
            self.before_delete(session, actor, obj)
        self._ensure_open(session, obj)
        if self.rollup is not None:
            rollups.apply(session, self.rollup(session, obj), -1)
        self._audit(session, actor, "delete", obj,
                    {k: [v, None] for k, v in _fields(obj).items() if v is not None})
        session.delete(obj)
        self._flush(session)
        return obj

    def check_change(self, session: Session, actor: Actor, obj: T) -> None:
        """Refuse (403) an actor who may not change or delete this stored record: a viewer, a
        read-only token, a role below the resource's, a unit outside the subtree."""
        unit_id = getattr(obj, self.write_column or self.unit_column)
        if unit_id is not None:
            scope.check_write(session, actor, unit_id, role=self.write_role)
        elif not (actor.can_write and actor.at_least(Role.admin)):
            raise Forbidden(f"Chỉ quản trị viên được thay đổi {self.label} cấp cao nhất.")

    def may_change(self, session: Session, *, actor: Actor, obj: T) -> bool:
        """What a page asks before offering a change or a delete: `check_change`'s answer.
        Approvals and references are not asked here; a try answers them in words."""
        try:
            self.check_change(session, actor, obj)
        except Forbidden:
            return False
        return True

    # -- rules -----------------------------------------------------------------------------
    def _validate(self, session: Session, actor: Actor, obj: T,
                  lookup: "Lookup | None" = None, changed: set[str] | None = None) -> None:
        """Every rule a record must pass before it is stored. `lookup` answers the questions
        about the tree, the referenced records and approved periods: the database by default,
        or what an import loaded once for all its rows (services/imports.py). `changed`: the
        fields an update changes (None for a new record)."""
        look = lookup or DB_LOOKUP
        column = self.write_column or self.unit_column
        unit_id = getattr(obj, column)
        if unit_id is not None:
            look.check_unit(session, actor, column, unit_id, self.write_role)
            self._check_in_force(session, obj, look, changed)
        for earlier, later in self.date_order:
            a, b = getattr(obj, earlier), getattr(obj, later)
            if isinstance(a, date) and isinstance(b, date) and b < a:
                named = field_label(self.create_schema, earlier)
                raise Invalid.field(later, f"Không được trước “{named}” ({a:%d/%m/%Y}).")
        for ref_field, ref_table, ref_label in (("work_id", Work, "công trình"),
                                                ("model_id", Model, "mô hình")):
            ref_id = getattr(obj, ref_field, None)
            if ref_id is not None and unit_id is not None:
                look.check_reference(session, actor, ref_field, ref_table, ref_label, ref_id, unit_id)
        if self.check is not None:
            self.check(session, actor, obj)
        if self.lockable and self.date_field:
            look.ensure_open(session, getattr(obj, self.unit_column), getattr(obj, self.date_field))

    def _check_in_force(self, session: Session, obj: T, look: "Lookup",
                        changed: set[str] | None) -> None:
        # Only when the unit or the date is written: a note corrected on a record stored
        # before this rule is not refused for a date nobody touched.
        dates = self.in_force_on or ()
        if not dates or (changed is not None and not changed & {self.unit_column, *dates}):
            return
        day = next((d for name in dates if isinstance(d := getattr(obj, name, None), date)), None)
        unit = look.unit(session, getattr(obj, self.unit_column)) if day else None
        if unit is not None and day is not None:
            in_force.check(unit, day, self.unit_column, lambda i: look.unit(session, i),
                           lambda i: look.merged_into(session, i))

    def validate_new(self, session: Session, actor: Actor, obj: T, lookup: "Lookup") -> None:
        """The rules of `create`, for a record an import stores itself."""
        self._validate(session, actor, obj, lookup)

    def _ensure_open(self, session: Session, obj: T) -> None:
        if self.lockable and self.date_field:
            approvals.ensure_open(session, getattr(obj, self.unit_column),
                                  getattr(obj, self.date_field))

    def _audit(self, session: Session, actor: Actor, action: str, obj: T,
               changes: dict[str, list[Any]]) -> None:
        audit.record(
            session, username=actor.username, user_id=actor.user_id, action=action,
            resource=self.resource or self.table.__tablename__, record_id=obj.id,  # type: ignore[attr-defined]
            unit_id=getattr(obj, self.unit_column), changes=changes,
            confidential=bool(self.is_confidential and self.is_confidential(obj)),
        )

    def _flush(self, session: Session) -> None:
        try:
            session.flush()
        except StaleDataError as exc:
            raise PreconditionFailed(
                f"{self.label.capitalize()} vừa được người khác sửa; hãy tải lại rồi sửa tiếp."
            ) from exc

    @property
    def _unit_col(self) -> Any:
        return getattr(self.table, self.unit_column)

    def _order(self, sort: str | None) -> list[Any]:
        t = self.table
        if sort:
            name = sort.lstrip("-")
            if name not in t.model_fields:
                raise Invalid(f"Không sắp xếp được theo '{name}'.",
                              errors=[{"loc": ["query", "sort"], "msg": "Tên trường không có."}])
            column = getattr(t, name)
            return [column.desc() if sort.startswith("-") else column.asc(), t.id]  # type: ignore[attr-defined]
        return [t.id]  # type: ignore[attr-defined]


def _fields(obj: Any) -> dict[str, Any]:
    """The record's own columns (not id, timestamps or version), for the audit log."""
    skip = {"id", "created_at", "updated_at", "version", "search_text"}
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skip}


class Lookup:
    """How a record's rules learn about the tree, referenced records and approvals: one query
    per question (a form or an API call). An import answers the same questions from what it
    loaded once (services/imports.py), with the same rules and messages."""

    def check_unit(self, session: Session, actor: Actor, column: str, unit_id: int,
                   role: Role) -> None:
        if session.get(Unit, unit_id) is None:
            raise Invalid.field(column, f"Đơn vị số {unit_id} không tồn tại.")
        scope.check_write(session, actor, unit_id, role=role)

    def check_reference(self, session: Session, actor: Actor, field_name: str, table: Any,
                        label: str, ref_id: int, unit_id: int) -> None:
        ref = session.get(table, ref_id)
        if ref is None or not self.can_see(session, actor, ref.unit_id):
            raise Invalid.field(field_name, f"Không có {label} số {ref_id}.")
        # Both must lie on one line of the tree: a village's gift to its commune's road is
        # fine, a contribution of Hàm Trí to a road of Hàm Liêm is not.
        if not self.on_line(session, unit_id, ref.unit_id):
            raise Invalid.field(field_name, f"{label.capitalize()} '{ref.name}' thuộc đơn vị khác, "
                                            "không cùng địa bàn với bản ghi này.")

    def can_see(self, session: Session, actor: Actor, unit_id: int) -> bool:
        return scope.can_see_unit(session, actor, unit_id)

    def unit(self, session: Session, unit_id: int) -> Unit | None:
        return session.get(Unit, unit_id)

    def merged_into(self, session: Session, unit_id: int) -> list[Unit]:
        """The units that were merged into this one."""
        return list(session.exec(select(Unit).where(Unit.merged_into_id == unit_id)).scalars())

    def on_line(self, session: Session, a: int, b: int) -> bool:
        return scope.in_subtree(session, a, b) or scope.in_subtree(session, b, a)

    def ensure_open(self, session: Session, unit_id: int | None, day: Any) -> None:
        approvals.ensure_open(session, unit_id, day)


DB_LOOKUP = Lookup()


def refuse_if_referenced(session: Session, obj: Any,
                         references: Sequence[tuple[Any, str] | tuple[Any, str, str]]) -> None:
    """Refuse (409) to delete a record other records point at: they would lose their link.
    Each reference is (table, what its rows are called[, its column; `<table>_id` if none])."""
    from sqlalchemy import exists

    for table, label, *named in references:
        column = getattr(table, named[0] if named else f"{type(obj).__tablename__}_id")
        if session.exec(select(exists().where(column == obj.id))).scalar():
            raise Conflict(f"Không xóa được: còn {label} gắn với bản ghi này; hãy bỏ liên kết trước.")


def check_version(obj: Any, if_match: int | None) -> None:
    if if_match is not None and if_match != obj.version:
        raise PreconditionFailed(
            f"Bản ghi đã được sửa (phiên bản hiện tại {obj.version}, bạn gửi {if_match}); "
            "hãy tải lại rồi sửa tiếp."
        )


def _allows_none(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, UnionType) and NoneType in get_args(annotation)
