"""The audit log, written in the same transaction as the change it records.

Entries form a hash chain: each stores the SHA-256 of the previous entry's hash and its own
content, so an edited or deleted row is found by `verify` (and `dvk audit verify`)."""

import hashlib
import json
from datetime import date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from collections.abc import Iterable
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import Boolean, ColumnElement, Select, and_, func, not_, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.db.audit import AuditEntry
from app.db.fields import QueryParams
from app.db.dashboards import ChangeMark
from app.db.petitions import CONFIDENTIAL
from app.db.gate import WRITERS_LOCK, writing
from app.enums import Role
from app.vn import day_start
from app.services import scope
from app.services.actor import Actor
from app.services.paging import Page

GENESIS = "0" * 64

# Resource → the fields of a denouncer's identity. Below manager they leave no trace in any
# answer built from the log (/audit, /changes, history panels, the dashboards' feed): not
# their values, not their keys (a key says a name was recorded), not an entry that changed
# nothing else (it says a manager edited the identity). Any petition may become a
# denunciation later, so this holds for every petition's entries.
HIDDEN: dict[str, tuple[str, ...]] = {"petitions": tuple(CONFIDENTIAL)}


def jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


# Made once: json.dumps(...) makes an encoder per call, and an import encodes a million values.
_JSON = json.JSONEncoder(ensure_ascii=False)
_PLAIN = frozenset((str, int, float, bool, type(None)))


def changes_text(changes: dict[str, Any] | None) -> str:
    """What an entry stores of a change: {field: [before, after]} as JSON, keys sorted."""
    return _JSON.encode({k: [a if type(a) in _PLAIN else jsonable(a),
                             b if type(b) in _PLAIN else jsonable(b)]
                         for k, (a, b) in sorted((changes or {}).items())})


def _shared(at: datetime, user_id: int | None, username: str, action: str, resource: str) -> str:
    return ",".join(_JSON.encode(v) for v in (at.isoformat(), user_id, username, action, resource))


def _link(prev: str, shared: str, record_id: int | None, unit_id: int | None, changes: str,
          confidential: bool) -> str:
    """The chain's one formula: the SHA-256 of the compact JSON array [prev, at, user_id,
    username, action, resource, record_id, unit_id, changes, confidential]. `shared` is the
    text of the five in the middle, which a batch of one writer's entries encodes once."""
    # The hashes are hexadecimal and the ids integers: their JSON is their own text.
    body = (f'["{prev}",{shared},{"null" if record_id is None else record_id},'
            f'{"null" if unit_id is None else unit_id},{_JSON.encode(changes)},'
            f'{"true" if confidential else "false"}]')
    return hashlib.sha256(body.encode()).hexdigest()


def _digest(prev: str, e: AuditEntry) -> str:
    return _link(prev, _shared(e.at, e.user_id, e.username, e.action, e.resource),
                 e.record_id, e.unit_id, e.changes, e.confidential)


def chain(prev: str, *, at: datetime, user_id: int | None, username: str, action: str,
          resource: str, records: Iterable[tuple[int, int | None, dict[str, Any], bool]],
          ) -> list[dict[str, Any]]:
    """The entries of many records changed by one writer at one moment (an import's chunk):
    `records` gives each one's (record_id, unit_id, changes, confidential). They come back as
    rows for one bulk insert, linked from `prev` exactly as `record` links one entry; the
    caller takes `prev` from `last_hash` (which takes the chain's lock), then from the last
    row's hash, and inserts them before anyone else may write."""
    shared = _shared(at, user_id, username, action, resource)
    rows = []
    for record_id, unit_id, changes, confidential in records:
        text_ = changes_text(changes)
        link = _link(prev, shared, record_id, unit_id, text_, confidential)
        rows.append({"at": at, "user_id": user_id, "username": username, "action": action,
                     "resource": resource, "record_id": record_id, "unit_id": unit_id,
                     "changes": text_, "confidential": confidential,
                     "prev_hash": prev, "hash": link})
        prev = link
    return rows


# One writer at a time extends the chain: on PostgreSQL the writers' turn (db.gate), on SQLite
# the write lock.
CHAIN_LOCK = WRITERS_LOCK


