"""/api/v1/stats: the live dashboard's figures as JSON (the same as the office screens show)."""

from typing import Annotated, Any

from fastapi import Header, Query, Response
from fastapi.responses import JSONResponse

from app.api.crud import api_router
from app.api.errors import PROBLEM_RESPONSES
from app.api.reports import UnitParam
from app.deps import ActorDep, SessionDep
from app.responses import etag_matches
from app.services import dashboards, reports

router = api_router("stats")


@router.get("/dashboard", responses={**PROBLEM_RESPONSES, 304: {"description": "Unchanged."}})
def dashboard(session: SessionDep, actor: ActorDep, unit_id: UnitParam = None,
              year: Annotated[int | None, Query(ge=1990, le=2100, description=(
                  "A past year to show as of its 31 December; default: the current year, "
                  "as of today."))] = None,
              if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None) -> Any:
    """The unit's live figures: this year and this phase (models and exemplars, works and km of
    road, money mobilised and its non-state share, land donated, petitions received, resolved,
    rate and overdue), the units below compared, petitions nearing or past their due date, the
    latest changes, and the month-by-month trend. Send the ETag back as If-None-Match: while
    nothing changed the answer is 304 with no body, which costs the server almost nothing."""
    unit = reports.resolve_params(session, actor=actor, unit_id=unit_id, date_from=None,
                                  date_to=None)["unit_id"]
    live = dashboards.live(session, actor=actor, unit_id=unit, today=dashboards.as_of(year),
                           held=lambda etag: etag_matches(if_none_match, etag))
    headers = {"ETag": f'"{live.etag}"', "Cache-Control": "no-cache"}
    if etag_matches(if_none_match, live.etag):
        return Response(status_code=304, headers=headers)
    return JSONResponse(live.figures, headers=headers)
