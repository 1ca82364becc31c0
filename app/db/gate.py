"""The writers' gate: on SQLite, writers take turns before SQLite's own write lock, in the order
they came within a process (a queue; a waiter sleeps until its turn is handed to it) and across
processes by an exclusive `flock` on a file beside the database (a waiter sleeps in the kernel).
SQLite's busy handler, which polls and lets a late comer overtake, then never has to arbitrate
between our writers. A writer waits at most its budget, the busy timeout, in all: then its
transaction fails as a busy database's does (the API answers 503 with Retry-After). The gate
is held until the transaction's COMMIT or ROLLBACK (app.db.engine wires it into the engine).

A request takes it late: its transaction begins as a reader, and takes the gate and the write
lock at its first write (a flush, an INSERT/UPDATE/DELETE, a SELECT ... FOR UPDATE, or
`writing(session)`, which the record services call before their checks), so that signing in,
reading the body and building the record hold no lock. See `writing` for what a late writer
reads before and after it takes the lock."""

import os
import sqlite3
import threading
import time
import weakref
from collections import deque
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

LATE = "dvk.late_writer"
# PostgreSQL: the writers' turn, an advisory lock held until the transaction ends (`writing`).
WRITERS_LOCK = 7212019
TAKE_WRITERS_LOCK = f"SELECT pg_advisory_xact_lock({WRITERS_LOCK})"
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


def enter(gate: WriteGate, dbapi_conn: object, wait: float) -> None:
    if id(dbapi_conn) in _held:
        return
    if not gate.acquire(wait):
        raise OperationalError("BEGIN IMMEDIATE", None,
                               sqlite3.OperationalError("database is locked (writers' queue)"))
    _held[id(dbapi_conn)] = gate


def leave(dbapi_conn: object) -> None:
    # The dialect's do_commit/do_rollback are given the pool's proxy of the connection.
    dbapi_conn = getattr(dbapi_conn, "dbapi_connection", dbapi_conn)
    gate = _held.pop(id(dbapi_conn), None)
    if gate is not None:
        gate.release()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def needs_lock(statement: str, context: object) -> bool:
    """Whether a statement needs the write lock: it changes data, or it locks rows (FOR
    UPDATE, which SQLite's SQL does not show: its reads are then taken under the lock too)."""
    compiled = getattr(context, "compiled", None)
    if compiled is not None and getattr(compiled.statement, "_for_update_arg", None) is not None:
        return True
    return statement.lstrip()[:7].upper().startswith(_WRITES)


def take_turn(conn: object) -> None:
    """A late writer's first write: its turn at the gate, then SQLite's write lock. If nobody
    committed since its snapshot began, the transaction becomes a writer as it is (what it read
    stays true); otherwise SQLite refuses that (SQLITE_BUSY_SNAPSHOT) and the transaction is
    begun again, IMMEDIATE, with its savepoints: nothing had been written, and what comes next
    reads the newest data."""
    gate, wait, opened = conn.info.pop(LATE)  # type: ignore[attr-defined]
    dbapi_conn = conn.connection.dbapi_connection  # type: ignore[attr-defined]
    enter(gate, dbapi_conn, wait)
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
        leave(dbapi_conn)
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
    nothing on SQLite.

    On PostgreSQL it takes the writers' turn (`WRITERS_LOCK`, an advisory lock held to the
    transaction's end, which the audit chain's last link also takes), before the write touches
    any row: every writer adds to the whole tree's sums, so a writer holding those rows while
    waiting for the chain's lock, held by a long import waiting for those rows, was a
    deadlock. One turn, taken first, makes the order the same for all."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        _take_pg_turn(conn)
        return
    if LATE in conn.info:
        take_turn(conn)


_PG_TURN = "dvk.pg_turn"


def _take_pg_turn(conn: Any) -> None:
    """The writers' advisory lock, asked of the server once a transaction: a write asked for it
    four or five times (its checks, the sums, the audit chain), a round trip each. Remembered
    only when taken outside any savepoint: one taken inside a savepoint is let go if the
    savepoint is rolled back, so it is asked for again there."""
    root = conn.get_transaction()
    held = conn.info.get(_PG_TURN)
    if root is not None and held is not None and held() is root:
        return
    conn.exec_driver_sql(TAKE_WRITERS_LOCK)
    if root is not None and conn.get_nested_transaction() is None:
        conn.info[_PG_TURN] = weakref.ref(root)
