"""The private routes of every record page (app/ui/records.py adds them per Listing): the
list, its downloads, and the entry form, with the same schemas and services as the API."""

import typing
from collections.abc import Callable
from typing import Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from app.db.session import attempt
from app.deps import FormDep, PageActor, RecordId, SessionDep, is_htmx
from app.responses import export_response
from app.services import idempotency, scope
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden
from app.ui import form_errors, forms, labelled, render_block, templates, unit_picker
from app.ui._listing import REFS, Listing, choices, form_context, list_context
from app.ui.forms import FormField


def page(listing: Listing) -> Callable[..., Response]:
    def page(request: Request, session: SessionDep, actor: PageActor) -> Response:
        ctx = list_context(listing, request, session, actor)
        if is_htmx(request) and request.headers.get("HX-Target") == "list":
            return render_block(request, listing.template, "list", ctx)
        return templates.TemplateResponse(request, listing.template,
                                          {**ctx, **form_context(listing, session, actor)})

    page.__doc__ = f"{listing.title}: the list with its filters, and the entry form."
    return page


def download(listing: Listing, kind: str) -> Callable[..., Response]:
    def download(request: Request, session: SessionDep, actor: PageActor) -> Response:
        filters = list_context(listing, request, session, actor)["filters"]
        return export_response(session, actor, kind, records=listing.service.records,
                               filters=filters, read=listing.resource.read,
                               present=listing.present, name=listing.path)

    download.__doc__ = f"{listing.title} as .{kind}, with the list's filters."
    return download


