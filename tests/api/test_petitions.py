"""/api/v1/petitions: legal time limits, the lifecycle, extensions, confidentiality, filters."""

import re
from datetime import date, timedelta

import pytest

from app.enums import Role
from app.vn import today
from tests.factories import make_petition, make_tree, make_unit

P = "/api/v1/petitions"
# Tomorrow in Vietnam, whatever the machine's zone, reckoned when the test runs: a value
# reckoned at collection went stale when a run crossed Vietnam's midnight (17:00 UTC).
TOMORROW = "tomorrow"


def dated(value: str) -> str:
    return (today() + timedelta(days=1)).isoformat() if value == TOMORROW else value


@pytest.fixture
def units(db):
    with db() as s:
        t = make_tree(s, "P")
        remote = make_unit(s, code="P-DM", name="Đa Mi", kind="xa", parent_id=t.district,
                           remote=True)
        village = make_unit(s, code="P-DM1", name="Thôn 3", level="village", kind="thon",
                            parent_id=remote.id)
    return {"tree": t, "plain": t.ham_tri, "plain_village": t.lam_giang,
            "remote": remote.id, "remote_village": village.id}


def create(client, unit_id, **body):
    r = client.post(P, json={"received_date": "2021-03-01", "unit_id": unit_id,
                             "type": "complaint", "subject": "Khiếu nại", **body})
    assert r.status_code == 201, r.text
    return r.json()


def step(client, pid, to, on, **extra):
    return client.post(f"{P}/{pid}/transitions", json={"to": to, "date": on, **extra})


def extend(client, pid, days, on="2021-03-20"):
    return client.post(f"{P}/{pid}/extensions",
                       json={"days": days, "date": on, "decision_no": f"{days}/QĐ-UBND"})


@pytest.mark.parametrize("kind, complex_, where, due", [  # accepted 2021-03-10
    ("complaint", False, "plain", "2021-04-09"), ("complaint", True, "plain", "2021-04-24"),
    ("complaint", False, "remote", "2021-04-24"), ("complaint", True, "remote", "2021-05-09"),
    # the remote flag is on the village's parent commune
    ("complaint", False, "remote_village", "2021-04-24"),
    ("complaint", True, "remote_village", "2021-05-09"),
    ("complaint", False, "plain_village", "2021-04-09"),
    ("denunciation", False, "plain", "2021-04-09"), ("denunciation", True, "remote", "2021-04-09"),
    ("dispute", False, "plain", "2021-04-09"), ("dispute", True, "remote", "2021-04-09"),
    ("request", False, "plain", "2021-03-25"), ("request", True, "remote", "2021-03-25"),
    ("recommendation", False, "plain", "2021-03-25"),
    ("recommendation", True, "remote_village", "2021-03-25"),
])
def test_due_date_follows_the_law(api, units, kind, complex_, where, due):
    p = create(api, units[where], type=kind, complex=complex_)
    assert (p["status"], p["due_date"]) == ("received", "2021-03-11")  # received + 10
    r = step(api, p["id"], "accepted", "2021-03-10")
    assert r.status_code == 200, r.text
    assert r.json()["due_date"] == due
    assert api.get(f"{P}/{p['id']}").json()["due_date"] == due
    direct = create(api, units[where], type=kind, complex=complex_, status="accepted",
                    accepted_date="2021-03-10")
    assert direct["due_date"] == due
    ignored = create(api, units[where], type=kind, due_date="2030-01-01")  # read-only
    assert ignored["due_date"] == "2021-03-11"


