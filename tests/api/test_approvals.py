"""An approved period refuses changes to its records (409 naming the approval) until the
approval is withdrawn; only managers approve, within their subtree."""

import pytest

from app.enums import Role
from tests.factories import make_model, make_tree

YEAR_2019 = {"period_start": "2019-01-01", "period_end": "2019-12-31"}


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


def test_an_approved_period_is_locked_then_unlocked(make_user, db, tree):
    with db() as s:
        inside = make_model(s, unit_id=tree.lam_giang, start_date="2019-05-01")
    manager = make_user(Role.manager, "T-HTB")
    clerk = make_user(Role.clerk, "T-HT")
    r = manager.post("/api/v1/approvals", json={"unit_id": tree.district, **YEAR_2019})
    assert r.status_code == 201, r.text
    approval = r.json()
    body = {"name": "Mới", "unit_id": tree.lam_giang, "field": "economy", "org_type": "government"}
    refused = clerk.post("/api/v1/models", json={**body, "start_date": "2019-12-31"})
    assert refused.status_code == 409
    assert f"phê duyệt số {approval['id']}" in refused.json()["detail"]
    assert clerk.post("/api/v1/models", json={**body, "start_date": "2020-01-01"}).status_code == 201
    assert clerk.patch(f"/api/v1/models/{inside.id}", json={"members": 3}).status_code == 409
    assert clerk.patch(f"/api/v1/models/{inside.id}", json={"start_date": "2020-02-01"}).status_code == 409
    assert clerk.delete(f"/api/v1/models/{inside.id}").status_code == 409
    assert clerk.delete(f"/api/v1/approvals/{approval['id']}").status_code == 403
    assert manager.delete(f"/api/v1/approvals/{approval['id']}").status_code == 204
    assert clerk.patch(f"/api/v1/models/{inside.id}", json={"members": 3}).status_code == 200


def test_moving_a_record_into_an_approved_period_is_refused(make_user, db, tree):
    with db() as s:
        outside = make_model(s, unit_id=tree.ham_tri, start_date="2020-05-01")
    manager = make_user(Role.manager, "T-HT")
    assert manager.post("/api/v1/approvals", json={"unit_id": tree.ham_tri, **YEAR_2019}).status_code == 201
    r = manager.patch(f"/api/v1/models/{outside.id}", json={"start_date": "2019-05-01"})
    assert r.status_code == 409


def test_only_managers_of_the_unit_approve(make_user, tree):
    assert make_user(Role.clerk, "T-HT").post(
        "/api/v1/approvals", json={"unit_id": tree.ham_tri, **YEAR_2019}).status_code == 403
    assert make_user(Role.manager, "T-HL").post(
        "/api/v1/approvals", json={"unit_id": tree.ham_tri, **YEAR_2019}).status_code == 403
    bad = make_user(Role.manager, "T-HT").post(
        "/api/v1/approvals", json={"unit_id": tree.ham_tri, "period_start": "2019-12-31",
                                   "period_end": "2019-01-01"})
    assert bad.status_code == 422


def test_a_successors_approval_covers_its_predecessors(api, db, tree):
    with db() as s:
        inside = make_model(s, unit_id=tree.ham_lien, start_date="2019-05-01")
    new = api.post("/api/v1/units", json={"code": "T-NEW", "name": "Hàm Liêm (mới)", "level": "commune",
                                          "parent_id": tree.province, "active_from": "2025-07-01"}).json()
    assert api.patch(f"/api/v1/units/{tree.ham_lien}", json={"merged_into_id": new["id"]}).status_code == 200
    assert api.post("/api/v1/approvals", json={"unit_id": new["id"], **YEAR_2019}).status_code == 201
    assert api.patch(f"/api/v1/models/{inside.id}", json={"members": 3}).status_code == 409
