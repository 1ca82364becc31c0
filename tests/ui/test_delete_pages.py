"""Deleting from the pages: every record page offers a delete to whoever may delete it, asks
first, and deletes through the API's service (its refusals, audit entry and version check);
a viewer is offered nothing and a forged request is refused in words."""

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.db.approvals import ApprovalCreate
from app.db.audit import AuditEntry
from app.enums import Role
from app.services import approvals
from app.services.actor import SYSTEM
from app.ui.records import LISTINGS
from tests.factories import (make_commendation, make_contribution, make_land_donation, make_model,
                             make_petition, make_recognition, make_target, make_tree, make_unit,
                             make_work)


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


def _one(path: str, s: Any, tree: Any) -> Any:
    """One record of each kind with a page, in Hàm Trí (a unit: a village under it)."""
    at = {"unit_id": tree.ham_tri}
    return {
        "models": lambda: make_model(s, **at), "works": lambda: make_work(s, **at),
        "contributions": lambda: make_contribution(s, **at),
        "land-donations": lambda: make_land_donation(s, **at),
        "petitions": lambda: make_petition(s, **at), "commendations": lambda: make_commendation(s, **at),
        "targets": lambda: make_target(s, **at), "recognitions": lambda: make_recognition(s, **at),
        "units": lambda: make_unit(s, code="T-MOI", name="Thôn Mới", level="village",
                                   parent_id=tree.ham_tri),
    }[path]()


def _version(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, "the confirmation carries no version"
    return match.group(1)


def _deleted_entries(db: Callable[[], Any], resource: str, record_id: int) -> list[Any]:
    with db() as s:
        return list(s.exec(select(AuditEntry).where(
            AuditEntry.resource == resource, AuditEntry.record_id == record_id,
            AuditEntry.action == "delete")).scalars())


EDITABLE = [listing.path for listing in LISTINGS if listing.fields]


@pytest.mark.parametrize("path", EDITABLE)
def test_every_record_page_deletes_after_asking(path, sign_in, db, tree):
    """The test of the kind: a record kind with an entry form and no delete fails here."""
    writer = sign_in("lanhdao", Role.manager) if path == "units" else sign_in("canbo")
    with db() as s:
        record = _one(path, s, tree)
    form = writer.get(f"/{path}/{record.id}/edit").text
    assert f'href="/{path}/{record.id}/delete"' in form, "the edit form offers no delete"
    ask = writer.get(f"/{path}/{record.id}/delete")
    assert ask.status_code == 200 and "Xóa" in ask.text and "Không xóa, quay lại" in ask.text
    with db() as s:  # asking deleted nothing
        assert s.get(type(record), record.id) is not None
    done = writer.post(f"/{path}/{record.id}/delete", data={"version": _version(ask.text)})
    assert done.status_code == 200, done.text
    assert f"Đã xóa" in done.text and f"số {record.id}." in done.text
    with db() as s:
        assert s.get(type(record), record.id) is None
    assert len(_deleted_entries(db, path, record.id)) == 1


@pytest.mark.parametrize("path", ["works", "models", "petitions"])
def test_a_records_own_page_offers_the_delete(path, sign_in, db, tree):
    clerk = sign_in("canbo")
    with db() as s:
        record = _one(path, s, tree)
    assert f'href="/{path}/{record.id}/delete"' in clerk.get(f"/{path}/{record.id}").text


def test_a_referenced_work_is_refused_in_words(sign_in, db, tree):
    clerk = sign_in("canbo")
    with db() as s:
        work = make_work(s, unit_id=tree.ham_tri)
        make_contribution(s, unit_id=tree.lam_giang, work_id=work.id)
    ask = clerk.get(f"/works/{work.id}/delete")
    refused = clerk.post(f"/works/{work.id}/delete", data={"version": _version(ask.text)})
    assert refused.status_code == 409
    assert "Không xóa được: còn khoản đóng góp gắn với bản ghi này" in refused.text
    assert 'type="submit" class="danger"' not in refused.text  # no button that fails again
    with db() as s:
        assert s.get(type(work), work.id) is not None
    assert _deleted_entries(db, "works", work.id) == []


def test_a_model_with_an_evaluation_is_refused_in_words(sign_in, db, tree):
    """An evaluation points at its model: a delete was a 409 about a race, now it says why."""
    from datetime import date

    from app.db.evaluations import EvaluationIn
    from app.services import evaluations

    manager = sign_in("lanhdao", Role.manager)
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri, start_date="2019-03-01")
        evaluations.step(s, actor=SYSTEM, id=m.id, to="in_progress", on=date(2019, 4, 1))
        crit = evaluations.set_for(s, m.kind, date(2019, 5, 1))[1]
        evaluations.evaluate(s, actor=SYSTEM, id=m.id, data=EvaluationIn.model_validate(
            {"date": "2019-05-01", "scores": {str(c.id): 1 for c in crit}}))
    ask = manager.get(f"/models/{m.id}/delete")
    refused = manager.post(f"/models/{m.id}/delete", data={"version": _version(ask.text)})
    assert refused.status_code == 409
    assert "còn lần đánh giá gắn với bản ghi này" in refused.text


