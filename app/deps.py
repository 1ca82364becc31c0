"""What every request depends on, the API's and the pages' alike: the request's transaction, the
acting user (a bearer token for the API, the session cookie for the pages), the version a write
expects (If-Match), a record's id in the path, a page's form and query. The API and the pages
both import this module; neither imports the other (tests/test_layers.py)."""

import functools
import inspect
from contextvars import ContextVar
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request
from pydantic import BeforeValidator
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response

from app.db.base import MAX_ID
from app.vn import read_date
from app.db.session import before_commit, get_session, note_answer, settle_request
from app.services import auth
from app.services.actor import Actor
from app.services.errors import PreconditionFailed, Unauthorized

COOKIE = "dvk_session"


class Route(APIRoute):
    """Every route of the API and the pages: its answer decides its transaction. The status is
    noted before the session dependency ends (scope="function" below), which then commits a
    success and rolls back an answer of 400 or more, so no handler commits or rolls back; a
    page that answers a refused form with the form again leaves nothing of the try stored.

    A handler run in the thread pool that returns its Response settles the transaction right
    there, in its own thread (`settle_request`): the write lock is let go without first waiting
    for the event loop, busy with other requests, to hand the dependency's end to a thread."""

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _settling(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        handler = super().get_route_handler()

        async def answer(request: Request):  # type: ignore[no-untyped-def]
            token = _scope.set(request.scope)  # copied into the handler's thread
            try:
                response = await handler(request)
            finally:
                _scope.reset(token)
            note_answer(request, response.status_code)
            return response

        return answer


_scope: ContextVar[dict[str, Any] | None] = ContextVar("dvk_request_scope", default=None)


def _settling(endpoint: Any) -> Any:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through __wrapped__
    def run(*args: Any, **kwargs: Any) -> Any:
        response = endpoint(*args, **kwargs)
        scope = _scope.get()
        if isinstance(response, Response) and scope is not None:
            settle_request(scope, response.status_code)
        return response

    return run


# scope="function": the transaction commits (or rolls back) before the response is sent, so a
# client never sees 201 for a write that then failed to commit.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def current_actor(request: Request, session: SessionDep,
                  token: Annotated[str | None, Depends(_bearer)]) -> Actor:
    """The API's caller, by the bearer token."""
    if not token:
        raise Unauthorized("Cần đăng nhập: gửi 'Authorization: Bearer <mã truy cập>'.")
    actor, due = auth.signed_in(session, token)
    if due and actor.token_id is not None:  # its last use is noted at most once a minute
        token_id = actor.token_id
        if request.method in ("GET", "HEAD", "OPTIONS"):
            auth.note_use(session, token_id, in_this_transaction=False)
        else:  # in the write's own transaction, at its end: it takes the write lock
            before_commit(session, lambda s: auth.note_use(s, token_id, in_this_transaction=True))
    return actor


def page_actor(request: Request, session: SessionDep) -> Actor:
    """The pages' user, by the session cookie."""
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise Unauthorized("Vui lòng đăng nhập.")
    return auth.actor_for_token(session, secret)


ActorDep = Annotated[Actor, Depends(current_actor)]
PageActor = Annotated[Actor, Depends(page_actor)]


async def if_match(
    value: Annotated[str | None, Header(alias="If-Match", description='The ETag read, e.g. "3".')] = None,
) -> int | None:
    """The version a write expects (from If-Match); None when absent or '*'. Async: no I/O
    here, so no trip through the thread pool."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise PreconditionFailed(f"If-Match '{value}' không phải phiên bản hợp lệ (ví dụ \"3\").")
    return int(text)


IfMatchDep = Annotated[int | None, Depends(if_match)]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
UnitId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A unit's id.")]


def _typed_date(value: Any) -> date | None:
    """A date in a page's query string as a clerk types it (dd/mm/yyyy) or as a date field
    sends it (yyyy-mm-dd), read by the one reader of dates (app.vn.read_date); blank: none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return read_date(value)


# A page's date in the query string: typed or picked (the JSON API takes ISO dates only).
PageDate = Annotated[date | None, BeforeValidator(_typed_date), Query()]


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


async def form_values(request: Request) -> dict[str, str]:
    """The posted form's fields, the CSRF token aside, read before the handler runs. Handlers
    are then plain functions, run in the threadpool: their blocking database work never
    stalls the event loop, where one request waiting on a row lock held by another would hold
    up every request, the lock holder's too."""
    form = await request.form()
    return {k: v for k, v in form.items() if k != "csrf" and isinstance(v, str)}


async def drop_empty_query(request: Request) -> None:
    """An empty field of a page's own form is a field not given. A browser sends every field
    of a GET form, the blank ones too (`?year=&date_from=`), and a typed parameter would
    refuse '' with 422. Every page router depends on this; FastAPI solves dependencies before
    it reads the route's own query parameters, so they see the query without the blanks.
    Async: no I/O here, so no trip through the threadpool (the wall screens poll often)."""
    pairs = QueryParams(request.scope["query_string"]).multi_items()
    kept = [(k, v) for k, v in pairs if v.strip()]
    if len(kept) < len(pairs):
        request.scope["query_string"] = str(QueryParams(kept)).encode("latin-1")
        if hasattr(request, "_query_params"):
            del request._query_params


PageQuery = Depends(drop_empty_query)
FormDep = Annotated[dict[str, str], Depends(form_values)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
