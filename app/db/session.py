"""The engine (SQLite with WAL, foreign keys and a busy timeout; PostgreSQL through psycopg 3)
and the request-scoped session that owns the transaction.

Writers on SQLite take turns at a gate (`WriteGate`) before SQLite's own write lock: in the
order they came within a process (a queue; a waiter sleeps until its turn is handed to it) and
across processes by an exclusive `flock` on a file beside the database (a waiter sleeps in the
kernel). SQLite's busy handler, which polls and lets a late comer overtake, then never has to
arbitrate between our writers. A writer waits at most its budget, the busy timeout, in all:
then its transaction fails as a busy database's does (the API answers 503 with Retry-After).
The gate is held until the transaction's COMMIT or ROLLBACK.

A request takes it late: its transaction begins as a reader, and takes the gate and the write
lock at its first write (a flush, an INSERT/UPDATE/DELETE, a SELECT ... FOR UPDATE, or
`writing(session)`, which the record services call before their checks), so that signing in,
reading the body and building the record hold no lock. See `writing` for what a late writer
reads before and after it takes the lock."""

import logging
import os
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool
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


def make_engine(url: str, *, busy_timeout_ms: int = 15_000, queue_timeout_ms: int | None = None,
                **kw: object) -> Engine:
    """An engine for `url`. SQLite: a writer waits up to `queue_timeout_ms` for its turn at
    the writers' gate (by default as long as the busy timeout), then up to `busy_timeout_ms`
    for a writer that did not queue (another program)."""
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
        # a reader and does both at its first write (_take_turn).
        mode = conn.get_execution_options().get("sqlite_begin", "")
        dbapi_conn = conn.connection.dbapi_connection
        conn.info.pop(_LATE, None)
        if mode == "IMMEDIATE":
            _enter(gate, dbapi_conn, conn.get_execution_options().get("gate_wait", wait))
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _leave(dbapi_conn)
                raise
            return
        conn.exec_driver_sql("BEGIN")
        if mode == "LATE":
            # The gate, how long to wait for it, the savepoints opened before the first write.
            conn.info[_LATE] = (gate, wait, [])

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(conn, cursor, statement, _params, context, _many):  # type: ignore[no-untyped-def]
        if _LATE not in conn.info:
            return
        if _writes(statement, context):
            _take_turn(conn)
            return
        # The savepoints opened before the first write, to open again if it begins again
        # (the savepoint event is told no name: SQLAlchemy names it later).
        words = statement.split()
        opened = conn.info[_LATE][2]
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
            _leave(dbapi_conn)

    def do_rollback(dbapi_conn):  # type: ignore[no-untyped-def]
        try:
            rollback(dbapi_conn)
        finally:
            _leave(dbapi_conn)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn):  # type: ignore[no-untyped-def]
        conn.info.pop(_LATE, None)

    @event.listens_for(engine, "close")
    @event.listens_for(engine, "invalidate")
    def _on_close(dbapi_conn, _record, *_):  # type: ignore[no-untyped-def]
        _leave(dbapi_conn)


# -- the writers' gate --------------------------------------------------------------------------

_LATE = "dvk.late_writer"
SQLITE_BUSY_SNAPSHOT = 517


