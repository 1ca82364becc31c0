"""The unit tree page."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.api.deps import SessionDep
from typing import Any

from app.services import approvals
from app.services import units as service
from app.ui import templates
from app.ui.deps import PageActor

router = APIRouter()


@router.get("/units", response_class=HTMLResponse)
def tree(request: Request, session: SessionDep, actor: PageActor) -> HTMLResponse:
    """The unit tree the user works in, with mergers shown."""
    units = service.tree(session, actor=actor)
    names = {u.id: u.name for u in units}
    approved: dict[int, list[Any]] = {}
    for a in approvals.list_(session, actor=actor):
        approved.setdefault(a.unit_id, []).append(a)
    return templates.TemplateResponse(request, "units/tree.html", {
        "actor": actor, "rows": service.nested(units), "names": names, "approved": approved,
    })
