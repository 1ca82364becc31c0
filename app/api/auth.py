"""/api/v1/auth: the OAuth2 password flow that gives a bearer token."""

from typing import Annotated

from fastapi import Depends, Form, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from app.api.crud import api_router
from app.api.errors import PROBLEM_RESPONSES, THROTTLED
from app.deps import SessionDep, client_ip
from app.services.sign_in import sign_in

router = api_router("auth", responses=THROTTLED)


class SignInForm(OAuth2PasswordRequestForm):
    """The OAuth2 password flow's form, each field titled with its label."""

    def __init__(
        self, *,
        grant_type: Annotated[str | None, Form(pattern="^password$", title="Kiểu cấp mã")] = None,
        username: Annotated[str, Form(title="Tên đăng nhập")],
        password: Annotated[str, Form(title="Mật khẩu", json_schema_extra={"format": "password"})],
        scope: Annotated[str, Form(title="Phạm vi")] = "",
        client_id: Annotated[str | None, Form(title="Mã ứng dụng")] = None,
        client_secret: Annotated[str | None, Form(title="Khóa ứng dụng",
                                                  json_schema_extra={"format": "password"})] = None,
    ) -> None:
        super().__init__(grant_type=grant_type, username=username, password=password,
                         scope=scope, client_id=client_id, client_secret=client_secret)


class Token(BaseModel):
    access_token: str = Field(title="Mã truy cập")
    token_type: str = Field("bearer", title="Loại mã")


@router.post("/token", response_model=Token, responses=PROBLEM_RESPONSES)
def token(request: Request, session: SessionDep,
          form: Annotated[SignInForm, Depends()]) -> Token:
    """Exchange a username and password for a bearer token (throttled, audited)."""
    secret = sign_in(session, username=form.username, password=form.password,
                     ip=client_ip(request))
    return Token(access_token=secret)