class WriteGate:
    """One writer at a time on one SQLite database, in the order they came, each waiting at most
    its budget (the busy timeout) in all.

    Within a process: a queue; the writer leaving hands the turn to the first in line, so
    nobody overtakes and nobody polls. Across processes: an exclusive `flock` on
    `<database>.writers`, taken by the process's writer whose turn it is. A blocking flock
    cannot be given a time limit, so a thread of the gate's own (`_Claim`) sleeps in the kernel
    for it while the writer waits on an event with its time left: a writer whose time is up
    leaves, and the flock, when it comes, goes to the next writer in turn, or is let go at once
    if nobody wants it any more. A process that dies lets go of it. It is released by
    whichever thread ends the transaction (a request may end its transaction in another thread
    of the pool than the one that began it)."""

    def __init__(self, path: str | None) -> None:
        self.path = f"{path}.writers" if path else None
        self._mutex = threading.Lock()
        self._busy = False
        self._line: deque[threading.Event] = deque()
        self._file: tuple[int, int] | None = None  # (pid, fd): one open file per process
        self._claim: _Claim | None = None  # the kernel wait for the flock under way, if any

    def acquire(self, timeout: float) -> bool:
        """Wait for the turn, at most `timeout` seconds in all (this process's line, then the
        other processes' writers); False if the time ran out."""
        deadline = time.monotonic() + timeout
        with self._mutex:
            if not self._busy:
                self._busy, turn = True, None
            else:
                turn = threading.Event()
                self._line.append(turn)
        if turn is not None and not turn.wait(timeout):
            with self._mutex:
                if not turn.is_set():  # still in line: leave it
                    self._line.remove(turn)
                    return False
        try:
            if self._lock_file(deadline):
                return True
        except BaseException:
            self._hand_on()
            raise
        self._hand_on()
        return False

    def release(self) -> None:
        try:
            self._unlock_file()
        finally:
            self._hand_on()

    def _hand_on(self) -> None:
        with self._mutex:
            if self._line:
                self._line.popleft().set()  # still busy: the turn passes to the first in line
            else:
                self._busy = False

    def _fd(self) -> int | None:
        if self.path is None:
            return None
        if self._file is None or self._file[0] != os.getpid():  # none yet, or a forked copy's
            self._file = (os.getpid(), os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644))
            self._claim = None  # a forked copy's: its thread is not in this process
        return self._file[1]

    def _lock_file(self, deadline: float) -> bool:
        """Take the flock by `deadline` (time.monotonic()); only the writer whose turn it is in
        this process calls it."""
        import fcntl

        fd = self._fd()
        if fd is None:
            return True
        with self._mutex:
            claim = self._claim
            if claim is None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    claim = self._claim = _Claim(self, fd)
            claim.wanted = True
        if claim.taken.wait(max(0.0, deadline - time.monotonic())):
            return claim.result()
        with self._mutex:
            if claim.taken.is_set():  # came just now
                return claim.result()
            claim.wanted = False  # let go as soon as it comes, unless a next writer wants it
        return False

    def _unlock_file(self) -> None:
        import fcntl

        if self._file is not None and self._file[0] == os.getpid():
            fcntl.flock(self._file[1], fcntl.LOCK_UN)


class _Claim:
    """A blocking flock, asleep in the kernel in a thread of its own, for the writers of a
    process one after the other: `taken` is set when it is held for the writer who `wanted` it
    then; if none did (they gave up), it is let go at once. One at a time per gate."""

    def __init__(self, gate: WriteGate, fd: int) -> None:
        self.gate, self.fd = gate, fd
        self.wanted = True
        self.taken = threading.Event()
        self.error: OSError | None = None
        threading.Thread(target=self._wait, name="writers-flock", daemon=True).start()

    def _wait(self) -> None:
        import fcntl

        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except OSError as exc:  # the file closed under it: the writer's turn fails
            self.error = exc
        with self.gate._mutex:
            self.gate._claim = None
            if self.wanted or self.error is not None:
                self.taken.set()
            else:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def result(self) -> bool:
        if self.error is not None:
            raise self.error
        return True


_gates: dict[str | None, WriteGate] = {}
_gates_lock = threading.Lock()
# The gate each connection holds, by the driver connection's id; a connection is used by one
# thread at a time, but may be left by another thread than the one that entered.
_held: dict[int, WriteGate] = {}


def write_gate(path: str | None) -> WriteGate:
    """The gate of the SQLite database at `path` (one per database and process; an in-memory
    database (None) has one of its own per process)."""
    key = os.path.abspath(path) if path else None
    with _gates_lock:
        if key not in _gates:
            _gates[key] = WriteGate(key)
        return _gates[key]


