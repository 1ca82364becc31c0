"""A writer waiting for another process's writer (the flock beside an SQLite database) waits at
most its budget, the busy timeout, then gets the usual "database busy" answer instead of hanging
for as long as the other process holds on; and once the other lets go, writing goes on as
before. With real processes: one holds the gate, the other writes (through the services, and
through a served app over HTTP)."""

import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.db.contributions import Contribution
from app.enums import Role
from app.services import auth
from tests.conftest import TEST_URL
from tests.factories import PASSWORD, make_tree

sqlite_only = pytest.mark.skipif(not TEST_URL.startswith("sqlite"),
                                 reason="the writers' flock is SQLite's")
postgresql_only = pytest.mark.skipif(not TEST_URL.startswith("postgresql"),
                                     reason="PostgreSQL's lock_timeout")
ROOT = Path(__file__).resolve().parents[2]
BUDGET_MS = 1_000  # the busy timeout of the waiting side: short, so the test is quick


def _hold_the_gate(path: str, held: Any, let_go: Any) -> None:
    """Another process: a writer of its own holds the gate (and the write lock) until told."""
    from app.db.engine import make_engine
    from app.db.session import session_scope

    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=5_000)
    for session in session_scope(engine, write=True):
        session.execute(text("SELECT 1"))  # an IMMEDIATE writer: the gate, then the lock
        held.set()
        let_go.wait(120)
    engine.dispose()
    # Its own turn again, after the other process gave up and wrote: the flock is free.
    for session in session_scope(engine, write=True):
        session.execute(text("SELECT 1"))
    engine.dispose()


@contextmanager
def _holder(path: str) -> Iterator[Any]:
    ctx = multiprocessing.get_context("spawn")
    held, let_go = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_the_gate, args=(path, held, let_go))
    proc.start()
    try:
        assert held.wait(60), "the other process did not take the gate"
        yield let_go
    finally:
        let_go.set()
        proc.join(60)
    assert proc.exitcode == 0


def _late_write(engine: Any, x: int) -> None:
    from app.db.gate import writing
    from app.db.session import session_scope

    for session in session_scope(engine, write=True, late=True):
        session.execute(text("SELECT count(*) FROM t"))
        writing(session)
        session.execute(text("INSERT INTO t VALUES (:x)"), {"x": x})


@sqlite_only
def test_a_writer_gives_up_on_another_process_after_its_budget(tmp_path: Path):
    from app.db import gate as db_gate
    from app.db.engine import make_engine

    path = tmp_path / "gate.sqlite3"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=BUDGET_MS)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with _holder(str(path)) as let_go:
        failed: list[BaseException] = []

        def write() -> None:
            try:
                _late_write(engine, 1)
            except BaseException as exc:  # noqa: BLE001 - reported to the test
                failed.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(60)  # a guard against hanging, not a measure: the budget is far shorter
        assert not writer.is_alive(), "the writer still waits for the other process"
        assert len(failed) == 1 and isinstance(failed[0], OperationalError)
        assert "writers' queue" in str(failed[0])
        gate = db_gate.write_gate(str(path))
        assert not db_gate._held and not gate._busy  # it left the line, holding nothing
        let_go.set()
        _late_write(engine, 2)  # the other let go: the next writer here gets the flock
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t")).scalars().all() == [2]
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def short_budget_server(engine: Any) -> Iterator[str]:
    """The app in a process of its own whose writers wait at most BUDGET_MS."""
    port = _free_port()
    env = dict(os.environ, DVK_SQLITE_BUSY_TIMEOUT_MS=str(BUDGET_MS))
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # a guard: a loaded machine starts it slowly
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "the server did not start"
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


