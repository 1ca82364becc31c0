"""Display tokens: what a wall screen in a commune or district office signs in with.

A manager or admin makes one for a unit of their subtree. Its secret goes in the screen's URL
(/screen/<secret>) and opens that unit's office-screen dashboard and nothing else: not the
API, not a page, not another unit. Only the secret's SHA-256 is kept; the secret is shown
once. Revoking takes effect at the screen's next refresh (a few seconds).
"""

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PField
from sqlalchemy import Select, func, select
from sqlmodel import Field, Session, SQLModel

from app.db.base import MAX_ID, utcnow
from app.db.dashboards import DisplayToken
from app.db.fields import Input
from app.db.side_writes import side_write_soon
from app.db.units import Unit
from app.enums import Role
from app.services import audit, scope
from app.services.actor import Actor
from app.services.auth import _digest, new_secret
from app.services.errors import Forbidden, Invalid, NotFound, Unauthorized
from app.services.paging import Page

RESOURCE = "display-tokens"
SEEN_EVERY = timedelta(minutes=1)  # how often a screen's last-seen time is written


class DisplayTokenCreate(Input):
    name: str = Field(min_length=1, max_length=200, title="Tên màn hình",
                      description="Which screen: 'Phòng họp UBND xã'.")
    unit_id: int = Field(ge=1, le=MAX_ID, title="Đơn vị",
                         description="The unit whose dashboard it shows.")
    rotate_seconds: int | None = Field(default=None, ge=5, le=3600,
                                       title="Chuyển bảng sau (giây)",
                                       description="Show one panel at a time, each this long.")


class DisplayTokenRead(SQLModel):
    id: int = Field(title="Số hiệu")
    name: str = Field(title="Tên màn hình")
    unit_id: int = Field(title="Đơn vị")
    rotate_seconds: int | None = Field(title="Chuyển bảng sau (giây)")
    created_by: str = Field(title="Người tạo")
    last_seen_at: datetime | None = Field(None, title="Hoạt động lần cuối")
    revoked_at: datetime | None = Field(None, title="Thu hồi lúc")
    created_at: datetime = Field(title="Tạo lúc")
    updated_at: datetime = Field(title="Sửa lúc")
    version: int = Field(title="Phiên bản")


class DisplayTokenCreated(DisplayTokenRead):
    token: str = Field(title="Mã bí mật", description="The secret: shown this once, never again.")
    screen_url: str = Field(title="Địa chỉ màn hình",
                            description="The path to open on the wall screen.")


class Filters(BaseModel):
    limit: int = PField(50, ge=1, le=500, description="Page size (max 500).")
    offset: int = PField(0, ge=0, le=MAX_ID)


def ensure_manager(actor: Actor, *, write: bool) -> None:
    if write and actor.token_id is not None:
        raise Forbidden("Mã truy cập API không được dùng để quản lý màn hình.")
    if not actor.at_least(Role.manager):
        raise Forbidden("Chỉ lãnh đạo và quản trị viên được quản lý màn hình văn phòng.")


def base_query(actor: Actor) -> Select[Any]:
    """Screens of the actor's subtree; none at all below manager."""
    stmt = scope.restrict(select(DisplayToken), DisplayToken.unit_id, actor)
    return stmt if actor.at_least(Role.manager) else stmt.where(DisplayToken.id < 0)


def list_(session: Session, *, actor: Actor, filters: Filters) -> Page[DisplayToken]:
    stmt = base_query(actor)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).scalar_one()
    items = session.exec(stmt.order_by(DisplayToken.id.desc()).limit(filters.limit)
                         .offset(filters.offset)).scalars().all()
    return Page(items=list(items), total=total, limit=filters.limit, offset=filters.offset)


def get(session: Session, *, actor: Actor, id: int, write: bool = False) -> DisplayToken:
    ensure_manager(actor, write=write)
    token = session.exec(base_query(actor).where(DisplayToken.id == id)).scalars().first()
    if token is None:
        raise NotFound(f"Không tìm thấy màn hình số {id} (hoặc nằm ngoài phạm vi của bạn).")
    return token


def create(session: Session, *, actor: Actor, data: DisplayTokenCreate) -> tuple[DisplayToken, str]:
    """The new token and its secret (returned this once; only its hash is kept)."""
    ensure_manager(actor, write=True)
    if session.get(Unit, data.unit_id) is None:
        raise Invalid.field("unit_id", f"Đơn vị số {data.unit_id} không tồn tại.")
    scope.check_write(session, actor, data.unit_id, role=Role.manager)
    secret = new_secret()
    token = DisplayToken(name=data.name, unit_id=data.unit_id, rotate_seconds=data.rotate_seconds,
                         token_hash=_digest(secret), created_by=actor.username, user_id=actor.user_id)
    session.add(token)
    session.flush()
    _audit(session, actor, "create", token, {k: [None, getattr(token, k)] for k in
                                             ("name", "unit_id", "rotate_seconds")
                                             if getattr(token, k) is not None})
    return token, secret


def revoke(session: Session, *, actor: Actor, id: int) -> DisplayToken:
    token = get(session, actor=actor, id=id, write=True)
    scope.check_write(session, actor, token.unit_id, role=Role.manager)
    if token.revoked_at is None:
        token.revoked_at = token.updated_at = utcnow()
        session.flush()
        _audit(session, actor, "revoke", token, {"revoked_at": [None, token.revoked_at]})
    return token


def screen_actor(session: Session, secret: str) -> tuple[Actor, DisplayToken]:
    """Who a wall screen is: a viewer of the token's unit that can write nothing. 401 for an
    unknown or revoked secret (the screen then says so)."""
    # With its unit, which every poll then looks up (the dashboard's unit check): one query.
    # The session holds the unit for the rest of the request (its identity map only keeps
    # what something else refers to), so that check finds it without asking the database.
    found = session.exec(select(DisplayToken, Unit).join(Unit, Unit.id == DisplayToken.unit_id)
                         .where(DisplayToken.token_hash == _digest(secret))).first() if secret else None
    token = found[0] if found is not None else None
    if found is not None:
        session.info.setdefault("held", []).append(found[1])
    if token is None or token.revoked_at is not None:
        raise Unauthorized("Mã màn hình không hợp lệ hoặc đã bị thu hồi.")
    now = utcnow()
    seen = token.last_seen_at
    if seen is None or now - (seen if seen.tzinfo else seen.replace(tzinfo=now.tzinfo)) > SEEN_EVERY:
        token_id = token.id

        def stamp(side: Session) -> None:
            side.exec(DisplayToken.__table__.update()  # type: ignore[attr-defined]
                      .where(DisplayToken.__table__.c.id == token_id)  # type: ignore[attr-defined]
                      .values(last_seen_at=now))

        side_write_soon(session, stamp)
    actor = Actor(user_id=None, username=f"màn hình: {token.name}", role=Role.viewer,
                  unit_id=token.unit_id, can_write=False, screen=True)
    return actor, token


def _audit(session: Session, actor: Actor, action: str, token: DisplayToken,
           changes: dict[str, list[Any]]) -> None:
    audit.record(session, username=actor.username, user_id=actor.user_id, action=action,
                 resource=RESOURCE, record_id=token.id, unit_id=token.unit_id, changes=changes)
