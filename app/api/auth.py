"""/api/v1/auth: the OAuth2 password flow that gives a bearer token."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.api.deps import SessionDep
from app.api.errors import PROBLEM_RESPONSES
from app.config import get_settings
from app.services import auth

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


@router.post("/token", response_model=Token, responses=PROBLEM_RESPONSES)
def token(session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    """Exchange a username and password for a bearer token."""
    user = auth.authenticate(session, form.username, form.password)
    secret = auth.issue_login_token(session, user, ttl_minutes=get_settings().token_ttl_minutes)
    return Token(access_token=secret)
