"""Accounts: who signs in, with which role, over which unit subtree.

Only managers and admins manage accounts; a manager only below their own unit and never above
their own role. Nobody changes their own role, and the last active admin stays one. Passwords
are written (argon2, app.services.passwords), never read back nor written to the audit log.
"""

from types import SimpleNamespace
from typing import Any

from pydantic import model_validator
from pydantic import Field as PField
from sqlalchemy import Select, func, or_, select, update as sql_update
from sqlmodel import Field, Session

from app.db.base import MAX_ID, utcnow
from app.db.gate import writing
from app.db.search import contains
from app.db.fields import Input, QueryParams, ReadMeta, clean_text
from app.db.units import Unit
from app.db.users import ApiToken, User, UserBase
from app.enums import Role
from app.services import audit, passwords, scope
from app.services.actor import Actor
from app.services.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.paging import Page
from app.services.records import check_version

RESOURCE = "users"
# What the audit log may show of an account; never the password or its hash.
PUBLIC_FIELDS = ("username", "full_name", "role", "unit_id", "active")
SECRET_FIELDS = frozenset({"password", "old_password", "new_password"})
HIDDEN = "***"


class _AsTyped(Input):
    """Text is trimmed and NFC-normalised as everywhere, except passwords: sign-in checks the
    password exactly as typed, so storing a trimmed or re-normalised one would lock the user out."""

    @model_validator(mode="before")
    @classmethod
    def _normalize_strings(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v if k in SECRET_FIELDS else clean_text(v) for k, v in data.items()}
        return data


class UserCreate(_AsTyped, UserBase):
    # The length rule is passwords.hash_password's (its message names the minimum).
    password: str = Field(max_length=128, title="Mật khẩu",
                          description="Write-only; at least 8 characters.")


class UserUpdate(_AsTyped):
    full_name: str | None = Field(default=None, max_length=200, title="Họ và tên")
    role: Role | None = Field(default=None, title="Vai trò")
    unit_id: int | None = Field(default=None, ge=1, le=MAX_ID, title="Đơn vị")
    active: bool | None = Field(default=None, title="Đang hoạt động")
    password: str | None = Field(default=None, max_length=128, title="Mật khẩu",
                                 description="Write-only.")


class UserRead(ReadMeta, UserBase):
    pass


class PasswordChange(_AsTyped):
    old_password: str = Field(max_length=128, title="Mật khẩu hiện tại")
    new_password: str = Field(max_length=128, title="Mật khẩu mới")


class Filters(QueryParams):
    limit: int = PField(50, ge=1, le=500, description="Page size (max 500).")
    offset: int = PField(0, ge=0, le=MAX_ID)
    unit_id: int | None = PField(None, ge=1, le=MAX_ID, description="This unit and every unit below it.")
    role: list[Role] | None = None
    active: bool | None = None
    q: str | None = PField(None, max_length=200, description="Search in username and full name.")


# -- reading ---------------------------------------------------------------------------------
def base_query(actor: Actor) -> Select[Any]:
    """The accounts this actor may see: all (admin), their subtree's (manager), their own."""
    stmt = select(User)
    if actor.at_least(Role.manager):
        return scope.restrict(stmt, User.unit_id, actor)
    return stmt.where(User.id == actor.user_id)


def list_(session: Session, *, actor: Actor, filters: Filters) -> Page[User]:
    stmt = base_query(actor)
    if filters.unit_id is not None:
        units = scope.subtree_ids(filters.unit_id, "filter_units")
        stmt = stmt.where(scope.in_units(User.unit_id, units))
    if filters.role:
        stmt = stmt.where(User.role.in_(filters.role))  # type: ignore[attr-defined]
    if filters.active is not None:
        stmt = stmt.where(User.active == filters.active)
    if filters.q:
        needle = filters.q.lower()
        stmt = stmt.where(or_(contains(func.lower(User.username), needle),
                              contains(func.lower(User.full_name), needle)))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).scalar_one()
    items = session.exec(stmt.order_by(User.username).limit(filters.limit)
                         .offset(filters.offset)).scalars().all()
    return Page(items=list(items), total=total, limit=filters.limit, offset=filters.offset)


def get(session: Session, *, actor: Actor, id: int) -> User:
    user = session.exec(base_query(actor).where(User.id == id)).scalars().first()
    if user is None:
        raise NotFound(f"Không tìm thấy tài khoản số {id} (hoặc nằm ngoài phạm vi của bạn).")
    return user


