"""A petition's own page: its legal deadline and days left, its history, and the lifecycle
steps the law allows from where it stands, as buttons (through the same service as the API)."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from app.api.deps import RecordId, SessionDep
from app.enums import PetitionStatus
from app.services import audit
from app.services import petitions as service
from app.services.errors import DomainError, Invalid
from app.services.petition_rules import TIME_LIMITS
from app.ui import forms, templates
from app.ui.deps import FormDep, PageActor
from app.ui.records import field_labels, shown_history

router = APIRouter()
DATE = (forms.FormField("date", "Ngày", "date", True),)


@router.get("/petitions/{id}", response_class=HTMLResponse)
def petition_page(id: RecordId, request: Request, session: SessionDep, actor: PageActor,
                  error: str | None = None) -> HTMLResponse:
    """One petition: deadline, days left, history, and the legal next steps."""
    p = service.records.get(session, actor=actor, id=id)
    steps, extensions = service.history(session, actor=actor, id=id)
    shown = service.present(p, actor)
    open_ = PetitionStatus(p.status) in service.OPEN
    days_left = (p.due_date - date.today()).days if p.due_date and open_ else None
    return templates.TemplateResponse(request, "petitions/detail.html", {
        "actor": actor, "p": shown, "steps": steps, "extensions": extensions,
        "changes": shown_history("petitions", audit.history(session, actor=actor, resource="petitions",
                                                             record_id=id)),
        "labels": field_labels("petitions"),
        "next_steps": service.next_steps(p), "can_extend": service.can_extend(p, len(extensions)),
        "limit": TIME_LIMITS[p.type], "days_left": days_left, "error": error,
        "today": date.today(), "deletable": service.records.may_change(session, actor=actor, obj=p),
    })


@router.post("/petitions/{id}/steps")
def take_step(id: RecordId, request: Request, session: SessionDep,
              actor: PageActor, form_data: FormDep) -> Response:
    """Move the petition one legal step (accept, start, resolve, withdraw, transfer, reject)."""
    form = forms.parse(dict(form_data), DATE)
    try:
        to = PetitionStatus(str(form.get("to", "")))
        on = date.fromisoformat(str(form.get("date", "")))
        service.transition(session, actor=actor, id=id, to=to, on=on,
                           note=str(form.get("note") or "") or None,
                           outcome=str(form.get("outcome") or "") or None,
                           if_match=int(str(form["version"])) if str(form.get("version", "")).isdigit() else None)
    except ValueError:
        return _again(request, session, actor, id, "Ngày không hợp lệ; nhập dạng ngày/tháng/năm.")
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _again(request, session, actor, id, getattr(exc, "detail", "Dữ liệu không hợp lệ."))
    return RedirectResponse(f"/petitions/{id}", status_code=303)


@router.post("/petitions/{id}/extend")
def extend(id: RecordId, request: Request, session: SessionDep,
           actor: PageActor, form_data: FormDep) -> Response:
    """Record a legal extension of a denunciation's time limit, with its decision."""
    form = forms.parse(dict(form_data), DATE)
    try:
        days = int(str(form.get("days", "")))
        on = date.fromisoformat(str(form.get("date", "")))
        service.extend(session, actor=actor, id=id, days=days, on=on,
                       decision_no=str(form.get("decision_no") or "") or None)
    except ValueError:
        return _again(request, session, actor, id, "Số ngày hoặc ngày gia hạn không hợp lệ.")
    except (Invalid, DomainError) as exc:
        session.rollback()
        return _again(request, session, actor, id, exc.detail)
    return RedirectResponse(f"/petitions/{id}", status_code=303)


def _again(request: Request, session: SessionDep, actor: PageActor, id: int, error: str) -> Response:
    page = petition_page(id, request, session, actor, error=error)
    page.status_code = 409
    return page
