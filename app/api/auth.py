"""/api/v1/auth: the OAuth2 password flow that gives a bearer token."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from app.api.crud import api_router
from app.api.errors import PROBLEM_RESPONSES, THROTTLED
from app.deps import SessionDep, client_ip
from app.services.sign_in import sign_in

router = api_router("auth", responses=THROTTLED)


class Token(BaseModel):
    access_token: str = Field(title="Mã truy cập")
    token_type: str = Field("bearer", title="Loại mã")


@router.post("/token", response_model=Token, responses=PROBLEM_RESPONSES)
def token(request: Request, session: SessionDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange a username and password for a bearer token (throttled, audited)."""
    secret = sign_in(session, username=form.username, password=form.password,
                     ip=client_ip(request))
    return Token(access_token=secret)