def own(session: Session, *, actor: Actor) -> User:
    """The account the actor acts for (a token's: the person who made it)."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound("Không tìm thấy tài khoản của bạn.")
    return user


def usernames(session: Session, ids: set[int]) -> dict[int, str]:
    """Names for a page of rows that point at users (one query for the page)."""
    if not ids:
        return {}
    stmt = select(User.id, User.username).where(User.id.in_(ids))  # type: ignore[union-attr]
    return dict(session.exec(stmt).all())  # type: ignore[arg-type]


# -- rules -----------------------------------------------------------------------------------
def ensure_can_manage(actor: Actor) -> None:
    """Accounts are managed by managers and admins (and the CLI), not through API tokens."""
    if (why := actor.manage_refusal()) is not None:
        raise Forbidden(why)


def _for_write(session: Session, actor: Actor, id: int) -> User:
    """The account to change: 403 for a non-manager, or one outside the subtree or above
    the actor's role; 404 if there is none."""
    ensure_can_manage(actor)
    try:
        user = get(session, actor=actor, id=id)
    except NotFound:
        if session.get(User, id) is not None:
            raise Forbidden(f"Tài khoản số {id} nằm ngoài phạm vi đơn vị bạn phụ trách.") from None
        raise
    # The actor's rule: the accounts page asks it before offering to edit or lock.
    if (why := actor.account_refusal(user)) is not None:
        raise Forbidden(why)
    return user


# A manager of the actor's own unit is their peer: only those above manage it.
PEER_GRANT = ("Không được cấp vai trò Lãnh đạo tại chính đơn vị của bạn: đó là lãnh đạo cùng "
              "cấp, chỉ cấp trên tạo hay sửa được. Hãy chọn đơn vị cấp dưới hoặc vai trò khác.")


def _check_grant(session: Session, actor: Actor, role: Role, unit_id: int | None,
                 user_id: int | None = None) -> None:
    """Whether `actor` may leave an account with this role and unit (a create, a change of
    either). It must stay one they may edit and lock (`Actor.account_refusal`, which the page
    asks too): a peer manager made could never be edited again, and reads every denouncer."""
    if not actor.at_least(role):
        raise Forbidden(f"Bạn không được cấp vai trò '{role.vi}', cao hơn vai trò của mình.")
    if unit_id is None:
        if role != Role.admin:
            raise Invalid.field("unit_id", "Tài khoản không phải quản trị cần có đơn vị.")
        return
    if session.get(Unit, unit_id) is None:
        raise Invalid.field("unit_id", f"Đơn vị số {unit_id} không tồn tại.")
    scope.check_write(session, actor, unit_id, role=Role.manager)
    if actor.account_refusal(SimpleNamespace(id=user_id, role=role, unit_id=unit_id)):
        raise Forbidden(PEER_GRANT, errors=[{"loc": ["body", "role"], "msg": PEER_GRANT}])


def offered_roles(session: Session, actor: Actor) -> list[Role]:
    """The roles the account form offers this actor: those they may grant at some unit of
    theirs (a manager's own role only where there are units below theirs; `_check_grant`
    refuses it at their own)."""
    if actor.role is not Role.manager or actor.unit_id is None:
        return actor.grantable_roles
    tree = select(func.count()).select_from(scope.subtree_ids(actor.unit_id).subquery())
    below = session.exec(tree).scalar_one() > 1
    return [r for r in actor.grantable_roles if below or r is not Role.manager]


def _check_username(session: Session, username: str) -> None:
    # Case-insensitively: 'Admin' beside 'admin' would be two accounts that read as one.
    same = select(User.id).where(func.lower(User.username) == username.lower())
    if session.exec(same).first() is not None:
        raise Conflict(f"Tên đăng nhập '{username}' đã có.",
                       errors=[{"loc": ["body", "username"], "msg": "Tên đăng nhập đã có."}])


def _keep_an_admin(session: Session, user: User) -> None:
    # Every active admin row is locked, in id order: of two admins demoting each other at once
    # the second waits, then sees the first change and is refused (PostgreSQL; SQLite's write
    # lock already serialises the two transactions).
    admins = session.exec(select(User.id).where(
        User.role == Role.admin, User.active.is_(True)  # type: ignore[attr-defined]
    ).order_by(User.id).with_for_update()).scalars().all()
    if not [i for i in admins if i != user.id]:
        raise Conflict("Đây là quản trị viên cuối cùng còn hoạt động: hãy cấp quyền quản trị "
                       "cho người khác trước khi khóa hoặc đổi vai trò tài khoản này.")


def _hash(password: str, field: str = "password") -> str:
    try:
        return passwords.hash_password(password)
    except Invalid as exc:
        raise Invalid.field(field, exc.errors[0]["msg"]) from None