def test_a_petition_goes_through_its_lifecycle(api, units):
    p = create(api, units["plain"], received_date="2020-02-03")
    r = step(api, p["id"], "accepted", "2020-02-10", note="Thụ lý")
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in ("status", "accepted_date", "closed_date", "version")} == {
        "status": "accepted", "accepted_date": "2020-02-10", "closed_date": None, "version": 2}
    assert r.headers["etag"] == '"2"'
    r = step(api, p["id"], "in_progress", "2020-02-10")
    assert (r.json()["status"], r.json()["closed_date"]) == ("in_progress", None)
    r = step(api, p["id"], "resolved", "2020-03-02", outcome="Đã bồi thường")
    assert r.status_code == 200, r.text
    got = api.get(f"{P}/{p['id']}").json()
    assert {k: got[k] for k in ("status", "accepted_date", "closed_date", "outcome")} == {
        "status": "resolved", "accepted_date": "2020-02-10", "closed_date": "2020-03-02",
        "outcome": "Đã bồi thường"}
    h = api.get(f"{P}/{p['id']}/history").json()
    assert [(s["from"], s["to"], s["date"], s["note"]) for s in h["steps"]] == [
        ("received", "accepted", "2020-02-10", "Thụ lý"),
        ("accepted", "in_progress", "2020-02-10", None),
        ("in_progress", "resolved", "2020-03-02", None)]
    assert h["extensions"] == []


@pytest.mark.parametrize("path, to", [
    ([], "in_progress"), ([], "resolved"), ([], "received"),
    (["accepted"], "received"), (["accepted"], "accepted"),
    (["accepted", "in_progress"], "accepted"),
    (["accepted", "resolved"], "accepted"), (["accepted", "resolved"], "in_progress"),
    (["rejected"], "accepted"), (["transferred"], "accepted"), (["withdrawn"], "accepted"),
    (["accepted", "withdrawn"], "in_progress"), (["accepted", "transferred"], "resolved"),
    (["accepted", "resolved"], "withdrawn"), (["rejected"], "transferred"),
])
def test_illegal_transitions_are_409(api, units, path, to):
    p = create(api, units["plain"])
    for i, s in enumerate(path):
        assert step(api, p["id"], s, f"2021-03-0{i + 2}").status_code == 200
    before = api.get(f"{P}/{p['id']}").json()
    r = step(api, p["id"], to, "2021-03-09")
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    # The steps are named in Vietnamese only, not by their codes.
    assert "Không thể chuyển đơn" in r.json()["detail"]
    assert not re.search(r"\([a-z_]+\)", r.json()["detail"]), r.text
    assert api.get(f"{P}/{p['id']}").json() == before
    assert len(api.get(f"{P}/{p['id']}/history").json()["steps"]) == len(path)


@pytest.mark.parametrize("path, to, on, status", [
    ([], "accepted", "2021-02-28", 409),  # before received_date
    ([], "rejected", "2021-02-28", 409),
    ([("accepted", "2021-03-05")], "in_progress", "2021-03-04", 409),
    ([("accepted", "2021-03-05"), ("in_progress", "2021-03-08")], "resolved", "2021-03-07", 409),
    ([], "accepted", TOMORROW, 422),  # in the future
    ([("accepted", "2021-03-05")], "resolved", TOMORROW, 422),
])
def test_a_step_before_the_previous_one_or_in_the_future(api, units, path, to, on, status):
    p = create(api, units["plain"])
    for s, d in path:
        assert step(api, p["id"], s, d).status_code == 200
    before = api.get(f"{P}/{p['id']}").json()
    r = step(api, p["id"], to, dated(on))
    assert r.status_code == status, r.text
    assert api.get(f"{P}/{p['id']}").json() == before


@pytest.mark.parametrize("path, to", [
    ([], "rejected"), ([], "transferred"), ([], "withdrawn"),
    (["accepted"], "transferred"), (["accepted"], "withdrawn"),
    (["accepted", "in_progress"], "withdrawn"), (["accepted", "in_progress"], "transferred"),
])
def test_leaving_the_open_states_sets_closed_date(api, units, path, to):
    p = create(api, units["plain"])
    for s in path:
        assert step(api, p["id"], s, "2021-03-04").status_code == 200
    r = step(api, p["id"], to, "2021-03-15")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["closed_date"]) == (to, "2021-03-15")
    assert r.json()["accepted_date"] == ("2021-03-04" if path else None)


