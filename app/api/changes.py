"""/api/v1/changes: what changed since a cursor, for provincial systems that keep a copy."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from app.api.crud import api_router
from app.api.errors import PROBLEM_RESPONSES
from app.deps import ActorDep, SessionDep
from app.services import changes as service
from app.services.changes import ChangesParams

router = api_router("changes")


class Change(BaseModel):
    cursor: int = Field(title="Vị trí")
    resource: str = Field(title="Loại dữ liệu")
    id: int = Field(title="Số hiệu bản ghi")
    action: str = Field(title="Thao tác")
    at: datetime = Field(title="Thời điểm")
    unit_id: int | None = Field(title="Đơn vị")
    record: dict[str, Any] | None = Field(title="Bản ghi hiện nay")


class ChangesPage(BaseModel):
    items: list[Change] = Field(title="Các thay đổi")
    next: int = Field(title="Vị trí hỏi tiếp")
    more: bool = Field(title="Còn nữa")


@router.get("", response_model=ChangesPage, responses=PROBLEM_RESPONSES, name="list")
def changes(session: SessionDep, actor: ActorDep,
            params: Annotated[ChangesParams, Query()]) -> dict[str, Any]:
    """Every change (create, update, workflow step, delete) of the records the caller may see,
    oldest first, after `since`. Keep `next` and ask again with `since=next`: changes are in
    commit order, so none is missed or repeated, even while others write. `record` is the
    record as it is now (petitions as the caller may see them), null for a deletion."""
    return service.feed(session, actor=actor, params=params)
