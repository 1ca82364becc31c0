"""Entry without a link (issue 21): the service worker's script, the signed-in user's session
for the outbox, the clerk's own subtree for the pickers, and the outbox page. What runs in the
browser is in static/sw.js (the caches), static/outbox.js (the local store and its sending)
and static/outbox_page.js (the list of records waiting)."""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from app.deps import PageActor, Route, SessionDep
from app.vn import fold
from app.services import scope
from app.services import units as units_service
from app.services.unit_search import KIND_WORDS, PATH_SEPARATOR
from app.ui import STATIC_DIR, templates
from app.ui._listing import REFS
from app.ui.csrf import token_for

router = APIRouter(route_class=Route)
# Never kept by the browser's own HTTP cache: the worker and the session must be fresh.
FRESH = {"Cache-Control": "no-store"}
# A province's clerk sees thousands of units; beyond this the offline copy keeps none (the
# server-side search serves them online) rather than a megabyte on an old PC.
MOST_UNITS = 3000
MOST_REFS = 500


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> Response:
    """The service worker, served from the root so that its scope is every page."""
    return FileResponse(STATIC_DIR / "sw.js", media_type="text/javascript",
                        headers={**FRESH, "Service-Worker-Allowed": "/"})


@router.get("/offline/session")
def session_of(request: Request, actor: PageActor) -> JSONResponse:
    """Who is signed in, and the form token of this session: the outbox sends with it (a
    token kept in a page cached before a new sign-in would be refused)."""
    return JSONResponse({"user": actor.username, "csrf": token_for(request)}, headers=FRESH)


@router.get("/offline/subtree.json")
def subtree(session: SessionDep, actor: PageActor) -> JSONResponse:
    """The units this user sees and the works and models they may refer to, for the pickers
    when the link is down; scoped to the user like every page (the worker keys it by user)."""
    # Counted from the tree kept in memory first: a country's 14 000 units are not read to
    # be dropped.
    seen = scope.visible_ids(session, actor)
    many = len(seen if seen is not None else scope.tree(session).ids) > MOST_UNITS
    units = [] if many else units_service.tree(session, actor=actor)
    refs = {}
    for kind, service in REFS.items():
        rows = service.records.base_query(actor).order_by(service.records.table.id.desc())
        refs[kind.removeprefix("ref:")] = [
            {"id": r.id, "name": f"{r.name} (số {r.id})", "unit_id": r.unit_id}
            for r in session.exec(rows.limit(MOST_REFS)).scalars()]
    return JSONResponse({
        "user": actor.username,
        # `key`: the name as the server's search reads it (app.vn.fold), for the picker's search
        "units": [{"id": u.id, "name": u.name, "parent_id": u.parent_id, "key": fold(u.name),
                   "ended": u.active_to is not None} for u in units],
        # The kind words a name may be typed without ("an phu" is "Xã An Phú"): the server's
        # ranking (app.services.unit_search), followed by the offline picker.
        "kind_words": list(KIND_WORDS),
        "path_separator": PATH_SEPARATOR, **refs}, headers=FRESH)


@router.get("/outbox", response_class=HTMLResponse)
def outbox(request: Request, actor: PageActor) -> HTMLResponse:
    """The records saved on this machine while the link was down, waiting to be sent."""
    return templates.TemplateResponse(request, "offline/outbox.html", {"actor": actor})