# -- writing ---------------------------------------------------------------------------------
def create(session: Session, *, actor: Actor, data: UserCreate) -> User:
    ensure_can_manage(actor)
    _check_grant(session, actor, Role(data.role), data.unit_id)
    _check_username(session, data.username)
    user = User(**data.model_dump(exclude={"password"}), password_hash=_hash(data.password))
    session.add(user)
    session.flush()
    changes = {k: [None, getattr(user, k)] for k in PUBLIC_FIELDS if getattr(user, k) is not None}
    _audit(session, actor, "create", user, {**changes, "password": [None, HIDDEN]})
    return user


def update(session: Session, *, actor: Actor, id: int, data: UserUpdate,
           if_match: int | None = None) -> tuple[User, dict[str, list[Any]]]:
    user = _for_write(session, actor, id)
    check_version(user, if_match)
    changes = _apply(session, actor, user, data.model_dump(exclude_unset=True), action="update")
    return user, changes


def delete(session: Session, *, actor: Actor, id: int, if_match: int | None = None) -> User:
    """Deactivate: the account stays, so that the audit log's names keep meaning one person;
    it can no longer sign in and its tokens are revoked."""
    user = _for_write(session, actor, id)
    check_version(user, if_match)
    _apply(session, actor, user, {"active": False}, action="deactivate")
    return user


def _apply(session: Session, actor: Actor, user: User, values: dict[str, Any], *,
           action: str) -> dict[str, list[Any]]:
    writing(session)  # the writers' turn before any row (PostgreSQL: db.gate)
    password = values.pop("password", None)
    for name in ("role", "active"):
        if name in values and values[name] is None:
            raise Invalid.field(name, "Bắt buộc nhập, không được để trống.")
    changes = {k: [getattr(user, k), v] for k, v in values.items() if getattr(user, k) != v}
    if not changes and password is None:
        return {}
    is_self = user.id == actor.user_id
    if is_self and "role" in changes:
        raise Forbidden("Không ai được tự đổi vai trò của mình.")
    if is_self and values.get("active") is False:
        raise Forbidden("Không thể tự khóa tài khoản của mình.")
    if "role" in changes or "unit_id" in changes:
        _check_grant(session, actor, Role(values.get("role", user.role)),
                     values.get("unit_id", user.unit_id), user.id)
    if user.role == Role.admin and user.active and (
        "role" in changes or values.get("active") is False
    ):
        _keep_an_admin(session, user)
    for name, (_, new) in changes.items():
        setattr(user, name, new)
    if password is not None:
        user.password_hash = _hash(password)
        changes["password"] = [HIDDEN, HIDDEN]
    user.updated_at = utcnow()
    session.flush()
    if "active" in changes and not user.active:
        revoke_tokens(session, user.id)  # type: ignore[arg-type]
    elif password is not None and not is_self:
        # A password reset by a manager ends the sessions signed in with the old one.
        revoke_tokens(session, user.id, kind="login")  # type: ignore[arg-type]
    _audit(session, actor, action, user, changes)
    return changes


def revoke_tokens(session: Session, user_id: int, *, kind: str | None = None) -> None:
    """Revoke every live token of a user (sign-in sessions and API tokens, or one kind)."""
    now = utcnow()
    live = ApiToken.revoked_at.is_(None)  # type: ignore[union-attr]
    stmt = sql_update(ApiToken).where(ApiToken.user_id == user_id, live)
    if kind is not None:
        stmt = stmt.where(ApiToken.kind == kind)
    session.exec(stmt.values(revoked_at=now, updated_at=now, version=ApiToken.version + 1)
                 .execution_options(synchronize_session="fetch"))
    session.flush()


def change_password(session: Session, *, actor: Actor, old: str, new: str) -> User:
    """A signed-in person changes their own password (the current one must be given)."""
    if actor.token_id is not None or actor.user_id is None:
        raise Forbidden("Mã truy cập API không được dùng để đổi mật khẩu.")
    user = own(session, actor=actor)
    if not passwords.verify_password(user.password_hash, old):
        raise Invalid.field("old_password", "Mật khẩu hiện tại không đúng.")
    if old == new:
        raise Invalid.field("new_password", "Mật khẩu mới phải khác mật khẩu hiện tại.")
    user.password_hash = _hash(new, "new_password")
    user.updated_at = utcnow()
    session.flush()
    _audit(session, actor, "change_password", user, {"password": [HIDDEN, HIDDEN]})
    return user


def _audit(session: Session, actor: Actor, action: str, user: User,
           changes: dict[str, list[Any]]) -> None:
    audit.record(session, username=actor.username, user_id=actor.user_id, action=action,
                 resource=RESOURCE, record_id=user.id, unit_id=user.unit_id, changes=changes)
