"""A petition's own page: its legal deadline and days left, its history, and the lifecycle
steps the law allows from where it stands, as buttons (through the same service as the API).
Its step and extension forms act on the petition as app/ui/page_acts.py says: a refusal keeps
the page's address."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.db.session import attempt
from app.deps import FormDep, PageActor, RecordId, Route, SessionDep
from app.enums import PetitionStatus, PetitionType
from app.vn import today
from app.services import audit, scope
from app.services.errors import DomainError
from app.services.petitions import records as service
from app.services.petitions import rules, workflow
from app.services.petitions.workflow import ExtensionIn, TransitionIn
from app.ui import errors_line, form_errors, forms, page_acts, refusal_status, templates
from app.ui.records import field_labels, shown_history

router = APIRouter(route_class=Route)
DATE = forms.fields_of(TransitionIn, ("date",))  # a step's date, as the API reads it


@router.get("/petitions/{id}", response_class=HTMLResponse)
def petition_page(id: RecordId, request: Request, session: SessionDep,
                  actor: PageActor) -> HTMLResponse:
    """One petition: deadline, days left, history, and the legal next steps."""
    return templates.TemplateResponse(request, "petitions/detail.html", _context(session, actor, id))


page_acts.lead_back(router, "/petitions/{id}", ("steps", "extend"))


def _context(session: SessionDep, actor: PageActor, id: int, error: str | None = None,
             sent: page_acts.Sent | None = None, fields: dict[str, str] | None = None
             ) -> dict[str, Any]:
    p = service.get(session, actor=actor, id=id)
    steps, extensions = service.history(session, actor=actor, id=id)
    shown = service.present(p, actor)
    # A user who may not act is offered no step or extension, and told why instead.
    refusal = scope.write_refusal(session, actor, p.unit_id)
    acts = refusal is None
    day = today()
    due = rules.deadline(p, day)
    return {
        "actor": actor, "p": shown, "steps": steps, "extensions": extensions,
        "changes": shown_history("petitions", audit.history(session, actor=actor, resource="petitions",
                                                             record_id=id), session),
        "labels": field_labels("petitions"), "withheld": service.withheld(p, actor),
        "next_steps": [(s, workflow.STEP_LABELS[s]) for s in workflow.next_steps(p)] if acts else [],
        "closed": PetitionStatus(p.status) in rules.CLOSED, "refusal": refusal,
        "can_extend": acts and workflow.can_extend(p, len(extensions)),
        "limit": rules.TIME_LIMITS[PetitionType(p.type)], "deadline": due, "error": error,
        "term": rules.term(p, sum(e.days for e in extensions)),
        "lengthen": rules.complex_lengthens(p),
        "deletable": service.records.may_change(session, actor=actor, obj=p),
        "filled": page_acts.filled(("steps", "extend"), sent),
        "errs": page_acts.marked(("steps", "extend"), sent, fields),
    }


@router.post("/petitions/{id}/steps")
def take_step(id: RecordId, request: Request, session: SessionDep,
              actor: PageActor, form_data: FormDep) -> Response:
    """Move the petition one legal step (accept, start, resolve, withdraw, transfer, reject)."""
    form = forms.parse(dict(form_data), DATE)
    try:  # the API's schema: the same rules and messages for the typed note and outcome
        with attempt(session):
            data = forms.validate(TransitionIn, {k: form.get(k) for k in ("to", "date", "note", "outcome")},
                                  form.problems)
            workflow.transition(session, actor=actor, id=id, to=data.to, on=data.date, note=data.note,
                               outcome=data.outcome, if_match=forms.version(form.get("version")))
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, id, exc, TransitionIn, ("steps", dict(form_data)))
    return page_acts.done(request, f"/petitions/{id}")


@router.post("/petitions/{id}/extend")
def extend(id: RecordId, request: Request, session: SessionDep,
           actor: PageActor, form_data: FormDep) -> Response:
    """Record a legal extension of a denunciation's time limit, with its decision."""
    form = forms.parse(dict(form_data), DATE)
    try:
        with attempt(session):
            data = forms.validate(ExtensionIn, {k: form.get(k) for k in ("days", "date", "decision_no")},
                                  form.problems)
            workflow.extend(session, actor=actor, id=id, days=data.days, on=data.date,
                           decision_no=data.decision_no, if_match=forms.version(form.get("version")))
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, id, exc, ExtensionIn, ("extend", dict(form_data)))
    return page_acts.done(request, f"/petitions/{id}")


def _again(request: Request, session: SessionDep, actor: PageActor, id: int,
           exc: Exception, schema: type, sent: page_acts.Sent) -> Response:
    """The page again, with what went wrong in one line above the forms (the fields' messages,
    each named by its label on `schema`, or the rule's) and what was sent, answered with the
    refusal's own status: 403, 409, 412 or 422."""
    context = _context(session, actor, id, error=errors_line(exc, schema), sent=sent,
                       fields=form_errors(exc, schema)[0])
    return page_acts.again(request, "petitions/detail.html", context, refusal_status(exc))