def test_status_cannot_be_patched(api, units):
    p = create(api, units["plain"])
    r = api.patch(f"{P}/{p['id']}", json={"status": "resolved", "closed_date": "2021-03-05"})
    assert r.status_code == 422
    assert ["body", "status"] in [e["loc"] for e in r.json()["errors"]]
    got = api.get(f"{P}/{p['id']}").json()
    assert (got["status"], got["closed_date"], got["version"]) == ("received", None, 1)
    r = api.patch(f"{P}/{p['id']}", json={"subject": "Khiếu nại về bồi thường"})
    assert (r.status_code, r.json()["version"], r.json()["status"]) == (200, 2, "received")


@pytest.mark.parametrize("verb, body", [
    ("transitions", {"to": "in_progress", "date": "2021-03-06"}),
    ("extensions", {"days": 10, "date": "2021-03-06"}),
])
def test_a_stale_if_match_is_412_and_changes_nothing(api, units, verb, body):
    p = create(api, units["plain"], type="denunciation")
    assert step(api, p["id"], "accepted", "2021-03-05").json()["version"] == 2
    before = (api.get(f"{P}/{p['id']}").json(), api.get(f"{P}/{p['id']}/history").json())
    r = api.post(f"{P}/{p['id']}/{verb}", json=body, headers={"If-Match": '"1"'})
    assert r.status_code == 412, r.text
    assert (api.get(f"{P}/{p['id']}").json(), api.get(f"{P}/{p['id']}/history").json()) == before
    r = api.post(f"{P}/{p['id']}/{verb}", json=body, headers={"If-Match": '"2"'})
    assert (r.status_code, r.json()["version"]) == (200, 3)


def test_an_edit_recomputes_due_date(api, units):
    p = create(api, units["plain"], status="accepted", accepted_date="2021-03-10")
    assert p["due_date"] == "2021-04-09"
    assert api.patch(f"{P}/{p['id']}", json={"complex": True}).json()["due_date"] == "2021-04-24"
    r = api.patch(f"{P}/{p['id']}", json={"unit_id": units["remote_village"]})
    assert r.json()["due_date"] == "2021-05-09"
    assert api.patch(f"{P}/{p['id']}", json={"type": "request"}).json()["due_date"] == "2021-03-25"


def test_extensions_add_their_days_to_a_denunciation(api, units):
    p = create(api, units["plain"], type="denunciation")
    assert step(api, p["id"], "accepted", "2021-03-10").json()["due_date"] == "2021-04-09"
    r = extend(api, p["id"], 20)
    assert (r.status_code, r.json()["due_date"]) == (200, "2021-04-29")
    assert step(api, p["id"], "in_progress", "2021-03-21").status_code == 200
    r = extend(api, p["id"], 30, on="2021-04-25")
    assert (r.status_code, r.json()["due_date"]) == (200, "2021-05-29")
    r = extend(api, p["id"], 5, on="2021-05-20")
    assert r.status_code == 409
    assert api.get(f"{P}/{p['id']}").json()["due_date"] == "2021-05-29"
    h = api.get(f"{P}/{p['id']}/history").json()
    assert [(e["days"], e["date"], e["decision_no"]) for e in h["extensions"]] == [
        (20, "2021-03-20", "20/QĐ-UBND"), (30, "2021-04-25", "30/QĐ-UBND")]
    # An edit that recomputes the deadline keeps the extensions.
    r = api.patch(f"{P}/{p['id']}", json={"complex": True})
    assert r.json()["due_date"] == "2021-05-29"


