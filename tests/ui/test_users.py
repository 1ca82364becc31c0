"""The accounts, password and API-token pages, over real HTTP with a signed-in session cookie."""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db.audit import AuditEntry
from app.db.users import ApiToken, User
from app.enums import Role
from app.services import auth, passwords
from tests.conftest import carry_csrf
from tests.factories import PASSWORD, make_tree

HX = {"HX-Request": "true"}


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


@pytest.fixture
def page_user(server: str, db: Callable[[], Any], tree) -> Iterator[Callable[..., httpx.Client]]:
    """page_user(username, role, unit_code) -> a browser-like client signed in on the pages."""
    clients: list[httpx.Client] = []

    def make(username: str, role: Role, unit_code: str | None = None) -> httpx.Client:
        with db() as s:
            auth.create_user(s, username=username, password=PASSWORD, role=role, unit_code=unit_code)
        client = httpx.Client(base_url=server, timeout=30)
        clients.append(client)
        r = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/"})
        assert r.status_code == 303, r.text
        carry_csrf(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def manager(page_user) -> httpx.Client:
    return page_user("lanhdao", Role.manager, "T-HT")


def _user_form(unit_id: int, **kw: str) -> dict[str, str]:
    return {"username": "canbo.lamgiang", "full_name": "Phạm Văn Đức", "role": "clerk",
            "unit_id": str(unit_id), "password": "mat-khau-dai-du", **kw}


def _no_inline_script(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline <script>"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert "hx-on" not in html and "javascript:" not in html


def test_nav_links_only_for_managers_and_admins(page_user, manager):
    clerk = page_user("canbo", Role.clerk, "T-HT")
    admin = page_user("quantri", Role.admin)
    for client in (manager, admin):
        html = client.get("/units").text
        assert 'href="/users"' in html and 'href="/api-tokens"' in html
        assert 'href="/account/password"' in html
    html = clerk.get("/units").text
    assert 'href="/users"' not in html and 'href="/api-tokens"' not in html
    assert 'href="/account/password"' in html
    for path in ("/users", "/api-tokens"):
        r = clerk.get(path)
        assert r.status_code == 403
        assert "Chỉ lãnh đạo và quản trị viên" in r.text


def test_pages_ask_to_sign_in(anon):
    for path in ("/users", "/api-tokens", "/account/password"):
        r = anon.get(path)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"


def test_pages_have_no_inline_script(page_user, manager, tree):
    for path in ("/users", "/users/new", "/api-tokens", "/account/password"):
        r = manager.get(path)
        assert r.status_code == 200, path
        _no_inline_script(r.text)
    assert "Tài khoản người dùng" in manager.get("/users").text


def test_manager_creates_an_account_in_place(manager, db, tree):
    r = manager.post("/users", data=_user_form(tree.lam_giang), headers=HX)
    assert r.status_code == 200, r.text
    assert r.headers["HX-Retarget"] == "#list"
    assert "Đã tạo tài khoản “canbo.lamgiang”." in r.text
    assert "Phạm Văn Đức" in r.text and "Cán bộ nhập liệu" in r.text
    assert "mat-khau-dai-du" not in r.text
    _no_inline_script(r.text)
    with db() as s:
        user = s.exec(select(User).where(User.username == "canbo.lamgiang")).scalars().one()
    assert (user.role, user.unit_id) == ("clerk", tree.lam_giang)
    assert passwords.verify_password(user.password_hash, "mat-khau-dai-du")
    # The role picker offers no role above the manager's own.
    form = manager.get("/users/new", headers=HX).text
    assert 'value="manager"' in form and 'value="admin"' not in form


def test_mistakes_come_back_in_the_form_with_values_kept(manager, tree):
    r = manager.post("/users", data=_user_form(tree.lam_giang, password="ngan"), headers=HX)
    assert r.status_code == 422
    assert r.text.lstrip().startswith('<form id="user-form"')
    assert r.headers["HX-Retarget"] == "#user-form"
    assert "Mật khẩu cần ít nhất 8 ký tự." in r.text
    assert 'value="canbo.lamgiang"' in r.text and 'value="Phạm Văn Đức"' in r.text
    assert 'value="ngan"' not in r.text  # a typed password is never sent back
    assert manager.post("/users", data=_user_form(tree.lam_giang), headers=HX).status_code == 200
    r = manager.post("/users", data=_user_form(tree.lam_giang, full_name="Người khác"), headers=HX)
    assert r.status_code == 409
    assert "Tên đăng nhập đã có." in r.text and 'value="Người khác"' in r.text
    r = manager.post("/users", data=_user_form(tree.ham_lien, username="ngoai.pham.vi"), headers=HX)
    assert r.status_code == 403
    assert "ngoài phạm vi" in r.text


def test_edit_and_lock_an_account(manager, server, db, tree):
    manager.post("/users", data=_user_form(tree.lam_giang), headers=HX)
    with db() as s:
        user_id = s.exec(select(User.id).where(User.username == "canbo.lamgiang")).scalar_one()
    form = manager.get(f"/users/{user_id}/edit", headers=HX).text
    assert 'name="version" value="1"' in form and "Sửa tài khoản “canbo.lamgiang”" in form
    r = manager.post(f"/users/{user_id}", headers=HX, data={
        "version": "1", "username": "canbo.lamgiang", "full_name": "Phạm Văn Đức Anh",
        "role": "viewer", "unit_id": str(tree.ham_tri), "active": "true", "password": ""})
    assert r.status_code == 200, r.text
    assert "Đã cập nhật tài khoản" in r.text and "Phạm Văn Đức Anh" in r.text
    with db() as s:
        user = s.get(User, user_id)
    assert (user.role, user.unit_id, user.version) == ("viewer", tree.ham_tri, 2)
    assert passwords.verify_password(user.password_hash, "mat-khau-dai-du")  # empty field: unchanged
    stale = manager.post(f"/users/{user_id}", headers=HX, data={"version": "1", "full_name": "Cũ"})
    assert stale.status_code == 412 and "đã được sửa" in stale.text

    with httpx.Client(base_url=server) as clerk:
        assert clerk.post("/login", data={"username": "canbo.lamgiang", "password": "mat-khau-dai-du"}
                          ).status_code == 303
        assert clerk.get("/units").status_code == 200
        r = manager.post(f"/users/{user_id}/deactivate", headers=HX)
        assert r.status_code == 200
        assert "Đã khóa tài khoản “canbo.lamgiang”." in r.text and "Đã khóa" in r.text
        assert clerk.get("/units").headers["location"].startswith("/login")
    me = manager.get("/users").text
    assert f'action="/users/{user_id}/deactivate"' not in me  # already locked
    with db() as s:
        actions = s.exec(select(AuditEntry.action).where(AuditEntry.resource == "users",
                                                         AuditEntry.record_id == user_id)
                         .order_by(AuditEntry.id)).scalars().all()
    assert actions == ["create", "update", "deactivate"]


def test_a_manager_is_offered_only_the_accounts_they_may_change(manager, db, tree):
    """The list asks the actor (`may_edit_account`), whose rule the service enforces: a peer
    manager of the same unit is offered neither edit nor lock, which the service would refuse."""
    with db() as s:
        auth.create_user(s, username="lanhdao.khac", password=PASSWORD, role=Role.manager,
                         unit_code="T-HT")
        auth.create_user(s, username="canbo.khac", password=PASSWORD, role=Role.clerk,
                         unit_code="T-HT")
        ids = dict(s.exec(select(User.username, User.id)).all())
    page = manager.get("/users").text
    peer, clerk, me = ids["lanhdao.khac"], ids["canbo.khac"], ids["lanhdao"]
    assert f'href="/users/{clerk}/edit"' in page and f'action="/users/{clerk}/deactivate"' in page
    assert f'href="/users/{me}/edit"' in page and f'action="/users/{me}/deactivate"' not in page
    assert f'href="/users/{peer}/edit"' not in page and f'action="/users/{peer}/deactivate"' not in page
    refused = manager.post(f"/users/{peer}/deactivate", headers=HX)
    assert refused.status_code == 403 and "lãnh đạo cùng cấp" in refused.text


def test_the_last_admin_cannot_lock_themselves(page_user, db):
    admin = page_user("quantri", Role.admin)
    with db() as s:
        admin_id = s.exec(select(User.id).where(User.username == "quantri")).scalar_one()
    assert f'action="/users/{admin_id}/deactivate"' not in admin.get("/users").text
    r = admin.post(f"/users/{admin_id}/deactivate", headers=HX)
    assert r.status_code == 403
    r = admin.post(f"/users/{admin_id}/deactivate")
    assert r.status_code == 403 and "Không thể tự khóa" in r.text
    with db() as s:
        assert s.get(User, admin_id).active is True


def test_change_own_password(page_user, server, db):
    clerk = page_user("canbo", Role.clerk, "T-HT")
    assert "Đổi mật khẩu" in clerk.get("/account/password").text
    wrong = {"old_password": "khong-dung-dau", "new_password": "mat-khau-moi-1",
             "new_password_confirm": "mat-khau-moi-1"}
    r = clerk.post("/account/password", data=wrong, headers=HX)
    assert r.status_code == 422 and "Mật khẩu hiện tại không đúng." in r.text
    assert r.text.lstrip().startswith('<form id="password-form"')
    assert "khong-dung-dau" not in r.text and "mat-khau-moi-1" not in r.text
    r = clerk.post("/account/password", headers=HX, data={**wrong, "old_password": PASSWORD,
                                                          "new_password_confirm": "go-nham-roi"})
    assert r.status_code == 422 and "Không khớp với mật khẩu mới." in r.text
    r = clerk.post("/account/password", headers=HX, data={**wrong, "old_password": PASSWORD,
                                                          "new_password": "ngan", "new_password_confirm": "ngan"})
    assert r.status_code == 422 and "ít nhất 8 ký tự" in r.text
    r = clerk.post("/account/password", headers=HX, data={**wrong, "old_password": PASSWORD})
    assert r.status_code == 200 and "Đã đổi mật khẩu." in r.text
    with httpx.Client(base_url=server) as again:
        assert again.post("/login", data={"username": "canbo", "password": PASSWORD}).status_code == 401
        assert again.post("/login", data={"username": "canbo", "password": "mat-khau-moi-1"}).status_code == 303
    with db() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "change_password")).scalars().one()
    assert json.loads(entry.changes) == {"password": ["***", "***"]}


