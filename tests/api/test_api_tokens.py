"""/api/v1/api-tokens: tokens for provincial systems, made by managers and admins for a unit of
their subtree; the secret is shown once, the token reads (and writes, if so scoped) only there,
and a revoked, expired or orphaned token is refused on its next request."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db.audit import AuditEntry
from app.db.users import ApiToken
from app.enums import Role
from tests.api.helpers import API, MODELS, assert_invalid, assert_problem, create
from tests.factories import make_tree

TOKENS = f"{API}/api-tokens"


def new_token(client: httpx.Client, unit_id: int, scope: str = "read", **kw: Any) -> dict[str, Any]:
    r = client.post(TOKENS, json={"name": "Cổng dữ liệu tỉnh", "unit_id": unit_id, "scope": scope, **kw})
    assert r.status_code == 201, r.text
    return r.json()


@contextmanager
def bearer(server: str, secret: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30,
                      headers={"Authorization": f"Bearer {secret}"}) as client:
        yield client


def test_create_returns_the_secret_once(api, db, tree):
    r = api.post(TOKENS, json={"name": "Cổng dữ liệu tỉnh", "unit_id": tree.ham_tri, "scope": "read"})
    assert r.status_code == 201, r.text
    token = r.json()
    assert r.headers["location"] == f"{TOKENS}/{token['id']}"
    assert r.headers["cache-control"] == "no-store"
    secret = token["token"]
    assert secret.startswith("dvk_") and len(secret) > 40
    assert {k: token[k] for k in ("name", "unit_id", "scope", "expires_at", "last_used_at", "revoked_at")} == {
        "name": "Cổng dữ liệu tỉnh", "unit_id": tree.ham_tri, "scope": "read", "expires_at": None,
        "last_used_at": None, "revoked_at": None}
    assert "token_hash" not in token
    with db() as s:
        stored = s.get(ApiToken, token["id"])
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.kind == "api"
    listed = api.get(TOKENS)
    read = api.get(r.headers["location"])
    for text in (listed.text, read.text):
        assert secret not in text and stored.token_hash not in text and "token_hash" not in text
    assert [t["id"] for t in listed.json()["items"]] == [token["id"]]  # sign-in tokens not listed
    assert read.json() == {k: v for k, v in token.items() if k != "token"}


def test_a_read_token_reads_its_subtree_and_writes_nothing(api, server, tree):
    inside = create(api, MODELS, MODELS.body(tree.lam_giang))
    outside = create(api, MODELS, MODELS.body(tree.ham_lien))
    secret = new_token(api, tree.ham_tri, "read")["token"]
    with bearer(server, secret) as system:
        page = system.get(MODELS.path).json()
        assert [m["id"] for m in page["items"]] == [inside["id"]]
        assert_problem(system.get(f"{MODELS.path}/{outside['id']}"), 404)
        assert_problem(system.post(MODELS.path, json=MODELS.body(tree.lam_giang)), 403)
        assert_problem(system.patch(f"{MODELS.path}/{inside['id']}", json={"members": 3}), 403)
        assert_problem(system.delete(f"{MODELS.path}/{inside['id']}"), 403)
    assert api.get(MODELS.path).json()["total"] == 2


def test_a_write_token_writes_only_in_its_unit(make_user, server, tree):
    manager = make_user(Role.manager, "T-HTB")
    secret = new_token(manager, tree.ham_tri, "write")["token"]
    with bearer(server, secret) as system:
        r = system.post(MODELS.path, json=MODELS.body(tree.lam_giang))
        assert r.status_code == 201, r.text
        # Within the creator's district, but outside the token's commune.
        assert_problem(system.post(MODELS.path, json=MODELS.body(tree.ham_lien)), 403)
    assert manager.get(MODELS.path).json()["total"] == 1


def test_a_viewers_token_cannot_write(make_user, api, server, tree, db):
    """The token acts with its creator's role: once the creator is a viewer, a write token reads only."""
    manager = make_user(Role.manager, "T-HT")
    secret = new_token(manager, tree.ham_tri, "write")["token"]
    me = manager.get(f"{API}/users/me").json()
    assert api.patch(f"{API}/users/{me['id']}", json={"role": "viewer"}).status_code == 200
    with bearer(server, secret) as system:
        assert system.get(MODELS.path).status_code == 200
        assert_problem(system.post(MODELS.path, json=MODELS.body(tree.lam_giang)), 403)