@pytest.mark.parametrize("kind, path", [
    ("complaint", ["accepted"]), ("dispute", ["accepted"]), ("recommendation", ["accepted"]),
    ("request", ["accepted", "in_progress"]), ("denunciation", []), ("denunciation", ["rejected"]),
    ("denunciation", ["accepted", "resolved"]), ("denunciation", ["accepted", "withdrawn"]),
])
def test_only_an_accepted_or_in_progress_denunciation_is_extended(api, units, kind, path):
    p = create(api, units["plain"], type=kind)
    for s in path:
        assert step(api, p["id"], s, "2021-03-05").status_code == 200
    before = api.get(f"{P}/{p['id']}").json()
    assert extend(api, p["id"], 10).status_code == 409
    assert api.get(f"{P}/{p['id']}").json() == before
    assert api.get(f"{P}/{p['id']}/history").json()["extensions"] == []


@pytest.mark.parametrize("days, status", [(31, 422), (0, 422), (30, 200), (1, 200)])
def test_an_extension_is_at_most_30_days(api, units, days, status):
    p = create(api, units["plain"], type="denunciation")
    step(api, p["id"], "accepted", "2021-03-10")
    r = extend(api, p["id"], days)
    assert r.status_code == status, r.text
    expected = date(2021, 4, 9) + timedelta(days=days if status == 200 else 0)
    assert api.get(f"{P}/{p['id']}").json()["due_date"] == expected.isoformat()


@pytest.mark.parametrize("body, field", [
    ({"status": "resolved", "accepted_date": "2021-03-05"}, "closed_date"),
    ({"status": "resolved", "closed_date": "2021-03-09"}, "accepted_date"),
    ({"status": "accepted"}, "accepted_date"),
    ({"accepted_date": "2021-02-27", "status": "accepted"}, "accepted_date"),
    ({"status": "received", "accepted_date": "2021-03-05"}, "accepted_date"),
    ({"status": "in_progress", "accepted_date": "2021-03-05", "closed_date": "2021-03-09"},
     "closed_date"),
    ({"status": "resolved", "accepted_date": "2021-03-05", "closed_date": "2021-03-04"},
     "closed_date"),
    ({"status": "rejected"}, "closed_date"), ({"received_date": TOMORROW}, "received_date"),
])
def test_inconsistent_status_and_dates_are_422(api, units, body, field):
    r = api.post(P, json={"received_date": "2021-03-01", "unit_id": units["plain"],
                          "type": "complaint", "subject": "Khiếu nại",
                          **{k: dated(v) if isinstance(v, str) else v for k, v in body.items()}})
    assert r.status_code == 422, r.text
    assert ["body", field] in [e["loc"] for e in r.json()["errors"]]
    assert api.get(P).json()["total"] == 0


@pytest.mark.parametrize("role, unit_code, sees", [
    (Role.viewer, "P-HT", False), (Role.clerk, "P-HT", False), (Role.clerk, "P-HTB", False),
    (Role.manager, "P-HT", True), (Role.manager, "P-BT", True), (Role.admin, None, True),
])
def test_a_denouncer_is_confidential(db, make_user, units, role, unit_code, sees):
    with db() as s:
        den = make_petition(s, unit_id=units["plain"], type="denunciation", subject="Tố cáo",
                            petitioner_name="Nguyễn Văn Tố", petitioner_address="thôn Lâm Giang")
        com = make_petition(s, unit_id=units["plain_village"], subject="Khiếu nại",
                            petitioner_name="Trần Thị Bình", petitioner_address="thôn 2")
    client = make_user(role, unit_code)
    expected = ("Nguyễn Văn Tố", "thôn Lâm Giang") if sees else (None, None)
    one = client.get(f"{P}/{den.id}").json()
    assert (one["petitioner_name"], one["petitioner_address"]) == expected
    assert one["subject"] == "Tố cáo"
    items = {i["id"]: i for i in client.get(P).json()["items"]}
    assert set(items) == {den.id, com.id}
    assert (items[den.id]["petitioner_name"], items[den.id]["petitioner_address"]) == expected
    assert (items[com.id]["petitioner_name"], items[com.id]["petitioner_address"]) == (
        "Trần Thị Bình", "thôn 2")
    assert client.get(f"{P}/{com.id}").json()["petitioner_name"] == "Trần Thị Bình"


