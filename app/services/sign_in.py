"""Sign-in, the one rule behind the API's token and the sign-in page: every attempt audited,
guessing throttled per (user name, address) with a growing wait.

Why per pair and not per user or per address: a lock per user name let anyone lock the owner
(the admin too) out from anywhere, and a lock per address locked out a whole commune office
behind one public address. Per pair, a guesser slows only himself; the owner at another
address, or a colleague at the same one, still signs in with the right password.

Each attempt is counted *before* its password is checked, in a lasting write (a transaction
of its own that commits at once: it stays whatever the request answers), and under a lock of
the pair: guesses sent in parallel when the wait ends get one try, not one each. A failed
attempt's audit entry is a lasting write too; a success (the attempt marked good, the token,
its audit entry) is the request's own work, committed with its answer. An attempt refused for
waiting stores nothing, so it prolongs nothing; nor does one whose password could not be
checked because too many were being hashed at once (503, app.services.passwords)."""

import hashlib
import ipaddress
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text, update
from sqlmodel import Session

from app.config import get_settings
from app.db.audit import LoginAttempt
from app.db.base import utcnow
from app.db.side_writes import lasting_write
from app.db.users import User
from app.services import audit, auth, passwords
from app.services.errors import Busy, Invalid, TooManyAttempts, Unauthorized
from app.vn import unprintable

# Every time this module reads goes through here; tests move it forward.
clock: Callable[[], datetime] = utcnow

# A pair (user name, address) may fail this many times freely; after that each next try
# waits FIRST_WAIT, doubled with each further failure, up to MAX_WAIT (about four guesses an
# hour). A success clears the pair; failures older than FORGET_AFTER no longer count.
FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)

# Spraying: an address that failed for SPRAY_NAMES different user names within SPRAY_WINDOW
# tries a few passwords on each of many accounts, which the per-pair count alone would let
# through. Then a pair from there that has not signed in from there within TRUSTED_FOR gets
# one free failure instead of five. Nobody is locked out by it: a pair's first attempt is
# never refused, so a colleague behind the same address who types the right password still
# gets in, and one who signed in from there lately keeps the usual allowance.
SPRAY_NAMES = 20
SPRAY_WINDOW = timedelta(hours=1)
TRUSTED_FOR = timedelta(days=30)
SPRAY_FREE_FAILURES = 1

WRONG = "Sai tên đăng nhập hoặc mật khẩu."


def sign_in(session: Session, *, username: str, password: str, ip: str) -> str:
    """A new login token's secret for the right password; 401 with the same words whatever
    was wrong, 429 (with its wait) while this user name must wait at this address. `session`
    is the request's, not yet begun: it is first written after the password's check, which is
    slow on purpose and must not hold a lock meanwhile."""
    problem = unprintable(username)
    if problem:  # no account has such a name, and PostgreSQL could not even look up a NUL
        raise Invalid.field("username", problem)
    name, ip = username[:100], address_key(ip)
    attempt_id, account = lasting_write(session, lambda own: _claim(own, name, ip, username))
    try:
        ok = passwords.verify_password(account.password_hash if account else passwords.dummy_hash(),
                                       password)
    except Busy:  # too many hashing at once: no password was checked, so the try is not counted
        lasting_write(session, lambda own: _forget(own, attempt_id))
        raise
    if not (ok and account is not None and account.active):
        lasting_write(session, lambda own: _audit(own, name, None))
        raise Unauthorized(WRONG)
    user = session.get(User, account.id)
    if user is None or not user.active:  # removed or locked out this very moment
        raise Unauthorized(WRONG)
    session.exec(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(ok=True))
    secret = auth.issue_login_token(session, user, ttl_minutes=get_settings().token_ttl_minutes)
    _audit(session, name, user)
    return secret


