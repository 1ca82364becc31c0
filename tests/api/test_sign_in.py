"""Sign-in: the same words whatever was wrong, throttled after repeated failures (by user
name and by address), every attempt audited."""

from app.enums import Role
from app.services import auth
from tests.factories import PASSWORD, make_tree


def _try(anon, username, password):
    return anon.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_wrong_user_and_wrong_password_read_the_same(anon, db):
    with db() as s:
        make_tree(s)
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    a, b = _try(anon, "canbo", "sai-mat-khau"), _try(anon, "khong-co-ai", "sai-mat-khau")
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_repeated_failures_make_the_user_wait(anon, api, db):
    with db() as s:
        make_tree(s)
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    for _ in range(auth.MAX_FAILURES):
        assert _try(anon, "canbo", "sai-mat-khau").status_code == 401
    blocked = _try(anon, "canbo", PASSWORD)  # even the right password waits now
    assert blocked.status_code == 429
    assert "thử lại sau" in blocked.json()["detail"]
    page = anon.post("/login", data={"username": "canbo", "password": PASSWORD})
    assert page.status_code == 429 and "thử lại sau" in page.text
    actions = [e["action"] for e in api.get("/api/v1/audit", params={"user": "canbo"}).json()["items"]]
    assert actions.count("login_failed") == auth.MAX_FAILURES
    assert "login_throttled" in actions


def test_a_guesser_is_throttled_by_address_across_user_names(anon, db):
    with db() as s:
        make_tree(s)
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
    for i in range(auth.MAX_FAILURES_PER_ADDRESS):
        _try(anon, f"ten-doan-{i}", "sai-mat-khau")
    assert _try(anon, "canbo", PASSWORD).status_code == 429
