"""The changes feed for provincial systems (GET /api/v1/changes): every create, update, step
and delete of the records an actor may see, in the order they were committed, from a cursor.

The cursor is the audit log's entry id. Every writing transaction takes the audit chain's lock
(services/audit.py) before its first entry and keeps it until it commits, so entry ids grow in
commit order: a client that asks again from the last cursor it saw can neither miss a change
committed meanwhile nor see one twice. Deletions are in the feed (action `delete`, record
null); each other entry carries the record as it is now (a client applies the newest state
and may see it again under a later cursor).
"""

from collections.abc import Callable
from typing import Any

from pydantic import Field, field_validator
from sqlalchemy import select
from sqlmodel import Session

from app.db.audit import AuditEntry
from app.db.base import MAX_ID
from app.db.fields import QueryParams
from app.services import audit, registry
from app.services.actor import Actor


# resource (as in the API's paths) -> (its records, how its records are shown to an actor)
FEED: dict[str, tuple[Any, Callable[[Any, list[Any], Actor], list[Any]]]] = {
    r.name: (r.records, r.present_all) for r in registry.RESOURCES}


class ChangesParams(QueryParams):
    since: int = Field(0, ge=0, le=2**63 - 1, description="The cursor of the last change seen; 0 for all.")
    limit: int = Field(500, ge=1, le=5000, description="Changes per page (max 5000).")
    resource: list[str] | None = Field(None, description="Only these resources (repeatable).")
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only this unit's subtree.")

    @field_validator("resource")
    @classmethod
    def _known(cls, value: list[str] | None) -> list[str] | None:
        unknown = [r for r in value or () if r not in FEED]
        if unknown:
            raise ValueError(f"không có loại hồ sơ {', '.join(unknown)}; chọn trong: {', '.join(FEED)}")
        return value


def feed(session: Session, *, actor: Actor, params: ChangesParams) -> dict[str, Any]:
    """{items, next, more}: changes after `since`, oldest first; ask again with `next`."""
    wanted = list(params.resource or FEED)
    # Audit ids are 32-bit on PostgreSQL, and a larger number compared with them failed there
    # (500): a cursor past every id has nothing after it.
    stmt = (audit.base_query(actor)
            .where(AuditEntry.id > min(params.since, MAX_ID), AuditEntry.resource.in_(wanted),
                   AuditEntry.record_id.is_not(None)))
    if params.unit_id is not None:
        from app.services import scope

        stmt = stmt.where(AuditEntry.unit_id.in_(scope.subtree_ids(params.unit_id, "feed_units")))
    entries = list(session.exec(stmt.order_by(AuditEntry.id).limit(params.limit + 1)).scalars())
    more = len(entries) > params.limit
    entries = entries[:params.limit]
    current = _current(session, actor, entries)
    items = [{"cursor": e.id, "resource": e.resource, "id": e.record_id, "action": e.action,
              "at": e.at, "unit_id": e.unit_id,
              "record": None if e.action == "delete" else current.get((e.resource, e.record_id))}
             for e in entries]
    return {"items": items, "next": entries[-1].id if entries else params.since, "more": more}


def _current(session: Session, actor: Actor, entries: list[AuditEntry]) -> dict[tuple[str, int], Any]:
    """The records the entries are about, as they are now and as the actor may see them."""
    by_resource: dict[str, set[int]] = {}
    for e in entries:
        by_resource.setdefault(e.resource, set()).add(e.record_id)  # type: ignore[arg-type]
    out: dict[tuple[str, int], Any] = {}
    for resource, ids in by_resource.items():
        records, show = FEED[resource]
        stmt = records.base_query(actor).where(records.table.id.in_(ids))
        objs = list(session.exec(stmt).scalars())
        for obj, shown in zip(objs, show(session, objs, actor), strict=True):
            out[(resource, obj.id)] = shown.model_dump(mode="json")
    return out
