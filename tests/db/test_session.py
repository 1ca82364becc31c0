"""The engine's pool on PostgreSQL: a connection is pinged before use only after sitting idle,
and one the server dropped meanwhile is replaced without the request noticing."""

import pytest
from sqlalchemy import text

from app.db import engine as db_engine
from app.db.engine import make_engine
from tests.conftest import TEST_URL

pytestmark = pytest.mark.skipif(not TEST_URL.startswith("postgresql"),
                                reason="SQLite has no connections to lose")


def _backend(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _pings(engine, monkeypatch) -> list[int]:
    calls: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_conn):
        calls.append(1)
        return real(dbapi_conn)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return calls


def test_a_connection_in_steady_use_is_not_pinged(monkeypatch):
    engine = make_engine(TEST_URL, pool_size=1, max_overflow=0)
    try:
        pings = _pings(engine, monkeypatch)
        first = _backend(engine)
        assert [_backend(engine) for _ in range(5)] == [first] * 5
        assert pings == []
    finally:
        engine.dispose()


def test_an_idle_connection_dropped_by_the_server_is_replaced(monkeypatch):
    engine = make_engine(TEST_URL, pool_size=1, max_overflow=0)
    other = make_engine(TEST_URL)
    try:
        pings = _pings(engine, monkeypatch)
        first = _backend(engine)
        with other.connect() as conn:  # the server ends that session (a restart, a timeout)
            assert conn.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": first}).scalar()
            conn.commit()
        monkeypatch.setattr(db_engine, "PING_IDLE_SECONDS", 0.0)  # it has now sat idle long
        second = _backend(engine)
        assert second != first and pings == [1]
        assert _backend(engine) == second  # the new one is kept
    finally:
        engine.dispose()
        other.dispose()


def test_without_the_ping_a_dropped_connection_fails_once_then_the_pool_recovers(monkeypatch):
    """What the idle rule gives up: a connection dropped while in steady use fails the request
    that gets it (as a request in flight would), and the pool replaces it for the next."""
    from sqlalchemy.exc import OperationalError

    engine = make_engine(TEST_URL, pool_size=1, max_overflow=0)
    other = make_engine(TEST_URL)
    try:
        first = _backend(engine)
        with other.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": first})
            conn.commit()
        with pytest.raises(OperationalError):
            _backend(engine)
        assert _backend(engine) != first
    finally:
        engine.dispose()
        other.dispose()


def test_a_writer_waits_for_a_lock_at_most_the_budget_and_the_urls_options_are_kept():
    """lock_timeout is the busy budget on every connection, set beside what the database URL
    itself asks of the connection (its `options`, a search_path here), not in their place."""
    sep = "&" if "?" in TEST_URL else "?"
    engine = make_engine(f"{TEST_URL}{sep}options=-csearch_path%3Dpg_catalog%2Cpublic",
                         busy_timeout_ms=1234)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar() == "1234ms"
            assert conn.execute(text("SHOW search_path")).scalar().replace(" ", "") == "pg_catalog,public"
            # and no JIT compilation: it cost a report 300 ms to save none (engine.py)
            assert conn.execute(text("SHOW jit")).scalar() == "off"
    finally:
        engine.dispose()