def address_key(ip: str) -> str:
    """The address a wait is kept for: an IPv6 client holds a whole /64 (it may pick any
    address in it at will), so the /64 is one address here; IPv4 stays as it is."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _claim(session: Session, name: str, ip: str, username: str) -> tuple[int, User | None]:
    """Count this attempt as a failure (a success turns it back) if the pair may try now;
    the attempt's id, and the account named, if there is one (as read here: detached)."""
    if session.get_bind().dialect.name == "postgresql":
        # One claim per pair at a time; on SQLite the write lock already serialises.
        session.exec(text("SELECT pg_advisory_xact_lock(CAST(:key AS bigint))")
                     .bindparams(key=_lock_key(name, ip)))
    _refuse_if_waiting(session, name, ip)
    user = session.exec(select(User).where(User.username == username)).scalars().first()
    attempt = LoginAttempt(username=name, ip=ip, ok=False, at=clock())
    session.add(attempt)
    session.flush()
    assert attempt.id is not None
    return attempt.id, user


def _forget(session: Session, attempt_id: int) -> None:
    session.exec(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def _refuse_if_waiting(session: Session, name: str, ip: str) -> None:
    left = wait_left(session, name, ip)
    if left > timedelta(0):
        seconds = max(1, math.ceil(left.total_seconds()))
        when = f"{seconds} giây" if seconds < 60 else f"{math.ceil(seconds / 60)} phút"
        raise TooManyAttempts(f"Nhập sai mật khẩu nhiều lần; hãy thử lại sau {when}.",
                              retry_after=seconds)


def wait_left(session: Session, name: str, ip: str) -> timedelta:
    """How long this user name must still wait before its next try from this address."""
    now = clock()
    failures, last = _failures(session, name, ip, now)
    if last is None:
        return timedelta(0)
    free = FREE_FAILURES
    if _spraying(session, ip, now) and not _trusted(session, name, ip, now):
        free = SPRAY_FREE_FAILURES
    return max(last + wait_after(failures, free=free) - now, timedelta(0))


def wait_after(failures: int, *, free: int = FREE_FAILURES) -> timedelta:
    """The wait after a pair's `failures`-th failure in a row."""
    if failures < free:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - free, 16), MAX_WAIT)


def _failures(session: Session, name: str, ip: str,
              now: datetime) -> tuple[int, datetime | None]:
    """The pair's failures since its last success (and within FORGET_AFTER), and the latest."""
    pair = (LoginAttempt.username == name, LoginAttempt.ip == ip)
    last_ok = session.exec(select(func.max(LoginAttempt.id))
                           .where(*pair, LoginAttempt.ok.is_(True))).scalar()
    count, last = session.exec(
        select(func.count(), func.max(LoginAttempt.at))
        .where(*pair, LoginAttempt.ok.is_(False), LoginAttempt.at > now - FORGET_AFTER,
               LoginAttempt.id > (last_ok or 0))
    ).one()
    return count, last


def _spraying(session: Session, ip: str, now: datetime) -> bool:
    names = (select(LoginAttempt.username)
             .where(LoginAttempt.ip == ip, LoginAttempt.ok.is_(False),
                    LoginAttempt.at > now - SPRAY_WINDOW)
             .distinct().limit(SPRAY_NAMES).subquery())
    return session.exec(select(func.count()).select_from(names)).scalar_one() >= SPRAY_NAMES


def _trusted(session: Session, name: str, ip: str, now: datetime) -> bool:
    return session.exec(
        select(LoginAttempt.id).where(LoginAttempt.username == name, LoginAttempt.ip == ip,
                                      LoginAttempt.ok.is_(True),
                                      LoginAttempt.at > now - TRUSTED_FOR).limit(1)
    ).first() is not None


def _lock_key(name: str, ip: str) -> int:
    digest = hashlib.sha256(f"sign-in\0{name}\0{ip}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _audit(session: Session, name: str, user: User | None) -> None:
    audit.record(session, username=name, user_id=user.id if user else None,
                 action="login" if user else "login_failed", resource="auth",
                 record_id=user.id if user else None, unit_id=user.unit_id if user else None,
                 changes={})
