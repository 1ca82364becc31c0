"""/api/v1/users: who may manage accounts (managers below their unit, admins everywhere), the
rules on roles, units, usernames and passwords, deactivation, and the audit trail."""

import json
from contextlib import closing
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db.audit import AuditEntry
from app.db.users import ApiToken, User
from app.enums import Role
from app.services import users
from app.services.actor import SYSTEM
from app.services.errors import Conflict
from tests.api.helpers import API, assert_invalid, assert_problem
from tests.conftest import login
from tests.factories import make_tree

USERS = f"{API}/users"
SECRET = "mat-khau-rat-bi-mat-42"


def body(unit_id: int | None, **kw: Any) -> dict[str, Any]:
    return {"username": "canbo.hamtri", "password": SECRET, "full_name": "Nguyễn Thị Lan",
            "role": "clerk", "unit_id": unit_id, **kw}


def create(client: httpx.Client, data: dict[str, Any]) -> dict[str, Any]:
    r = client.post(USERS, json=data)
    assert r.status_code == 201, r.text
    return r.json()


def audit_entries(db: Any, resource: str = "users", record_id: int | None = None) -> list[AuditEntry]:
    with db() as s:
        stmt = select(AuditEntry).where(AuditEntry.resource == resource)
        if record_id is not None:
            stmt = stmt.where(AuditEntry.record_id == record_id)
        return list(s.exec(stmt.order_by(AuditEntry.id)).scalars())


def no_secret(text: str, *secrets: str) -> None:
    assert "password_hash" not in text and "$argon2" not in text
    for secret in secrets:
        assert secret not in text


