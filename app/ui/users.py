"""Pages of accounts (managers and admins), one's own password, and API tokens (htmx forms)."""

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from app.db.session import attempt
from app.db.base import utcnow
from app.deps import FormDep, PageActor, RecordId, Route, SessionDep, is_htmx
from app.enums import Role
from app.services import api_tokens as tokens_service
from app.services import unit_search
from app.services import users as service
from app.services.actor import Actor
from app.services.errors import DomainError, Invalid
from app.services.users import PasswordChange, UserCreate, UserRead, UserUpdate
from app.ui import form_errors, forms, render_block, templates, unit_picker

router = APIRouter(route_class=Route)
USERS, TOKENS, PASSWORD = "users/list.html", "users/tokens.html", "users/password.html"
# Vietnam keeps UTC+7 all year; timestamps are stored in UTC and shown in local time.
VN = timezone(timedelta(hours=7), "ICT")
SECRETS = ("password", "old_password", "new_password", "new_password_confirm")


# -- accounts --------------------------------------------------------------------------------
@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, actor: PageActor, offset: int = 0) -> Response:
    """Accounts of the user's subtree, with the form to add or correct one."""
    service.ensure_can_manage(actor)
    ctx = _users_context(session, actor, offset=offset)
    if is_htmx(request) and request.headers.get("HX-Target") == "list":
        return render_block(request, USERS, "list", ctx)
    return templates.TemplateResponse(request, USERS, ctx)


@router.get("/users/new", response_class=HTMLResponse)
def new_user_form(request: Request, session: SessionDep, actor: PageActor) -> Response:
    """An empty account form."""
    service.ensure_can_manage(actor)
    return _respond(request, USERS, _users_context(session, actor), form_id="user-form")


