"""The live dashboard pages: a signed-in user's (/dashboard) and a wall screen's
(/screen/<display token>), and the page where managers make and revoke screens' tokens.

Both dashboards load once, then their script (static/live.js) asks `…/live` every few
seconds with the ETag it holds: 304 while nothing changed, otherwise the parts' HTML, of
which it swaps only the parts that differ."""

import threading
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app import vn
from app.db.session import attempt
from app.deps import FormDep, PageActor, PageQuery, RecordId, Route, SessionDep
from app.responses import etag_matches
from app.db.base import MAX_ID
from app.services import dashboards, display_tokens, reports
from app.services import unit_search
from app.services.actor import Actor
from app.services.display_tokens import DisplayTokenCreate
from app.services.petitions import rules
from app.services.errors import DomainError, Unauthorized
from app.ui import block_html, form_errors, forms, templates, unit_picker

router = APIRouter(route_class=Route)
# The routes open dashboards poll every 2 s, and a wall screen's page, apart: app.main tries
# them before all others (FastAPI tries the routes in order, each costing microseconds).
live_router = APIRouter(route_class=Route, include_in_schema=False, dependencies=[PageQuery])
PARTS = "dashboard/_parts.html"
POLL_SECONDS = 2  # a change shows within this + dashboards.MIN_AGE (< 5 s)
# The league's rows sent: a page shows 12; a wall screen gets more and static/live.js shows as
# many as fit its panel, saying how many units are left out.
PAGE_LEAGUE_ROWS, SCREEN_LEAGUE_ROWS = 12, 40
SCREEN_FIELDS = (forms.FormField("name", "Tên màn hình", required=True),
                 forms.FormField("unit_id", "Đơn vị", "unit", True),
                 forms.FormField("rotate_seconds", "Chuyển bảng sau (giây)", "integer"))


def _render_parts(live: dashboards.Live, *, links: bool, year: int | None) -> bytes:
    rows = PAGE_LEAGUE_ROWS if links else SCREEN_LEAGUE_ROWS
    return block_html(PARTS, "parts", {"d": live.figures, "links": links, "league_rows": rows,
                                       "due_term": rules.term_label,
                                       "year_q": f"&year={year}" if year else ""}).encode()


# The parts as last rendered in this process, by figures' ETag and way of showing them: the
# screens of one unit all get the same parts after each change, and rendering them was most
# of such an answer (bench/README.md). An ETag is a hash of the figures, so an entry never
# goes stale; the oldest go when there are too many. Nothing another process needs is here.
RENDERED_MAX = 256
_rendered: OrderedDict[tuple[str, str, bool, int | None], bytes] = OrderedDict()
_rendered_lock = threading.Lock()


def _memo(key: tuple[str, str, bool, int | None]) -> bytes | None:
    with _rendered_lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
        return html


def _remember(key: tuple[str, str, bool, int | None], html: bytes) -> None:
    with _rendered_lock:
        _rendered[key] = html
        while len(_rendered) > RENDERED_MAX:
            _rendered.popitem(last=False)


def _live_parts(request: Request, session: Any, actor: Actor, unit_id: int, *, links: bool,
                variant: str, year: int | None) -> Response:
    """A page's /live answer: 304 if it holds these figures, else the parts. In neither case
    are the figures read from the cache when this process has rendered them already."""
    header = request.headers.get("If-None-Match")
    today = dashboards.as_of(year)

    def key(etag: str) -> tuple[str, str, bool, int | None]:
        # `variant` stands for the viewer too: a wall screen ("screen") sees no petition subject.
        return etag, variant, links, year

    live = dashboards.live(session, actor=actor, unit_id=unit_id, today=today,
                           held=lambda etag: (etag_matches(header, f"{etag}-{variant}")
                                              or _memo(key(etag)) is not None))
    unchanged = _unchanged(request, live, variant)
    if unchanged is not None:
        return unchanged
    html = _memo(key(live.etag)) if live.figures is None else None
    if html is None:
        if live.figures is None:  # rendered, then dropped by the memo since: read them after all
            live = dashboards.live(session, actor=actor, unit_id=unit_id, today=today)
        html = _render_parts(live, links=links, year=year)
        _remember(key(live.etag), html)
    return HTMLResponse(html, headers={"ETag": f'"{live.etag}-{variant}"',
                                       "Cache-Control": "no-cache"})


def _unchanged(request: Request, live: dashboards.Live, variant: str) -> Response | None:
    etag = f"{live.etag}-{variant}"
    if etag_matches(request.headers.get("If-None-Match"), etag):
        return Response(status_code=304, headers={"ETag": f'"{etag}"', "Cache-Control": "no-cache"})
    return None


def _unit(session: Any, actor: Actor, unit_id: int | None) -> int:
    return reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=None,
                                  date_to=None)["unit_id"]


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, session: SessionDep, actor: PageActor,
                   unit_id: int | None = Query(None, ge=1, le=MAX_ID),
                   year: int | None = Query(None, ge=1990, le=2100)) -> Response:
    """The unit's live dashboard: its own unit by default, any unit of the user's subtree."""
    unit = _unit(session, actor, unit_id)
    live = dashboards.live(session, actor=actor, unit_id=unit, today=dashboards.as_of(year))
    query = f"unit_id={unit}" + (f"&year={year}" if year else "")
    return templates.TemplateResponse(request, "dashboard/page.html", {
        "actor": actor, "d": live.figures, "links": True, "league_rows": PAGE_LEAGUE_ROWS,
        "due_term": rules.term_label,
        "year_q": f"&year={year}" if year else "", "etag": f"{live.etag}-page",
        "live_url": f"/dashboard/live?{query}", "poll": POLL_SECONDS, "year": year,
        "years": list(range(vn.today().year, reports.DATE_MIN.year + 24, -1)),
        "units": unit_picker.build(session, actor),
    })


