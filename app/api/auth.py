"""/api/v1/auth: the OAuth2 password flow that gives a bearer token."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.api.deps import client_ip
from app.api.errors import PROBLEM_RESPONSES, THROTTLED
from app.db.session import get_engine
from app.services.sign_in import sign_in

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=THROTTLED)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


@router.post("/token", response_model=Token, responses=PROBLEM_RESPONSES)
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange a username and password for a bearer token (throttled, audited)."""
    # No request transaction: sign_in commits each attempt in its own (app.services.sign_in).
    secret = sign_in(get_engine(), username=form.username, password=form.password,
                     ip=client_ip(request))
    return Token(access_token=secret)
