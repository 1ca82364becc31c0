"""What every page depends on: the request's transaction and the signed-in user (cookie)."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import QueryParams

from app.api.deps import SessionDep
from app.services import auth
from app.services.actor import Actor
from app.services.errors import Unauthorized

COOKIE = "dvk_session"


def page_actor(request: Request, session: SessionDep) -> Actor:
    secret = request.cookies.get(COOKIE)
    if not secret:
        raise Unauthorized("Vui lòng đăng nhập.")
    return auth.actor_for_token(session, secret)


PageActor = Annotated[Actor, Depends(page_actor)]


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