@live_router.get("/dashboard/live", response_class=HTMLResponse)
def dashboard_live(request: Request, session: SessionDep, actor: PageActor,
                   unit_id: int | None = Query(None, ge=1, le=MAX_ID),
                   year: int | None = Query(None, ge=1990, le=2100)) -> Response:
    """The dashboard's parts, or 304 if the figures are those the page holds."""
    return _live_parts(request, session, actor, _unit(session, actor, unit_id), links=True,
                       variant="page", year=year)


# -- the wall screen -------------------------------------------------------------------------
def _screen_actor(session: Any, secret: str) -> tuple[Actor, Any]:
    if len(secret) > 100:
        raise Unauthorized("Mã màn hình không hợp lệ hoặc đã bị thu hồi.")
    return display_tokens.screen_actor(session, secret)


@live_router.get("/screen/{secret}", response_class=HTMLResponse)
def screen_page(secret: str, request: Request, session: SessionDep,
                rotate: int | None = Query(None, ge=5, le=3600),
                year: int | None = Query(None, ge=1990, le=2100)) -> Response:
    """A wall screen: no sign-in (the display token is its key), large type, no controls;
    optionally one panel at a time, each `rotate` seconds."""
    try:
        actor, token = _screen_actor(session, secret)
    except Unauthorized as exc:
        return templates.TemplateResponse(request, "dashboard/screen.html",
                                          {"revoked": exc.detail, "actor": None}, status_code=401)
    live = dashboards.live(session, actor=actor, unit_id=token.unit_id, today=dashboards.as_of(year))
    return templates.TemplateResponse(request, "dashboard/screen.html", {
        "actor": None, "d": live.figures, "links": False, "league_rows": SCREEN_LEAGUE_ROWS,
        "due_term": rules.term_label,
        "year_q": "",
        "etag": f"{live.etag}-screen", "poll": POLL_SECONDS, "screen": token.name,
        "live_url": f"/screen/{secret}/live" + (f"?year={year}" if year else ""),
        "rotate": rotate or token.rotate_seconds,
    })


@live_router.get("/screen/{secret}/live", response_class=HTMLResponse)
def screen_live(secret: str, request: Request, session: SessionDep,
                year: int | None = Query(None, ge=1990, le=2100)) -> Response:
    """A wall screen's parts, 304 while unchanged, 401 once its token is revoked."""
    try:
        actor, token = _screen_actor(session, secret)
    except Unauthorized as exc:
        return HTMLResponse(exc.detail, status_code=401)
    return _live_parts(request, session, actor, token.unit_id, links=False, variant="screen",
                       year=year)


# -- managing screens ------------------------------------------------------------------------
def _screens_page(request: Request, session: Any, actor: Actor, status: int = 200,
                  **kw: Any) -> Response:
    display_tokens.ensure_manager(actor, write=False)
    page = display_tokens.list_(session, actor=actor, filters=display_tokens.Filters(limit=200))
    return templates.TemplateResponse(request, "dashboard/screens.html", {
        "actor": actor, "tokens": page.items, "units": unit_picker.build(session, actor),
        "names": unit_search.names(session, {t.unit_id for t in page.items}),
        "fields": SCREEN_FIELDS,
        "values": kw.get("values") or {"unit_id": actor.unit_id}, "errors": kw.get("errors") or {},
        "message": kw.get("message"), "created": kw.get("created"), "notice": kw.get("notice"),
    }, status_code=status)


@router.get("/screens", response_class=HTMLResponse)
def screens(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """Wall screens of the manager's subtree: make one, see when each last asked, revoke."""
    return _screens_page(request, session, actor)


@router.post("/screens", response_class=HTMLResponse)
def create_screen(request: Request, session: SessionDep,
                  actor: PageActor, form_data: FormDep) -> Response:
    """Make a screen's token; its URL is shown this once."""
    form = unit_picker.without_typing(form_data)
    if unit_picker.searching(form_data):  # "Tìm" of the unit picker, without script
        return _screens_page(request, session, actor, values=dict(form_data))
    values = forms.parse(form, SCREEN_FIELDS)
    try:
        with attempt(session):
            token, secret = display_tokens.create(session, actor=actor,
                                                  data=forms.validate(DisplayTokenCreate, values))
    except (ValidationError, DomainError) as exc:
        errors, message = form_errors(exc)
        status = exc.status if isinstance(exc, DomainError) else 422
        return _screens_page(request, session, actor, status, values=form, errors=errors,
                             message=message)
    url = str(request.base_url).rstrip("/") + f"/screen/{secret}"
    return _screens_page(request, session, actor, created={"name": token.name, "url": url})


@router.post("/screens/{id}/revoke", response_class=HTMLResponse)
def revoke_screen(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
    """Revoke a screen's token: the screen says so at its next refresh."""
    token = display_tokens.revoke(session, actor=actor, id=id)
    return _screens_page(request, session, actor,
                         notice=f"Đã thu hồi mã của màn hình “{token.name}”.")
