"""The request-scoped session that owns the transaction: a unit of work (`session_scope`), the
FastAPI dependency that ends it as the request's answer says (`get_session`), and a try whose
refusal a page answers itself (`attempt`). Writers on SQLite take their turn at the writers'
gate (app.db.gate), a request late, at its first write. Writes beside a request's own
transaction are in app.db.side_writes."""

from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.db.engine import get_engine


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