def _busy_then_written(db: Any, engine: Any, server: str, held_by_another: Any) -> None:
    """A clerk's write while another writer holds on (`held_by_another`, a context) is told the
    database is busy (503, Retry-After) after the budget; once the other lets go, it is saved."""
    with db() as s:
        tree = make_tree(s)
        auth.create_user(s, username="clerk-busy", password=PASSWORD, role=Role.clerk,
                         unit_code="T-HTB")
    body = {"unit_id": tree.ham_tri, "source": "people", "kind": "cash", "amount_vnd": 150_000,
            "date": date.today().isoformat(), "contributor_name": "Hộ ông Ba"}
    with httpx.Client(base_url=server, timeout=60) as client:
        r = client.post("/api/v1/auth/token", data={"username": "clerk-busy", "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        with held_by_another():
            r = client.post("/api/v1/contributions", json=body)
        assert r.status_code == 503, r.text
        assert r.headers["Retry-After"] == "2"
        assert r.json()["detail"] == "Cơ sở dữ liệu đang bận; hãy thử lại sau ít giây."
        r = client.post("/api/v1/contributions", json=body)  # the other let go
        assert r.status_code == 201, r.text
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Contribution)).scalar_one() == 1


@sqlite_only
def test_a_clerk_is_told_the_database_is_busy_while_another_process_writes(
        db, engine, short_budget_server):
    from app.db.gate import WriteGate

    @contextmanager
    def gate_held() -> Iterator[None]:
        # This test's process is the other writer: it holds the gate as a writer of it would.
        other = WriteGate(str(make_url(TEST_URL).database))
        assert other.acquire(5)
        try:
            yield
        finally:
            other.release()

    _busy_then_written(db, engine, short_budget_server, gate_held)


@postgresql_only
def test_on_postgresql_a_clerk_waits_for_a_long_writer_at_most_the_budget(
        db, engine, short_budget_server):
    """A long writer (an import of the whole country holds the audit chain's lock for minutes)
    makes another clerk's write wait at most the budget, then answers 503 busy, as on SQLite;
    once it lets go, the write goes through."""
    from app.services.audit import CHAIN_LOCK

    @contextmanager
    def chain_held() -> Iterator[None]:
        with engine.connect() as other:  # the long writer, in a transaction of its own
            other.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
            yield
            other.rollback()

    _busy_then_written(db, engine, short_budget_server, chain_held)


@postgresql_only
def test_on_postgresql_a_waiting_writer_holds_no_row_of_the_shared_sums(
        db, engine, api, short_budget_server):
    """Every writer adds to the whole tree's sums (the stat rows with no unit). A clerk who
    waits for the writers' turn, while a long import holds it, must wait holding none of those
    rows: the import, adding its own sums at its end, would wait for the clerk, who waits for
    it (a deadlock, or one of them refused after the budget). The turn is taken first."""
    import concurrent.futures

    from app.services.audit import CHAIN_LOCK

    with db() as s:
        tree = make_tree(s)
        auth.create_user(s, username="clerk-turn", password=PASSWORD, role=Role.clerk,
                         unit_code="T-HTB")
    body = {"unit_id": tree.ham_tri, "source": "people", "kind": "cash", "amount_vnd": 150_000,
            "date": date.today().isoformat()}
    assert api.post("/api/v1/contributions", json=body).status_code == 201  # the rows exist
    with httpx.Client(base_url=short_budget_server, timeout=60) as client, \
            concurrent.futures.ThreadPoolExecutor(1) as pool:
        r = client.post("/api/v1/auth/token", data={"username": "clerk-turn", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        with engine.connect() as importer:
            importer.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
            sent = pool.submit(client.post, "/api/v1/contributions", json=body)
            deadline = time.monotonic() + 30
            while not importer.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )).scalar():  # the clerk now waits for the turn
                assert time.monotonic() < deadline and not sent.done(), "the clerk never waited"
                time.sleep(0.05)
            importer.execute(text("SET LOCAL lock_timeout = '200ms'"))
            rows = importer.execute(text(
                "SELECT n FROM stat_contribution WHERE unit_id IS NULL FOR UPDATE")).all()
            assert rows  # had the clerk held them, this would have waited and failed
            importer.rollback()
        assert sent.result().status_code in (201, 503)