def test_create_a_token_shows_the_secret_once_and_revoke_it(manager, server, db, tree):
    page = manager.get("/api-tokens").text
    assert "Chưa có mã truy cập nào" in page
    r = manager.post("/api-tokens", headers=HX, data={"name": "Cổng dữ liệu tỉnh",
                     "unit_id": str(tree.lam_giang), "scope": "read", "expires_at": "2099-12-31"})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    secret = re.search(r'<code class="secret">(dvk_[^<]+)</code>', r.text).group(1)
    assert "chỉ hiện một lần này" in r.text
    _no_inline_script(r.text)
    with db() as s:
        token = s.exec(select(ApiToken).where(ApiToken.kind == "api")).scalars().one()
    assert token.expires_at.isoformat() == "2099-12-31T16:59:59+00:00"  # end of the day, Vietnam time
    listing = manager.get("/api-tokens").text
    assert secret not in listing and token.token_hash not in listing
    assert "Cổng dữ liệu tỉnh" in listing and "31/12/2099 23:59" in listing and "Chưa dùng" in listing
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {secret}"}) as system:
        assert system.get("/api/v1/models").status_code == 200
        r = manager.post(f"/api-tokens/{token.id}/revoke", headers=HX)
        assert r.status_code == 200 and "Đã thu hồi mã truy cập “Cổng dữ liệu tỉnh”." in r.text
        assert system.get("/api/v1/models").status_code == 401
    assert f'action="/api-tokens/{token.id}/revoke"' not in manager.get("/api-tokens").text


