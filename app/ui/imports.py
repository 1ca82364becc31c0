"""The import page: pick the record type, download its template, send the file, check it
first (nothing saved) or import it, and watch the rows being read.

Progress needs no script and no shared state: the answer to the upload is a page that arrives
in pieces. Its top is sent at once, then a line per chunk of rows read ("Đã đọc 40.000
dòng…", the stylesheet shows only the newest), then the report. The import runs in a thread
of its own with its own transaction (an import is a job that outlives the request's handler,
so it owns its transaction rather than the request); the page's stream only relays its
progress."""

import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from app.db.fields import Text
from app.db.engine import get_engine
from app.db.session import session_scope
from app.deps import PageActor, Route, SessionDep
from app.responses import import_template
from app.services import imports as service
from app.services import registry
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden
from app.services.imports import held as checked_files
from app.ui import templates
from app.vn import print_number

router = APIRouter(route_class=Route)
MARK = "<!--progress-->"
_DONE = object()


def _context(request: Request, actor: Actor, resource: str | None, **kw: Any) -> dict[str, Any]:
    chosen = resource if resource in service.SPECS else None
    # Who may not write this type is offered no upload (each send would be refused), but is
    # told why; the template and its columns stay, to read.
    may_import = chosen is not None and actor.can_write and actor.at_least(
        registry.get(chosen).write_role)
    return {"request": request, "actor": actor, "specs": service.SPECS, "chosen": chosen,
            "may_import": may_import,
            "columns": service.template_columns(service.SPECS[chosen]) if chosen else [],
            "hints": service.KIND_HINTS,
            "accept": ",".join(service.ACCEPTED + service.ACCEPTED_TYPES), **kw}


@router.get("/imports", response_class=HTMLResponse)
def import_page(request: Request, actor: PageActor,
                resource: str | None = Query(None, max_length=40)) -> Response:
    """Choose what to import; the chosen type's columns and template."""
    return templates.TemplateResponse(request, "imports/page.html",
                                      _context(request, actor, resource))


@router.get("/imports/{resource}/template.{kind}")
def template(resource: str, kind: str, request: Request, session: SessionDep,
             actor: PageActor) -> Response:
    """The template as the API serves it, for a signed-in clerk."""
    if kind not in ("xlsx", "csv"):
        kind = "xlsx"
    return import_template(session, actor, resource, kind)


@router.post("/imports", response_class=HTMLResponse)
def run_import(request: Request, actor: PageActor,
               file: UploadFile | None = File(None), resource: str = Form(..., max_length=40),
               mode: str = Form("dry", max_length=10), source: Annotated[Text, Form(max_length=40)] = "",
               checked: str = Form("", max_length=64)) -> Response:
    """Check (mode=dry) or import (mode=real) the file chosen, or the one a dry run has just
    checked (`checked`: its token, app/services/imports/held.py); the answer streams progress."""
    dry_run = mode != "real"
    if not actor.can_write:
        raise Forbidden("Tài khoản chỉ xem không nhập được dữ liệu.")
    if file is not None and file.filename:
        # The upload is copied out of the request: the import reads it after the handler returns.
        held: Any = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        shutil.copyfileobj(file.file, held)
        held.seek(0)
        filename = file.filename
    elif checked and (kept := checked_files.take(checked, user_id=actor.user_id,
                                                 resource=resource)) is not None:
        held, filename = kept
    else:
        return templates.TemplateResponse(request, "imports/page.html", _context(
            request, actor, resource, stale="Chưa có tệp: tệp vừa kiểm tra đã được nhập hoặc đã "
            "quá hạn. Hãy chọn tệp rồi kiểm tra lại."), status_code=422)
    token = checked_files.keep(held, user_id=actor.user_id, resource=resource,
                               filename=filename) if dry_run else None
    page = templates.get_template("imports/page.html").render(_context(
        request, actor, resource, running=True, filename=filename, dry_run=dry_run))
    top, bottom = page.split(MARK, 1)
    return StreamingResponse(_stream(request, actor, resource, held, filename, dry_run,
                                     source or None, top, bottom, token),
                             media_type="text/html; charset=utf-8")


def _stream(request: Request, actor: Actor, resource: str, held: Any, filename: str,
            dry_run: bool, source: str | None, top: str, bottom: str,
            token: str | None = None) -> Iterator[str]:
    news: "queue.Queue[Any]" = queue.Queue()

    def work() -> None:
        try:
            for session in session_scope(get_engine(), write=True):
                report = service.run(session, actor=actor, resource=resource, stream=held,
                                     filename=filename, dry_run=dry_run, source=source,
                                     progress=news.put)
            news.put(report)
        except DomainError as exc:
            news.put(exc)
        except Exception as exc:  # a bug: shown as such, logged by the thread's handler
            news.put(exc)
            raise
        finally:
            held.close()
            news.put(_DONE)

    threading.Thread(target=work, name="import", daemon=True).start()
    yield top
    outcome: Any = None
    while True:
        item = news.get()
        if item is _DONE:
            break
        if isinstance(item, int):
            yield f'<p class="progress-line" role="status">Đã đọc {print_number(item)} dòng…</p>\n'
        else:
            outcome = item
    report = outcome if isinstance(outcome, service.Report) else None
    if token and not (report and report.ok):
        checked_files.drop(token)  # nothing to import with one press: its errors come first
        token = None
    fragment = templates.get_template("imports/page.html").blocks["outcome"]
    ctx = templates.get_template("imports/page.html").new_context(_context(
        request, actor, resource, outcome=outcome,
        report=report, checked=token, source=source or "",
        refused=outcome.detail if isinstance(outcome, DomainError) else None,
        failed=outcome is not None and not isinstance(outcome, (service.Report, DomainError)),
        dry_run=dry_run, filename=filename))
    yield "".join(fragment(ctx))
    yield bottom