def test_a_record_in_an_approved_period_is_refused_in_words(sign_in, db, tree):
    clerk = sign_in("canbo")
    with db() as s:
        gift = make_contribution(s, unit_id=tree.lam_giang, date="2019-05-01")
        approval = approvals.approve(s, actor=SYSTEM, data=ApprovalCreate(
            unit_id=tree.ham_tri, period_start="2019-01-01", period_end="2019-12-31"))
    ask = clerk.get(f"/contributions/{gift.id}/delete")
    refused = clerk.post(f"/contributions/{gift.id}/delete", data={"version": _version(ask.text)})
    assert refused.status_code == 409
    assert f"đã được phê duyệt (phê duyệt số {approval.id}" in refused.text
    assert "rút phê duyệt để mở khóa" in refused.text
    with db() as s:
        assert s.get(type(gift), gift.id) is not None


def test_a_stale_confirmation_is_refused_then_the_fresh_one_deletes(sign_in, make_user, db, tree):
    clerk = sign_in("canbo")
    with db() as s:
        work = make_work(s, unit_id=tree.ham_tri)
    ask = clerk.get(f"/works/{work.id}/delete")
    read = _version(ask.text)
    other = make_user(Role.clerk, "T-HT")
    assert other.patch(f"/api/v1/works/{work.id}", json={"name": "Đường thôn 1 (đã sửa)"}).status_code == 200
    stale = clerk.post(f"/works/{work.id}/delete", data={"version": read})
    assert stale.status_code == 412
    assert "Bản ghi đã được sửa" in stale.text and "Đường thôn 1 (đã sửa)" in stale.text
    with db() as s:
        assert s.get(type(work), work.id) is not None
    fresh = _version(stale.text)
    assert fresh != read
    assert clerk.post(f"/works/{work.id}/delete", data={"version": fresh}).status_code == 200
    assert len(_deleted_entries(db, "works", work.id)) == 1


def test_a_viewer_is_offered_no_delete_and_a_forged_one_is_refused_in_words(sign_in, db, tree):
    viewer = sign_in("xem", Role.viewer)
    with db() as s:
        work = make_work(s, unit_id=tree.ham_tri)
        petition = make_petition(s, unit_id=tree.ham_tri)
        model = make_model(s, unit_id=tree.ham_tri)
    for path, record in (("works", work), ("petitions", petition), ("models", model)):
        for page in (f"/{path}/{record.id}", f"/{path}/{record.id}/edit"):
            text = viewer.get(page).text
            assert "/delete" not in text and "Xóa" not in text, page
    asked = viewer.get(f"/works/{work.id}/delete")
    assert asked.status_code == 403 and "Tài khoản của bạn chỉ được xem" in asked.text
    forged = viewer.post(f"/works/{work.id}/delete", data={"version": "1"})
    assert forged.status_code == 403
    assert "Tài khoản của bạn chỉ được xem" in forged.text
    assert "Mã truy cập" not in forged.text  # words for a person, not about tokens
    with db() as s:
        assert s.get(type(work), work.id) is not None


def test_a_clerk_cannot_delete_outside_the_subtree(sign_in, db, tree):
    clerk = sign_in("canbo")
    with db() as s:
        theirs = make_work(s, unit_id=tree.ham_lien)
    forged = clerk.post(f"/works/{theirs.id}/delete", data={"version": "1"})
    assert forged.status_code == 403 and "ngoài phạm vi" in forged.text
    with db() as s:
        assert s.get(type(theirs), theirs.id) is not None


def test_the_delete_needs_the_sessions_csrf_token(server, sign_in, db, tree):
    clerk = sign_in("canbo")
    with db() as s:
        work = make_work(s, unit_id=tree.ham_tri)
    bare = httpx.Client(base_url=server, cookies=clerk.cookies, timeout=30)
    assert bare.post(f"/works/{work.id}/delete", data={"version": "1"}).status_code == 403
    with db() as s:
        assert s.get(type(work), work.id) is not None


def test_a_petitions_history_names_and_shows_its_workflows_fields(sign_in, db, tree):
    """A step changes fields on no form (status, acceptance date): the history names them in
    Vietnamese and shows their values as the pages do, not as stored codes."""
    from datetime import date

    from app.services.petitions import workflow

    clerk = sign_in("canbo")
    with db() as s:
        p = make_petition(s, unit_id=tree.ham_tri, received_date="2026-11-02")
        workflow.transition(s, actor=SYSTEM, id=p.id, to="accepted", on=date(2026, 11, 5))
    history = clerk.get(f"/petitions/{p.id}").text.split("Lịch sử thay đổi")[1]
    assert "Ngày thụ lý “” → “05/11/2026”" in history, history
    assert "Trạng thái “Đã tiếp nhận” → “Đã thụ lý”" in history, history
    assert "accepted_date" not in history and "received" not in history
