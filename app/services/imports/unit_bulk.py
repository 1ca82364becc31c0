"""New units of an import stored around the ORM, as new records are (bulk.py): a country is
14 000 units, and one `units.create` each (its ORM flush, its audit entry and its chain link
read again, each a round trip) took ten times the minute a country may take.

Each new unit is checked by the very rules of services/units.py (`records.validate_new`, whose
`check` is units.py's), answered from what the import loaded (lookup.py's `Loaded`, the tree
held in the session), then stored with one INSERT, so the next rows' checks find it; the
audit entries (one `create` each, its successors in it, as `units.create` writes) and the
successor links go in at the end, one statement each."""

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from app.db.audit import AuditEntry
from app.db.base import utcnow
from app.db.gate import writing
from app.db.units import Unit, UnitCreate, UnitSuccessor
from app.services import audit, scope, units
from app.services.actor import Actor
from app.services.imports.bulk import bulk_insert, reserve_ids
from app.services.imports.lookup import Loaded

RESERVED = 500
SKIP = frozenset({"id", "created_at", "updated_at", "version", "search_text"})


class NewUnits:
    """One import's new units: checked and inserted one by one, audited and linked at the
    end (`finish`)."""

    def __init__(self, session: Session, actor: Actor, lookup: Loaded, tree: scope.Tree) -> None:
        self.session, self.actor, self.lookup, self.tree = session, actor, lookup, tree
        self.table = Unit.__table__  # type: ignore[attr-defined]
        self.columns = [c for c in self.table.columns.keys() if c != "id"]
        self.made: list[Any] = []  # (the unit, its successors' ids) in the order stored
        self.known: list[Unit] = []  # held: the session keeps an object only while it is
        self.at = utcnow()
        self.ids: list[int] = []

    def add(self, data: UnitCreate) -> Any:
        """Check a new unit by units.py's rules and store it; its id. Raises DomainError."""
        writing(self.session)  # the writers' turn before any row (PostgreSQL: db.gate)
        values = data.model_dump()
        successors = values.pop("successor_ids", None) or []
        unit = SimpleNamespace(**{**dict.fromkeys(self.columns), **values}, id=None, successors=[])
        unit.__dict__["_successor_ids"] = successors
        with self.session.no_autoflush:
            units.records.validate_new(self.session, self.actor, unit, self.lookup)
        unit.created_at = unit.updated_at = self.at
        unit.version = 1
        unit.search_text = Unit.folded(unit)
        if not self.ids:  # reserved a batch at a time: one query per unit cost as much as its insert
            self.ids = reserve_ids(self.session, self.table, RESERVED)[::-1]
        unit.id = self.ids.pop()
        bulk_insert(self.session, self.table, [{"id": unit.id, **{c: getattr(unit, c)
                                                                    for c in self.columns}}])
        self.made.append((unit, [s.id for s in unit.successors]))
        self.known.append(self._known(unit))
        self.lookup.units[unit.id] = unit  # a parent, a successor of the rows below
        if self.lookup.visible is not None:
            self.lookup.visible.add(unit.id)  # under a unit the importer may write
        self.tree.place(unit.id, unit.parent_id, unit.merged_into_id)
        return unit.id

    def _known(self, unit: Any) -> Unit:
        """The stored row as the session's own object, without reading it back: the rows
        below ask for it (a parent's level, the units above for the change marks)."""
        known = Unit(**{c: getattr(unit, c) for c in ("id", *self.columns)})
        make_transient_to_detached(known)
        self.session.add(known)
        return known

    def finish(self) -> None:
        """The successor links and the audit entries of every unit stored, one statement each;
        the dashboards' change marks."""
        if not self.made:
            return
        links = [{"predecessor_id": u.id, "successor_id": s} for u, ids in self.made for s in ids]
        if links:
            bulk_insert(self.session, UnitSuccessor.__table__, links)  # type: ignore[attr-defined]
        entries = audit.chain(
            audit.last_hash(self.session), at=self.at, user_id=self.actor.user_id,
            username=self.actor.username, action="create", resource="units",
            records=((u.id, u.id, _audited(u, ids), False) for u, ids in self.made))
        table = AuditEntry.__table__  # type: ignore[attr-defined]
        for e, entry_id in zip(entries, reserve_ids(self.session, table, len(entries)), strict=True):
            e["id"] = entry_id
        bulk_insert(self.session, table, entries)
        marks: dict[int, tuple[int, datetime]] = {e["unit_id"]: (e["id"], self.at) for e in entries}
        audit.mark_changes(self.session, marks)


def _audited(unit: Any, successors: list[int]) -> dict[str, list[Any]]:
    """What `units.create` audits: every column set, and the successors, the default first."""
    changes = {k: [None, v] for k, v in vars(unit).items()
               if k in Unit.__table__.columns and k not in SKIP and v is not None}  # type: ignore[attr-defined]
    if successors:
        ordered = sorted(successors, key=lambda i: (i != unit.merged_into_id, i))
        changes["successor_ids"] = [None, ordered]
    return changes
