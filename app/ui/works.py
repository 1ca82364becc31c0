"""A work's own page: what it cost and who paid, computed by the database."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import PageActor, RecordId, Route, SessionDep
from app.services import audit
from app.services import works as service
from app.ui import templates
from app.ui.records import field_labels, shown_history

router = APIRouter(route_class=Route)


@router.get("/works/{id}", response_class=HTMLResponse)
def work_page(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """One work: total cost, contributions by source, labour days, land donated, non-state share."""
    money = service.money(session, actor=actor, id=id)
    return templates.TemplateResponse(request, "works/detail.html", {
        "actor": actor, **money,
        "deletable": service.records.may_change(session, actor=actor, obj=money["work"]),
        "changes": shown_history("works", audit.history(session, actor=actor, resource="works",
                                                         record_id=id), session),
        "labels": field_labels("works")})