def _nullable(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def refused(listing: Listing, actor: Actor, values: dict[str, Any], exc: Exception,
            editing: bool) -> tuple[dict[str, str], str | None]:
    """The form's messages for a refusal: beside each field, and above the form, where a
    field the form does not show (a confidential one, a workflow's) is named by its label."""
    schema = listing.resource.create
    errors, message = form_errors(exc, schema)
    where = listing.service.records.write_column or listing.service.records.unit_column
    if isinstance(exc, Forbidden) and not errors and values.get(where):
        errors = {where: exc.detail}  # the unit chosen lies outside the user's subtree
    shown = {f.name for f in listing.fields_for(actor, editing)}
    unseen = [labelled(k, msg, schema, listing.resource.read)
              for k, msg in errors.items() if k not in shown]
    if unseen and isinstance(exc, ValidationError):
        message = " ".join([message or "", *unseen]).strip()
    return errors, message


def prefill(listing: Listing, request: Request, session: Any, actor: Actor) -> dict[str, Any]:
    """A new form's values named by its query (a work's page sends ?work_id=5&unit_id=3), each
    kept only if the form would accept it: a field of the Create schema the form shows, a value
    the schema reads, a unit this actor may write on, a work or model its picker offers. Anything
    else is dropped without a word: the link only saves typing, the save checks everything."""
    fields = {f.name: f for f in listing.fields_for(actor, editing=False)}
    raw = {k: v[:200] for k in request.query_params
           if k in fields and k in listing.resource.create.model_fields
           and (v := request.query_params.get(k, "").strip())}
    if not raw:
        return {}
    typed = forms.parse(dict(raw), tuple(fields[k] for k in raw))
    bad = set(typed.problems)
    try:
        listing.resource.create.model_validate(dict(typed))
    except ValidationError as exc:
        bad |= {str(e["loc"][0]) for e in exc.errors() if e["loc"] and e["type"] != "missing"}
    kept = {k: v for k, v in raw.items() if k not in bad}
    for name, f in sorted(fields.items(), key=lambda item: item[1].kind != "unit"):
        if name in kept and not _acceptable(session, actor, f, kept):
            del kept[name]
    return kept


def _acceptable(session: Any, actor: Actor, f: FormField, kept: dict[str, Any]) -> bool:
    if f.kind == "unit":
        return kept[f.name].isdigit() and scope.may_write(session, actor, int(kept[f.name]))
    if f.kind.startswith("ref:"):  # the picker's rule, for the unit kept (none: no offer)
        offered = choices(session, actor, f.kind, kept.get("unit_id"))
        return kept[f.name] in {str(i) for i, _ in offered}
    return True


def _back(session: Any, actor: Actor, obj: Any) -> tuple[str, str] | None:
    """(address, words) of the work a saved record belongs to: the notice links back to it,
    so a clerk who came from the work's page returns there in one click."""
    work_id = getattr(obj, "work_id", None)
    if not work_id:
        return None
    try:
        work = REFS["ref:works"].get(session, actor=actor, id=work_id)
    except DomainError:
        return None
    return f"/works/{work.id}", f"Về công trình “{work.name}”"


def entry(listing: Listing) -> dict[str, Callable[..., Any]]:
    """The entry form's routes: the same Create/Update schemas and services as the API."""
    create_schema, update_schema, read_schema = listing.schemas
    template = listing.template
    save_new = getattr(listing.service, "create", None) or listing.service.records.create
    save_changes = listing.resource.updater

    def form(request: Request, session: Any, actor: Actor, status: int = 200, **kw: Any) -> Response:
        ctx = {**list_context(listing, request, session, actor),
               **form_context(listing, session, actor, **kw)}
        if is_htmx(request):
            return render_block(request, template, "form", ctx, status_code=status,
                                headers={"HX-Retarget": "#entry-form", "HX-Reswap": "outerHTML"})
        return templates.TemplateResponse(request, template, ctx, status_code=status)

    def failed(request: Request, session: Any, actor: Actor, values: dict[str, Any],
               exc: Exception, record_id: int | None = None, submission: str | None = None) -> Response:
        errors, message = refused(listing, actor, values, exc, editing=record_id is not None)
        status = exc.status if isinstance(exc, DomainError) else 422
        return form(request, session, actor, status, values=values, errors=errors,
                    message=message, record_id=record_id, submission=submission)

    def saved(request: Request, session: Any, actor: Actor, notice: str, obj: Any = None) -> Response:
        ctx = {**list_context(listing, request, session, actor, keep_query=False),
               **form_context(listing, session, actor, notice=notice, back=_back(session, actor, obj)),
               "oob": True}
        html = (render_block(request, template, "list", ctx).body.decode()
                + render_block(request, template, "form", ctx).body.decode())
        return HTMLResponse(html, headers={"HX-Retarget": "#list", "HX-Reswap": "outerHTML"})

    def typed(form_data: dict[str, str], actor: Actor,
              editing: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """(what was typed, to show back on a mistake; what the schema is given)."""
        # Unknown fields reach the schema, which refuses them. A confidential field this
        # actor may not correct (not on the form) reaches the service too, which refuses it
        # as it does on the API and in an import, whatever its value (an empty one too).
        kept = {k: v for k, v in form_data.items() if k != unit_picker.PICK}
        values = forms.parse(unit_picker.without_typing(kept), listing.fields_for(actor, editing))
        if listing.read_form is not None:
            values = listing.read_form(values)
        # An optional field left empty whose schema has a default but no "none" (a land
        # donation's status) takes that default, or keeps its value when editing.
        for name in [k for k, v in values.items() if v == "" and k in create_schema.model_fields]:
            info = create_schema.model_fields[name]
            if not info.is_required() and not _nullable(info.annotation):
                del values[name]
        return kept, values

    def earlier(session: Any, actor: Actor, key: str) -> int | None:
        """The record an earlier sending of this form saved, if any."""
        stored = idempotency.find(session, actor=actor, key=key, fingerprint=key)
        return stored.body["id"] if stored is not None else None

    def searched(request: Request, session: Any, actor: Actor, form_data: dict[str, str],
                 record_id: int | None = None) -> Response:
        """The form again, as typed, with the units a picker's "Tìm" found: nothing saved."""
        shown, _ = typed(form_data, actor, editing=record_id is not None)
        return form(request, session, actor, values=shown, record_id=record_id,
                    submission=str(shown.get("submission", ""))[:100] or None)

    def create(request: Request, session: SessionDep,
               actor: PageActor, form_data: FormDep) -> Response:
        if unit_picker.searching(form_data):
            return searched(request, session, actor, form_data)
        shown, values = typed(form_data, actor, editing=False)
        submission = str(values.pop("submission", "") or "")[:100] or None
        key = f"form:{listing.path}:{submission}" if submission else None
        if key and (done := earlier(session, actor, key)) is not None:
            return saved(request, session, actor, f"Đã lưu {listing.one} số {done} (biểu mẫu "
                                                   "đã được gửi trước đó, không lưu lần hai).")
        try:
            with attempt(session):
                obj = save_new(session, actor=actor, data=forms.validate(create_schema, values))
                if key:
                    idempotency.save(session, actor=actor, key=key, fingerprint=key, method="POST",
                                     path=f"/{listing.path}",
                                     stored=idempotency.Stored(201, {"id": obj.id}, None))
        except (ValidationError, DomainError) as exc:
            return failed(request, session, actor, shown, exc, submission=submission)
        except IntegrityError:
            # The same form, sent twice at once: the other request saved it first.
            if key and (done := earlier(session, actor, key)) is not None:
                return saved(request, session, actor, f"Đã lưu {listing.one} số {done}.")
            raise
        return saved(request, session, actor, f"Đã lưu {listing.one} số {obj.id}.", obj)

    def update(id: RecordId, request: Request, session: SessionDep,
               actor: PageActor, form_data: FormDep) -> Response:
        if unit_picker.searching(form_data):
            return searched(request, session, actor, form_data, id)
        shown, values = typed(form_data, actor, editing=True)
        version = values.pop("version", None)
        values.pop("submission", None)
        try:
            with attempt(session):
                obj, _ = save_changes(session, actor=actor, id=id,
                                      data=forms.validate(update_schema, values),
                                      if_match=forms.version(version))
        except (ValidationError, DomainError) as exc:
            return failed(request, session, actor, shown, exc, id)
        return saved(request, session, actor, f"Đã cập nhật {listing.one} số {obj.id}.", obj)

    def new(request: Request, session: SessionDep, actor: PageActor) -> Response:
        if not listing.shows_form(actor):
            raise Forbidden(f"Vai trò '{actor.role.vi}' không được thêm {listing.one}.")
        given = prefill(listing, request, session, actor)
        return form(request, session, actor, values={**listing.defaults, **given} if given else None)

    def edit(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
        obj = listing.service.get(session, actor=actor, id=id)
        shown_obj = listing.present(obj, actor) if listing.present else obj
        values = read_schema.model_validate(shown_obj, from_attributes=True).model_dump(mode="json")
        return form(request, session, actor, record_id=id,
                    values=forms.shown(values, listing.fields_for(actor, editing=True)))

    def options(request: Request, session: SessionDep, actor: PageActor,
                field: str = Query(max_length=40), unit_id: str = Query("", max_length=12)) -> Response:
        kinds = {f.name: f.kind for f in listing.fields if f.kind.startswith("ref:")}
        if field not in kinds:
            return HTMLResponse("", status_code=404)
        selected = request.query_params.get(field, "")[:12]  # the picker's own value
        return render_block(request, "records/options.html", "options", {
            "options": choices(session, actor, kinds[field], unit_id, selected),
            "selected": selected, "unit_id": unit_id})

    create.__doc__ = f"Save a new {listing.path} record from the form (once, however often sent)."
    update.__doc__ = f"Save corrections to a {listing.path} record (stale versions refused)."
    new.__doc__ = "An entry form, empty or prefilled from its query (a work's page's links)."
    edit.__doc__ = "The entry form filled with one record, and its history."
    options.__doc__ = "The options of a work or model picker for the chosen unit."
    return {"create": create, "update": update, "new": new, "edit": edit, "choices": options}
