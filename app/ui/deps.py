"""What every page depends on: the request's transaction and the signed-in user (cookie)."""

from typing import Annotated

from fastapi import Depends, Request

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


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