@router.get("/users/{id}/edit", response_class=HTMLResponse)
def edit_user_form(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
    """The form filled with one account, to correct it."""
    service.ensure_can_manage(actor)
    ctx = _users_context(session, actor, values=_stored(session, actor, id, strict=True), user_id=id)
    return _respond(request, USERS, ctx, form_id="user-form")


def _stored(session: Any, actor: Actor, id: int, *, strict: bool = False) -> dict[str, Any]:
    try:
        user = service.get(session, actor=actor, id=id)
    except DomainError:
        if strict:
            raise
        return {}
    return UserRead.model_validate(user, from_attributes=True).model_dump(mode="json")


@router.post("/users", response_class=HTMLResponse)
def create_user(request: Request, session: SessionDep,
                actor: PageActor, form_data: FormDep) -> Response:
    """Save a new account; on a mistake, the form again with the typed values and messages."""
    if unit_picker.searching(form_data):  # "Tìm" of the unit picker, without script
        return _respond(request, USERS, _users_context(session, actor, values=_typed(form_data)),
                        form_id="user-form")
    values = _values(form_data)
    try:
        with attempt(session):
            user = service.create(session, actor=actor, data=UserCreate.model_validate(values))
    except (ValidationError, DomainError) as exc:
        return _form_error(request, USERS, _users_context(session, actor, values=values), exc,
                           form_id="user-form")
    ctx = _users_context(session, actor, notice=f"Đã tạo tài khoản “{user.username}”.")
    return _respond(request, USERS, ctx, form_id="user-form", with_list=True)


@router.post("/users/{id}", response_class=HTMLResponse)
def update_user(id: RecordId, request: Request, session: SessionDep,
                actor: PageActor, form_data: FormDep) -> Response:
    """Save corrections to an account; an empty password field leaves the password as it is."""
    if unit_picker.searching(form_data):
        ctx = _users_context(session, actor, values=_typed(form_data), user_id=id)
        return _respond(request, USERS, ctx, form_id="user-form")
    values = _values(form_data)
    version = values.pop("version", None)
    changes = {k: v for k, v in values.items() if k != "username" and not (k == "password" and not v)}
    try:
        with attempt(session):
            data = UserUpdate.model_validate(changes)
            user, _ = service.update(session, actor=actor, id=id, data=data,
                                     if_match=forms.version(version))
    except (ValidationError, DomainError) as exc:
        # Fields the form did not send (disabled on one's own account) show as stored.
        typed = {**_stored(session, actor, id), **values, "version": version}
        ctx = _users_context(session, actor, values=typed, user_id=id)
        return _form_error(request, USERS, ctx, exc, form_id="user-form")
    ctx = _users_context(session, actor, notice=f"Đã cập nhật tài khoản “{user.username}”.")
    return _respond(request, USERS, ctx, form_id="user-form", with_list=True)


@router.post("/users/{id}/deactivate", response_class=HTMLResponse)
def deactivate_user(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
    """Lock an account: no more sign-in, its tokens revoked."""
    try:
        with attempt(session):
            user = service.delete(session, actor=actor, id=id)
    except DomainError as exc:
        ctx = _users_context(session, actor, list_error=exc.detail)
        return _list_only(request, USERS, ctx, status_code=exc.status)
    ctx = _users_context(session, actor, list_notice=f"Đã khóa tài khoản “{user.username}”.")
    return _list_only(request, USERS, ctx)


def _users_context(session: Any, actor: Actor, *, offset: int = 0, **kw: Any) -> dict[str, Any]:
    page = service.list_(session, actor=actor, filters=_page_filters(service.Filters, offset))
    # One's own form shows one's role, not to be changed; others' offer what may be granted.
    own = kw.get("user_id") is not None and kw.get("user_id") == actor.user_id
    roles = actor.grantable_roles if own else service.offered_roles(session, actor)
    # A manager grants their own role only below their unit (the service refuses it there).
    notes = {Role.manager.value: "chỉ cho đơn vị cấp dưới"} if actor.role is Role.manager else {}
    return {**_units(session, actor, {u.unit_id for u in page.items}), "actor": actor,
            "page": page, "roles": roles, "role_notes": notes,
            # Only an admin may leave an account without a unit (an admin's own).
            "unit_optional": actor.role is Role.admin,
            # Only an admin may leave an account without a unit (an admin's own).
            "unit_optional": actor.role is Role.admin,
            "unit_blank": ("— không (chỉ quản trị viên) —" if actor.role is Role.admin
                           else "— chọn đơn vị —"),
            "url": lambda o: f"/users?offset={max(o, 0)}", "user_id": kw.get("user_id"),
            **_form_fields(kw, default={"role": Role.clerk.value, "active": "true"})}


# -- one's own password ----------------------------------------------------------------------
@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, actor: PageActor) -> Response:
    """The form to change one's own password."""
    return templates.TemplateResponse(request, PASSWORD, _password_context(actor))


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, session: SessionDep,
                    actor: PageActor, form_data: FormDep) -> Response:
    """Check the current password and set the new one."""
    values = _values(form_data)
    try:
        with attempt(session):
            data = PasswordChange.model_validate(
                {k: values.get(k, "") for k in ("old_password", "new_password")})
            if data.new_password != values.get("new_password_confirm", ""):
                raise Invalid.field("new_password_confirm", "Không khớp với mật khẩu mới.")
            service.change_password(session, actor=actor, old=data.old_password, new=data.new_password)
    except (ValidationError, DomainError) as exc:
        return _form_error(request, PASSWORD, _password_context(actor), exc, form_id="password-form")
    ctx = _password_context(actor, notice="Đã đổi mật khẩu. Lần đăng nhập sau hãy dùng mật khẩu mới.")
    return _respond(request, PASSWORD, ctx, form_id="password-form")


def _password_context(actor: Actor, **kw: Any) -> dict[str, Any]:
    return {"actor": actor, **_form_fields(kw, default={})}


# -- API tokens ------------------------------------------------------------------------------
@router.get("/api-tokens", response_class=HTMLResponse)
def tokens_page(request: Request, session: SessionDep, actor: PageActor, offset: int = 0) -> Response:
    """API tokens of the user's subtree, with the form to create one."""
    tokens_service.ensure_can_issue(actor)
    ctx = _tokens_context(session, actor, offset=offset)
    if is_htmx(request) and request.headers.get("HX-Target") == "list":
        return render_block(request, TOKENS, "list", ctx)
    return templates.TemplateResponse(request, TOKENS, ctx)


@router.post("/api-tokens", response_class=HTMLResponse)
def create_token(request: Request, session: SessionDep,
                 actor: PageActor, form_data: FormDep) -> Response:
    """Create a token and show its secret, this once."""
    if unit_picker.searching(form_data):
        return _respond(request, TOKENS, _tokens_context(session, actor, values=_typed(form_data)),
                        form_id="token-form")
    values = _values(form_data)
    try:
        with attempt(session):
            data = tokens_service.ApiTokenCreate.model_validate(
                {**values, "expires_at": _end_of_day(values.get("expires_at"))})
            token, secret = tokens_service.create(session, actor=actor, data=data)
    except (ValidationError, DomainError) as exc:
        return _form_error(request, TOKENS, _tokens_context(session, actor, values=values), exc,
                           form_id="token-form")
    ctx = _tokens_context(session, actor, notice=f"Đã tạo mã truy cập “{token.name}”.", secret=secret)
    response = _respond(request, TOKENS, ctx, form_id="token-form", with_list=True)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/api-tokens/{id}/revoke", response_class=HTMLResponse)
