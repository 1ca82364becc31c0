"""The rules every record passes before it is stored (a part of `Records`, engine.py), and
the questions they ask about the tree, referenced records and approved periods (`Lookup`:
the database by default, or what an import loaded once)."""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from app.db.labels import label as field_label
from app.db.models import Model
from app.db.units import Unit
from app.db.works import Work
from app.enums import Role
from app.services import approvals, in_force, scope
from app.services.actor import Actor
from app.services.errors import Conflict, Invalid, PreconditionFailed
from app.vn import print_date, today

T = TypeVar("T", bound=SQLModel)


class Checking(Generic[T]):
    """The rules of `Records` (its fields are declared in engine.py)."""

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

    def naming_day(self, values: Mapping[str, Any], stored: Any = None) -> date:
        """The date a `unit_code` is read at: the record's own, the one its unit must be in
        force on (`in_force_on`: the date field; a target's period start, a work's start while
        it has no completion), as written or else as stored; today for a record with none."""
        for name in (*(self.in_force_on or ()), self.date_field):
            day = values[name] if name and name in values else getattr(stored, name or "", None)
            if isinstance(day, date):
                return day
        return today()

    def by_code(self, session: Session, actor: Actor, values: dict[str, Any],
                stored: Any = None) -> dict[str, Any]:
        """A write's values with its `unit_code` (the API's alternative to `unit_id`) replaced
        by the unit that carried the code on the record's own date; refused (422) when none
        did, or when a `unit_id` sent beside it names another unit (403 first when the unit
        lies outside the actor's subtree, as for its id)."""
        code = values.pop("unit_code", None)
        if code is None:
            return values
        day, column = self.naming_day(values, stored), self.unit_column
        found = in_force.unit_at(session, code, day)
        if found is None:
            raise Invalid.field("unit_code", DB_LOOKUP.not_carried(session, code, day))
        DB_LOOKUP.check_unit(session, actor, column, found.id, self.write_role)  # type: ignore[arg-type]
        given = values.get(column)
        if given is not None and given != found.id:
            raise Invalid.field("unit_code", f"Mã '{code}' ngày {print_date(day)} là mã của "
                                             f"'{found.name}' (số {found.id}), không phải đơn vị "
                                             f"số {given} ({column}): hãy gửi một trong hai.")
        values[column] = found.id
        return values

    def validate_new(self, session: Session, actor: Actor, obj: T, lookup: "Lookup") -> None:
        """The rules of `create`, for a record an import stores itself."""
        self._validate(session, actor, obj, lookup)

    def _ensure_open(self, session: Session, obj: T) -> None:
        if self.lockable and self.date_field:
            approvals.ensure_open(session, getattr(obj, self.unit_column),
                                  getattr(obj, self.date_field))


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

    def not_carried(self, session: Session, code: str, day: date) -> str:
        """Why no unit carried `code` on `day` (services/in_force.py's words)."""
        return in_force.not_carried(code, day, in_force.carriers(session, code),
                                    lambda i: self.unit(session, i),
                                    lambda i: self.merged_into(session, i))

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

