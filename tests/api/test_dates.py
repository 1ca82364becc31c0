"""Dates that say something happened (a gift, land given, a work completed, a petition's
steps, a decision) may not lie after today in Vietnam; planned dates may. The clock is
fixed (the `clock` fixture), so "tomorrow" is the same on every run and on every server."""

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from app.db.contributions import Contribution
from app.enums import Role
from tests.api.helpers import (PETITIONS, RESOURCES, Resource, assert_invalid, create, listing)
from tests.factories import make_model

NOW = "2026-12-06T03:00:00+00:00"  # 10:00 in Vietnam
TODAY, TOMORROW = "2026-12-06", "2026-12-07"

# What a person reads, field by field (written out here: the test is the specification).
LABEL = {"date": "Ngày", "completed_date": "Ngày hoàn thành", "decision_date": "Ngày quyết định",
         "recognition_date": "Ngày công nhận", "received_date": "Ngày nhận đơn",
         "accepted_date": "Ngày thụ lý", "closed_date": "Ngày kết thúc hồ sơ",
         "issued_on": "Ngày ban hành"}
HAPPENED = [(r, f) for r in RESOURCES for f in r.happened]


@pytest.fixture(autouse=True)
def _now(clock: Any) -> None:
    clock(NOW)


def dated(res: Resource, name: str, day: str) -> dict[str, Any]:
    """The fields that give `name` the date `day`, in a record that is otherwise consistent."""
    if res is PETITIONS and name == "accepted_date":
        return {"received_date": TODAY, "status": "accepted", "accepted_date": day}
    if res is PETITIONS and name == "closed_date":
        return {"received_date": TODAY, "status": "withdrawn", "closed_date": day}
    return {name: day}


def message(name: str) -> str:
    return f"{LABEL[name]} không được sau hôm nay (06/12/2026)."


def assert_future_refused(r: Any, name: str) -> None:
    body = assert_invalid(r, name)
    assert message(name) in [e["msg"] for e in body["errors"] if name in e["loc"]], body


@pytest.mark.parametrize("res, name", HAPPENED, ids=str)
def test_tomorrow_is_refused_and_today_accepted(api, tree, res: Resource, name: str):
    assert_future_refused(api.post(res.path, json=res.body(tree.ham_tri, **dated(res, name, TOMORROW))),
                          name)
    assert listing(api, res)["total"] == 0
    created = create(api, res, res.body(tree.ham_tri, **dated(res, name, TODAY)))
    assert created[name] == TODAY
    # An edit to tomorrow is refused, and changes nothing.
    r = api.patch(f"{res.path}/{created['id']}", json={name: TOMORROW})
    assert_future_refused(r, name)
    assert api.get(f"{res.path}/{created['id']}").json() == created


@pytest.mark.parametrize("moment, accepted", [
    ("2026-12-05T17:00:00+00:00", True),  # 00:00 on 06/12 in Vietnam, the 5th in UTC
    ("2026-12-05T16:59:59+00:00", False),  # 23:59:59 on 05/12 in Vietnam
])
def test_today_is_vietnams_date_not_the_servers(api, tree, clock, moment: str, accepted: bool):
    clock(moment)
    res = RESOURCES[2]  # contributions
    r = api.post(res.path, json=res.body(tree.ham_tri, date=TODAY))
    if accepted:
        assert r.status_code == 201, r.text
    else:
        body = assert_invalid(r, "date")
        assert body["errors"][0]["msg"] == "Ngày không được sau hôm nay (05/12/2026)."


@pytest.mark.parametrize("res, planned", [
    ("works", {"start_date": "2027-03-01", "completed_date": None}),
    ("models", {"start_date": "2027-01-01", "end_date": "2030-12-31"}),
    ("targets", {"period_start": "2027-01-01", "period_end": "2030-12-31"}),
])
def test_a_planned_date_may_lie_ahead(api, tree, res: str, planned: dict[str, Any]):
    resource = next(r for r in RESOURCES if r.name == res)
    created = create(api, resource, resource.body(tree.ham_tri, **planned))
    assert {k: created[k] for k in planned} == planned


def test_a_work_planned_ahead_cannot_be_completed_ahead(api, tree):
    res = RESOURCES[1]  # works
    assert res.name == "works"
    created = create(api, res, res.body(tree.ham_tri, start_date="2027-03-01", completed_date=None))
    assert created["status"] == "planned"
    assert_future_refused(api.patch(f"{res.path}/{created['id']}", json={"completed_date": "2030-03-15"}),
                          "completed_date")


