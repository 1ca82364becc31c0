"""How a record resource is written: create, update with optimistic locking (and `apply`,
which the workflows use too), delete, each checked, flushed, summed and audited. A part of
`Records` (engine.py), whose fields these methods read."""

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, Generic, TypeVar

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from app.db.base import utcnow
from app.db.gate import writing
from app.enums import Role
from app.services import audit, rollups, scope
from app.services.actor import Actor
from app.services.errors import Forbidden, Invalid, PreconditionFailed
from app.services.records.checks import check_version

T = TypeVar("T", bound=SQLModel)


class Writing(Generic[T]):
    """The writing methods of `Records` (its fields are declared in engine.py)."""

    # Each verb takes the write lock first (`writing`: a request takes it late, at this
    # point): its checks (a unit code read at the record's date too) and its writes then see
    # one state.

    def create(self, session: Session, *, actor: Actor, data: SQLModel,
               also: Mapping[str, Any] | None = None) -> T:
        """`also`: values that are no column of the table (a divided unit's successors), set
        on the new record before its checks and audited in its one create entry."""
        writing(session)
        obj = self.table.model_validate(self.by_code(session, actor, data.model_dump()))
        for name, value in (also or {}).items():
            setattr(obj, name, value)
        self._validate(session, actor, obj)
        session.add(obj)
        self._flush(session)
        if self.rollup is not None:  # one multi-row upsert per table, not one per grain
            rollups.apply_summed(session, self.rollup(session, obj))
        audited = {**_fields(obj), **{name: getattr(obj, name) for name in also or ()}}
        self._audit(session, actor, "create", obj,
                    {k: [None, v] for k, v in audited.items() if v is not None})
        return obj

    def update(self, session: Session, *, actor: Actor, id: int, data: SQLModel,
               if_match: int | None = None) -> tuple[T, dict[str, list[Any]]]:
        writing(session)
        obj = self.get_for_write(session, actor=actor, id=id)
        check_version(obj, if_match)
        values = self.by_code(session, actor, data.model_dump(exclude_unset=True), obj)
        changes = self.apply(session, actor=actor, obj=obj, values=values)
        return obj, changes

    def apply(self, session: Session, *, actor: Actor, obj: T, values: dict[str, Any],
              action: str = "update") -> dict[str, list[Any]]:
        """Apply field values to a stored record, check it, flush, audit; returns the changes
        as {field: [old, new]}. `obj` may have been read before the write lock was taken:
        its version, read then, is the one its UPDATE requires (412 if it changed since)."""
        self.refuse_confidential(actor, values, obj)
        writing(session)
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
        writing(session)
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


def _fields(obj: Any) -> dict[str, Any]:
    """The record's own columns (not id, timestamps or version), for the audit log."""
    skip = {"id", "created_at", "updated_at", "version", "search_text"}
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in skip}