def test_token_form_mistakes_stay_in_place(manager, tree):
    r = manager.post("/api-tokens", headers=HX, data={"name": "Cổng", "unit_id": str(tree.lam_giang),
                                                      "scope": "write", "expires_at": "2001-01-01"})
    assert r.status_code == 422
    assert r.text.lstrip().startswith('<form id="token-form"')
    assert "Thời điểm hết hạn phải ở tương lai." in r.text
    assert 'value="Cổng"' in r.text and 'value="2001-01-01"' in r.text
    assert 'value="write" selected' in r.text
    r = manager.post("/api-tokens", headers=HX, data={"name": "Cổng", "unit_id": str(tree.ham_lien),
                                                      "scope": "read", "expires_at": ""})
    assert r.status_code == 403 and "ngoài phạm vi" in r.text
    assert "Chưa có mã truy cập nào" in manager.get("/api-tokens").text


def test_own_account_form_keeps_role_and_state_out_of_reach(manager, db):
    with db() as s:
        me = s.exec(select(User).where(User.username == "lanhdao")).scalars().one()
    form = manager.get(f"/users/{me.id}/edit", headers=HX).text
    assert re.search(r'<select id="f-role" name="role" required disabled>', form)
    assert re.search(r'<select id="f-active" name="active" disabled>', form)
    assert 'autocomplete="new-password"' in form
    r = manager.post(f"/users/{me.id}", headers=HX, data={
        "version": "1", "username": "lanhdao", "full_name": "Trần Văn Lãnh", "unit_id": str(me.unit_id),
        "password": ""})
    assert r.status_code == 200, r.text
    r = manager.post(f"/users/{me.id}", headers=HX, data={"version": "2", "full_name": "X",
                                                          "unit_id": "", "password": ""})
    assert r.status_code == 422 and "cần có đơn vị" in r.text
    assert '<option value="manager" selected>' in r.text  # shown as stored, though not sent
    with db() as s:
        assert (s.get(User, me.id).full_name, s.get(User, me.id).role) == ("Trần Văn Lãnh", "manager")