def _enter(gate: WriteGate, dbapi_conn: object, wait: float) -> None:
    if id(dbapi_conn) in _held:
        return
    if not gate.acquire(wait):
        raise OperationalError("BEGIN IMMEDIATE", None,
                               sqlite3.OperationalError("database is locked (writers' queue)"))
    _held[id(dbapi_conn)] = gate


def _leave(dbapi_conn: object) -> None:
    # The dialect's do_commit/do_rollback are given the pool's proxy of the connection.
    dbapi_conn = getattr(dbapi_conn, "dbapi_connection", dbapi_conn)
    gate = _held.pop(id(dbapi_conn), None)
    if gate is not None:
        gate.release()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _writes(statement: str, context: object) -> bool:
    """Whether a statement needs the write lock: it changes data, or it locks rows (FOR
    UPDATE, which SQLite's SQL does not show: its reads are then taken under the lock too)."""
    compiled = getattr(context, "compiled", None)
    if compiled is not None and getattr(compiled.statement, "_for_update_arg", None) is not None:
        return True
    return statement.lstrip()[:7].upper().startswith(_WRITES)


def _take_turn(conn: object) -> None:
    """A late writer's first write: its turn at the gate, then SQLite's write lock. If nobody
    committed since its snapshot began, the transaction becomes a writer as it is (what it read
    stays true); otherwise SQLite refuses that (SQLITE_BUSY_SNAPSHOT) and the transaction is
    begun again, IMMEDIATE, with its savepoints: nothing had been written, and what comes next
    reads the newest data."""
    gate, wait, opened = conn.info.pop(_LATE)  # type: ignore[attr-defined]
    dbapi_conn = conn.connection.dbapi_connection  # type: ignore[attr-defined]
    _enter(gate, dbapi_conn, wait)
    cur = dbapi_conn.cursor()
    try:
        table = cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                            "AND name NOT LIKE 'sqlite%' LIMIT 1").fetchone()
        try:
            if table is None:
                raise sqlite3.OperationalError("no table to take the lock with")
            cur.execute(f'DELETE FROM "{table[0]}" WHERE 0')  # writes nothing; takes the lock
        except sqlite3.OperationalError as exc:
            if table is not None and getattr(exc, "sqlite_errorcode", None) != SQLITE_BUSY_SNAPSHOT:
                raise
            cur.execute("ROLLBACK")
            cur.execute("BEGIN IMMEDIATE")
            for name in opened:
                cur.execute(f"SAVEPOINT {name}")
    except BaseException:
        _leave(dbapi_conn)
        raise
    finally:
        cur.close()


def writing(session: Session) -> None:
    """Take the write lock now, if the session's transaction takes it late (a request on
    SQLite) and has not yet: before checks whose answer must still hold when the write is
    committed (a record's rules, an approved period, the audit chain's last link).

    What a late writer reads before this stays as it was read: the caller's sign-in, its
    token, an Idempotency-Key looked up without a key... If another writer committed since,
    those reads came from an older snapshot than the writes, as with PostgreSQL's READ
    COMMITTED, which the services are written for: a stored record changed meanwhile is
    refused by its version (UPDATE ... WHERE version = the one read: 412), a uniqueness by its
    index (409), and the record services call this before their checks, so their checks and
    their writes see one state. Elsewhere (PostgreSQL, an eager writer, a reader) it does
    nothing."""
    conn = session.connection()
    if _LATE in conn.info:
        _take_turn(conn)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)


def session_scope(engine: Engine, *, write: bool = False, late: bool = False,
                  kept: Callable[[], bool] = lambda: True) -> Iterator[Session]:
    """A unit of work: commit if the block succeeds and `kept()` says so, roll back if it
    raises or `kept()` says no (a request answered 400 or more), unless `settle` ended it
    already. A writer (`write`) waits its turn at the gate and begins IMMEDIATE (SQLite) at
    its first statement: one that waits first (a password's hash, slow on purpose) holds no
    lock meanwhile. A late writer (`late`, the requests) begins as a reader and does both at
    its first write (`writing`)."""
    bind = (_late_writer(engine) if late else _writer(engine)) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.info.pop(_BEFORE_COMMIT, None)
            session.rollback()
            raise
        if not session.info.get(_SETTLED):
            settle(session, kept())


