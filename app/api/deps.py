"""What every API route depends on: the request's transaction, the acting user, If-Match."""

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
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


async def known_query(request: Request) -> None:
    """Refuse a query parameter the operation does not document (422 naming it): a misspelt
    filter (?code= on units, which filters by q) must not quietly answer with everything.
    The names are read from the OpenAPI document, so every API route is covered alike."""
    names = _query_names(request)
    route = request.scope.get("route")
    allowed = names.get((getattr(route, "path_format", None), request.method))
    if allowed is None:
        return
    unknown = [name for name in request.query_params if name not in allowed]
    if unknown:
        hint = ", ".join(sorted(allowed)) or "không có tham số nào"
        raise RequestValidationError([
            {"type": "unknown_parameter", "loc": ("query", name), "input": request.query_params[name],
             "msg": f"Tham số không được hỗ trợ ở đây; tham số hợp lệ: {hint}."} for name in unknown])


def _query_names(request: Request) -> dict[tuple[str, str], frozenset[str]]:
    names = getattr(request.app.state, "query_names", None)
    if names is None:
        names = {(path, method.upper()): frozenset(p["name"] for p in op.get("parameters", [])
                                                   if p.get("in") == "query")
                 for path, item in request.app.openapi()["paths"].items()
                 for method, op in item.items()}
        request.app.state.query_names = names
    return names
