"""A writing unit of work on SQLite takes the write lock at its first statement, not before:
a request that first waits (the sign-in's password hash, slow on purpose) holds no lock
meanwhile, and from its first statement on it holds the lock up front (BEGIN IMMEDIATE)
instead of failing later as a reader turned writer."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.db.session import make_engine, session_scope


def _write_lock_is_free(path: Path) -> bool:
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    path = tmp_path / "lock.sqlite3"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=200)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield path, engine
    engine.dispose()


def test_a_writer_takes_the_write_lock_at_its_first_statement(database):
    path, engine = database
    with contextmanager(session_scope)(engine, write=True) as session:
        assert _write_lock_is_free(path)
        session.execute(text("SELECT 1"))
        assert not _write_lock_is_free(path)
    assert _write_lock_is_free(path)


def test_a_reader_takes_no_write_lock(database):
    path, engine = database
    with contextmanager(session_scope)(engine) as session:
        session.execute(text("SELECT 1"))
        assert _write_lock_is_free(path)
