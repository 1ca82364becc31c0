"""A writing unit of work on SQLite takes the write lock at its first statement, not before:
a request that first waits (the sign-in's password hash, slow on purpose) holds no lock
meanwhile, and from its first statement on it holds the lock up front (BEGIN IMMEDIATE)
instead of failing later as a reader turned writer. A late writer (a request) reads without
the lock and takes it at its first write; writers take turns at a gate, in the order they came,
from threads and from processes alike."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.db.engine import make_engine
from app.db.session import session_scope


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


# -- writers late to the lock, and in turn -------------------------------------------------------

def _late(engine):
    return contextmanager(session_scope)(engine, write=True, late=True)


def _count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM t")).scalar_one())


def test_a_late_writer_reads_without_the_lock_and_takes_it_at_its_first_write(database):
    path, engine = database
    with _late(engine) as session:
        session.execute(text("SELECT count(*) FROM t"))
        assert _write_lock_is_free(path)
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert not _write_lock_is_free(path)
    assert _write_lock_is_free(path) and _count(engine) == 1


def test_writing_takes_the_lock_before_the_checks(database):
    from app.db.gate import writing

    path, engine = database
    with _late(engine) as session:
        session.execute(text("SELECT 1"))
        writing(session)
        assert not _write_lock_is_free(path)


def test_a_late_writer_whose_snapshot_went_stale_begins_again_with_its_savepoints(database):
    """Another writer commits between the late writer's read and its first write: SQLite
    would refuse the upgrade (SQLITE_BUSY_SNAPSHOT); the transaction is begun again, the
    savepoint it was in is still there, and both writes are kept."""
    path, engine = database
    with _late(engine) as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("INSERT INTO t VALUES (7)")
        other.close()
        with session.begin_nested():
            session.execute(text("INSERT INTO t VALUES (8)"))
            assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 2  # newest
        try:
            with session.begin_nested():
                session.execute(text("INSERT INTO t VALUES (9)"))
                raise ValueError("refused")
        except ValueError:
            pass
    with engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT x FROM t")).scalars()) == [7, 8]


def test_a_late_writer_that_only_read_takes_no_turn(database):
    from app.db import gate as db_gate

    path, engine = database
    with _late(engine) as session:
        session.execute(text("SELECT count(*) FROM t"))
    assert not db_gate._held and _write_lock_is_free(path)


def test_writers_are_served_in_the_order_they_came(tmp_path: Path):
    import threading
    import time

    from app.db.gate import WriteGate

    gate = WriteGate(str(tmp_path / "gate.sqlite3"))
    assert gate.acquire(5)
    served: list[int] = []

    def writer(i: int) -> None:
        assert gate.acquire(30)
        served.append(i)
        gate.release()

    threads = []
    for i in range(8):
        threads.append(threading.Thread(target=writer, args=(i,)))
        threads[-1].start()
        deadline = time.monotonic() + 5
        while len(gate._line) < i + 1 and time.monotonic() < deadline:  # in line before the next
            time.sleep(0.001)
    gate.release()
    for t in threads:
        t.join(30)
    assert served == list(range(8))


def test_a_writer_gives_up_its_place_after_its_wait(tmp_path: Path):
    from app.db.gate import WriteGate

    gate = WriteGate(str(tmp_path / "gate.sqlite3"))
    assert gate.acquire(5)
    assert not gate.acquire(0.05)  # timed out: leaves the line
    assert not gate._line
    gate.release()
    assert gate.acquire(0.05)
    gate.release()


def _write_rows(url: str, writer: int, rows: int, start_at: float = 0.0) -> list[str]:
    """`rows` late writes (each reads first, as a request does) from `start_at` (time.time());
    SQLite's busy timeout is 0, so a writer that met another at SQLite's lock would fail at
    once: only the gate keeps them apart. Returns the errors."""
    import time

    from sqlalchemy.exc import OperationalError

    engine = make_engine(url, busy_timeout_ms=0, queue_timeout_ms=60_000)
    errors = []
    time.sleep(max(0.0, start_at - time.time()))
    try:
        for i in range(rows):
            try:
                with _late(engine) as session:
                    session.execute(text("SELECT count(*) FROM t"))
                    session.execute(text("INSERT INTO t VALUES (:x)"), {"x": writer * 1000 + i})
            except OperationalError as exc:
                errors.append(str(exc.orig))
    finally:
        engine.dispose()
    return errors


def test_writers_of_many_threads_all_write(database):
    from concurrent.futures import ThreadPoolExecutor

    path, _ = database
    with ThreadPoolExecutor(8) as pool:
        errors = [e for found in pool.map(lambda w: _write_rows(f"sqlite:///{path}", w, 25),
                                          range(8)) for e in found]
    assert errors == []
    _, engine = database
    assert _count(engine) == 200


def test_writers_of_two_processes_all_write(database):
    """Across processes the gate is a flock beside the database: with SQLite's busy timeout
    at 0, two processes writing at once would fail without it."""
    import multiprocessing
    import time

    path, engine = database
    start_at = time.time() + 3  # both started (spawned, imported) by then: they write at once
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(_write_rows, [(f"sqlite:///{path}", w, 300, start_at)
                                             for w in (1, 2)])
    assert [e for found in results for e in found] == []
    assert _count(engine) == 600
