"""The tree, the approvals and the actor's subtree, loaded once per import: the answers the
records' rules ask for, without a query per row."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.db.units import Unit
from app.enums import Role
from app.services import approvals, in_force, scope
from app.services.actor import Actor
from app.services.errors import Forbidden, Invalid
from app.services.records import Lookup


class OutsideSubtree(Forbidden):
    """A row's unit lies outside the importer's subtree."""


class Loaded(Lookup):
    """The answers `Records` needs, from what the import loaded once: every unit (a province
    has some thousands), the actor's subtree, the standing approvals; works and models a
    chunk refers to are loaded per chunk."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.units = {u.id: u for u in session.exec(select(Unit)).scalars()}
        # Every unit that carried a code, without case: a 2025 commune mostly carries its
        # predecessor's, and a row's date says which one it names (`nearest`).
        self.by_code: dict[str, list[Unit]] = {}
        for u in sorted(self.units.values(), key=lambda u: u.id):
            self.by_code.setdefault(u.code.lower(), []).append(u)
        visible = scope.visible_unit_ids(actor)
        self.visible: set[int] | None = None if visible is None else \
            set(scope.subtree_id_list(session, actor.unit_id).ids)  # type: ignore[arg-type]
        self.above: dict[int, set[int]] = {}
        self.approvals = approvals.standing(session)

    def ancestors(self, session: Session, unit_id: int) -> set[int]:
        found = self.above.get(unit_id)
        if found is None:
            found = self.above[unit_id] = set(scope.ancestor_ids(session, unit_id))
        return found

    def check_unit(self, session: Session, actor: Actor, column: str, unit_id: int,
                   role: Role) -> None:
        if unit_id not in self.units:
            raise Invalid.field(column, f"Đơn vị số {unit_id} không tồn tại.")
        if not self.can_see(session, actor, unit_id):
            raise OutsideSubtree("Đơn vị này nằm ngoài phạm vi đơn vị bạn phụ trách.")

    def can_see(self, session: Session, actor: Actor, unit_id: int) -> bool:
        return unit_id in self.units and (self.visible is None or unit_id in self.visible)

    def unit(self, session: Session, unit_id: int) -> Unit | None:
        return self.units.get(unit_id)

    def nearest(self, code: str, day: date) -> Unit | None:
        """The unit that carried `code` on `day` (services/in_force.py's rule), or else the
        one that carried it nearest that day: a row then meets the records' rules in their
        order (a date after today, a unit no longer in force: the words of in_force.py, naming
        the unit that was)."""
        return in_force.nearest(self.by_code.get(code.lower(), ()), day)

    def shared(self, code: str) -> bool:
        """Whether several units carried `code`, each in its time."""
        return len(self.by_code.get(code.lower(), ())) > 1

    def not_carried(self, session: Session | None, code: str, day: date) -> str:
        return in_force.not_carried(code, day, self.by_code.get(code.lower(), []), self.units.get,
                                    lambda i: self.merged_into(session, i))  # type: ignore[arg-type]

    def merged_into(self, session: Session, unit_id: int) -> list[Unit]:
        return [u for u in self.units.values() if u.merged_into_id == unit_id]

    def on_line(self, session: Session, a: int, b: int) -> bool:
        return a == b or b in self.ancestors(session, a) or a in self.ancestors(session, b)

    def ensure_open(self, session: Session, unit_id: int | None, day: Any) -> None:
        if unit_id is None or day is None or not self.approvals:
            return
        covering = self.ancestors(session, unit_id) | {unit_id}
        for approval, name in self.approvals:
            if approval.unit_id in covering and approval.period_start <= day <= approval.period_end:
                raise approvals.locked(approval, name)
