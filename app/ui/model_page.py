"""A model's own page: its workflow (start, evaluate against the criteria, recognise by
decision, or not), through the same services as the API. Its forms act on the model as
app/ui/page_acts.py says: a refusal keeps the page's address (/models/{id} itself takes the
record form's edit, so each form posts to an address of its own)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app import vn
from app.db.session import attempt
from app.db.evaluations import EvaluationIn, ModelStepIn, RecognitionIn
from app.deps import FormDep, PageActor, RecordId, Route, SessionDep
from app.enums import ModelStatus, Role
from app.services import audit, evaluations, scope
from app.services import models as service
from app.services.errors import DomainError
from app.ui import errors_line, form_errors, forms, page_acts, refusal_status, templates
from app.ui.records import field_labels, shown_history

router = APIRouter(route_class=Route)
DATE = forms.fields_of(ModelStepIn, ("date",))  # a step's date, as the API reads it


@router.get("/models/{id}", response_class=HTMLResponse)
def model_page(id: RecordId, request: Request, session: SessionDep,
               actor: PageActor) -> HTMLResponse:
    """One model: its facts, evaluations, and the workflow's next steps."""
    return templates.TemplateResponse(request, "models/detail.html", _context(session, actor, id))


page_acts.lead_back(router, "/models/{id}", ("step", "evaluate", "recognize"))


def _context(session: SessionDep, actor: PageActor, id: int, error: str | None = None,
             sent: page_acts.Sent | None = None, fields: dict[str, str] | None = None
             ) -> dict[str, Any]:
    m = service.get(session, actor=actor, id=id)
    status = ModelStatus(m.status)
    crit_set = None
    if status in evaluations.SCORABLE:
        try:
            crit_set = evaluations.set_for(session, m.kind, vn.today())
        except DomainError:
            crit_set = None
    # A user who may not act is offered no workflow control, and told why instead; the
    # template asks these answers and compares no status or role.
    refusal = scope.write_refusal(session, actor, m.unit_id)
    acts = refusal is None
    manager = scope.may_write(session, actor, m.unit_id, role=Role.manager)
    # Each form's values: today's date, or what the user sent to the form that was refused,
    # so a mistake in one score costs that score, not the whole sheet.
    forms_ = ("step", "evaluate", "recognize")
    filled = page_acts.filled(forms_, sent)
    return {
        "actor": actor, "m": m, "error": error, "today": vn.today(), "filled": filled,
        "errs": page_acts.marked(forms_, sent, fields),
        "deletable": service.records.may_change(session, actor=actor, obj=m),
        "changes": shown_history("models", audit.history(session, actor=actor, resource="models",
                                                          record_id=id), session),
        "labels": field_labels("models"), "acts": acts, "refusal": refusal,
        "steps": _steps(status, manager) if acts else [],
        "scorable": manager and crit_set is not None, "crit_set": crit_set,
        "recognizable": manager and status is ModelStatus.evaluated,
        "history": evaluations.evaluations_of(session, actor=actor, id=id),
    }


# What the button of each step says (the status it leads to, as an act).
STEP_LABELS = {ModelStatus.in_progress: "Bắt đầu thực hiện",
               ModelStatus.discontinued: "Ngừng thực hiện",
               ModelStatus.not_recognized: "Kết luận không công nhận"}


def _steps(status: ModelStatus, manager: bool) -> list[tuple[ModelStatus, str]]:
    """The workflow's steps from `status` this user may take, as (step, button words):
    concluding "not recognised" is a manager's (`evaluations.MANAGER_STEPS`)."""
    allowed = [s for s in evaluations.STEPS.get(status, frozenset())
               if manager or s not in evaluations.MANAGER_STEPS]
    return [(s, STEP_LABELS.get(s, s.vi)) for s in sorted(allowed, key=list(ModelStatus).index)]


@router.post("/models/{id}/step")
def take_step(id: RecordId, request: Request, session: SessionDep,
              actor: PageActor, form_data: FormDep) -> Response:
    """Start, discontinue, or conclude not recognised."""
    form = forms.parse(dict(form_data), DATE)
    try:  # the API's schema: a mistyped date is refused with app.vn's words, as on every form
        with attempt(session):
            data = forms.validate(ModelStepIn, {k: form.get(k) for k in ("to", "date")},
                                  form.problems)
            evaluations.step(session, actor=actor, id=id, to=data.to, on=data.date)
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, id, exc, ModelStepIn, ("step", dict(form_data)))
    return _done(request, id)


@router.post("/models/{id}/evaluate")
def evaluate(id: RecordId, request: Request, session: SessionDep,
             actor: PageActor, form_data: FormDep) -> Response:
    """Score the model on each criterion (managers)."""
    typed = tuple(forms.FormField(k, k, "decimal") for k in form_data if k.startswith("score_"))
    form = forms.parse(dict(form_data), DATE + typed)
    scores = {k.removeprefix("score_"): v for k, v in form.items() if k.startswith("score_")}
    try:
        with attempt(session):
            data = forms.validate(EvaluationIn, {"date": form.get("date"), "scores": scores,
                                                 "note": form.get("note") or None}, form.problems)
            evaluations.evaluate(session, actor=actor, id=id, data=data)
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, id, exc, EvaluationIn, ("evaluate", dict(form_data)))
    return _done(request, id)


@router.post("/models/{id}/recognize")
def recognize(id: RecordId, request: Request, session: SessionDep,
              actor: PageActor, form_data: FormDep) -> Response:
    """Recognise the evaluated model at a level, by decision (managers)."""
    form = forms.parse(dict(form_data), DATE)
    try:
        with attempt(session):
            typed = {k: form.get(k) or None for k in ("level", "decision_no", "date")}
            data = forms.validate(RecognitionIn, typed, form.problems)
            evaluations.recognize(session, actor=actor, id=id, data=data)
    except (ValidationError, DomainError) as exc:
        return _again(request, session, actor, id, exc, RecognitionIn, ("recognize", dict(form_data)))
    return _done(request, id)


def _done(request: Request, id: int) -> Response:
    return page_acts.done(request, f"/models/{id}")


def _again(request: Request, session: SessionDep, actor: PageActor, id: int, exc: Exception,
           schema: Any, sent: page_acts.Sent) -> Response:
    """The page again, with what went wrong (in one line above, and beside each field it
    names: a score by its criterion, `score_<id>`) and what was sent."""
    fields = {(f"score_{k}" if k.isdigit() else k): msg
              for k, msg in form_errors(exc, schema)[0].items()}
    error = errors_line(exc, schema) or "Dữ liệu không hợp lệ."
    return page_acts.again(request, "models/detail.html",
                           _context(session, actor, id, error=error, sent=sent, fields=fields),
                           refusal_status(exc))
