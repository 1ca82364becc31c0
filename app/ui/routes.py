"""All pages: sign-in and the home page here; each resource's pages in its own module."""

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.config import get_settings
from app.deps import COOKIE, PageQuery, Route, SessionDep, client_ip
from app.services import auth
from app.services.errors import DomainError
from app.services.sign_in import sign_in
from app.ui import (dashboard, imports, model_page, offline, paper, petitions, records, reports,
                    templates, unit_bulk, unit_picker, unit_tree, users, works)

# Every page (each module's routes are included below) reads its query without blank fields.
router = APIRouter(route_class=Route, include_in_schema=False, dependencies=[PageQuery])
# The unit picker's search before the records' /units/{id} routes.
router.include_router(unit_picker.router)
router.include_router(unit_tree.router)
router.include_router(offline.router)
router.include_router(unit_bulk.router)  # /units/remote before /units/{id}
# Records first: its /petitions/new must not be read as the petition numbered 'new'.
router.include_router(records.router)
router.include_router(paper.router)  # /works/paper before a work's page, /works/{id}
router.include_router(petitions.router)
router.include_router(model_page.router)
router.include_router(works.router)
router.include_router(reports.router)
router.include_router(dashboard.router)
router.include_router(imports.router)
router.include_router(users.router)
live_router = dashboard.live_router  # the dashboards' polls: app.main includes it first


@router.get("/")
def home() -> RedirectResponse:
    """The start page."""
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The sign-in form."""
    return templates.TemplateResponse(request, "login.html", {"next": _safe(next), "actor": None})


@router.post("/login")
def login(request: Request, session: SessionDep, username: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "/") -> Response:
    """Check the password, set the session cookie, go where the user was going."""
    try:  # the API's rule (app.services.sign_in)
        secret = sign_in(session, username=username.strip(), password=password,
                         ip=client_ip(request))
    except DomainError as exc:
        return templates.TemplateResponse(
            request, "login.html",
            {"error": exc.detail, "username": username, "next": _safe(next), "actor": None},
            status_code=exc.status, headers=exc.headers,
        )
    settings = get_settings()
    response = RedirectResponse(_safe(next), status_code=303)
    response.set_cookie(COOKIE, secret, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https",
                        max_age=settings.token_ttl_minutes * 60)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> RedirectResponse:
    """Revoke the session's token and clear the cookie."""
    secret = request.cookies.get(COOKIE)
    if secret:
        auth.revoke_login_token(session, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _safe(target: str) -> str:
    """Only same-site paths: a login link must not send the user elsewhere."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
