"""/api/v1/api-tokens: long-lived tokens for provincial systems (managers and admins)."""

from typing import Annotated, Any

from fastapi import Body, Query, Response
from fastapi.responses import JSONResponse

from app.api.crud import api_router, json_record, page_model
from app.api.errors import PROBLEM_RESPONSES
from app.db.users import ApiToken
from app.deps import ActorDep, RecordId, SessionDep
from app.services import api_tokens as service
from app.services.api_tokens import ApiTokenCreate, ApiTokenCreated, ApiTokenRead, Filters

router = api_router("api-tokens")
BASE = router.prefix


ApiTokenPage = page_model(ApiTokenRead, "ApiTokenPage")


def _read(token: ApiToken) -> ApiTokenRead:
    return ApiTokenRead.model_validate(token, from_attributes=True)


@router.get("", response_model=ApiTokenPage, responses=PROBLEM_RESPONSES, name="list")
def list_tokens(session: SessionDep, actor: ActorDep,
                params: Annotated[Filters, Query()]) -> dict[str, Any]:
    """List API tokens: one's own, and for managers and admins those of their subtree."""
    page = service.list_(session, actor=actor, filters=params)
    return {"items": [_read(t) for t in page.items], "total": page.total,
            "limit": page.limit, "offset": page.offset}


# No Idempotency-Key here: replaying the response would mean storing the secret in clear.
@router.post("", status_code=201, response_model=ApiTokenCreated,
             responses=PROBLEM_RESPONSES, name="create")
def create_token(session: SessionDep, actor: ActorDep,
                 data: Annotated[ApiTokenCreate, Body()]) -> JSONResponse:
    """Create a token for a unit of one's subtree; the secret (`token`) is returned only here."""
    token, secret = service.create(session, actor=actor, data=data)
    body = ApiTokenCreated(**_read(token).model_dump(), token=secret)
    response = json_record(body, status=201, location=f"{BASE}/{token.id}")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/{id:int}", response_model=ApiTokenRead, responses=PROBLEM_RESPONSES, name="get")
def read_token(id: RecordId, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """Read one token (never its secret)."""
    return json_record(_read(service.get(session, actor=actor, id=id)))


@router.delete("/{id:int}", status_code=204, responses=PROBLEM_RESPONSES, name="revoke")
def revoke_token(id: RecordId, session: SessionDep, actor: ActorDep) -> Response:
    """Revoke a token; it is refused from the next request on."""
    service.revoke(session, actor=actor, id=id)
    return Response(status_code=204)