def last_hash(session: Session) -> str:
    writing(session)  # the last link is read in the writer's turn
    last = session.exec(_LAST_HASH).scalar()
    return last or GENESIS


# Built once: building it again at every write cost more than running it.
_LAST_HASH = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)


def record(session: Session, *, username: str, user_id: int | None, action: str, resource: str,
           record_id: int | None = None, unit_id: int | None = None,
           changes: dict[str, Any] | None = None, confidential: bool = False) -> AuditEntry:
    """Append one entry (flushed with the change, committed with it or not at all)."""
    entry = AuditEntry(user_id=user_id, username=username, action=action, resource=resource,
                       record_id=record_id, unit_id=unit_id, confidential=confidential,
                       changes=changes_text(changes), prev_hash="", hash="")
    entry.prev_hash = last_hash(session)
    entry.hash = _digest(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    if unit_id is not None:
        mark_change(session, unit_id, entry.id, entry.at)  # type: ignore[arg-type]
    return entry


def mark_change(session: Session, unit_id: int, entry_id: int, at: datetime) -> None:
    """Move the change mark of the unit, and of every unit whose subtree holds it (its parents
    and the units it was merged into, up to the root), to this entry, in the change's own
    transaction: every server process then sees the change exactly when it is committed, and
    a live dashboard learns whether anything in its subtree changed from its own unit's row
    (one lookup each poll, not a walk of the subtree). A mark only moves forward (an import
    marks its units in any order)."""
    mark_changes(session, {unit_id: (entry_id, at)})


def mark_changes(session: Session, marks: dict[int, tuple[int, datetime]]) -> None:
    """`mark_change` for many units at once (an import's): each unit and every unit above
    it moved to the latest of the entries below it."""
    latest: dict[int, tuple[int, datetime]] = {}
    for unit_id, mark in marks.items():
        for u in (unit_id, *scope.ancestor_ids(session, unit_id)):
            if u not in latest or latest[u][0] < mark[0]:
                latest[u] = mark
    if not latest:
        return
    # One order (by unit) whoever writes: no deadlock.
    session.connection().execute(
        _mark_statement(session.get_bind().dialect.name),
        [{"unit_id": u, "last_entry": entry_id, "at": at}
         for u, (entry_id, at) in sorted(latest.items())])


@lru_cache
def _mark_statement(dialect: str) -> Any:
    """The upsert of one change mark, built once per dialect (run once per unit marked)."""
    from sqlalchemy import case

    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(ChangeMark.__table__)
    newer = stmt.excluded.last_entry > ChangeMark.last_entry
    return stmt.on_conflict_do_update(
        index_elements=["unit_id"],
        set_={"last_entry": case((newer, stmt.excluded.last_entry), else_=ChangeMark.last_entry),
              "at": case((newer, stmt.excluded.at), else_=ChangeMark.at)})


def verify(session: Session, *, batch: int = 5000) -> tuple[int, int | None]:
    """(entries checked, id of the first entry whose link is broken, or None)."""
    prev, checked, after = GENESIS, 0, 0
    while True:
        rows = session.exec(select(AuditEntry).where(AuditEntry.id > after)
                            .order_by(AuditEntry.id).limit(batch)).scalars().all()
        if not rows:
            return checked, None
        for e in rows:
            if e.prev_hash != prev or _digest(prev, e) != e.hash:
                return checked, e.id
            prev, checked, after = e.hash, checked + 1, e.id  # type: ignore[assignment]


class AuditFilters(QueryParams):
    resource: str | None = Field(None, max_length=32)
    record_id: int | None = Field(None, ge=1, le=2**31 - 1)
    user: str | None = Field(None, max_length=100, description="username")
    action: str | None = Field(None, max_length=32)
    date_from: date | None = None
    date_to: date | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**31 - 1)

    @model_validator(mode="after")
    def _order(self) -> "AuditFilters":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from phải trước hoặc bằng date_to")
        return self


