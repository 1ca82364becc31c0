"""Long-lived API tokens for provincial systems.

A manager or admin makes one for a unit of their subtree, read-only or read-write. It acts with
its creator's role, but over the token's unit and within its scope (auth.actor_for_token). The
secret is shown once and stored only as its SHA-256; revoking takes effect on the next request.
"""

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, field_validator
from pydantic import Field as PField
from sqlalchemy import Select, func, or_, select
from sqlmodel import Field, Session, SQLModel

from app.db.base import MAX_ID, utcnow
from app.db.fields import Input
from app.db.units import Unit
from app.db.users import ApiToken
from app.enums import Role, TokenScope
from app.services import audit, scope
from app.services.actor import Actor
from app.services.auth import _digest, new_secret
from app.services.errors import Forbidden, Invalid, NotFound
from app.services.paging import Page

RESOURCE = "api-tokens"
KIND = "api"


class ApiTokenCreate(Input):
    name: str = Field(min_length=1, max_length=200, title="Tên",
                      description="Which system uses it.")
    unit_id: int = Field(ge=1, le=MAX_ID, title="Đơn vị",
                         description="The subtree the token may reach.")
    scope: TokenScope = Field(title="Quyền", description="read, or write (read and write).")
    expires_at: datetime | None = Field(default=None, title="Hết hạn",
                                        description="UTC; none = until revoked.")

    @field_validator("expires_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class ApiTokenRead(SQLModel):
    id: int = Field(title="Số hiệu")
    name: str = Field(title="Tên")
    user_id: int = Field(title="Người tạo",
                         description="Who created it; the token acts with their role.")
    unit_id: int | None = Field(title="Đơn vị")
    scope: TokenScope = Field(title="Quyền")
    expires_at: datetime | None = Field(title="Hết hạn")
    last_used_at: datetime | None = Field(title="Dùng lần cuối")
    revoked_at: datetime | None = Field(title="Thu hồi lúc")
    created_at: datetime = Field(title="Tạo lúc")
    updated_at: datetime = Field(title="Sửa lúc")
    version: int = Field(title="Phiên bản")


class ApiTokenCreated(ApiTokenRead):
    token: str = Field(title="Mã bí mật", description="The secret: shown this once, never again.")


class Filters(BaseModel):
    limit: int = PField(50, ge=1, le=500, description="Page size (max 500).")
    offset: int = PField(0, ge=0, le=MAX_ID)


def base_query(actor: Actor) -> Select[Any]:
    """API tokens this actor may see: their own, and for managers and admins those of their
    subtree (sign-in sessions are tokens too, but not listed here)."""
    stmt = select(ApiToken).where(ApiToken.kind == KIND)
    own = ApiToken.user_id == actor.user_id
    if not actor.at_least(Role.manager):
        return stmt.where(own)
    visible = scope.visible_unit_ids(actor)
    if visible is None:
        return stmt
    return stmt.where(or_(own, scope.in_units(ApiToken.unit_id, visible)))


def list_(session: Session, *, actor: Actor, filters: Filters) -> Page[ApiToken]:
    stmt = base_query(actor)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).scalar_one()
    items = session.exec(stmt.order_by(ApiToken.id.desc()).limit(filters.limit)  # type: ignore[union-attr]
                         .offset(filters.offset)).scalars().all()
    return Page(items=list(items), total=total, limit=filters.limit, offset=filters.offset)


def get(session: Session, *, actor: Actor, id: int) -> ApiToken:
    token = session.exec(base_query(actor).where(ApiToken.id == id)).scalars().first()
    if token is None:
        raise NotFound(f"Không tìm thấy mã truy cập số {id} (hoặc nằm ngoài phạm vi của bạn).")
    return token


def ensure_can_issue(actor: Actor) -> None:
    # A token making tokens would outlive its own revocation.
    if actor.token_id is not None or actor.user_id is None:
        raise Forbidden("Mã truy cập API không được dùng để quản lý mã truy cập.")
    if not actor.at_least(Role.manager):
        raise Forbidden("Chỉ lãnh đạo và quản trị viên được tạo mã truy cập API.")


def create(session: Session, *, actor: Actor, data: ApiTokenCreate) -> tuple[ApiToken, str]:
    """The new token and its secret (returned this once; only its hash is kept)."""
    ensure_can_issue(actor)
    if session.get(Unit, data.unit_id) is None:
        raise Invalid.field("unit_id", f"Đơn vị số {data.unit_id} không tồn tại.")
    scope.check_write(session, actor, data.unit_id, role=Role.manager)
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise Invalid.field("expires_at", "Thời điểm hết hạn phải ở tương lai.")
    secret = new_secret()
    token = ApiToken(name=data.name, kind=KIND, user_id=actor.user_id,  # type: ignore[arg-type]
                     unit_id=data.unit_id, scope=data.scope, token_hash=_digest(secret),
                     expires_at=data.expires_at)
    session.add(token)
    session.flush()
    changes = {k: [None, getattr(token, k)] for k in ("name", "unit_id", "scope", "expires_at")
               if getattr(token, k) is not None}
    _audit(session, actor, "create", token, changes)
    return token, secret


def revoke(session: Session, *, actor: Actor, id: int) -> ApiToken:
    """Revoke a token: its owner, or a manager or admin over the token's unit."""
    if actor.token_id is not None or actor.user_id is None:
        raise Forbidden("Mã truy cập API không được dùng để quản lý mã truy cập.")
    try:
        token = get(session, actor=actor, id=id)
    except NotFound:
        other = session.get(ApiToken, id)
        if other is not None and other.kind == KIND:
            raise Forbidden(f"Mã truy cập số {id} nằm ngoài phạm vi đơn vị bạn phụ trách.") from None
        raise
    if token.user_id != actor.user_id and token.unit_id is not None:
        scope.check_write(session, actor, token.unit_id, role=Role.manager)
    if token.revoked_at is None:
        token.revoked_at = token.updated_at = utcnow()
        session.flush()
        _audit(session, actor, "revoke", token, {"revoked_at": [None, token.revoked_at]})
    return token


def _audit(session: Session, actor: Actor, action: str, token: ApiToken,
           changes: dict[str, list[Any]]) -> None:
    audit.record(session, username=actor.username, user_id=actor.user_id, action=action,
                 resource=RESOURCE, record_id=token.id, unit_id=token.unit_id, changes=changes)
