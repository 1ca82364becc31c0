"""/api/v1/audit: the audit log, read-only (no route changes or deletes an entry)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from app.api.crud import api_router
from app.api.errors import PROBLEM_RESPONSES
from app.deps import ActorDep, SessionDep
from app.services import audit

router = api_router("audit")


class AuditOut(BaseModel):
    id: int
    at: datetime
    username: str
    action: str
    resource: str
    record_id: int | None
    unit_id: int | None
    changes: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditOut]
    total: int
    limit: int
    offset: int


@router.get("", response_model=AuditPage, responses=PROBLEM_RESPONSES, name="list")
def list_audit(session: SessionDep, actor: ActorDep,
               filters: Annotated[audit.AuditFilters, Query()]) -> AuditPage:
    """Every change in the caller's subtree, newest first: who, when, each field before/after."""
    page = audit.list_(session, actor=actor, filters=filters)
    return AuditPage(items=[AuditOut(**audit.present(e, actor)) for e in page.items],
                     total=page.total, limit=page.limit, offset=page.offset)