# -- the happy path --------------------------------------------------------------------------
def test_admin_creates_reads_lists_updates_and_deactivates(api, db, tree):
    r = api.post(USERS, json=body(tree.ham_tri))
    assert r.status_code == 201, r.text
    user = r.json()
    assert r.headers["location"] == f"{USERS}/{user['id']}"
    assert r.headers["etag"] == '"1"'
    assert {k: user[k] for k in ("username", "full_name", "role", "unit_id", "active", "version")} == {
        "username": "canbo.hamtri", "full_name": "Nguyễn Thị Lan", "role": "clerk",
        "unit_id": tree.ham_tri, "active": True, "version": 1}
    assert "password" not in user and "password_hash" not in user
    assert api.get(r.headers["location"]).json() == user
    page = api.get(USERS).json()
    assert user["id"] in {u["id"] for u in page["items"]}
    assert page["total"] == 2 and page["limit"] == 50 and page["offset"] == 0  # the admin too

    r = api.patch(f"{USERS}/{user['id']}", json={"full_name": "Nguyễn Thị Lan Anh", "role": "viewer"},
                  headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert (r.json()["full_name"], r.json()["role"], r.json()["version"]) == ("Nguyễn Thị Lan Anh", "viewer", 2)
    assert_problem(api.patch(f"{USERS}/{user['id']}", json={"full_name": "X"},
                             headers={"If-Match": '"1"'}), 412)

    assert api.delete(f"{USERS}/{user['id']}").status_code == 204
    assert api.get(f"{USERS}/{user['id']}").json()["active"] is False
    assert api.get(USERS, params={"active": "false"}).json()["total"] == 1

    actions = [(e.action, json.loads(e.changes)) for e in audit_entries(db, record_id=user["id"])]
    assert [a for a, _ in actions] == ["create", "update", "deactivate"]
    created = actions[0][1]
    assert created["username"] == [None, "canbo.hamtri"]
    assert created["unit_id"] == [None, tree.ham_tri]
    assert created["password"] == [None, "***"]
    assert actions[1][1] == {"full_name": ["Nguyễn Thị Lan", "Nguyễn Thị Lan Anh"], "role": ["clerk", "viewer"]}
    assert actions[2][1] == {"active": [True, False]}
    assert all(e.unit_id == tree.ham_tri for e in audit_entries(db, record_id=user["id"]))


def test_list_filters_and_pages(api, tree):
    for i, (role, unit) in enumerate([("clerk", tree.lam_giang), ("viewer", tree.ham_tri),
                                      ("manager", tree.ham_lien)]):
        create(api, body(unit, username=f"nguoi{i}", role=role, full_name=f"Người số {i}"))
    assert api.get(USERS, params={"unit_id": tree.ham_tri}).json()["total"] == 2
    assert api.get(USERS, params={"role": ["clerk", "viewer"]}).json()["total"] == 2
    assert [u["username"] for u in api.get(USERS, params={"q": "SỐ 2"}).json()["items"]] == ["nguoi2"]
    page = api.get(USERS, params={"limit": 2, "offset": 2}).json()
    assert (len(page["items"]), page["total"], page["limit"], page["offset"]) == (2, 4, 2, 2)
    assert_invalid(api.get(USERS, params={"limit": 501}), "limit")


# -- who may manage --------------------------------------------------------------------------
def test_anonymous_gets_401(anon, api, tree):
    user = create(api, body(tree.ham_tri))
    url = f"{USERS}/{user['id']}"
    for r in (anon.get(USERS), anon.get(url), anon.post(USERS, json=body(tree.ham_tri, username="x2")),
              anon.patch(url, json={"full_name": "X"}), anon.delete(url),
              anon.post(f"{USERS}/me/password", json={"old_password": SECRET, "new_password": "moi-12345"})):
        assert_problem(r, 401)


@pytest.mark.parametrize("role", [Role.clerk, Role.viewer])
def test_clerks_and_viewers_cannot_manage_accounts(make_user, api, tree, role):
    me = make_user(role, "T-HT")
    other = create(api, body(tree.lam_giang))
    url = f"{USERS}/{other['id']}"
    assert_problem(me.post(USERS, json=body(tree.lam_giang, username="moi")), 403)
    assert_problem(me.patch(url, json={"full_name": "X"}), 403)
    assert_problem(me.delete(url), 403)
    mine = me.get(f"{USERS}/me").json()
    assert_problem(me.patch(f"{USERS}/{mine['id']}", json={"full_name": "Tự sửa"}), 403)
    # They see only themselves, even in their own unit.
    page = me.get(USERS).json()
    assert [u["id"] for u in page["items"]] == [mine["id"]]
    assert me.get(f"{USERS}/{mine['id']}").json() == mine
    assert_problem(me.get(url), 404)
    assert api.get(url).json() == other


def test_manager_manages_only_below_their_unit(make_user, api, tree):
    manager = make_user(Role.manager, "T-HT")
    mine = create(manager, body(tree.lam_giang, username="thonlamgiang"))
    theirs = create(api, body(tree.ham_lien, username="hamlien"))
    url = f"{USERS}/{theirs['id']}"
    assert_problem(manager.post(USERS, json=body(tree.ham_lien, username="x3")), 403)
    assert_problem(manager.post(USERS, json=body(tree.district, username="x4")), 403)
    assert_problem(manager.get(url), 404)
    assert_problem(manager.patch(url, json={"full_name": "X"}), 403)
    assert_problem(manager.delete(url), 403)
    assert_problem(manager.patch(f"{USERS}/{mine['id']}", json={"unit_id": tree.ham_lien}), 403)
    r = manager.patch(f"{USERS}/{mine['id']}", json={"unit_id": tree.ham_tri, "full_name": "Lê Văn Tám"})
    assert r.status_code == 200, r.text
    usernames = {u["username"] for u in manager.get(USERS).json()["items"]}
    assert "thonlamgiang" in usernames and "hamlien" not in usernames
    assert not any(u.startswith("admin") for u in usernames)
    assert api.get(url).json() == theirs


def test_manager_never_grants_a_role_above_their_own(make_user, api, tree, db):
    manager = make_user(Role.manager, "T-HT")
    assert_problem(manager.post(USERS, json=body(tree.ham_tri, username="sep", role="admin")), 403)
    assert_problem(manager.post(USERS, json=body(None, username="sep2", role="admin")), 403)
    clerk = create(manager, body(tree.ham_tri))
    assert_problem(manager.patch(f"{USERS}/{clerk['id']}", json={"role": "admin"}), 403)
    peer = create(manager, body(tree.lam_giang, username="phoban", role="manager"))
    assert peer["role"] == "manager"
    # An admin kept on a unit of the manager's subtree is still out of the manager's reach.
    admin = create(api, body(tree.lam_giang, username="quantri2", role="admin"))
    assert_problem(manager.patch(f"{USERS}/{admin['id']}", json={"full_name": "X"}), 403)
    assert_problem(manager.delete(f"{USERS}/{admin['id']}"), 403)
    assert api.get(f"{USERS}/{clerk['id']}").json()["role"] == "clerk"
    assert api.get(USERS, params={"role": "admin"}).json()["total"] == 2


def test_nobody_changes_their_own_role(make_user, api, tree):
    manager = make_user(Role.manager, "T-HT")
    for client, new in ((manager, "clerk"), (api, "manager")):
        me = client.get(f"{USERS}/me").json()
        assert_problem(client.patch(f"{USERS}/{me['id']}", json={"role": new}), 403)
        assert client.get(f"{USERS}/me").json()["role"] == me["role"]
        r = client.patch(f"{USERS}/{me['id']}", json={"full_name": "Tên mới"})
        assert r.status_code == 200, r.text


def test_the_last_active_admin_stays(api, db, tree):
    me = api.get(f"{USERS}/me").json()
    assert_problem(api.patch(f"{USERS}/{me['id']}", json={"role": "manager", "unit_id": tree.province}), 403)
    assert_problem(api.patch(f"{USERS}/{me['id']}", json={"active": False}), 403)
    assert_problem(api.delete(f"{USERS}/{me['id']}"), 403)
    # A second admin, once locked, does not count: nobody may demote or lock the last one.
    other = create(api, body(None, username="quantri2", role="admin"))
    assert api.delete(f"{USERS}/{other['id']}").status_code == 204
    with db() as s:
        for change in ({"active": False}, {"role": "manager", "unit_id": tree.province}):
            with pytest.raises(Conflict, match="quản trị viên cuối cùng"):
                users.update(s, actor=SYSTEM, id=me["id"], data=users.UserUpdate.model_validate(change))
    assert api.get(f"{USERS}/me").json()["role"] == "admin"
    # With another active admin, the first may be demoted (by someone else).
    assert api.patch(f"{USERS}/{other['id']}", json={"active": True}).status_code == 200
    with db() as s:
        users.update(s, actor=SYSTEM, id=me["id"], data=users.UserUpdate(role=Role.manager,
                                                                            unit_id=tree.province))
    with db() as s:
        assert s.get(User, me["id"]).role == "manager"


# -- input rules -----------------------------------------------------------------------------
def test_unknown_account_is_404(api):
    for r in (api.get(f"{USERS}/999999"), api.patch(f"{USERS}/999999", json={"full_name": "X"}),
              api.delete(f"{USERS}/999999")):
        assert_problem(r, 404)
    assert_invalid(api.get(f"{USERS}/0"))


def test_duplicate_username_is_409(api, tree):
    create(api, body(tree.ham_tri))
    for name in ("canbo.hamtri", "CanBo.HamTri"):
        problem = assert_problem(api.post(USERS, json=body(tree.ham_lien, username=name)), 409)
        assert problem["errors"][0]["loc"] == ["body", "username"]
    assert api.get(USERS).json()["total"] == 2


def test_short_or_missing_password_is_422(api, tree):
    body_ = assert_invalid(api.post(USERS, json=body(tree.ham_tri, password="1234567")), "password")
    assert "8" in body_["errors"][0]["msg"]
    assert_invalid(api.post(USERS, json={k: v for k, v in body(tree.ham_tri).items() if k != "password"}),
                   "password")
    user = create(api, body(tree.ham_tri))
    assert_invalid(api.patch(f"{USERS}/{user['id']}", json={"password": "ngan"}), "password")
    assert api.get(f"{USERS}/{user['id']}").json()["version"] == 1


def test_unit_is_required_but_for_admins(api, tree):
    assert_invalid(api.post(USERS, json=body(None)), "unit_id")
    assert_invalid(api.post(USERS, json=body(999_999)), "unit_id")
    assert_invalid(api.post(USERS, json=body(tree.ham_tri, role="owner")), "role")
    assert_invalid(api.post(USERS, json=body(tree.ham_tri, username="có dấu")), "username")
    assert_invalid(api.post(USERS, json=body(tree.ham_tri, password_hash="x")), "password_hash")
    admin = create(api, body(None, username="quantri2", role="admin"))
    assert admin["unit_id"] is None
    clerk = create(api, body(tree.ham_tri))
    assert_invalid(api.patch(f"{USERS}/{clerk['id']}", json={"unit_id": None}), "unit_id")
    assert_invalid(api.patch(f"{USERS}/{clerk['id']}", json={"username": "doiten"}), "username")
    assert_invalid(api.patch(f"{USERS}/{clerk['id']}", json={"active": None}), "active")


# -- passwords and sign-in -------------------------------------------------------------------
def test_password_never_leaves_the_server(api, server, db, tree):
    texts: list[str] = []
    r = api.post(USERS, json=body(tree.ham_tri))
    texts.append(r.text)
    user_id = r.json()["id"]
    texts += [api.get(USERS).text, api.get(f"{USERS}/{user_id}").text,
              api.patch(f"{USERS}/{user_id}", json={"password": "mat-khau-moi-99"}).text]
    with closing(login(server, "canbo.hamtri", "mat-khau-moi-99")) as clerk:
        texts += [clerk.get(f"{USERS}/me").text,
                  clerk.post(f"{USERS}/me/password",
                             json={"old_password": "mat-khau-moi-99", "new_password": "mat-khau-thu-ba"}).text]
    for text in texts:
        no_secret(text, SECRET, "mat-khau-moi-99", "mat-khau-thu-ba")
    with db() as s:
        stored = s.exec(select(User.password_hash).where(User.id == user_id)).scalar_one()
    entries = audit_entries(db, record_id=user_id)
    assert [e.action for e in entries] == ["create", "update", "change_password"]
    assert json.loads(entries[1].changes) == {"password": ["***", "***"]}
    assert json.loads(entries[2].changes) == {"password": ["***", "***"]}
    assert entries[2].username == "canbo.hamtri"
    for e in entries:
        no_secret(e.changes, SECRET, "mat-khau-moi-99", "mat-khau-thu-ba", stored)


def test_change_own_password(make_user, server, db, tree):
    viewer = make_user(Role.viewer, "T-HT")
    me = viewer.get(f"{USERS}/me").json()
    url = f"{USERS}/me/password"
    from tests.factories import PASSWORD

    assert_invalid(viewer.post(url, json={"old_password": "sai-mat-khau", "new_password": "moi-123456"}),
                   "old_password")
    assert_invalid(viewer.post(url, json={"old_password": PASSWORD, "new_password": "ngan"}), "new_password")
    assert_invalid(viewer.post(url, json={"old_password": PASSWORD}), "new_password")
    assert viewer.post(url, json={"old_password": PASSWORD, "new_password": " moi 123456 "}).status_code == 204
    r = httpx.post(f"{server}/api/v1/auth/token", data={"username": me["username"], "password": PASSWORD})
    assert r.status_code == 401
    with closing(login(server, me["username"], " moi 123456 ")) as again:  # exactly as typed
        assert again.get(f"{USERS}/me").json()["id"] == me["id"]
    assert viewer.get(f"{USERS}/me").status_code == 200  # this session stays signed in


def test_a_reset_by_a_manager_ends_the_users_sessions(api, server, tree):
    user = create(api, body(tree.ham_tri))
    with closing(login(server, "canbo.hamtri", SECRET)) as clerk:
        assert clerk.get(f"{USERS}/me").status_code == 200
        assert api.patch(f"{USERS}/{user['id']}", json={"password": "dat-lai-123"}).status_code == 200
        assert_problem(clerk.get(f"{USERS}/me"), 401)
    with closing(login(server, "canbo.hamtri", "dat-lai-123")) as clerk:
        assert clerk.get(f"{USERS}/me").status_code == 200


def test_a_deactivated_user_is_refused_at_once(api, server, db, tree):
    user = create(api, body(tree.ham_tri, role="manager"))
    with closing(login(server, "canbo.hamtri", SECRET)) as manager:
        token = manager.post(f"{API}/api-tokens", json={"name": "Cổng tỉnh", "unit_id": tree.ham_tri,
                                                         "scope": "read"}).json()["token"]
        assert manager.get(f"{API}/models").status_code == 200
        assert api.delete(f"{USERS}/{user['id']}").status_code == 204
        assert_problem(manager.get(f"{API}/models"), 401)
    assert_problem(httpx.get(f"{server}{API}/models", headers={"Authorization": f"Bearer {token}"}), 401)
    r = httpx.post(f"{server}/api/v1/auth/token", data={"username": "canbo.hamtri", "password": SECRET})
    assert_problem(r, 401)
    with db() as s:
        tokens = s.exec(select(ApiToken).where(ApiToken.user_id == user["id"])).scalars().all()
    assert len(tokens) == 2 and all(t.revoked_at is not None for t in tokens)
    # Locking again changes nothing and records nothing.
    assert api.delete(f"{USERS}/{user['id']}").status_code == 204
    assert [e.action for e in audit_entries(db, record_id=user["id"])] == ["create", "deactivate"]


def test_idempotent_create(api, tree):
    headers = {"Idempotency-Key": "tao-tai-khoan-1"}
    first = api.post(USERS, json=body(tree.ham_tri), headers=headers)
    again = api.post(USERS, json=body(tree.ham_tri), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert api.get(USERS).json()["total"] == 2


def test_tokens_cannot_manage_accounts(api, server, tree):
    secret = api.post(f"{API}/api-tokens", json={"name": "Cổng tỉnh", "unit_id": tree.province,
                                                  "scope": "write"}).json()["token"]
    with httpx.Client(base_url=server, headers={"Authorization": f"Bearer {secret}"}) as system:
        assert_problem(system.post(USERS, json=body(tree.ham_tri)), 403)
        assert_problem(system.post(f"{USERS}/me/password",
                                   json={"old_password": "x", "new_password": "y" * 10}), 403)


@pytest.mark.parametrize("username", ["h", "hoa lan", "hòa"])
def test_the_command_refuses_a_username_the_api_would(username, db, tree):
    """`dvk create-user h` made an account whose edit page then answered 500 (its name broke
    the read schema): the command checks the API's rules for a name."""
    from typer.testing import CliRunner

    from app.cli import cli

    result = CliRunner().invoke(cli, ["create-user", username, "--role", "clerk",
                                      "--unit", "T-HT", "--password", SECRET])
    assert result.exit_code == 2, result.output
    assert "Lỗi: username:" in result.output
    with db() as s:
        assert s.exec(select(User).where(User.username == username)).first() is None


def test_a_manager_cannot_take_over_a_peer(make_user, api, db):
    with db() as s:
        make_tree(s)
    a = make_user(Role.manager, "T-HT")
    b = make_user(Role.manager, "T-HT")
    b_id = b.get("/api/v1/users/me").json()["id"]
    r = a.patch(f"/api/v1/users/{b_id}", json={"password": "mat-khau-cua-a-1"})
    assert r.status_code == 403
    assert b.get("/api/v1/users/me").status_code == 200  # b still signed in


def test_a_manager_never_makes_a_peer(make_user, api, tree, db):
    """A manager who made a manager of their own unit could never edit or lock it again (the
    peer rule), and it reads every denouncer's name: create and change are refused alike."""
    manager = make_user(Role.manager, "T-HT")
    r = manager.post(USERS, json=body(tree.ham_tri, username="phochutich", role="manager"))
    problem = assert_problem(r, 403)
    assert "cùng cấp" in problem["detail"] and problem["errors"][0]["loc"] == ["body", "role"]
    clerk = create(manager, body(tree.ham_tri))
    assert_problem(manager.patch(f"{USERS}/{clerk['id']}", json={"role": "manager"}), 403)
    below = create(manager, body(tree.lam_giang, username="truongthon", role="manager"))
    assert_problem(manager.patch(f"{USERS}/{below['id']}", json={"unit_id": tree.ham_tri}), 403)
    with db() as s:
        roles = s.exec(select(User.username, User.role, User.unit_id)).all()
    assert {(n, r, u) for n, r, u in roles if n in ("canbo.hamtri", "truongthon", "phochutich")} == {
        ("canbo.hamtri", "clerk", tree.ham_tri), ("truongthon", "manager", tree.lam_giang)}
    # The one above may.
    district = make_user(Role.manager, "T-HTB")
    assert create(district, body(tree.ham_tri, username="phochutich", role="manager"))["role"] == "manager"
