"""The model workflow: registered → in progress → evaluated against its criteria set →
recognised by decision, or not; evaluation and recognition are managers' decisions."""

import pytest

from app.enums import Role
from tests.factories import make_model, make_tree


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s)


def _criteria(client, kind="collective"):
    sets = client.get("/api/v1/meta/criteria-sets", params={"kind": kind}).json()
    assert len(sets) == 1 and len(sets[0]["criteria"]) == 5
    assert sum(c["max_score"] for c in sets[0]["criteria"]) == 100
    return sets[0]["criteria"]


def test_the_whole_workflow(make_user, db, tree):
    with db() as s:
        m = make_model(s, unit_id=tree.lam_giang)
    clerk, manager = make_user(Role.clerk, "T-HT"), make_user(Role.manager, "T-HT")
    started = clerk.post(f"/api/v1/models/{m.id}/transitions", json={"to": "in_progress", "date": "2019-04-01"})
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    crits = _criteria(manager)
    scores = {str(c["id"]): c["max_score"] - i for i, c in enumerate(crits)}
    assert clerk.post(f"/api/v1/models/{m.id}/evaluations",
                      json={"date": "2019-11-01", "scores": scores}).status_code == 403
    ev = manager.post(f"/api/v1/models/{m.id}/evaluations", json={"date": "2019-11-01", "scores": scores})
    assert ev.status_code == 200, ev.text
    assert ev.json()["status"] == "evaluated" and ev.json()["score"] == 100 - (0 + 1 + 2 + 3 + 4)
    history = manager.get(f"/api/v1/models/{m.id}/evaluations").json()
    assert history[0]["total"] == 90 and history[0]["evaluator"].startswith("manager")
    rec = manager.post(f"/api/v1/models/{m.id}/recognition",
                       json={"level": "district", "decision_no": "125/QĐ-UBND", "date": "2019-12-10"})
    assert rec.status_code == 200
    body = rec.json()
    assert (body["status"], body["recognition_level"], body["recognition_decision_no"]) == (
        "recognized", "district", "125/QĐ-UBND")
    again = manager.post(f"/api/v1/models/{m.id}/recognition",
                         json={"level": "province", "decision_no": "1", "date": "2019-12-11"})
    assert again.status_code == 409


def test_scores_must_cover_the_set_within_each_maximum(make_user, db, tree):
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri)
    manager = make_user(Role.manager, "T-HT")
    crits = _criteria(manager)
    partial = {str(crits[0]["id"]): 10}
    assert manager.post(f"/api/v1/models/{m.id}/evaluations",
                        json={"date": "2019-11-01", "scores": partial}).status_code == 422
    over = {str(c["id"]): c["max_score"] + (1 if i == 0 else 0) for i, c in enumerate(crits)}
    r = manager.post(f"/api/v1/models/{m.id}/evaluations", json={"date": "2019-11-01", "scores": over})
    assert r.status_code == 422 and "từ 0 đến" in r.json()["detail"]
    individual = _criteria(manager, "individual")
    wrong_set = {str(c["id"]): 1 for c in individual}
    assert manager.post(f"/api/v1/models/{m.id}/evaluations",
                        json={"date": "2019-11-01", "scores": wrong_set}).status_code == 422


def test_clerks_cannot_decide_through_an_edit(make_user, db, tree):
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri)
    clerk = make_user(Role.clerk, "T-HT")
    for change in ({"status": "recognized"}, {"score": 99}, {"recognition_level": "national"}):
        assert clerk.patch(f"/api/v1/models/{m.id}", json=change).status_code == 403, change
    assert clerk.patch(f"/api/v1/models/{m.id}", json={"members": 15, "status": "in_progress"}).status_code == 200
    body = {"name": "Mô hình mới", "unit_id": tree.ham_tri, "field": "economy",
            "org_type": "farmers_union", "start_date": "2019-01-01"}
    assert clerk.post("/api/v1/models", json={**body, "status": "recognized"}).status_code == 403
    assert clerk.post("/api/v1/models", json=body).status_code == 201


def test_illegal_steps_and_manager_only_conclusions(make_user, db, tree):
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri)
    clerk, manager = make_user(Role.clerk, "T-HT"), make_user(Role.manager, "T-HT")
    assert clerk.post(f"/api/v1/models/{m.id}/transitions",
                      json={"to": "not_recognized", "date": "2019-05-01"}).status_code == 409
    crits = _criteria(manager)
    manager.post(f"/api/v1/models/{m.id}/evaluations",
                 json={"date": "2019-11-01", "scores": {str(c["id"]): 1 for c in crits}})
    assert clerk.post(f"/api/v1/models/{m.id}/transitions",
                      json={"to": "not_recognized", "date": "2019-12-01"}).status_code == 403
    done = manager.post(f"/api/v1/models/{m.id}/transitions", json={"to": "not_recognized", "date": "2019-12-01"})
    assert done.status_code == 200 and done.json()["status"] == "not_recognized"
    stopped = make_user(Role.clerk, "T-HT")
    with db() as s:
        other = make_model(s, unit_id=tree.ham_tri, start_date="2018-01-01")
    r = stopped.post(f"/api/v1/models/{other.id}/transitions", json={"to": "discontinued", "date": "2019-03-01"})
    assert r.status_code == 200 and r.json()["end_date"] == "2019-03-01"


def test_replication_links_a_visible_model(api, make_user, db, tree):
    with db() as s:
        source = make_model(s, unit_id=tree.ham_tri, name="Trồng thanh long VietGAP")
        far = make_model(s, unit_id=tree.ham_lien)
    clerk = make_user(Role.clerk, "T-HT")
    body = {"name": "Trồng thanh long VietGAP (nhân rộng)", "unit_id": tree.lam_giang,
            "field": "economy", "org_type": "farmers_union", "start_date": "2020-01-01"}
    ok = clerk.post("/api/v1/models", json={**body, "replicated_from_id": source.id})
    assert ok.status_code == 201 and ok.json()["replicated_from_id"] == source.id
    assert clerk.post("/api/v1/models", json={**body, "replicated_from_id": far.id}).status_code == 422


def test_a_models_history_is_dated_in_order(make_user, db, tree):
    """No step, score or recognition before the model began, and no recognition before the
    score it rests on: each refused at the date the client sent, with the dates named."""
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri, start_date="2019-05-18")
    manager = make_user(Role.manager, "T-HT")
    path = f"/api/v1/models/{m.id}"
    scores = {str(c["id"]): 1 for c in _criteria(manager)}
    early = manager.post(f"{path}/transitions", json={"to": "discontinued", "date": "2019-01-01"})
    assert early.status_code == 422 and "18/05/2019" in early.text
    assert {part for e in early.json()["errors"] for part in e["loc"]} >= {"date"}
    assert "end_date" not in early.text
    r = manager.post(f"{path}/evaluations", json={"date": "2019-01-01", "scores": scores})
    assert r.status_code == 422 and "trước ngày bắt đầu" in r.text
    assert manager.post(f"{path}/evaluations", json={"date": "2019-11-01", "scores": scores}).status_code == 200
    decision = {"level": "district", "decision_no": "12/QĐ-UBND"}
    r = manager.post(f"{path}/recognition", json={**decision, "date": "2019-10-31"})
    assert r.status_code == 422 and "trước ngày chấm điểm (01/11/2019)" in r.text
    assert manager.get(path).json()["status"] == "evaluated"
    assert manager.post(f"{path}/recognition", json={**decision, "date": "2019-11-01"}).status_code == 200
