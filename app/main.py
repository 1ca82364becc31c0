"""create_app(): routers, static files, middleware, error handlers. `app.main:app` is the ASGI app."""

import ctypes
import gc
import logging
import sys
import threading
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api import (api_tokens, approvals, audit, auth, changes, commendations, contributions,
                     display_tokens, imports, land_donations, meta, models, petitions,
                     recognitions, reports, targets, stats, units, users, works)
from app.api.crud import operation_id
from app.api.errors import install as install_errors
from app.api.errors import PROBLEM_RESPONSES, respond
from app import demo
from app.vn import show
from app.config import get_settings
from app.db.engine import get_engine
from app.db.session import session_scope
from app.deps import Route, known_query
from app.services import auth as auth_service
from app.security import SecurityHeaders
from app.ui import STATIC_DIR, templates
from app.ui import csrf
from app.ui import errors as ui_errors
from app.ui import routes as ui_routes

log = logging.getLogger("dvk")

API_ROUTERS = (auth.router, audit.router, approvals.router, meta.router, units.router, models.router, works.router,
               contributions.router, land_donations.router, petitions.router,
               commendations.router, targets.router, recognitions.router, reports.router,
               users.router, api_tokens.router, display_tokens.router, stats.router,
               changes.router, imports.router)


class BodyLimit:
    """Refuse request bodies over the limit with 413, before anything parses them. Imported
    files get a larger limit than everything else."""

    UPLOADS = ("/api/v1/imports/", "/imports")

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int | None = None) -> None:
        self.app, self.small, self.upload = app, max_bytes, upload_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload if scope["path"].startswith(self.UPLOADS) else self.small
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            # A page's form gets a page that says so (in its menu and words), the API a problem.
            request = Request(scope)
            answer = await run_in_threadpool(respond, request, 413, "Dữ liệu quá lớn",
                                             _too_large(limit))
            await answer(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                # A chunked body has no Content-Length to check up front; the error handlers
                # turn this into the same 413 problem.
                raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> str:
    return f"Nội dung gửi lên vượt quá {limit // 1000} kB."


def _resident_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE_MB
    except (OSError, ValueError, IndexError):
        return 0.0


PAGE_MB = 4096 / 2**20
TRIM_EVERY_S = 1.0


def trim_freed_memory(growth_mb: int, stop: threading.Event) -> None:
    """Hand back to the system what the C allocator keeps after it was freed (a list's export,
    a workbook), whenever the process has grown by `growth_mb` since the last time: glibc
    returns only the top of its heaps by itself, so a process kept the peak of its largest
    request (bench/README.md, "Memory"). A trim takes a few milliseconds; none is due while
    nothing grows. Linux with glibc only."""
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trimmed_at = _resident_mb()
    while not stop.wait(TRIM_EVERY_S):
        now = _resident_mb()
        if now - trimmed_at >= growth_mb:
            trim(0)
            trimmed_at = _resident_mb()
        elif now < trimmed_at:
            trimmed_at = now


def warm_up() -> None:
    """Do at the start what the first page after it waited for (the unit tree's first answer
    with the country loaded took 200-450 ms on PostgreSQL, the next ones 25): Babel's locale
    data, read on the first number printed (some 200 ms of unpickling), and the templates,
    compiled on first use (some 200 ms for all of them). Then what the start loaded is set
    aside from the garbage collector's full passes (`gc.freeze`): a request that builds many
    objects (the unit tree read again: 14 150 units) set them off, and each walked all of it."""
    show.load_locale()
    for name in templates.env.list_templates(filter_func=lambda n: n.endswith(".html")):
        templates.env.get_template(name)
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    # Each server process serves short requests (a wall screen's 304) beside long ones (a
    # clerk's write) in its threads: a shorter GIL turn keeps the short ones from queueing.
    sys.setswitchinterval(settings.gil_switch_interval_ms / 1000)
    warm_up()
    if settings.demo:
        for session in session_scope(get_engine(), write=True):
            if counts := demo.load(session):
                log.info("loaded the demo data set: %s", counts)
    if settings.admin_username and settings.admin_password:
        for session in session_scope(get_engine(), write=True):
            if auth_service.bootstrap_admin(session, settings.admin_username, settings.admin_password):
                log.info("created the bootstrap admin %s", settings.admin_username)
    stop = threading.Event()
    if settings.malloc_trim_mb:
        threading.Thread(target=trim_freed_memory, args=(settings.malloc_trim_mb, stop),
                         name="malloc-trim", daemon=True).start()
    try:
        yield
    finally:
        stop.set()


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="DVK — Dân vận khéo",
        version="1.0.0",
        description="Records, roll-up reports and live figures of the 'Dân vận khéo' movement. "
                    "Contract: spec/api.md (v1).",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored Swagger UI: no CDN, no inline script
        redoc_url=None,
        # Every documented operation alike: an undocumented query parameter is a 422 problem.
        dependencies=[Depends(known_query)],
        responses={422: PROBLEM_RESPONSES[422]},
        generate_unique_id_function=operation_id,  # `contributions.list`, `users.me`
    )
    app.router.route_class = Route  # its answer decides its transaction (app.deps)
    install_errors(app, html=ui_errors.render)
    # FastAPI tries the routes in order, several microseconds each, matching twice: the health
    # probe and the wall screens' polls (most requests of an office with screens on) come
    # first, the pages last; an API router turns away another's path by its prefix alone
    # (app.api.crud.PrefixRouter).
    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        """200 once the database answers."""
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    app.include_router(ui_routes.live_router, dependencies=[Depends(csrf.verify)])
    for router in API_ROUTERS:
        app.include_router(router)
    # Before the pages: a page's scripts and styles were tried on every page route first.
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(ui_routes.router, dependencies=[Depends(csrf.verify)])

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        """The API's interactive documentation."""
        return templates.TemplateResponse(request, "docs.html", {})

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    return app


app = create_app()
