"""Writes beside a request's own transaction: a side write (a cache, a stamp: given up when the
database is busy), one done soon by a thread of the process's own, and a lasting write (it
outlasts the request whatever the answer, and is never given up)."""

import logging
import os
import queue
import threading
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.db.engine import make_engine
from app.db.session import session_scope

log = logging.getLogger(__name__)
T = TypeVar("T")


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
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    try:
        side.connection(execution_options={"sqlite_begin": "IMMEDIATE", "gate_wait": 0.5})
        write(side)
        side.commit()
        return True
    except PoolTimeout:
        return False
    except OperationalError as exc:
        # SQLite's busy or locked database; PostgreSQL's lock_timeout (55P03).
        if "locked" in str(exc) or "busy" in str(exc) \
                or getattr(exc.orig, "sqlstate", None) == "55P03":
            return False
        raise


@lru_cache
def _side_engine(url: str) -> Engine:
    """The connections side writes use, apart from the requests' pool: a request that holds
    one of those and waits for another would, fifteen at once, wait for each other until the
    pool's timeout. These are few and given up quickly (the write is only a cache or a stamp)."""
    return make_engine(url, busy_timeout_ms=2_000, pool_size=2, max_overflow=2, pool_timeout=1)
