"""The engine (SQLite with WAL, foreign keys and a busy timeout; PostgreSQL through psycopg 3)
and the request-scoped session that owns the transaction."""

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine
from starlette.requests import Request

from app.config import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def normalize_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would otherwise pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, busy_timeout_ms: int = 15_000, **kw: object) -> Engine:
    # Errors must not carry the statement's values into the logs: they may be a petitioner's
    # name or a password hash.
    kw.setdefault("hide_parameters", True)
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kw)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    engine = create_engine(url, **kw)
    _ping_when_idle(engine)
    return engine


# A pooled connection is checked before use only when it has sat unused for this long: one
# in steady use has just answered. (pool_pre_ping checked every connection at every checkout,
# an extra round trip that cost 0.4 ms of a 304's 4.7: bench/README.md.) A connection that
# breaks while in steady use (the database restarted) fails its request, as one in flight
# does either way, and the pool then replaces every connection made before that moment.
PING_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn, record):  # type: ignore[no-untyped-def]
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn, record, _proxy):  # type: ignore[no-untyped-def]
        returned = record.info.get("returned_at")  # None: made just now for this checkout
        if returned is None or time.monotonic() - returned < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the pool retries with a new connection
            raise DisconnectionError(f"idle connection is gone: {exc}") from exc


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # pysqlite's own transaction handling would defer BEGIN and let a reader upgrade to a
        # writer mid-transaction (SQLITE_BUSY with no retry); we issue BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # A writing request asks for IMMEDIATE: it takes the write lock up front and waits
        # its turn (busy_timeout) instead of failing when it upgrades from reading.
        mode = conn.get_execution_options().get("sqlite_begin", "")
        conn.exec_driver_sql(f"BEGIN {mode}".strip())


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def session_scope(engine: Engine, *, write: bool = False,
                  kept: Callable[[], bool] = lambda: True) -> Iterator[Session]:
    """A unit of work: commit if the block succeeds and `kept()` says so, roll back if it
    raises or `kept()` says no (a request answered 400 or more)."""
    # A writer begins IMMEDIATE (SQLite), at its first statement: one that waits first (a
    # password's hash, slow on purpose) holds no lock meanwhile.
    with Session(_writer(engine) if write else engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        if kept():
            session.commit()
        else:
            session.rollback()


@lru_cache
def _writer(engine: Engine) -> Engine:
    """`engine`, its transactions begun IMMEDIATE: a writer takes the write lock up front and
    waits its turn (busy_timeout) instead of failing when it upgrades from reading."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


# Where a request's answer status is noted for its session (app.deps.Route notes it).
ANSWER = "dvk.answer_status"


def note_answer(request: Request, status: int) -> None:
    request.scope[ANSWER] = status


def get_session(request: Request) -> Iterator[Session]:
    """FastAPI dependency: one transaction per request, which the request's answer decides:
    committed before a success goes out, rolled back for an answer of 400 or more (or an
    error), so no handler commits or rolls back. (It is declared with scope="function" in
    app.deps, whose Route notes the answer before this ends.) What must outlast a refused
    request goes through a side write (below)."""
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    yield from session_scope(get_engine(), write=write,
                             kept=lambda: request.scope.get(ANSWER, 200) < 400)


@contextmanager
def attempt(session: Session) -> Iterator[None]:
    """A write whose refusal the handler answers itself (a page shows the form again with the
    reasons): if it raises, it alone is undone (a savepoint), so the page shown reads the data
    as they were before the try, and a failed flush leaves the session usable. The request's
    transaction then ends as its answer says (an answer of 400 or more: rolled back)."""
    with session.begin_nested():
        yield


def side_write(session: Session, write: Callable[[Session], None]) -> bool:
    """A small write in a transaction of its own, beside a reading request's: a shared cache or
    a last-seen stamp that a GET keeps current. (A GET's own transaction only reads: on SQLite
    it could not become a writer safely.) Losing one such write to a busy database costs
    nothing, so it is given up rather than waited for; returns whether it was saved."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    with Session(_side_engine(engine.url.render_as_string(hide_password=False)),
                 expire_on_commit=False) as side:
        return _side(side, write)


def lasting_write(session: Session, write: Callable[[Session], T]) -> T:
    """A write that must outlast its request whatever the answer (a sign-in attempt counted
    before its password is checked, a failed attempt's audit entry): a transaction of its own,
    committed at once, on the request's engine. Unlike `side_write` it waits its turn and is
    never given up: a count lost to a busy database would let guessing go uncounted. Called
    before the request's own transaction has begun, so that neither waits for the other (on
    SQLite both would want the write lock). Returns what `write` returns."""
    if session.in_transaction():
        raise RuntimeError("a lasting write must come before the request's own transaction")
    bind = session.get_bind()
    with contextmanager(session_scope)(getattr(bind, "engine", bind), write=True) as own:
        return write(own)


def side_write_soon(session: Session, write: Callable[[Session], None]) -> None:
    """`side_write`, done a moment later by a thread of this process's own instead of in the
    request: for a write no answer depends on (a screen's last-seen stamp), so that the request
    neither waits for the write lock (SQLite) nor for a commit of its own (PostgreSQL). Dropped
    when too many are waiting, as a busy database would drop it."""
    bind = session.get_bind()
    url = getattr(bind, "engine", bind).url.render_as_string(hide_password=False)
    try:
        _soon_queue().put_nowait((url, write))
    except queue.Full:
        log.warning("side write dropped: %s waiting", SOON_MAX)


SOON_MAX = 1000
_soon: tuple[int, "queue.Queue[tuple[str, Callable[[Session], None]]]"] | None = None
_soon_lock = threading.Lock()


def _soon_queue() -> "queue.Queue[tuple[str, Callable[[Session], None]]]":
    global _soon
    with _soon_lock:
        if _soon is None or _soon[0] != os.getpid():  # none yet, or a forked copy's
            waiting: queue.Queue[tuple[str, Callable[[Session], None]]] = queue.Queue(SOON_MAX)
            threading.Thread(target=_write_soon, args=(waiting,), name="side-writes",
                             daemon=True).start()
            _soon = (os.getpid(), waiting)
        return _soon[1]


def _write_soon(waiting: "queue.Queue[tuple[str, Callable[[Session], None]]]") -> None:
    while True:
        url, write = waiting.get()
        try:
            with Session(_side_engine(url), expire_on_commit=False) as side:
                _side(side, write)
        except Exception:  # noqa: BLE001 - a lost stamp costs nothing; the thread goes on
            log.exception("side write failed")
        finally:
            waiting.task_done()


def _side(side: Session, write: Callable[[Session], None]) -> bool:
    """One side write in `side`: True if saved, False if given up (no connection free within
    the side pool's second, or the database busy). The connection is taken here, not when
    the Session is made."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    try:
        side.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        write(side)
        side.commit()
        return True
    except PoolTimeout:
        return False
    except OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return False
        raise


@lru_cache
def _side_engine(url: str) -> Engine:
    """The connections side writes use, apart from the requests' pool: a request that holds
    one of those and waits for another would, fifteen at once, wait for each other until the
    pool's timeout. These are few and given up quickly (the write is only a cache or a stamp)."""
    return make_engine(url, busy_timeout_ms=2_000, pool_size=2, max_overflow=2, pool_timeout=1)
