"""Holes a review found: each test fails on the code before its fix."""

from app.enums import Role
from tests.factories import make_tree


def test_a_token_does_not_outlive_its_makers_move(api, make_user, db):
    with db() as s:
        tree = make_tree(s)
    manager = make_user(Role.manager, "T-HT")
    me = manager.get("/api/v1/users/me")
    made = manager.post("/api/v1/api-tokens", json={"name": "tỉnh", "unit_id": tree.ham_tri,
                                                    "scope": "write"})
    assert made.status_code == 201, made.text
    token = {"Authorization": f"Bearer {made.json()['token']}"}
    assert api.get("/api/v1/models", headers=token).status_code == 200
    user_id = me.json()["id"] if me.status_code == 200 else None
    if user_id is None:  # find the manager through the admin's list
        user_id = next(u["id"] for u in api.get("/api/v1/users", params={"limit": 500}).json()["items"]
                       if u["role"] == "manager")
    assert api.patch(f"/api/v1/users/{user_id}", json={"unit_id": tree.ham_lien}).status_code == 200
    import httpx

    with httpx.Client(base_url=str(api.base_url)) as raw:
        assert raw.get("/api/v1/models", headers=token).status_code == 401


def test_a_retyped_petitions_old_entries_hide_the_petitioner(api, make_user, db):
    with db() as s:
        tree = make_tree(s)
    p = api.post("/api/v1/petitions", json={"received_date": "2024-03-01", "unit_id": tree.ham_tri,
                                            "type": "complaint", "subject": "Khiếu nại",
                                            "petitioner_name": "Người Sau Này Tố Cáo"}).json()
    assert api.patch(f"/api/v1/petitions/{p['id']}", json={"type": "denunciation"}).status_code == 200
    viewer = make_user(Role.viewer, "T-HT")
    log = viewer.get("/api/v1/audit", params={"resource": "petitions", "record_id": p["id"]})
    assert log.status_code == 200 and log.json()["total"] >= 2
    assert "Người Sau Này Tố Cáo" not in log.text
    manager = make_user(Role.manager, "T-HT")
    assert "Người Sau Này Tố Cáo" in manager.get("/api/v1/audit", params={"resource": "petitions"}).text


def test_a_manager_cannot_take_over_a_peer(make_user, api, db):
    with db() as s:
        make_tree(s)
    a = make_user(Role.manager, "T-HT")
    b = make_user(Role.manager, "T-HT")
    b_id = b.get("/api/v1/users/me").json()["id"]
    r = a.patch(f"/api/v1/users/{b_id}", json={"password": "mat-khau-cua-a-1"})
    assert r.status_code == 403
    assert b.get("/api/v1/users/me").status_code == 200  # b still signed in


def test_absurd_ids_on_pages_and_lists_are_4xx(api):
    for path in ("/api/v1/approvals?unit_id=99999999999999999999",
                 "/api/v1/reports/issued?unit_id=99999999999999999999",
                 "/api/v1/reports/summary?unit_id=99999999999999999999"):
        assert api.get(path).status_code == 422, path