def revoke_token(id: RecordId, request: Request, session: SessionDep, actor: PageActor) -> Response:
    """Revoke a token: refused from its next request on."""
    try:
        with attempt(session):
            token = tokens_service.revoke(session, actor=actor, id=id)
    except DomainError as exc:
        return _list_only(request, TOKENS, _tokens_context(session, actor, list_error=exc.detail),
                          status_code=exc.status)
    ctx = _tokens_context(session, actor, list_notice=f"Đã thu hồi mã truy cập “{token.name}”.")
    return _list_only(request, TOKENS, ctx)


def _tokens_context(session: Any, actor: Actor, *, offset: int = 0, **kw: Any) -> dict[str, Any]:
    filters = _page_filters(tokens_service.Filters, offset)
    page = tokens_service.list_(session, actor=actor, filters=filters)
    return {**_units(session, actor, {t.unit_id for t in page.items}), "actor": actor,
            "page": page, "owners": service.usernames(session, {t.user_id for t in page.items}),
            "now": utcnow(), "when": _when, "url": lambda o: f"/api-tokens?offset={max(o, 0)}",
            **_form_fields(kw, default={"scope": "read"}), "secret": kw.get("secret")}


def _end_of_day(value: Any) -> Any:
    """A date picked in the form means through that whole day, Vietnam time."""
    if not value:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(23, 59, 59), VN)
    except ValueError:
        return value


def _when(value: datetime | None) -> str:
    return value.astimezone(VN).strftime("%d/%m/%Y %H:%M") if value else ""


# -- shared ----------------------------------------------------------------------------------
def _units(session: Any, actor: Actor, shown: set[Any]) -> dict[str, Any]:
    """The form's unit picker, and the names of the units the list shows."""
    return {"units": unit_picker.build(session, actor), "unit_names": unit_search.names(session, shown)}


def _typed(form: Any) -> dict[str, Any]:
    """The form as typed, its unit picker's search too (shown back, never saved)."""
    return {k: v for k, v in form.items() if k not in ("csrf", unit_picker.PICK, "password")}


def _values(form: Any) -> dict[str, Any]:
    return {k: v for k, v in unit_picker.without_typing(form).items() if k != "csrf"}


def _page_filters(filters: Any, offset: int) -> Any:
    try:
        return filters(offset=offset)
    except ValidationError:
        return filters()


def _form_fields(kw: dict[str, Any], *, default: dict[str, Any]) -> dict[str, Any]:
    # A password typed is never sent back into the page.
    values = {k: v for k, v in (kw.get("values") or default).items() if k not in SECRETS}
    return {"values": values, "errors": kw.get("errors") or {}, "message": kw.get("message"),
            "notice": kw.get("notice"), "list_notice": kw.get("list_notice"),
            "list_error": kw.get("list_error")}


def _respond(request: Request, template: str, ctx: dict[str, Any], *, form_id: str,
             status_code: int = 200, with_list: bool = False) -> Response:
    """The whole page on a plain request; for htmx the form (and the list when it changed)."""
    if not is_htmx(request):
        return templates.TemplateResponse(request, template, ctx, status_code=status_code)
    if with_list:
        ctx = {**ctx, "oob": True}
        html = (render_block(request, template, "list", ctx).body.decode()
                + render_block(request, template, "form", ctx).body.decode())
        return HTMLResponse(html, status_code=status_code,
                            headers={"HX-Retarget": "#list", "HX-Reswap": "outerHTML"})
    return render_block(request, template, "form", ctx, status_code=status_code,
                        headers={"HX-Retarget": f"#{form_id}", "HX-Reswap": "outerHTML"})


def _list_only(request: Request, template: str, ctx: dict[str, Any], *,
               status_code: int = 200) -> Response:
    if not is_htmx(request):
        return templates.TemplateResponse(request, template, ctx, status_code=status_code)
    return render_block(request, template, "list", ctx, status_code=status_code,
                        headers={"HX-Retarget": "#list", "HX-Reswap": "outerHTML"})


def _form_error(request: Request, template: str, ctx: dict[str, Any], exc: Exception, *,
                form_id: str) -> Response:
    errors, message = form_errors(exc)
    if errors:  # each message stands beside its field; the detail would repeat it with a code name
        message = "Có ô nhập chưa đúng; xem thông báo đỏ cạnh từng ô."
    status = exc.status if isinstance(exc, DomainError) else 422
    return _respond(request, template, {**ctx, "errors": errors, "message": message},
                    form_id=form_id, status_code=status)