def test_who_may_create_tokens(anon, make_user, tree):
    body = {"name": "Cổng", "unit_id": tree.ham_tri, "scope": "read"}
    assert_problem(anon.post(TOKENS, json=body), 401)
    assert_problem(anon.get(TOKENS), 401)
    for role in (Role.clerk, Role.viewer):
        assert_problem(make_user(role, "T-HT").post(TOKENS, json=body), 403)
    manager = make_user(Role.manager, "T-HT")
    assert_problem(manager.post(TOKENS, json={**body, "unit_id": tree.ham_lien}), 403)
    assert_problem(manager.post(TOKENS, json={**body, "unit_id": tree.district}), 403)
    assert manager.post(TOKENS, json={**body, "unit_id": tree.lam_giang}).status_code == 201


def test_invalid_input_is_422(api, tree):
    body = {"name": "Cổng", "unit_id": tree.ham_tri, "scope": "read"}
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert_invalid(api.post(TOKENS, json={**body, "expires_at": past}), "expires_at")
    assert_invalid(api.post(TOKENS, json={**body, "expires_at": "ngày mai"}), "expires_at")
    assert_invalid(api.post(TOKENS, json={**body, "scope": "admin"}), "scope")
    assert_invalid(api.post(TOKENS, json={**body, "unit_id": 999_999}), "unit_id")
    assert_invalid(api.post(TOKENS, json={**body, "name": "  "}), "name")
    assert_invalid(api.post(TOKENS, json={k: v for k, v in body.items() if k != "scope"}), "scope")
    assert_invalid(api.post(TOKENS, json={**body, "kind": "login"}), "kind")
    assert api.get(TOKENS).json()["total"] == 0


def test_expiry_is_kept_and_enforced(api, server, db, tree):
    soon = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    token = new_token(api, tree.ham_tri, expires_at=soon.isoformat())
    assert datetime.fromisoformat(token["expires_at"]) == soon
    with bearer(server, token["token"]) as system:
        assert system.get(MODELS.path).status_code == 200
        with db() as s:
            s.get(ApiToken, token["id"]).expires_at = datetime.now(UTC) - timedelta(seconds=1)
        assert_problem(system.get(MODELS.path), 401)


def test_revoked_token_is_refused_on_the_next_request(api, server, db, tree):
    token = new_token(api, tree.ham_tri)
    with bearer(server, token["token"]) as system:
        assert system.get(MODELS.path).status_code == 200
        assert api.delete(f"{TOKENS}/{token['id']}").status_code == 204
        assert_problem(system.get(MODELS.path), 401)
    listed = api.get(f"{TOKENS}/{token['id']}").json()
    assert listed["revoked_at"] is not None
    assert api.delete(f"{TOKENS}/{token['id']}").status_code == 204  # again: nothing to do
    assert_problem(api.delete(f"{TOKENS}/999999"), 404)
    with db() as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.resource == "api-tokens")
                         .order_by(AuditEntry.id)).scalars().all()
    assert [(e.action, e.record_id) for e in entries] == [("create", token["id"]), ("revoke", token["id"])]
    created, revoked = (json.loads(e.changes) for e in entries)
    assert created == {"name": [None, "Cổng dữ liệu tỉnh"], "unit_id": [None, tree.ham_tri],
                       "scope": [None, "read"]}
    assert list(revoked) == ["revoked_at"] and revoked["revoked_at"][0] is None
    with db() as s:
        digest = s.get(ApiToken, token["id"]).token_hash
    for e in entries:
        assert token["token"] not in e.changes and digest not in e.changes
        assert e.unit_id == tree.ham_tri


def test_managers_see_and_revoke_the_tokens_of_their_subtree(make_user, api, tree):
    commune = make_user(Role.manager, "T-HT")
    district = make_user(Role.manager, "T-HTB")
    other = make_user(Role.manager, "T-HL")
    mine = new_token(commune, tree.lam_giang)
    theirs = new_token(other, tree.ham_lien)
    by_admin = new_token(api, tree.province)
    assert {t["id"] for t in commune.get(TOKENS).json()["items"]} == {mine["id"]}
    assert {t["id"] for t in district.get(TOKENS).json()["items"]} == {mine["id"], theirs["id"]}
    assert {t["id"] for t in api.get(TOKENS).json()["items"]} == {mine["id"], theirs["id"], by_admin["id"]}
    assert_problem(commune.get(f"{TOKENS}/{theirs['id']}"), 404)
    assert_problem(commune.delete(f"{TOKENS}/{theirs['id']}"), 403)
    assert_problem(commune.delete(f"{TOKENS}/{by_admin['id']}"), 403)
    assert district.delete(f"{TOKENS}/{mine['id']}").status_code == 204
    assert commune.get(f"{TOKENS}/{mine['id']}").json()["revoked_at"] is not None
    assert api.get(f"{TOKENS}/{theirs['id']}").json()["revoked_at"] is None


