"""The audit chain has one formula, whichever way an entry is written: one by one
(`audit.record`, every form and API write) or in batches (`audit.chain`, the import's bulk
insert). Each entry's hash is checked against the formula written out here independently, and
`audit.verify` walks a chain whose entries came both ways."""

import hashlib
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from app.db.audit import AuditEntry
from app.enums import Role
from app.services import audit
from tests.factories import make_tree
from tests.services.test_imports import actor, run


@pytest.fixture
def tree(session: Session) -> Any:
    t = make_tree(session)
    session.commit()
    return t


def documented_hash(e: AuditEntry) -> str:
    """SHA-256 of the compact JSON array [prev, at, user_id, username, action, resource,
    record_id, unit_id, changes, confidential]: what a reader of the log recomputes."""
    body = json.dumps([e.prev_hash, e.at.isoformat(), e.user_id, e.username, e.action,
                       e.resource, e.record_id, e.unit_id, e.changes, e.confidential],
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def entries(session: Session) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).order_by(AuditEntry.id)).scalars())


def test_imports_and_single_writes_chain_by_one_formula(session: Session, tree: Any) -> None:
    before = len(entries(session))  # the tree's own
    audit.record(session, username="hoa", user_id=None, action="update", resource="works",
                 record_id=7, unit_id=tree.ham_tri,
                 changes={"name": ["Đường thôn", "Đường bê tông thôn 1"],
                          "date": [None, date(2021, 2, 5)], "role": [Role.clerk, Role.manager]})
    r = run(session, actor(tree), "contributions",
            "Mã đơn vị,Nguồn,Hình thức,Số tiền (đồng),Ngày công,Ngày,Ghi chú",
            "T-HT,Nhân dân,Tiền mặt,1.500.000,,05/02/2021,Bà Tư góp",
            "T-LG,Nhân dân,Ngày công,,\"2,5\",06/02/2021,")
    assert r.ok and r.created == 2, r.errors
    r = run(session, actor(tree, unit="ham_tri"), "land-donations",
            "unit_code,donor_name,area_m2,value_vnd,date", "T-HT,Nguyễn Văn Ba,1.125,15000000,2021-02-05")
    assert r.ok and r.created == 1, r.errors
    audit.record(session, username="hoa", user_id=None, action="delete", resource="works",
                 record_id=7, unit_id=None, confidential=True)
    session.commit()
    log = entries(session)
    assert [e.action for e in log[before:]] == ["update", "create", "create", "create", "delete"]
    assert [e.hash for e in log] == [documented_hash(e) for e in log]
    assert all(e.prev_hash == before.hash for before, e in zip(log, log[1:]))
    assert audit.verify(session) == (before + 5, None)


def test_a_batch_links_as_single_entries_do() -> None:
    from datetime import datetime, timezone

    at = datetime(2026, 12, 6, 3, 0, tzinfo=timezone.utc)
    rows = audit.chain(audit.GENESIS, at=at, user_id=3, username="hoa", action="create",
                       resource="contributions",
                       records=[(1, 12, {"date": [None, date(2021, 2, 5)], "amount_vnd": [None, 5]}, False),
                                (2, None, {"note": [None, "Bà Tư"]}, True)])
    single = [AuditEntry(**row) for row in rows]
    assert [e.hash for e in single] == [documented_hash(e) for e in single]
    assert rows[1]["prev_hash"] == rows[0]["hash"]
    assert json.loads(rows[0]["changes"]) == {"amount_vnd": [None, 5], "date": [None, "2021-02-05"]}
    assert rows[0]["changes"].index("amount_vnd") < rows[0]["changes"].index("date")  # keys sorted
