"""People who sign in, and the bearer tokens they (or provincial systems) use."""

from datetime import datetime

from sqlmodel import Field
from sqlmodel.sql.sqltypes import UTCDateTime

from app.db.base import MAX_ID, RecordMeta
from app.db.fields import Normalized, code_field
from app.enums import Role, TokenScope


class UserBase(Normalized):
    username: str = Field(min_length=2, max_length=64, unique=True, title="Tên đăng nhập",
                          schema_extra={"pattern": r"^[A-Za-z0-9._@-]+$"})
    full_name: str | None = Field(default=None, max_length=200, title="Họ và tên")
    role: Role = code_field(title="Vai trò")
    # Required for everyone but an admin: the bootstrap admin exists before any unit does.
    unit_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="unit.id", index=True,
                                title="Đơn vị")
    active: bool = Field(default=True, title="Đang hoạt động")


class User(UserBase, RecordMeta, table=True):
    password_hash: str = Field(max_length=256)


class ApiToken(RecordMeta, table=True):
    """A bearer token. `kind` is `login` for one from /auth/token, `api` for a provincial
    system's long-lived token. Only a hash of the secret is stored."""

    __tablename__ = "api_token"
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16, default="login")
    user_id: int = Field(ge=1, le=MAX_ID, foreign_key="user.id", index=True)
    unit_id: int | None = Field(default=None, ge=1, le=MAX_ID, foreign_key="unit.id")
    scope: TokenScope = code_field(TokenScope.write)
    token_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
