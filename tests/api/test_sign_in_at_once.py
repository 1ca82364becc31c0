"""Many sign-ins at once: each password hash takes its memory cost (64 MiB by default) while it
runs, so a worker hashes at most `argon2_at_once` (1) at a time and the others wait their turn.
Sign-ins sent together all get in, one hash after another; one that finds no turn in time is
told the server is busy (503, Retry-After), and that try is not counted against the person."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.config import get_settings
from app.db.audit import LoginAttempt
from app.enums import Role
from app.services import auth, passwords
from app.services.errors import Busy
from tests.factories import PASSWORD, make_tree

PEOPLE = 8


class Watched:
    """The real hasher, counting how many hashes run at the same moment; each is held a little
    longer, so that sign-ins sent together would overlap if nothing kept them apart."""

    def __init__(self, real: Any) -> None:
        self.real, self.now, self.most = real, 0, 0
        self.lock = threading.Lock()

    def _run(self, work: Any) -> Any:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.05)
            return work()
        finally:
            with self.lock:
                self.now -= 1

    def hash(self, password: str) -> str:
        return self._run(lambda: self.real.hash(password))

    def verify(self, hashed: str, password: str) -> bool:
        return self._run(lambda: self.real.verify(hashed, password))


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    with db() as s:
        make_tree(s)
        for i in range(PEOPLE):
            auth.create_user(s, username=f"canbo{i}", password=PASSWORD, role=Role.clerk,
                             unit_code="T-HT")


def _sign_in(server: str, username: str) -> httpx.Response:
    with httpx.Client(base_url=server, timeout=60) as client:
        return client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD},
                           headers={"X-Forwarded-For": "198.51.100.9"})


def test_sign_ins_sent_together_all_get_in_one_hash_at_a_time(people, server, monkeypatch):
    watched = Watched(passwords._hasher())
    monkeypatch.setattr(passwords, "_hasher", lambda: watched)
    go = threading.Barrier(PEOPLE)

    def one(i: int) -> int:
        go.wait()
        return _sign_in(server, f"canbo{i}").status_code

    with ThreadPoolExecutor(PEOPLE) as pool:
        codes = list(pool.map(one, range(PEOPLE)))
    assert codes == [200] * PEOPLE
    assert watched.most == get_settings().argon2_at_once == 1


def test_a_sign_in_that_finds_no_turn_in_time_is_told_the_server_is_busy(
        people, server, engine, monkeypatch):
    monkeypatch.setattr(passwords, "HASH_WAIT", 0.2)
    with passwords._turns().turn(1):  # every turn taken, as by a long queue of sign-ins
        r = _sign_in(server, "canbo0")
    assert r.status_code == 503, r.text
    assert r.headers["Retry-After"] == "2"
    assert r.json()["detail"] == "Đang có nhiều người đăng nhập cùng lúc; hãy thử lại sau ít giây."
    with engine.connect() as conn:  # no password was checked: nothing counts against canbo0
        assert conn.execute(select(func.count()).select_from(LoginAttempt)).scalar_one() == 0
    assert _sign_in(server, "canbo0").status_code == 200  # a turn is free again


def test_the_sign_in_page_says_so_too(people, server, monkeypatch):
    monkeypatch.setattr(passwords, "HASH_WAIT", 0.2)
    with httpx.Client(base_url=server, timeout=60) as client, passwords._turns().turn(1):
        r = client.post("/login", data={"username": "canbo1", "password": PASSWORD})
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "2"
    assert "Đang có nhiều người đăng nhập cùng lúc; hãy thử lại sau ít giây." in r.text


def test_beyond_the_queue_a_sign_in_is_refused_at_once():
    turns = passwords._Turns(at_once=1, waiting=1)
    with turns.turn(1):
        waiter = threading.Thread(target=lambda: turns.turn(5).__enter__())
        waiter.start()  # the one place in the queue, taken
        deadline = time.monotonic() + 10
        while turns._waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        with pytest.raises(Busy):
            with turns.turn(60):  # refused without waiting its 60 s: the queue is full
                pass
    waiter.join(10)