def settle(session: Session, kept: bool) -> None:
    """End the unit of work now: commit (what `before_commit` deferred first) or roll back.
    The owner's own end then does nothing: a request whose handler has its answer ends its
    transaction there, in the handler's thread, instead of after a trip through the event
    loop with the write lock held (app.deps.Route)."""
    session.info[_SETTLED] = True
    deferred = session.info.pop(_BEFORE_COMMIT, [])
    if not kept:
        session.rollback()
        return
    try:
        for step in deferred:
            step(session)
    except BaseException:
        session.rollback()
        raise
    session.commit()


def before_commit(session: Session, step: Callable[[Session], None]) -> None:
    """A write done just before the unit of work commits, and not at all if it does not (a
    token's last use, noted by a writing request): it then takes no write lock early."""
    session.info.setdefault(_BEFORE_COMMIT, []).append(step)


_SETTLED = "dvk.settled"
_BEFORE_COMMIT = "dvk.before_commit"


@lru_cache
def _writer(engine: Engine) -> Engine:
    """`engine`, its transactions begun IMMEDIATE: a writer waits its turn at the gate, takes
    the write lock up front, instead of failing when it upgrades from reading."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


@lru_cache
def _late_writer(engine: Engine) -> Engine:
    """`engine`, its transactions begun as readers that take their turn at their first write."""
    return engine.execution_options(sqlite_begin="LATE")


# Where a request's answer status is noted for its session (app.deps.Route notes it), and the
# request's session itself (for Route to end it as soon as the handler has its answer).
ANSWER = "dvk.answer_status"
SESSION = "dvk.session"


def note_answer(request: Request, status: int) -> None:
    request.scope[ANSWER] = status


async def get_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: one transaction per request, which the request's answer decides:
    committed before a success goes out, rolled back for an answer of 400 or more (or an
    error), so no handler commits or rolls back. (It is declared with scope="function" in
    app.deps, whose Route notes the answer before this ends, or settles the transaction in
    the handler's thread as soon as the handler has its answer.) A writing request takes the
    write lock at its first write (`writing`). What must outlast a refused request goes
    through a side write (below).

    Async, so that a request makes no trip through the thread pool for it: making the session
    touches no database (its transaction begins at its first statement, in the thread that
    makes it), and a transaction the handler settled has nothing left to end but the session
    itself. A transaction still open (a handler that answered with data, an error) is ended
    in the thread pool, as a blocking call."""
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    unit = session_scope(get_engine(), write=write, late=True,
                         kept=lambda: request.scope.get(ANSWER, 200) < 400)
    session = next(unit)
    request.scope[SESSION] = session
    try:
        yield session
    except BaseException as exc:
        request.scope.pop(SESSION, None)
        await run_in_threadpool(_end_raising, unit, exc)
        raise
    request.scope.pop(SESSION, None)
    if session.info.get(_SETTLED) and not session.in_transaction():
        next(unit, None)  # closes the session: no statement, its connection already returned
    else:
        await run_in_threadpool(next, unit, None)


def _end_raising(unit: Generator[Session, None, None], exc: BaseException) -> None:
    """Hand the request's error to its unit of work, which rolls back and raises it again."""
    try:
        unit.throw(exc)
    except BaseException as again:
        if again is not exc:
            raise


def settle_request(scope: dict[str, object], status: int) -> None:
    """The handler has its answer: note it and end the request's transaction as it says."""
    scope[ANSWER] = status
    session = scope.get(SESSION)
    if isinstance(session, Session) and not session.info.get(_SETTLED):
        settle(session, status < 400)


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
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    try:
        side.connection(execution_options={"sqlite_begin": "IMMEDIATE", "gate_wait": 0.5})
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
