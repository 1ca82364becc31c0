"""What every API route depends on: the request's transaction, the acting user, If-Match."""

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app.db.base import MAX_ID
from app.db.session import get_session
from app.services import auth
from app.services.actor import Actor
from app.services.errors import PreconditionFailed, Unauthorized

# scope="function": the transaction commits (or rolls back) before the response is sent, so a
# client never sees 201 for a write that then failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def current_actor(request: Request, session: SessionDep,
                  token: Annotated[str | None, Depends(_bearer)]) -> Actor:
    if not token:
        raise Unauthorized("Cần đăng nhập: gửi 'Authorization: Bearer <mã truy cập>'.")
    actor = auth.actor_for_token(session, token)
    if actor.token_id is not None:
        auth.note_use(session, actor.token_id,
                      in_this_transaction=request.method not in ("GET", "HEAD", "OPTIONS"))
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


def if_match(
    value: Annotated[str | None, Header(alias="If-Match", description='The ETag read, e.g. "3".')] = None,
) -> int | None:
    """The version a write expects (from If-Match); None when absent or '*'."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise PreconditionFailed(f"If-Match '{value}' không phải phiên bản hợp lệ (ví dụ \"3\").")
    return int(text)


IfMatchDep = Annotated[int | None, Depends(if_match)]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
UnitId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A unit's id.")]


def etag(version: int) -> str:
    return f'"{version}"'


def client_ip(request: Request) -> str:
    """The caller's address (uvicorn applies X-Forwarded-For from trusted proxies)."""
    return request.client.host if request.client else "unknown"