def test_a_petitions_steps_and_extensions_cannot_lie_ahead(api, tree):
    p = create(api, PETITIONS, PETITIONS.body(tree.ham_tri, type="denunciation", received_date="2026-12-01"))
    path = f"{PETITIONS.path}/{p['id']}"
    assert_future_refused(api.post(f"{path}/transitions", json={"to": "accepted", "date": TOMORROW}),
                          "date")
    assert api.post(f"{path}/transitions", json={"to": "accepted", "date": TODAY}).status_code == 200
    assert_future_refused(api.post(f"{path}/extensions", json={"days": 10, "date": TOMORROW}), "date")
    assert api.post(f"{path}/extensions", json={"days": 10, "date": TODAY}).status_code == 200
    assert_future_refused(api.post(f"{path}/transitions", json={"to": "resolved", "date": TOMORROW}),
                          "date")
    history = api.get(f"{path}/history").json()
    assert [s["date"] for s in history["steps"]] == [TODAY]


def test_a_models_steps_and_decisions_cannot_lie_ahead(api, tree, db, make_user):
    with db() as s:
        m = make_model(s, unit_id=tree.ham_tri, start_date="2026-01-10")
    manager = make_user(Role.manager, "T-HT")
    path = f"/api/v1/models/{m.id}"
    assert_future_refused(manager.post(f"{path}/transitions", json={"to": "in_progress", "date": TOMORROW}),
                          "date")
    assert manager.post(f"{path}/transitions", json={"to": "in_progress", "date": TODAY}).status_code == 200
    crit = manager.get("/api/v1/meta/criteria-sets", params={"kind": "collective"}).json()
    scores = {str(c["id"]): c["max_score"] for c in crit[0]["criteria"]}
    assert_future_refused(manager.post(f"{path}/evaluations", json={"date": TOMORROW, "scores": scores}),
                          "date")
    assert manager.post(f"{path}/evaluations", json={"date": TODAY, "scores": scores}).status_code == 200
    decision = {"level": "district", "decision_no": "12/QĐ-UBND"}
    assert_future_refused(manager.post(f"{path}/recognition", json={**decision, "date": TOMORROW}),
                          "date")
    assert manager.get(path).json()["recognition_date"] is None


def test_a_report_cannot_be_issued_ahead(api, tree):
    body = {"unit_id": tree.ham_tri, "date_from": "2026-01-01", "date_to": "2026-12-31",
            "number": "12-BC/BDV", "issuer": "Ban Dân vận", "place": "Hàm Thuận Bắc",
            "signer_name": "Nguyễn Văn A"}
    assert_future_refused(api.post("/api/v1/reports/issued", json={**body, "issued_on": TOMORROW}),
                          "issued_on")
    assert api.post("/api/v1/reports/issued", json={**body, "issued_on": TODAY}).status_code == 201


def test_a_record_stored_with_a_future_date_before_the_rule_can_be_read_and_edited(api, tree, db):
    """The rule is on what is written: the read schemas built from the same fields do not
    enforce it, so an old database's 2027 gift still reads, and a note on it can be fixed."""
    with db() as s:
        s: Session
        old = Contribution(unit_id=tree.ham_tri, source="people", kind="cash", amount_vnd=1,
                           date=date(2027, 1, 15))
        s.add(old)
        s.flush()
        old_id = old.id
    path = f"/api/v1/contributions/{old_id}"
    assert api.get(path).json()["date"] == "2027-01-15"
    assert api.patch(path, json={"note": "ngày ghi nhầm, cần xác minh"}).status_code == 200
    assert_future_refused(api.patch(path, json={"date": "2027-01-16"}), "date")


def test_a_mistyped_date_is_explained_in_the_apis_own_form(api, tree):
    """The API reads ISO dates (api.md); the pages' day-first form would be refused again."""
    iso = "Ngày không hợp lệ: viết theo dạng năm-tháng-ngày YYYY-MM-DD, ví dụ 2021-02-05."
    res = RESOURCES[2]  # contributions
    p = create(api, PETITIONS, PETITIONS.body(tree.ham_tri, received_date=TODAY))
    for r, name in (
        (api.post(res.path, json=res.body(tree.ham_tri, date="05/02/2021")), "date"),
        (api.get(res.path, params={"date_from": "05/02/2021"}), "date_from"),
        (api.get("/api/v1/units", params={"code": "HT", "on": "1/8/2025"}), "on"),
        (api.post(f"{PETITIONS.path}/{p['id']}/transitions",
                  json={"to": "accepted", "date": "06/12/2026"}), "date"),
    ):
        body = assert_invalid(r, name)
        assert [e["msg"] for e in body["errors"]] == [iso], body
        assert "ngày/tháng/năm" not in body["detail"]
    assert listing(api, res)["total"] == 0
