"""Pages of DVK models: the list with its filters, and the create/edit form (htmx)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.api.deps import RecordId, SessionDep
from app.db.models import ModelCreate, ModelRead, ModelUpdate
from app.services import audit
from app.services import models as service
from app.services import units as units_service
from app.services.actor import Actor
from app.services.errors import DomainError
from app.ui import form_errors, render_block, templates
from app.ui.deps import PageActor, is_htmx

router = APIRouter()
PAGE = "models/list.html"
FILTER_FIELDS = ("unit_id", "field", "kind", "status", "q", "date_from", "date_to")


@router.get("/models", response_class=HTMLResponse)
def list_page(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """Models of the user's subtree, filtered and paged; the create form beside them."""
    ctx = _list_context(request, session, actor)
    if is_htmx(request) and request.headers.get("HX-Target") == "list":
        return render_block(request, PAGE, "list", ctx)
    return templates.TemplateResponse(request, PAGE, {**ctx, **_form_context()})


@router.get("/models/{id}/edit", response_class=HTMLResponse)
def edit_form(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
    """The form filled with one model, to correct it."""
    model = service.records.get(session, actor=actor, id=id)
    values = ModelRead.model_validate(model, from_attributes=True).model_dump(mode="json")
    return _form(request, session, actor, values=values, model_id=id,
                 history=_history(session, actor, id))


@router.get("/models/new", response_class=HTMLResponse)
def new_form(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """An empty form."""
    return _form(request, session, actor)


@router.post("/models", response_class=HTMLResponse)
async def create(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """Save a new model; on a mistake, the form again with the typed values and messages."""
    values = _values(await request.form())
    try:
        model = service.create(session, actor=actor, data=ModelCreate.model_validate(values))
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _form_error(request, session, actor, values, exc)
    return _saved(request, session, actor, f"Đã lưu mô hình “{model.name}”.")


@router.post("/models/{id}", response_class=HTMLResponse)
async def update(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
    """Save corrections; a change made meanwhile by someone else is shown, not overwritten."""
    values = _values(await request.form())
    version = values.pop("version", None)
    try:
        data = ModelUpdate.model_validate(values)
        model, _ = service.update(session, actor=actor, id=id, data=data,
                                          if_match=int(version) if version and version.isdigit() else None)
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _form_error(request, session, actor, {**values, "version": version}, exc, model_id=id)
    return _saved(request, session, actor, f"Đã cập nhật mô hình “{model.name}”.")


def _values(form: Any) -> dict[str, Any]:
    return {k: v for k, v in form.items() if k != "csrf"}


def _saved(request: Request, session: SessionDep, actor: Actor, notice: str) -> Response:
    ctx = {**_list_context(request, session, actor, keep_query=False),
           **_form_context(session, actor, notice=notice), "oob": True}
    list_html = render_block(request, PAGE, "list", ctx).body.decode()
    form_html = render_block(request, PAGE, "form", ctx).body.decode()
    return HTMLResponse(list_html + form_html, headers={"HX-Retarget": "#list", "HX-Reswap": "outerHTML"})


def _history(session: SessionDep, actor: Actor, id: int) -> list[dict[str, Any]]:
    """Who changed this model, when, and what (newest first)."""
    filters = audit.AuditFilters(resource="models", record_id=id, limit=20)
    return [audit.present(e, actor) for e in audit.list_(session, actor=actor, filters=filters).items]


def _form(request: Request, session: SessionDep, actor: Actor, *, values: dict[str, Any] | None = None,
          model_id: int | None = None, errors: dict[str, str] | None = None,
          message: str | None = None, status_code: int = 200,
          history: list[dict[str, Any]] | None = None) -> Response:
    ctx = _form_context(session, actor, values=values, model_id=model_id, errors=errors,
                        message=message)
    ctx["history"] = history or []
    if is_htmx(request):
        return render_block(request, PAGE, "form", ctx, status_code=status_code,
                            headers={"HX-Retarget": "#model-form", "HX-Reswap": "outerHTML"})
    return templates.TemplateResponse(request, PAGE, {**_list_context(request, session, actor), **ctx},
                                      status_code=status_code)


def _form_error(request: Request, session: SessionDep, actor: Actor, values: dict[str, Any],
                exc: Exception, model_id: int | None = None) -> Response:
    errors, message = form_errors(exc)
    status = exc.status if isinstance(exc, DomainError) else 422
    return _form(request, session, actor, values=values, model_id=model_id, errors=errors,
                 message=message, status_code=status)


def _form_context(session: Any = None, actor: Actor | None = None, **kw: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {"values": kw.get("values") or {"kind": "collective", "status": "registered"},
                           "errors": kw.get("errors") or {}, "message": kw.get("message"),
                           "notice": kw.get("notice"), "model_id": kw.get("model_id")}
    if session is not None and actor is not None:
        ctx["units"] = units_service.nested(units_service.tree(session, actor=actor))
        ctx["actor"] = actor
    return ctx


def _list_context(request: Request, session: SessionDep, actor: Actor,
                  keep_query: bool = True) -> dict[str, Any]:
    raw = {k: v for k, v in request.query_params.items() if v} if keep_query else {}
    try:
        filters = service.Filters.model_validate({**raw, "sort": raw.get("sort", "-start_date")})
        filter_error = None
    except ValidationError:
        filters, filter_error = service.Filters(sort="-start_date"), "Bộ lọc không hợp lệ; đã bỏ qua."
    page = service.records.list_(session, actor=actor, filters=filters)
    units = units_service.nested(units_service.tree(session, actor=actor))
    query = {k: v for k, v in raw.items() if k in FILTER_FIELDS}

    def url(offset: int) -> str:
        from urllib.parse import urlencode

        return "/models?" + urlencode({**query, "offset": max(offset, 0)})

    return {"actor": actor, "page": page, "units": units, "unit_names": {u.id: u.name for u, _ in units},
            "query": query, "url": url, "filter_error": filter_error}
