"""The engine: SQLite with WAL, foreign keys, a busy timeout and the writers' gate wired into
its transactions (app.db.gate); PostgreSQL through psycopg 3, its idle connections pinged
before use. `get_engine` is the application's, from the settings."""

import time
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import create_engine

from app.config import get_settings
from app.db.gate import LATE, enter, leave, needs_lock, take_turn, write_gate


def normalize_url(url: str) -> str:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would otherwise pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, busy_timeout_ms: int = 15_000, queue_timeout_ms: int | None = None,
                **kw: object) -> Engine:
    """An engine for `url`. SQLite: a writer waits up to `queue_timeout_ms` for its turn at
    the writers' gate (by default as long as the busy timeout), then up to `busy_timeout_ms`
    for a writer that did not queue (another program). PostgreSQL: a statement waits up to
    `busy_timeout_ms` for a lock (`lock_timeout`)."""
    # Errors must not carry the statement's values into the logs: they may be a petitioner's
    # name or a password hash.
    kw.setdefault("hide_parameters", True)
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kw)
        _configure_sqlite(engine, busy_timeout_ms,
                          busy_timeout_ms if queue_timeout_ms is None else queue_timeout_ms)
        return engine
    # A writer waits for another's lock (the audit chain's, a row's) at most the same budget
    # as on SQLite, then fails as a busy database does (503 with Retry-After), instead of
    # waiting as long as the other holds on: a long import held every clerk's write for minutes.
    # No JIT compilation: a report's one statement over the sums reads a few thousand rows in
    # milliseconds, but its many parts add up to a cost above PostgreSQL's jit_above_cost, and
    # compiling them took 300 ms of the country's 333 (bench/README.md, "A province's own sums").
    # Set on each new connection, so that options of the URL's own (a search_path) are kept.
    engine = create_engine(url, **kw)

    @event.listens_for(engine, "connect")
    def _per_connection(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {int(busy_timeout_ms)}")
            cur.execute("SET jit = off")
        dbapi_conn.commit()

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


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, queue_timeout_ms: int) -> None:
    path = make_url(engine.url).database
    gate = write_gate(path if path and path != ":memory:" else None)
    wait = queue_timeout_ms / 1000

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
        # A writer asks for IMMEDIATE: it waits its turn at the gate, then takes the write lock
        # up front, instead of failing when it upgrades from reading. A LATE writer begins as
        # a reader and does both at its first write (take_turn).
        mode = conn.get_execution_options().get("sqlite_begin", "")
        dbapi_conn = conn.connection.dbapi_connection
        conn.info.pop(LATE, None)
        if mode == "IMMEDIATE":
            enter(gate, dbapi_conn, conn.get_execution_options().get("gate_wait", wait))
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                leave(dbapi_conn)
                raise
            return
        conn.exec_driver_sql("BEGIN")
        if mode == "LATE":
            # The gate, how long to wait for it, the savepoints opened before the first write.
            conn.info[LATE] = (gate, wait, [])

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(conn, cursor, statement, _params, context, _many):  # type: ignore[no-untyped-def]
        if LATE not in conn.info:
            return
        if needs_lock(statement, context):
            take_turn(conn)
            return
        # The savepoints opened before the first write, to open again if it begins again
        # (the savepoint event is told no name: SQLAlchemy names it later).
        words = statement.split()
        opened = conn.info[LATE][2]
        if len(words) == 2 and words[0].upper() == "SAVEPOINT":
            opened.append(words[1])
        elif len(words) >= 3 and words[-2].upper() == "SAVEPOINT" and words[-1] in opened:
            del opened[opened.index(words[-1]):]  # RELEASE or ROLLBACK TO

    # The gate is left once the transaction has ended in the database: after the driver's
    # COMMIT or ROLLBACK (a connection returned to the pool is rolled back the same way).
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_conn):  # type: ignore[no-untyped-def]
        try:
            commit(dbapi_conn)
        finally:
            leave(dbapi_conn)

    def do_rollback(dbapi_conn):  # type: ignore[no-untyped-def]
        try:
            rollback(dbapi_conn)
        finally:
            leave(dbapi_conn)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):  # type: ignore[no-untyped-def]
        conn.info.pop(LATE, None)

    @event.listens_for(engine, "close")
    @event.listens_for(engine, "invalidate")
    def _on_close(dbapi_conn, _record, *_):  # type: ignore[no-untyped-def]
        leave(dbapi_conn)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
