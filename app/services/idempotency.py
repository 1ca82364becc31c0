"""Idempotency-Key on POST: the first response is stored with the write, in its transaction,
and a retry gets it back instead of creating the record twice."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.db.idempotency import IdempotencyKey
from app.db.gate import writing
from app.services.actor import Actor
from app.services.errors import Invalid


@dataclass
class Stored:
    status_code: int
    body: Any
    location: str | None


def request_hash(method: str, path: str, payload: Any) -> str:
    text = json.dumps([method, path, payload], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def find(session: Session, *, actor: Actor, key: str, fingerprint: str) -> Stored | None:
    """The stored first response for this key, or None; a key reused for another request
    is refused (422), as the IETF Idempotency-Key draft says."""
    if not 1 <= len(key) <= 200:
        raise Invalid("Idempotency-Key phải dài từ 1 đến 200 ký tự.",
                      errors=[{"loc": ["header", "Idempotency-Key"], "msg": "Độ dài không hợp lệ."}])
    # Under the write lock (a request takes it late): a retry sent while the first try is
    # still writing waits for it and gets its answer back.
    writing(session)
    row = session.exec(
        select(IdempotencyKey).where(IdempotencyKey.principal == actor.principal,
                                     IdempotencyKey.key == key)
    ).scalars().first()
    if row is None:
        return None
    if row.request_hash != fingerprint:
        raise Invalid("Idempotency-Key này đã được dùng cho một yêu cầu khác; hãy dùng khóa mới.",
                      errors=[{"loc": ["header", "Idempotency-Key"], "msg": "Khóa đã dùng."}])
    return Stored(row.status_code, json.loads(row.response_body), row.location)


def save(session: Session, *, actor: Actor, key: str, fingerprint: str, method: str, path: str,
         stored: Stored) -> None:
    session.add(IdempotencyKey(
        principal=actor.principal, key=key, method=method, path=path, request_hash=fingerprint,
        status_code=stored.status_code, location=stored.location,
        response_body=json.dumps(stored.body, ensure_ascii=False),
    ))
    session.flush()