def base_query(actor: Actor) -> Select[Any]:
    """Entries of the records in the actor's subtree; entries tied to no unit (sign-ins of
    users without a unit) only for admins; below manager, none that changed only hidden
    fields."""
    stmt = select(AuditEntry).where(readable(actor))
    visible = scope.visible_unit_ids(actor)
    if visible is None:
        return stmt
    own = AuditEntry.user_id == actor.user_id if actor.user_id else AuditEntry.id < 0
    return stmt.where(or_(AuditEntry.unit_id.in_(visible), own))


def readable(actor: Actor | None) -> ColumnElement[bool]:
    """The entries this actor may learn exist (None: anyone, a wall screen's reader): below
    manager, not those whose every change is of a hidden field. Hidden rather than shown
    empty: an entry that shows no change would itself tell that the identity was edited."""
    if actor is not None and actor.at_least(Role.manager):
        return true()
    return and_(true(), *(not_(_only_hidden(resource, fields)) for resource, fields in HIDDEN.items()))


def _only_hidden(resource: str, fields: tuple[str, ...]) -> ColumnElement[bool]:
    return ((AuditEntry.resource == resource) & (AuditEntry.changes != "{}")
            & not_(_other_key(AuditEntry.changes, fields)))


class _other_key(FunctionElement[bool]):
    """Whether the JSON object in a text column has a key outside `fields` (SQL)."""

    type = Boolean()
    inherit_cache = True

    def __init__(self, column: Any, fields: tuple[str, ...]) -> None:
        self.fields = fields
        super().__init__(column)


def _names(fields: tuple[str, ...]) -> str:
    # Field names are identifiers declared in the code, never input.
    assert all(f.isidentifier() for f in fields)
    return ", ".join(f"'{f}'" for f in fields)


@compiles(_other_key, "sqlite")
def _other_key_sqlite(element: _other_key, compiler: Any, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return (f"EXISTS (SELECT 1 FROM json_each({column}) "
            f"WHERE json_each.key NOT IN ({_names(element.fields)}))")


@compiles(_other_key, "postgresql")
def _other_key_postgres(element: _other_key, compiler: Any, **kw: Any) -> str:
    column = compiler.process(list(element.clauses)[0], **kw)
    return (f"EXISTS (SELECT 1 FROM json_object_keys(CAST({column} AS json)) AS k "
            f"WHERE k NOT IN ({_names(element.fields)}))")


def list_(session: Session, *, actor: Actor, filters: AuditFilters) -> Page[AuditEntry]:
    stmt = base_query(actor)
    if filters.resource:
        stmt = stmt.where(AuditEntry.resource == filters.resource)
    if filters.record_id:
        stmt = stmt.where(AuditEntry.record_id == filters.record_id)
    if filters.user:
        stmt = stmt.where(AuditEntry.username == filters.user)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    # Days in Vietnam's time, as every date the pages show; the column holds UTC moments.
    if filters.date_from and (start := day_start(filters.date_from)):
        stmt = stmt.where(AuditEntry.at >= start)
    if filters.date_to and filters.date_to < date.max:
        stmt = stmt.where(AuditEntry.at < day_start(filters.date_to + timedelta(days=1)))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).scalar_one()
    items = session.exec(stmt.order_by(AuditEntry.id.desc()).limit(filters.limit)
                         .offset(filters.offset)).scalars().all()
    return Page(items=list(items), total=total, limit=filters.limit, offset=filters.offset)


def present(e: AuditEntry, actor: Actor) -> dict[str, Any]:
    """An entry as this actor may read it: below manager, without the hidden fields' keys
    (the entries that changed nothing else `readable` keeps from them)."""
    changes = json.loads(e.changes)
    if e.resource in HIDDEN and not actor.at_least(Role.manager):
        for name in HIDDEN[e.resource]:
            changes.pop(name, None)
    return {"id": e.id, "at": e.at, "username": e.username, "action": e.action,
            "resource": e.resource, "record_id": e.record_id, "unit_id": e.unit_id,
            "changes": changes}


def history(session: Session, *, actor: Actor, resource: str, record_id: int,
            limit: int = 30) -> list[dict[str, Any]]:
    """One record's changes, newest first, as this actor may read them: the history panel
    of every record page."""
    filters = AuditFilters(resource=resource, record_id=record_id, limit=limit)
    return [present(e, actor) for e in list_(session, actor=actor, filters=filters).items]
