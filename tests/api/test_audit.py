"""Every change is in the audit log, with who and each field's before and after; the log is
read-only, scoped, hides a denouncer from non-managers, and its hash chain finds an edit."""

from sqlalchemy import text

from app.enums import Role
from app.services import audit
from tests.factories import make_tree


def test_a_records_history_after_a_series_of_edits(api, db):
    with db() as s:
        tree = make_tree(s)
    m = api.post("/api/v1/models", json={"name": "Tổ hòa giải", "unit_id": tree.ham_tri,
                                         "field": "defense_security", "org_type": "government",
                                         "start_date": "2019-03-01", "members": 9}).json()
    api.patch(f"/api/v1/models/{m['id']}", json={"members": 11})
    api.patch(f"/api/v1/models/{m['id']}", json={"name": "Tổ hòa giải thôn 1"})
    assert api.delete(f"/api/v1/models/{m['id']}").status_code == 204
    log = api.get("/api/v1/audit", params={"resource": "models", "record_id": m["id"]}).json()
    actions = [e["action"] for e in reversed(log["items"])]
    assert actions == ["create", "update", "update", "delete"]
    first_edit = log["items"][2]
    assert first_edit["changes"] == {"members": [9, 11]}
    assert log["items"][1]["changes"] == {"name": ["Tổ hòa giải", "Tổ hòa giải thôn 1"]}
    assert all(e["username"].startswith("admin") for e in log["items"])


def test_transitions_sign_ins_and_failed_sign_ins_are_logged(api, anon, db):
    with db() as s:
        tree = make_tree(s)
    p = api.post("/api/v1/petitions", json={"received_date": "2024-03-01", "unit_id": tree.ham_tri,
                                            "type": "complaint", "subject": "Đất"}).json()
    api.post(f"/api/v1/petitions/{p['id']}/transitions", json={"to": "accepted", "date": "2024-03-02"})
    anon.post("/api/v1/auth/token", data={"username": "khong-ai", "password": "sai-mat-khau"})
    actions = {e["action"] for e in api.get("/api/v1/audit", params={"limit": 500}).json()["items"]}
    assert {"create", "transition", "login", "login_failed"} <= actions


def test_the_log_cannot_be_changed_through_the_api(api):
    for method in ("post", "patch", "put", "delete"):
        assert getattr(api, method)("/api/v1/audit" + ("/1" if method != "post" else "")).status_code in (404, 405)


def test_a_denouncer_is_hidden_in_the_log_below_manager(api, make_user, db):
    with db() as s:
        tree = make_tree(s)
    api.post("/api/v1/petitions", json={"received_date": "2024-03-01", "unit_id": tree.ham_tri,
                                        "type": "denunciation", "subject": "Tố cáo",
                                        "petitioner_name": "Người Tố Cáo Kín"})
    for role, visible in ((Role.clerk, False), (Role.viewer, False), (Role.manager, True)):
        client = make_user(role, "T-HT")
        text_ = client.get("/api/v1/audit", params={"resource": "petitions"}).text
        assert ("Người Tố Cáo Kín" in text_) is visible, role


def test_readers_see_only_their_subtree(api, make_user, db):
    with db() as s:
        tree = make_tree(s)
    for name, unit in (("Ở Hàm Liêm", tree.ham_lien), ("Ở Lâm Giang", tree.lam_giang)):
        assert api.post("/api/v1/models", json={"name": name, "unit_id": unit, "field": "economy",
                                                "org_type": "government",
                                                "start_date": "2019-03-01"}).status_code == 201
    clerk = make_user(Role.clerk, "T-HT")
    log = clerk.get("/api/v1/audit", params={"limit": 500})
    assert log.status_code == 200
    assert "Ở Lâm Giang" in log.text and "Ở Hàm Liêm" not in log.text


def test_the_chain_finds_an_edited_entry(api, db, engine):
    with db() as s:
        tree = make_tree(s)
    for i in range(3):
        api.post("/api/v1/models", json={"name": f"Mô hình {i}", "unit_id": tree.ham_tri,
                                         "field": "economy", "org_type": "government",
                                         "start_date": "2019-03-01"})
    with db() as s:
        checked, broken = audit.verify(s)
        assert broken is None and checked >= 3
    with engine.begin() as conn:
        target = conn.execute(text("SELECT id FROM audit_entry ORDER BY id LIMIT 1 OFFSET 1")).scalar_one()
        conn.execute(text("UPDATE audit_entry SET changes = '{}' WHERE id = :id"), {"id": target})
    with db() as s:
        assert audit.verify(s)[1] == target


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


def _denunciation(api, unit, **identity):
    r = api.post("/api/v1/petitions", json={"received_date": "2024-03-01", "unit_id": unit,
                                            "type": "denunciation", "subject": "Tố cáo", **identity})
    assert r.status_code == 201, r.text
    return r.json()


def test_below_manager_a_named_and_an_anonymous_denunciation_log_alike(api, make_user, db):
    """The keys of a hidden identity told a clerk that a name had been recorded."""
    with db() as s:
        tree = make_tree(s)
    named = _denunciation(api, tree.ham_tri, petitioner_name="Người Kín", petitioner_address="Xóm 3")
    anonymous = _denunciation(api, tree.ham_tri)
    for role in (Role.viewer, Role.clerk):
        items = make_user(role, "T-HT").get("/api/v1/audit", params={"resource": "petitions"}).json()["items"]
        created = {e["record_id"]: e["changes"] for e in items if e["action"] == "create"}
        assert created[named["id"]].keys() == created[anonymous["id"]].keys(), role
        assert "petitioner_name" not in created[named["id"]]
    manager = make_user(Role.manager, "T-HT")
    items = manager.get("/api/v1/audit", params={"resource": "petitions"}).json()["items"]
    created = {e["record_id"]: e["changes"] for e in items if e["action"] == "create"}
    assert created[named["id"]]["petitioner_name"] == [None, "Người Kín"]


def test_below_manager_an_edit_of_the_identity_alone_leaves_no_trace(api, make_user, db):
    """An entry that changed only the identity is not there for a clerk: in the log, its
    count, one record's history and the changes feed; a manager sees it."""
    with db() as s:
        tree = make_tree(s)
    p = _denunciation(api, tree.ham_tri, petitioner_name="Người Kín")
    boss = make_user(Role.manager, "T-HT")
    r = boss.patch(f"/api/v1/petitions/{p['id']}", json={"petitioner_name": "Người Kín Khác"},
                   headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    r = boss.patch(f"/api/v1/petitions/{p['id']}", json={"petitioner_address": "Xóm 9",
                                                          "subject": "Tố cáo (bổ sung)"},
                   headers={"If-Match": '"2"'})
    assert r.status_code == 200, r.text
    query = {"resource": "petitions", "record_id": p["id"]}
    mine = boss.get("/api/v1/audit", params=query).json()
    assert [e["action"] for e in mine["items"]] == ["update", "update", "create"]
    for role in (Role.viewer, Role.clerk):
        reader = make_user(role, "T-HT")
        log = reader.get("/api/v1/audit", params=query).json()
        assert log["total"] == 2 and [e["action"] for e in log["items"]] == ["update", "create"], role
        assert log["items"][0]["changes"] == {"subject": ["Tố cáo", "Tố cáo (bổ sung)"]}
        feed = reader.get("/api/v1/changes", params={"resource": "petitions"}).json()["items"]
        assert [c["action"] for c in feed] == ["create", "update"], role
    feed = boss.get("/api/v1/changes", params={"resource": "petitions"}).json()["items"]
    assert [c["action"] for c in feed] == ["create", "update", "update"]
