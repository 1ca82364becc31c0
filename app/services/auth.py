"""Bearer tokens (random secrets, stored as SHA-256), the actor a token stands for, and
accounts made by the CLI (passwords: app.services.passwords)."""

import hashlib
import secrets
from datetime import timedelta

from pydantic import ValidationError
from sqlalchemy import bindparam, or_, select, text, update
from sqlmodel import Session

from app.config import get_settings
from app.db.base import utcnow
from app.db.users import ApiToken, User, UserBase
from app.enums import Role, TokenScope
from app.services.actor import Actor
from app.services import scope
from app.services.errors import Conflict, Invalid, Unauthorized
from app.services.in_force import carriers, nearest
from app.services.passwords import hash_password
from app.services.validation import field_errors
from app.vn import today


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_login_token(session: Session, user: User, *, ttl_minutes: int) -> str:
    secret = new_secret()
    session.add(ApiToken(
        name=f"login {user.username}", kind="login", user_id=user.id, unit_id=user.unit_id,
        scope=TokenScope.write, token_hash=_digest(secret),
        expires_at=utcnow() + timedelta(minutes=ttl_minutes),
    ))
    session.flush()
    return secret


def new_secret() -> str:
    """A bearer secret: 256 random bits, recognisable by its prefix in a leaked log."""
    return "dvk_" + secrets.token_urlsafe(32)


# A provincial system may call many times a second; its last use is written at most this often.
LAST_USE_EVERY = timedelta(minutes=1)


def note_use(session: Session, token_id: int, *, in_this_transaction: bool) -> None:
    """Record an API token's use. A reading request does it in a short transaction of its own,
    so that its own stays read-only (on SQLite a reader turned writer can fail to commit)."""
    now = utcnow()
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USE_EVERY)
    stmt = update(ApiToken).where(ApiToken.id == token_id, stale).values(last_used_at=now)
    if in_this_transaction:
        session.exec(stmt)
        return
    from app.db.session import session_scope

    for own in session_scope(session.get_bind(), write=True):  # type: ignore[arg-type]
        own.exec(stmt)


def actor_named(session: Session, username: str) -> Actor | None:
    """The active user `username` acting on their own (a command's --user / --as), or None."""
    user = session.exec(select(User).where(User.username == username)).scalars().first()
    if user is None or not user.active:
        return None
    role = Role(user.role)
    return Actor(user_id=user.id, username=user.username, role=role, unit_id=user.unit_id,
                 can_write=role != Role.viewer)


def actor_for_token(session: Session, secret: str) -> Actor:
    """The actor behind a bearer secret; 401 if it is unknown, expired, revoked or disabled."""
    return signed_in(session, secret)[0]


# What `signed_in` reads of a token and its user (the user's own id and unit renamed).
_SIGNED_IN = (
    select(ApiToken.id, ApiToken.kind, ApiToken.unit_id, ApiToken.scope, ApiToken.revoked_at,
           ApiToken.expires_at, ApiToken.last_used_at, User.id.label("user_id"), User.username,
           User.role, User.active, User.unit_id.label("user_unit_id"))
    .outerjoin(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)


def signed_in(session: Session, secret: str) -> tuple[Actor, bool]:
    """The actor behind a bearer secret, and whether the token's last use is due to be noted
    (`note_use`: an API token not noted within `LAST_USE_EVERY`); 401 as `actor_for_token`.
    The token and its user in one query, read as one plain row: every request asks it, and
    making the two ORM objects had cost more than the query."""
    row = session.execute(_SIGNED_IN, {"digest": _digest(secret)}).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or (
        row.expires_at is not None and row.expires_at <= now
    ):
        raise Unauthorized("Mã truy cập không hợp lệ hoặc đã hết hạn; hãy đăng nhập lại.")
    if row.user_id is None or not row.active:
        raise Unauthorized("Tài khoản đã bị khóa.")
    role, api = Role(row.role), row.kind == "api"
    if api and role != Role.admin and row.unit_id is not None and (
            row.user_unit_id is None or (row.unit_id != row.user_unit_id  # a unit in its subtree
                                         and not scope.in_subtree(session, row.unit_id,
                                                                  row.user_unit_id))):
        # Its maker moved away from the token's unit: the token may not outreach them.
        raise Unauthorized("Mã truy cập này không còn hiệu lực (người tạo đã đổi đơn vị).")
    actor = Actor(
        user_id=row.user_id, username=row.username, role=role,
        unit_id=row.unit_id if api else row.user_unit_id,
        can_write=row.scope == TokenScope.write and role != Role.viewer,
        token_id=row.id if api else None,
    )
    # The same test as note_use's own UPDATE, which would change nothing when it fails.
    due = row.last_used_at is None or row.last_used_at < now - LAST_USE_EVERY
    return actor, actor.token_id is not None and due


def create_user(session: Session, *, username: str, password: str, role: Role,
                unit_code: str | None = None, full_name: str | None = None) -> User:
    """Create an account (the CLI's create-user and the bootstrap admin)."""
    try:
        # The table class checks nothing; the account's rules (a name of 2-64 plain
        # characters) are those of the API's, so every page can show the account later.
        UserBase.model_validate({"username": username, "full_name": full_name, "role": role})
    except ValidationError as exc:
        error = field_errors(exc)[0]
        raise Invalid.field(str(error["loc"][-1]), error["msg"]) from None
    unit_id = None
    if unit_code:
        # The unit that carries the code today, or else the one that carried it last (an
        # account of an ended unit still reads its records).
        unit = nearest(carriers(session, unit_code), today())
        if unit is None:
            raise Invalid.field("unit", f"Không có đơn vị mã '{unit_code}'.")
        unit_id = unit.id
    elif role != Role.admin:
        raise Invalid.field("unit", "Tài khoản không phải quản trị cần có đơn vị (--unit MÃ).")
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise Conflict(f"Tên đăng nhập '{username}' đã có.")
    user = User(username=username, password_hash=hash_password(password), role=role,
                unit_id=unit_id, full_name=full_name)
    session.add(user)
    session.flush()
    return user


def bootstrap_admin(session: Session, username: str, password: str) -> bool:
    """Create the first admin from DVK_ADMIN_USERNAME/PASSWORD unless that user exists."""
    if session.get_bind().dialect.name == "postgresql":
        # Several workers start at once; one of them creates the admin.
        session.exec(text("SELECT pg_advisory_xact_lock(2021)"))
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        return False
    create_user(session, username=username, password=password, role=Role.admin)
    return True


def revoke_login_token(session: Session, secret: str) -> None:
    token = session.exec(
        select(ApiToken).where(ApiToken.token_hash == _digest(secret))
    ).scalars().first()
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
