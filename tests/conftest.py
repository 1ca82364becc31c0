"""Test fixtures: a real database (an SQLite file, or PostgreSQL when DVK_TEST_DATABASE_URL is
set), migrated by Alembic as in production, and the app served by uvicorn on a loopback port
so that tests speak real HTTP to it."""

import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="dvk-test-"))
TEST_URL = os.environ.get("DVK_TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite3'}"
# Set before any app module reads the settings.
os.environ["DVK_DATABASE_URL"] = TEST_URL
os.environ["DVK_SECRET_KEY"] = "test-secret-key-not-for-production"
# Cheap password hashing: the suite signs in hundreds of users; the algorithm is the same.
os.environ["DVK_ARGON2_TIME_COST"] = "1"
os.environ["DVK_ARGON2_MEMORY_KIB"] = "1024"
for name in ("DVK_DEMO", "DVK_ADMIN_USERNAME", "DVK_ADMIN_PASSWORD"):
    os.environ.pop(name, None)

import httpx  # noqa: E402
import uvicorn  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.cli import migrate_to_head  # noqa: E402
from app.db.base import metadata  # noqa: E402
from app.db.engine import get_engine  # noqa: E402
from app.db.session import session_scope  # noqa: E402
from app.enums import Role  # noqa: E402
from app.services import auth  # noqa: E402
from tests.factories import PASSWORD, wipe  # noqa: E402


def _reset_postgres(url: str) -> None:
    engine = get_engine()
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def engine() -> Any:
    if TEST_URL.startswith("postgresql"):
        _reset_postgres(TEST_URL)
    migrate_to_head(TEST_URL)
    yield get_engine()
    get_engine().dispose()


@pytest.fixture(autouse=True)
def _clean(engine: Any) -> Iterator[None]:
    """Every test starts from an empty (migrated) database."""
    yield
    wipe(engine)


@pytest.fixture
def session(engine: Any) -> Iterator[Session]:
    """A session whose work is committed when the test body's block ends (like a request)."""
    yield from session_scope(engine, write=True)


@pytest.fixture
def db(engine: Any) -> Callable[[], Any]:
    """A context for writing test data in its own committed transaction."""
    from contextlib import contextmanager

    @contextmanager
    def unit_of_work() -> Iterator[Session]:
        yield from session_scope(engine, write=True)

    return unit_of_work


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server(engine: Any) -> Iterator[str]:
    from app.main import app

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def anon(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


def login(server: str, username: str, password: str = PASSWORD) -> httpx.Client:
    """An API client holding a bearer token for `username`."""
    client = httpx.Client(base_url=server, timeout=30)
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


@pytest.fixture
def make_user(db: Callable[[], Any], server: str) -> Callable[..., httpx.Client]:
    """make_user(role, unit_id) -> an API client signed in as a new user of that role."""
    made: list[httpx.Client] = []
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.admin, unit_code: str | None = None) -> httpx.Client:
        username = f"{role.value}{next(counter)}"
        with db() as s:
            auth.create_user(s, username=username, password=PASSWORD, role=role, unit_code=unit_code)
        client = login(server, username)
        made.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in made:
        client.close()


@pytest.fixture
def api(make_user: Callable[..., httpx.Client]) -> httpx.Client:
    """An admin's API client."""
    return make_user(Role.admin)


def carry_csrf(client: httpx.Client) -> None:
    """Do what the pages' htmx does: send the session's CSRF token on every request (read
    from a page, as a browser would)."""
    import re

    page = client.get("/units").text
    match = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page)
    assert match, "no CSRF token on the page"
    client.headers["X-CSRF-Token"] = match.group(1)


@pytest.fixture
def sign_in(server: str, db: Callable[[], Any]) -> Iterator[Callable[..., httpx.Client]]:
    """sign_in(username, role, unit_code) -> a page client: the session cookie from /login and
    the CSRF header the pages' htmx sends."""
    clients: list[httpx.Client] = []

    def make(username: str, role: Role = Role.clerk, unit_code: str | None = "T-HT") -> httpx.Client:
        with db() as s:
            auth.create_user(s, username=username, password=PASSWORD, role=role, unit_code=unit_code)
        client = httpx.Client(base_url=server, timeout=30)
        clients.append(client)
        r = client.post("/login", data={"username": username, "password": PASSWORD})
        assert r.status_code == 303, r.text
        carry_csrf(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """clock("2026-12-05T17:30:00+00:00"): the moment the app takes as now (it reads Vietnam's
    date from it, `app.vn.today`), in this process, where the test server runs too."""
    from datetime import datetime

    from app.vn import zone

    def set_now(moment: str) -> None:
        at = datetime.fromisoformat(moment)
        assert at.tzinfo is not None, "give the moment with its offset"
        monkeypatch.setattr(zone, "now", lambda: at)

    return set_now