def test_last_use_of_a_token_shows_on_the_page(manager, server, db, tree):
    """Needs actor_for_token to record last_used_at (app/services/auth.py, owned elsewhere)."""
    r = manager.post("/api-tokens", headers=HX, data={"name": "Cổng", "unit_id": str(tree.ham_tri),
                                                      "scope": "read", "expires_at": ""})
    secret = re.search(r'<code class="secret">(dvk_[^<]+)</code>', r.text).group(1)
    with db() as s:
        token_id = s.exec(select(ApiToken.id).where(ApiToken.kind == "api")).scalar_one()
    row = re.compile(rf'<tr id="token-{token_id}".*?<td class="last-used">(.*?)</td>', re.S)
    assert row.search(manager.get("/api-tokens").text).group(1) == "Chưa dùng"
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {secret}"}) as system:
        assert system.get("/api/v1/models").status_code == 200
    shown = row.search(manager.get("/api-tokens").text).group(1)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", shown), f"last use shown as {shown!r}"


def _role_options(html: str) -> list[str]:
    select_ = html[html.index('id="f-role"'):]
    select_ = select_[:select_.index("</select>")]
    return re.findall(r"<option [^>]*>([^<]*)</option>", select_)


def test_the_account_form_offers_a_manager_only_what_they_may_grant(page_user, manager, db, tree):
    """No unit-less account (an admin's) and no peer manager: a manager's own role is offered
    only for units below (and not at all at a unit with none below); chosen at their own unit
    anyway, the form comes back with the reason beside the role."""
    form = manager.get("/users/new").text
    assert "chỉ quản trị viên" not in form
    assert _role_options(form) == ["Lãnh đạo (chỉ cho đơn vị cấp dưới)", "Cán bộ nhập liệu", "Xem"]
    r = manager.post("/users", headers=HX, data=_user_form(tree.ham_tri, role="manager"))
    assert r.status_code == 403 and "lãnh đạo cùng cấp" in r.text and 'id="f-role"' in r.text
    r = manager.post("/users", headers=HX, data=_user_form(tree.lam_giang, role="manager"))
    assert r.status_code == 200 and "Đã tạo tài khoản" in r.text
    village = page_user("truongthon", Role.manager, "T-LG")
    assert _role_options(village.get("/users/new").text) == ["Cán bộ nhập liệu", "Xem"]
    admin = page_user("quantri", Role.admin)
    form = admin.get("/users/new").text
    assert "— không (chỉ quản trị viên) —" in form and _role_options(form)[:2] == ["Quản trị", "Lãnh đạo"]