def test_clerks_see_no_tokens_but_their_own(make_user, api, tree):
    new_token(api, tree.ham_tri)
    clerk = make_user(Role.clerk, "T-HT")
    assert clerk.get(TOKENS).json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_tokens_do_not_make_tokens(api, server, tree):
    secret = new_token(api, tree.province, "write")["token"]
    with bearer(server, secret) as system:
        assert_problem(system.post(TOKENS, json={"name": "Con", "unit_id": tree.ham_tri, "scope": "write"}), 403)
        token_id = system.get(TOKENS).json()["items"][0]["id"]
        assert_problem(system.delete(f"{TOKENS}/{token_id}"), 403)


def test_deactivating_the_creator_stops_their_tokens(api, make_user, server, db, tree):
    manager = make_user(Role.manager, "T-HT")
    token = new_token(manager, tree.ham_tri)
    me = manager.get(f"{API}/users/me").json()
    with bearer(server, token["token"]) as system:
        assert system.get(MODELS.path).status_code == 200
        assert api.delete(f"{API}/users/{me['id']}").status_code == 204
        assert_problem(system.get(MODELS.path), 401)
    # Revoked for good: reactivating the account does not bring the token back.
    assert api.patch(f"{API}/users/{me['id']}", json={"active": True}).status_code == 200
    with bearer(server, token["token"]) as system:
        assert_problem(system.get(MODELS.path), 401)
    assert api.get(f"{TOKENS}/{token['id']}").json()["revoked_at"] is not None


def test_last_used_at_is_shown_after_use(api, server, tree):
    """Needs actor_for_token to record last_used_at (app/services/auth.py, owned elsewhere)."""
    token = new_token(api, tree.ham_tri)
    assert api.get(f"{TOKENS}/{token['id']}").json()["last_used_at"] is None
    with bearer(server, token["token"]) as system:
        assert system.get(MODELS.path).status_code == 200
    listed = {t["id"]: t for t in api.get(TOKENS).json()["items"]}
    used = listed[token["id"]]["last_used_at"]
    assert used is not None, "actor_for_token does not record last_used_at yet"
    assert datetime.now(UTC) - datetime.fromisoformat(used) < timedelta(minutes=1)


@pytest.mark.parametrize("scope", ["read", "write"])
def test_admin_token_is_bound_to_its_unit(api, server, tree, scope):
    """An admin's token acts as an admin only within its unit, not over the whole tree."""
    create(api, MODELS, MODELS.body(tree.ham_lien))
    secret = new_token(api, tree.ham_tri, scope)["token"]
    with bearer(server, secret) as system:
        assert system.get(MODELS.path).json()["total"] == 0
        assert_problem(system.post(MODELS.path, json=MODELS.body(tree.ham_lien)), 403)


def test_a_token_does_not_outlive_its_makers_move(api, make_user, db):
    with db() as s:
        tree = make_tree(s)
    manager = make_user(Role.manager, "T-HT")
    me = manager.get("/api/v1/users/me")
    made = manager.post("/api/v1/api-tokens", json={"name": "tỉnh", "unit_id": tree.ham_tri,
                                                    "scope": "write"})
    assert made.status_code == 201, made.text
    token = {"Authorization": f"Bearer {made.json()['token']}"}
    assert api.get("/api/v1/models", headers=token).status_code == 200
    user_id = me.json()["id"] if me.status_code == 200 else None
    if user_id is None:  # find the manager through the admin's list
        user_id = next(u["id"] for u in api.get("/api/v1/users", params={"limit": 500}).json()["items"]
                       if u["role"] == "manager")
    assert api.patch(f"/api/v1/users/{user_id}", json={"unit_id": tree.ham_lien}).status_code == 200
    with httpx.Client(base_url=str(api.base_url)) as raw:
        assert raw.get("/api/v1/models", headers=token).status_code == 401
