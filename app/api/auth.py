"""/api/v1/auth: the OAuth2 password flow that gives a bearer token."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.api.deps import SessionDep, client_ip
from app.api.errors import PROBLEM_RESPONSES, THROTTLED
from app.config import get_settings
from app.services import auth
from app.services.errors import DomainError

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=THROTTLED)


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


@router.post("/token", response_model=Token, responses=PROBLEM_RESPONSES)
def token(request: Request, session: SessionDep,
          form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange a username and password for a bearer token (throttled, audited)."""
    try:
        user = auth.sign_in(session, username=form.username, password=form.password,
                            ip=client_ip(request))
    except DomainError:
        session.commit()  # the failed attempt stays on record (throttling, audit)
        raise
    secret = auth.issue_login_token(session, user, ttl_minutes=get_settings().token_ttl_minutes)
    return Token(access_token=secret)
