"""/api/v1/users: accounts (managers and admins), and one's own password."""

from typing import Annotated, Any

from fastapi import Body, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.crud import (IdempotencyKeyHeader, api_router, idempotent_post, json_record,
                          page_model)
from app.api.errors import PROBLEM_RESPONSES
from app.db.users import User
from app.deps import ActorDep, IfMatchDep, RecordId, SessionDep
from app.services import users as service
from app.services.users import Filters, PasswordChange, UserCreate, UserRead, UserUpdate

router = api_router("users")
BASE = router.prefix


UserPage = page_model(UserRead, "UserPage")


def _read(user: User) -> UserRead:
    return UserRead.model_validate(user, from_attributes=True)


@router.get("", response_model=UserPage, responses=PROBLEM_RESPONSES, name="list")
def list_users(session: SessionDep, actor: ActorDep,
               params: Annotated[Filters, Query()]) -> dict[str, Any]:
    """List accounts: every one (admin), those of the subtree (manager), or one's own."""
    page = service.list_(session, actor=actor, filters=params)
    return {"items": [_read(u) for u in page.items], "total": page.total,
            "limit": page.limit, "offset": page.offset}


@router.post("", status_code=201, response_model=UserRead,
             responses=PROBLEM_RESPONSES, name="create")
def create_user(session: SessionDep, actor: ActorDep, request: Request,
                data: Annotated[UserCreate, Body()], key: IdempotencyKeyHeader = None) -> JSONResponse:
    """Create an account (a manager: below their unit, never above their own role)."""
    def run() -> JSONResponse:
        user = service.create(session, actor=actor, data=data)
        return json_record(_read(user), status=201, location=f"{BASE}/{user.id}")

    # The fingerprint is stored: an unsalted hash of the password must not be.
    payload = data.model_dump(mode="json", exclude={"password"})
    return idempotent_post(session, actor, request, key, payload, run)


@router.get("/me", response_model=UserRead, responses=PROBLEM_RESPONSES, name="me")
def read_me(session: SessionDep, actor: ActorDep) -> JSONResponse:
    """The caller's own account."""
    return json_record(_read(service.own(session, actor=actor)))


@router.post("/me/password", status_code=204, responses=PROBLEM_RESPONSES)
def change_password(session: SessionDep, actor: ActorDep,
                    data: Annotated[PasswordChange, Body()]) -> Response:
    """Change one's own password (the current one must be given)."""
    service.change_password(session, actor=actor, old=data.old_password, new=data.new_password)
    return Response(status_code=204)


@router.get("/{id:int}", response_model=UserRead, responses=PROBLEM_RESPONSES, name="get")
def read_user(id: RecordId, session: SessionDep, actor: ActorDep) -> JSONResponse:
    """Read one account (ETag = version)."""
    return json_record(_read(service.get(session, actor=actor, id=id)))


@router.patch("/{id:int}", response_model=UserRead, responses=PROBLEM_RESPONSES, name="update")
def update_user(id: RecordId, session: SessionDep, actor: ActorDep, expected: IfMatchDep,
                data: Annotated[UserUpdate, Body()]) -> JSONResponse:
    """Change name, role, unit, active or password (If-Match for optimistic locking)."""
    user, _ = service.update(session, actor=actor, id=id, data=data, if_match=expected)
    return json_record(_read(user))


@router.delete("/{id:int}", status_code=204, responses=PROBLEM_RESPONSES, name="delete")
def delete_user(id: RecordId, session: SessionDep, actor: ActorDep,
                expected: IfMatchDep) -> Response:
    """Deactivate an account: it can no longer sign in and its tokens are revoked."""
    service.delete(session, actor=actor, id=id, if_match=expected)
    return Response(status_code=204)
