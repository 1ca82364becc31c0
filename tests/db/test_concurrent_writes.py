"""Clerks writing at once, on the test database (an SQLite file, or PostgreSQL): every write is
stored, none is refused because another is writing (no 503), and the audit chain, which each
write extends, stays whole. Through HTTP from many threads, and through the services from two
processes."""

import multiprocessing
import threading
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
from sqlalchemy import func, select

from app.db.audit import AuditEntry
from app.db.contributions import Contribution
from app.enums import Role
from app.services import audit, auth
from tests.conftest import TEST_URL, login
from tests.factories import PASSWORD, make_tree

WRITERS = 16
EACH = 6


def _body(unit: int, i: int) -> dict[str, Any]:
    return {"unit_id": unit, "source": "people", "kind": "cash", "amount_vnd": 100_000 + i,
            "date": date.today().isoformat(), "contributor_name": f"Hộ số {i}"}


def _chain_is_whole(engine: Any) -> int:
    from contextlib import contextmanager

    from app.db.session import session_scope

    with contextmanager(session_scope)(engine) as s:
        checked, broken = audit.verify(s)
    assert broken is None
    return checked


def test_clerks_writing_at_once_through_http_are_all_stored(db, engine, server):
    with db() as s:
        tree = make_tree(s)
        for i in range(4):
            auth.create_user(s, username=f"clerk{i}", password=PASSWORD, role=Role.clerk,
                             unit_code="T-HTB")
    clients = [login(server, f"clerk{i}") for i in range(4)]
    units = [tree.ham_tri, tree.ham_lien, tree.lam_giang, tree.thon_1]
    statuses: list[int] = []
    lock = threading.Lock()
    go = threading.Barrier(WRITERS)

    def writer(w: int) -> None:
        headers = {"Authorization": clients[w % 4].headers["Authorization"]}
        with httpx.Client(base_url=server, headers=headers, timeout=60) as client:
            go.wait()
            for i in range(EACH):
                r = client.post("/api/v1/contributions", json=_body(units[(w + i) % 4], w * 100 + i))
                with lock:
                    statuses.append(r.status_code)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for c in clients:
        c.close()
    assert statuses == [201] * (WRITERS * EACH)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Contribution)).scalar_one() == WRITERS * EACH
        assert conn.execute(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.resource == "contributions")).scalar_one() == WRITERS * EACH
    assert _chain_is_whole(engine) >= WRITERS * EACH


def _write_in_process(url: str, unit: int, rows: int, threads: int, start_at: float) -> list[str]:
    """`threads` threads writing `rows` contributions each through the service, a late unit of
    work each (as a request). On SQLite the busy timeout is 0: only the writers' gate (a
    flock across the processes) keeps them from meeting at SQLite's lock."""
    from contextlib import contextmanager

    from app.db.contributions import ContributionCreate
    from app.db.engine import make_engine
    from app.db.session import session_scope
    from app.services import contributions
    from app.services.actor import SYSTEM

    engine = make_engine(url, busy_timeout_ms=0, queue_timeout_ms=60_000)
    errors: list[str] = []

    def run(t: int) -> None:
        for i in range(rows):
            try:
                with contextmanager(session_scope)(engine, write=True, late=True) as s:
                    contributions.create(s, actor=SYSTEM, data=ContributionCreate.model_validate(
                        _body(unit, t * 1000 + i)))
            except Exception as exc:  # noqa: BLE001 - reported to the test
                errors.append(repr(exc)[:300])

    time.sleep(max(0.0, start_at - time.time()))
    pool = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    engine.dispose()
    return errors


def test_writers_of_two_processes_are_all_stored(db, engine):
    with db() as s:
        tree = make_tree(s)
    start_at = time.time() + 4  # both processes started (spawned, imported) by then
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(_write_in_process, [(TEST_URL, tree.ham_tri, 40, 3, start_at),
                                                   (TEST_URL, tree.lam_giang, 40, 3, start_at)])
    assert [e for found in results for e in found] == []
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Contribution)).scalar_one() == 240
    assert _chain_is_whole(engine) >= 240
