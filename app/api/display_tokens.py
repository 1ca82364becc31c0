"""/api/v1/display-tokens: the secrets of office wall screens (managers and admins)."""

from typing import Annotated, Any

from fastapi import Body, Query, Response
from fastapi.responses import JSONResponse

from app.api.crud import api_router, json_record, page_model
from app.api.errors import PROBLEM_RESPONSES
from app.db.dashboards import DisplayToken
from app.deps import ActorDep, RecordId, SessionDep
from app.services import display_tokens as service
from app.services.display_tokens import (DisplayTokenCreate, DisplayTokenCreated, DisplayTokenRead,
                                         Filters)

router = api_router("display-tokens")
BASE = router.prefix


DisplayTokenPage = page_model(DisplayTokenRead, "DisplayTokenPage")


def _read(token: DisplayToken) -> DisplayTokenRead:
    return DisplayTokenRead.model_validate(token, from_attributes=True)


@router.get("", response_model=DisplayTokenPage, responses=PROBLEM_RESPONSES, name="list")
def list_tokens(session: SessionDep, actor: ActorDep,
                params: Annotated[Filters, Query()]) -> dict[str, Any]:
    """The wall screens of the caller's subtree, newest first."""
    page = service.list_(session, actor=actor, filters=params)
    return {"items": [_read(t) for t in page.items], "total": page.total,
            "limit": page.limit, "offset": page.offset}


# No Idempotency-Key here: replaying the response would mean storing the secret in clear.
@router.post("", status_code=201, response_model=DisplayTokenCreated,
             responses=PROBLEM_RESPONSES, name="create")
def create_token(session: SessionDep, actor: ActorDep,
                 data: Annotated[DisplayTokenCreate, Body()]) -> JSONResponse:
    """Make a screen's token for a unit of one's subtree; the secret and the screen's URL are
    returned only here."""
    token, secret = service.create(session, actor=actor, data=data)
    body = DisplayTokenCreated(**_read(token).model_dump(), token=secret,
                               screen_url=f"/screen/{secret}")
    response = json_record(body, status=201, location=f"{BASE}/{token.id}")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/{id:int}", response_model=DisplayTokenRead, responses=PROBLEM_RESPONSES, name="get")
def read_token(id: RecordId, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """One screen's token (never its secret)."""
    return json_record(_read(service.get(session, actor=actor, id=id)))


@router.delete("/{id:int}", status_code=204, responses=PROBLEM_RESPONSES, name="revoke")
def revoke_token(id: RecordId, session: SessionDep, actor: ActorDep) -> Response:
    """Revoke a screen's token: the screen shows that it was revoked at its next refresh."""
    service.revoke(session, actor=actor, id=id)
    return Response(status_code=204)
