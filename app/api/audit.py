"""/api/v1/audit: the audit log, read-only (no route changes or deletes an entry)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from app.api.crud import api_router, page_model
from app.api.errors import PROBLEM_RESPONSES
from app.deps import ActorDep, SessionDep
from app.services import audit

router = api_router("audit")


class AuditOut(BaseModel):
    id: int = Field(title="Số hiệu")
    at: datetime = Field(title="Thời điểm")
    username: str = Field(title="Người thực hiện")
    action: str = Field(title="Thao tác")
    resource: str = Field(title="Loại dữ liệu")
    record_id: int | None = Field(title="Số hiệu bản ghi")
    unit_id: int | None = Field(title="Đơn vị")
    changes: dict[str, Any] = Field(title="Thay đổi (trước, sau)")


AuditPage = page_model(AuditOut, "AuditPage")


@router.get("", response_model=AuditPage, responses=PROBLEM_RESPONSES, name="list")
def list_audit(session: SessionDep, actor: ActorDep,
               filters: Annotated[audit.AuditFilters, Query()]) -> AuditPage:
    """Every change in the caller's subtree, newest first: who, when, each field before/after."""
    page = audit.list_(session, actor=actor, filters=filters)
    return AuditPage(items=[AuditOut(**audit.present(e, actor)) for e in page.items],
                     total=page.total, limit=page.limit, offset=page.offset)
