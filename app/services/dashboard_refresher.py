"""The dashboards' refresher: stale figures handed over by a request are claimed and
recomputed here, in a process of the server process's own, so that no request waits for them
(dashboards.py)."""

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from app.services.dashboard_cache import claim, compute_and_store, mark

log = logging.getLogger(__name__)

# The computations run in a process of this server process's own, started on first need: in a
# thread they held the GIL for tens of milliseconds at a time, which every request of the
# process then waited for (bench/README.md). It keeps nothing: it reads the database, stores
# the figures through side_write, and a claim (in the database) says who computes.
_pool: ProcessPoolExecutor | None = None
_pool_pid = 0
_pending: set[tuple[str, int, str]] = set()  # (database, unit, day) submitted, not yet done
_lock = threading.Lock()


def start_refresh(engine: Any, unit_id: int, today: date, seen: datetime) -> None:
    """Hand stale figures (stored at `seen`) to this process's refresher, once: it claims them
    and, if no other process's refresher was first, computes and stores them."""
    url = engine.url.render_as_string(hide_password=False)
    key = (url, unit_id, today.isoformat())
    if engine.url.get_backend_name() == "sqlite" and engine.url.database in (None, "", ":memory:"):
        # A database in this process's memory: no other process can read it.
        threading.Thread(target=refresh, args=(engine, unit_id, today, seen), daemon=True).start()
        return
    with _lock:
        if key in _pending:  # already queued: that computation stores fresh figures
            return
        _pending.add(key)
    try:
        future = _refresher().submit(_refresh_in_child, url, unit_id, today, seen)
    except Exception:  # noqa: BLE001 - no process (a broken pool): a thread, as before
        log.exception("dashboard refresher process unavailable; computing in a thread")
        _reset_pool()
        with _lock:
            _pending.discard(key)
        threading.Thread(target=refresh, args=(engine, unit_id, today, seen), daemon=True).start()
        return
    future.add_done_callback(lambda f: _done(key, f))


def _done(key: tuple[str, int, str], future: Any) -> None:
    with _lock:
        _pending.discard(key)
    if future.exception() is not None:  # the process died: the next claim starts another
        log.error("dashboard refresh of unit %s failed: %r", key[1], future.exception())
        _reset_pool()


def _refresher() -> ProcessPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():  # none yet, or a forked copy's
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_follow_parent, initargs=(os.getpid(),))
            _pool_pid = os.getpid()
        return _pool


def _reset_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _follow_parent(parent: int) -> None:
    """In the refresher process: give way to the processes that answer requests when the cores
    are busy (a screen may show figures a little later, a request is not kept waiting), and end
    with the server process that started it, however that ends."""
    try:
        os.nice(10)
    except (AttributeError, OSError):  # not on this system: at the server's priority
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def _refresh_in_child(url: str, unit_id: int, today: date, seen: datetime) -> None:
    """In the refresher process: `refresh` with an engine of its own for this database."""
    refresh(_child_engine(url), unit_id, today, seen)


@lru_cache
def _child_engine(url: str) -> Any:
    from app.db.engine import make_engine

    return make_engine(url)


def refresh(engine: Any, unit_id: int, today: date, seen: datetime) -> None:
    """The background half of `live`: claim the figures stored at `seen`, then recompute them
    in a session of its own (nothing, if another refresher claimed them first)."""
    try:
        with Session(engine, expire_on_commit=False) as session:
            if not claim(session, unit_id, today, seen):
                return
            compute_and_store(session, unit_id, today, mark(session, unit_id))
            session.rollback()  # it only read; the figures went in through side_write
    except Exception:  # noqa: BLE001 - a failed refresh is retried by the next claim
        log.exception("dashboard refresh of unit %s failed", unit_id)