def test_a_clerk_never_reads_a_denouncer_back_from_a_write(make_user, units):
    clerk = make_user(Role.clerk, "P-HT")
    p = create(clerk, units["plain"], type="denunciation", petitioner_name="Lê Văn Tố")
    assert p["petitioner_name"] is None
    r = step(clerk, p["id"], "accepted", "2021-03-05")
    assert (r.status_code, r.json()["petitioner_name"]) == (200, None)
    r = extend(clerk, p["id"], 10)
    assert (r.status_code, r.json()["petitioner_name"]) == (200, None)
    r = clerk.patch(f"{P}/{p['id']}", json={"handler": "Bà Năm"})
    assert (r.status_code, r.json()["petitioner_name"]) == (200, None)
    # Nor by retyping the denunciation as a complaint (refused, or still hidden).
    r = clerk.patch(f"{P}/{p['id']}", json={"type": "complaint"})
    assert "Lê Văn Tố" not in r.text
    assert "Lê Văn Tố" not in clerk.get(f"{P}/{p['id']}").text
    assert "Lê Văn Tố" not in clerk.get(P).text


@pytest.fixture
def listed(db, units):
    t = units["tree"]
    rows = [  # subject, unit, type, channel, received, status
        ("a", t.ham_tri, "complaint", "direct", "2019-12-31", "received"),
        ("b", t.lam_giang, "denunciation", "online", "2020-01-01", "accepted"),
        ("c", t.ham_lien, "request", "online", "2020-06-15", "resolved"),
        ("d", t.thon_1, "complaint", "mail", "2020-12-31", "rejected"),
        ("e", units["remote"], "dispute", "reception", "2021-01-01", "received"),
    ]
    with db() as s:
        for subject, unit, kind, channel, received, status in rows:
            make_petition(s, subject=subject, unit_id=unit, type=kind, channel=channel,
                          received_date=received, status=status,
                          accepted_date=received if status in ("accepted", "resolved") else None,
                          closed_date=received if status in ("resolved", "rejected") else None)
    return t


@pytest.mark.parametrize("params, expected", [
    ({}, "abcde"), ({"type": "complaint"}, "ad"), ({"type": ["complaint", "dispute"]}, "ade"),
    ({"status": "received"}, "ae"), ({"status": ["resolved", "rejected"]}, "cd"),
    ({"channel": "online"}, "bc"), ({"channel": "online", "type": "request"}, "c"),
    ({"unit": "ham_tri"}, "ab"), ({"unit": "ham_lien"}, "cd"), ({"unit": "lam_giang"}, "b"),
    ({"unit": "district"}, "abcde"),
    ({"date_from": "2020-01-01", "date_to": "2020-12-31"}, "bcd"),
    ({"date_from": "2020-01-01"}, "bcde"), ({"date_to": "2019-12-31"}, "a"),
    ({"date_from": "2020-06-15", "date_to": "2020-06-15"}, "c"),
    ({"date_from": "2020-06-16", "date_to": "2020-12-30"}, ""),
    ({"unit": "ham_lien", "status": "rejected", "date_to": "2020-12-31"}, "d"),
])
def test_list_filters(api, listed, params, expected):
    params = dict(params)
    if "unit" in params:
        params["unit_id"] = getattr(listed, params.pop("unit"))
    r = api.get(P, params=params)
    assert r.status_code == 200, r.text
    assert "".join(sorted(i["subject"] for i in r.json()["items"])) == expected
    assert r.json()["total"] == len(expected)


def test_a_clerk_filters_by_unit_within_the_subtree(make_user, listed):
    r = make_user(Role.clerk, "P-HTB").get(P, params={"unit_id": listed.ham_tri})
    assert r.status_code == 200, r.text
    assert [(i["subject"], i["petitioner_name"]) for i in r.json()["items"]] == [
        ("a", "Trần Thị Bình"), ("b", None)]  # b is a denunciation
