"""Passwords: Argon2id hashes with the costs of the settings (`argon2_time_cost`,
`argon2_memory_kib`: their one place), and a limit on how many are worked out at once.

Each hash takes its memory cost (64 MiB by default) for as long as it runs, so N sign-ins at
once would take a worker N × 64 MiB: twenty sent together by one person would take it over a
gigabyte, and the service down for everyone. At most `argon2_at_once` hashes run at once in a
process; the others queue for up to HASH_WAIT seconds, at most WAITING of them (each waiter
holds a thread of the request pool), and beyond either the answer is 503 with Retry-After
("the server is busy"), never a worker out of memory."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import get_settings
from app.services.errors import Busy, Invalid

MIN_PASSWORD = 8
# A hash takes about a tenth of a second: this many seconds of waiting serve a queue of
# dozens; longer, and the sign-in page would seem to hang.
HASH_WAIT = 10.0
WAITING = 16
BUSY = "Đang có nhiều người đăng nhập cùng lúc; hãy thử lại sau ít giây."
T = TypeVar("T")


@lru_cache
def _hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(time_cost=settings.argon2_time_cost,
                          memory_cost=settings.argon2_memory_kib, parallelism=1)


class _Turns:
    """At most `at_once` holders; at most `waiting` more wait, each at most `wait` seconds."""

    def __init__(self, at_once: int, waiting: int) -> None:
        self._free = threading.BoundedSemaphore(at_once)
        self._mutex = threading.Lock()
        self._waiting, self.most_waiting = 0, waiting

    @contextmanager
    def turn(self, wait: float) -> Iterator[None]:
        if not self._free.acquire(blocking=False):
            with self._mutex:
                if self._waiting >= self.most_waiting:
                    raise Busy(BUSY, retry_after=2)
                self._waiting += 1
            try:
                got = self._free.acquire(timeout=wait)
            finally:
                with self._mutex:
                    self._waiting -= 1
            if not got:
                raise Busy(BUSY, retry_after=2)
        try:
            yield
        finally:
            self._free.release()


@lru_cache
def _turns() -> _Turns:
    return _Turns(get_settings().argon2_at_once, WAITING)


def _hashing(work: Callable[[], T]) -> T:
    with _turns().turn(HASH_WAIT):
        return work()


@lru_cache
def dummy_hash() -> str:
    """Verified against when the username is unknown, so both cases take the same time."""
    return _hashing(lambda: _hasher().hash("not-a-real-password"))


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Invalid.field("password", f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
    return _hashing(lambda: _hasher().hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed; 503 (Busy) if no turn to hash came in time."""

    def verify() -> bool:
        try:
            return _hasher().verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return _hashing(verify)
