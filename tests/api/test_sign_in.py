"""Sign-in: the same words whatever was wrong; guessing slowed per (user name, address) with a
growing wait, which locks out neither the owner elsewhere nor colleagues behind the same
address; the API and the page under the one rule; every attempt audited.

The address is varied as the server sees it: uvicorn takes X-Forwarded-For from a proxy on
the same machine (its default trust, 127.0.0.1), which is where these requests come from."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.db.audit import LoginAttempt
from app.enums import Role
from app.services import auth, sign_in
from tests.factories import PASSWORD, make_tree

ATTACKER, OWNER = "203.0.113.5", "198.51.100.7"
WRONG = "sai-mat-khau"


class Clock:
    """The sign-in rule's time, moved forward by the test (the database stays real)."""

    def __init__(self) -> None:
        self.now = sign_in.clock()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(sign_in, "clock", fixed)
    return fixed


@pytest.fixture
def users(db):  # type: ignore[no-untyped-def]
    with db() as s:
        make_tree(s)
        auth.create_user(s, username="quantri", password=PASSWORD, role=Role.admin)
        auth.create_user(s, username="canbo", password=PASSWORD, role=Role.clerk, unit_code="T-HT")
        auth.create_user(s, username="canbo2", password=PASSWORD, role=Role.clerk, unit_code="T-HT")


def _try(anon, username, password, ip=ATTACKER):  # type: ignore[no-untyped-def]
    return anon.post("/api/v1/auth/token", data={"username": username, "password": password},
                     headers={"X-Forwarded-For": ip})


def _page(anon, username, password, ip=ATTACKER):  # type: ignore[no-untyped-def]
    return anon.post("/login", data={"username": username, "password": password},
                     headers={"X-Forwarded-For": ip})


def _guess_until_throttled(anon, username, try_=_try):  # type: ignore[no-untyped-def]
    for _ in range(sign_in.FREE_FAILURES):
        assert try_(anon, username, WRONG).status_code == 401


def test_wrong_user_and_wrong_password_read_the_same(anon, users):
    a, b = _try(anon, "canbo", WRONG), _try(anon, "khong-co-ai", WRONG)
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_a_guesser_waits_ever_longer_while_the_admin_signs_in_elsewhere(anon, users, clock):
    _guess_until_throttled(anon, "quantri")
    waits = []
    for _ in range(3):
        refused = _try(anon, "quantri", PASSWORD)  # even the right guess waits its turn
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "thử lại sau" in refused.json()["detail"]
        waits.append(int(refused.headers["Retry-After"]))
        assert _try(anon, "quantri", PASSWORD, ip=OWNER).status_code == 200
        clock.advance(waits[-1])
        assert _try(anon, "quantri", WRONG).status_code == 401
    assert waits == [30, 60, 120]
    assert _try(anon, "quantri", PASSWORD, ip=OWNER).status_code == 200


def test_an_ipv6_guesser_cannot_step_around_the_wait_inside_his_slash_64(anon, users, clock):
    for i in range(sign_in.FREE_FAILURES):
        assert _try(anon, "quantri", WRONG, ip=f"2001:db8:1:2::{i + 1}").status_code == 401
    assert _try(anon, "quantri", WRONG, ip="2001:db8:1:2:ffff::9").status_code == 429
    assert _try(anon, "quantri", PASSWORD, ip="2001:db8:1:3::1").status_code == 200


def test_the_wait_is_capped(anon, users, clock):
    _guess_until_throttled(anon, "canbo")
    for _ in range(12):
        wait = int(_try(anon, "canbo", WRONG).headers["Retry-After"])
        clock.advance(wait)
        assert _try(anon, "canbo", WRONG).status_code == 401
    assert wait == sign_in.MAX_WAIT.total_seconds()


def test_refused_attempts_prolong_nothing(anon, users, clock, engine):
    _guess_until_throttled(anon, "quantri")
    rows = _attempts(engine)
    for left, then in ((30, 10), (20, 10), (10, 9.5), (1, 0)):
        refused = _try(anon, "quantri", WRONG)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == left
        clock.advance(then)
    assert _attempts(engine) == rows  # refusals leave no row behind
    clock.advance(0.5)
    assert _try(anon, "quantri", PASSWORD).status_code == 200  # when the first wait ends
    # The success clears the pair: the next mistake is free again.
    assert _try(anon, "quantri", WRONG).status_code == 401
    assert _try(anon, "quantri", WRONG).status_code == 401


def test_a_spray_over_many_names_does_not_lock_out_colleagues_behind_the_address(
        anon, users, clock):
    assert _try(anon, "canbo", PASSWORD).status_code == 200  # canbo works from this office
    for i in range(sign_in.SPRAY_NAMES * 2):
        assert _try(anon, f"ten-doan-{i}", WRONG).status_code == 401
    for name in ("canbo", "canbo2", "quantri"):  # canbo2 and quantri never signed in here
        assert _try(anon, name, PASSWORD).status_code == 200
    # A sprayed address gets one free mistake per name, except for a name that signs in here.
    assert _try(anon, "ten-doan-0", WRONG).status_code == 429
    clock.advance(sign_in.FORGET_AFTER.total_seconds())  # (the old spray is forgotten)
    for i in range(sign_in.SPRAY_NAMES):
        _try(anon, f"ten-moi-{i}", WRONG)
    assert _try(anon, "canbo", WRONG).status_code == 401
    assert _try(anon, "canbo", WRONG).status_code == 401
    assert _try(anon, "ten-moi-0", WRONG).status_code == 429


def test_the_page_and_the_api_share_one_rule(anon, users, clock):
    for i in range(sign_in.FREE_FAILURES):
        try_ = _page if i % 2 else _try
        assert try_(anon, "quantri", WRONG).status_code == 401
    page = _page(anon, "quantri", PASSWORD)
    assert page.status_code == 429 and page.headers["Retry-After"] == "30"
    assert "thử lại sau 30 giây" in page.text and "<form" in page.text
    assert _try(anon, "quantri", PASSWORD).status_code == 429
    assert _page(anon, "quantri", PASSWORD, ip=OWNER).status_code == 303
    clock.advance(30)
    assert _page(anon, "quantri", WRONG).status_code == 401
    assert _page(anon, "quantri", WRONG).headers["Retry-After"] == "60"


def test_parallel_guesses_when_the_wait_ends_get_one_try(anon, users, clock, server):
    _guess_until_throttled(anon, "quantri")
    clock.advance(30)

    def guess(_: int) -> int:
        import httpx

        with httpx.Client(base_url=server, timeout=30) as client:
            return _try(client, "quantri", WRONG).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(guess, range(8)))
    assert codes == [401] + [429] * 7


def test_every_attempt_is_audited(anon, api, users, clock):
    _guess_until_throttled(anon, "canbo")
    assert _try(anon, "canbo", WRONG).status_code == 429
    assert _try(anon, "canbo", PASSWORD, ip=OWNER).status_code == 200
    entries = api.get("/api/v1/audit", params={"user": "canbo"}).json()["items"]
    actions = [e["action"] for e in entries]
    assert actions.count("login_failed") == sign_in.FREE_FAILURES
    assert actions.count("login") == 1 and len(actions) == sign_in.FREE_FAILURES + 1


def _attempts(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(LoginAttempt)).scalar_one()
