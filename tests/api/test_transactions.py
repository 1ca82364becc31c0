"""The request's answer decides its transaction: a success is committed before it goes out, an
answer of 400 or more is rolled back, though no handler commits or rolls back. What must outlast
a refused request goes through a side write: a failed sign-in is still counted and audited."""

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI, Response
from fastapi.routing import APIRoute
from sqlalchemy import func, select, update

from app.db.audit import AuditEntry, LoginAttempt
from app.db.session import attempt
from app.deps import Route, SessionDep
from app.main import app
from app.services.errors import Conflict
from tests.api.helpers import assert_problem
from tests.conftest import _free_port


def attempts(engine: Any, name: str) -> list[bool]:
    with engine.connect() as conn:
        return list(conn.execute(select(LoginAttempt.ok).where(LoginAttempt.username == name)
                                 .order_by(LoginAttempt.id)).scalars())


@pytest.fixture(scope="module")
def probe(engine: Any) -> Iterator[httpx.Client]:
    """An app of one route, made as the real ones are, that writes a row (flushed: the
    database has it within the transaction) and answers with the status asked for; served
    like the real one (tests speak HTTP)."""
    router = APIRouter(route_class=Route)

    @router.post("/write/{status}")
    def write(status: int, session: SessionDep, kept: str = "", tried: str = "") -> Response:
        if kept:
            session.add(LoginAttempt(username=kept, ip="probe", ok=False))
            session.flush()
        if tried:
            try:
                with attempt(session):
                    session.add(LoginAttempt(username=tried, ip="probe", ok=False))
                    session.flush()
                    raise Conflict("refused after the flush")
            except Conflict:
                pass  # the page would show the form again here
        return Response(status_code=status)

    probe_app = FastAPI()
    probe_app.include_router(router)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(probe_app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        yield client
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("status", [400, 404, 409, 412, 422, 500])
def test_an_answer_of_400_or_more_after_a_flush_leaves_nothing_stored(probe, engine, status):
    assert probe.post(f"/write/{status}", params={"kept": "x"}).status_code == status
    assert attempts(engine, "x") == []


@pytest.mark.parametrize("status", [200, 201, 204, 303])
def test_a_success_is_committed(probe, engine, status):
    assert probe.post(f"/write/{status}", params={"kept": "x"},
                      follow_redirects=False).status_code == status
    assert attempts(engine, "x") == [False]


def test_a_refused_try_is_undone_alone_and_the_rest_of_a_success_kept(probe, engine):
    assert probe.post("/write/200", params={"kept": "kept", "tried": "tried"}).status_code == 200
    assert attempts(engine, "kept") == [False]
    assert attempts(engine, "tried") == []


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI includes a router lazily
        if included is not None:
            yield from _routes(included.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_route_of_the_api_and_the_pages_lets_its_answer_decide():
    routes = list(_routes(app.routes))
    assert len(routes) > 100  # the API's and the pages'
    assert [r.path for r in routes if not isinstance(r, Route)] == []


def test_a_failed_sign_in_is_counted_and_audited_though_its_answer_is_refused(anon, api, engine):
    r = anon.post("/api/v1/auth/token", data={"username": "admin1", "password": "sai-mat-khau"})
    assert_problem(r, 401)
    assert attempts(engine, "admin1") == [True, False]  # the fixture's sign-in, then this one
    with engine.connect() as conn:
        failed = conn.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.username == "admin1", AuditEntry.action == "login_failed")).scalar_one()
    assert failed == 1


def test_a_failed_sign_in_on_the_page_is_counted_too(anon, api, engine):
    r = anon.post("/login", data={"username": "admin1", "password": "sai-mat-khau"})
    assert r.status_code == 401
    assert attempts(engine, "admin1") == [True, False]


def test_a_locked_out_account_with_its_right_password_is_refused_and_counted(anon, api, db, engine):
    from app.db.users import User
    from app.enums import Role
    from app.services import auth
    from tests.factories import PASSWORD

    with db() as s:
        auth.create_user(s, username="nghi.viec", password=PASSWORD, role=Role.admin)
        s.exec(update(User).where(User.username == "nghi.viec").values(active=False))
    r = anon.post("/api/v1/auth/token", data={"username": "nghi.viec", "password": PASSWORD})
    assert_problem(r, 401)
    assert attempts(engine, "nghi.viec") == [False]
