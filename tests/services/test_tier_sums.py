"""The second tier's own sums (app/services/rollups/tiers.py): a province's report read from
them equals the report read from the records, across a merger between provinces, after the
tree changes through the services, and when the tree changes behind the services' back."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from app.db.stats import StatContribution
from app.services import reports, rollups
from app.services.actor import SYSTEM
from tests.factories import (make_contribution, make_land_donation, make_model, make_petition,
                             make_unit, make_work)

PERIODS = [(date(2016, 1, 1), date(2025, 12, 31)), (date(2019, 3, 15), date(2024, 8, 20)),
           (date(2025, 1, 1), date(2025, 12, 31)), (date(2021, 6, 3), date(2021, 6, 27))]


def _country(s):
    vn = make_unit(s, code="VN", name="Việt Nam", level="country", kind="quoc_gia")
    p1 = make_unit(s, code="P1", name="Tỉnh Một", level="province", kind="tinh", parent_id=vn.id)
    p2 = make_unit(s, code="P2", name="Tỉnh Hai", level="province", kind="tinh", parent_id=vn.id)
    c1 = make_unit(s, code="C1", name="Xã Một", kind="xa", parent_id=p1.id)
    c2 = make_unit(s, code="C2", name="Xã Hai", kind="xa", parent_id=p1.id)
    c3 = make_unit(s, code="C3", name="Xã Ba", kind="xa", parent_id=p2.id)
    v1 = make_unit(s, code="V1", name="Thôn Một", level="village", kind="thon", parent_id=c1.id)
    return {"vn": vn.id, "p1": p1.id, "p2": p2.id, "c1": c1.id, "c2": c2.id, "c3": c3.id, "v1": v1.id}


def _records(s, u, rng, n=25):
    for i in range(n):
        unit = rng.choice([u["c1"], u["c2"], u["c3"], u["v1"]])
        day = date(2016, 1, 1) + timedelta(days=rng.randint(0, 3650))
        w = make_work(s, unit_id=unit, completed_date=str(day), start_date=str(day),
                      total_cost_vnd=rng.randint(1, 9) * 10**8)
        make_contribution(s, unit_id=unit, work_id=w.id, date=str(day), amount_vnd=rng.randint(1, 90) * 10**5,
                          source=rng.choice(["people", "business", "state_budget"]))
        make_land_donation(s, unit_id=unit, date=str(day), value_vnd=(i + 1) * 10**4)
        make_model(s, unit_id=unit, start_date=str(day), members=i)
        make_petition(s, unit_id=unit, received_date=str(day))
    for day in (date(2019, 3, 14), date(2019, 3, 15), date(2024, 8, 20), date(2024, 8, 21)):
        make_contribution(s, unit_id=u["c2"], date=str(day), amount_vnd=day.day * 10**4)


def _reports(db, u, monkeypatch=None):
    with db() as s:
        return {(p, period): reports.summary(s, actor=SYSTEM, unit_id=u[p], date_from=period[0],
                                             date_to=period[1])
                for p in ("p1", "p2") for period in PERIODS}


def _from_records(db, u, monkeypatch):
    """The same reports from the records alone: every day raw, no province's own sums."""
    with monkeypatch.context() as m:
        every_day_raw = lambda f, t: rollups.Cover([], [], [(f, t)])  # noqa: E731
        m.setattr(rollups, "cover", every_day_raw)
        m.setattr(rollups.reading, "cover", every_day_raw)
        m.setattr(rollups, "summed_at", lambda session, unit_id: None)
        return _reports(db, u)


def _whole(db, u):
    with db() as s:
        return [rollups.summed_at(s, u[p]) for p in ("p1", "p2")]


@pytest.fixture
def country(db):
    rng = random.Random(5)
    with db() as s:
        u = _country(s)
        rollups.rebuild(s)  # as `dvk rollups --rebuild` or the migration leave them: whole
    with db() as s:
        u["c2_merged"] = False
        _records(s, u, rng)
    return u


def test_a_province_is_read_from_its_own_sums_and_they_equal_its_records(db, country, monkeypatch):
    u = country
    assert _whole(db, u) == [u["p1"], u["p2"]]
    with db() as s:
        assert rollups.differences(s) == []
    fast = _reports(db, u)
    assert fast == _from_records(db, u, monkeypatch)
    assert fast[("p1", PERIODS[0])]["contributions"]["total_vnd"] > 0
    # They are what the report reads: taken away, the province's money is gone from it.
    with db() as s:
        s.exec(StatContribution.__table__.delete().where(
            StatContribution.unit_id == u["p1"], StatContribution.grain.in_(rollups.TIER_GRAINS)))
    with db() as s:
        after = reports.summary(s, actor=SYSTEM, unit_id=u["p1"], date_from=PERIODS[0][0],
                                date_to=PERIODS[0][1])
    assert after["contributions"]["total_vnd"] == 0


def test_a_merger_between_provinces_through_the_api_keeps_them_whole(api, db, country, monkeypatch):
    u = country
    # Xã Hai (province one) merged into Xã Ba (province two): its records now count in both.
    r = api.patch(f"/api/v1/units/{u['c2']}", json={"merged_into_id": u["c3"]})
    assert r.status_code == 200, r.text
    # Xã Một moves to province two, with its village.
    r = api.patch(f"/api/v1/units/{u['c1']}", json={"parent_id": u["p2"]})
    assert r.status_code == 200, r.text
    assert _whole(db, u) == [u["p1"], u["p2"]]
    # Records written after the change go where the new tree says.
    assert api.post("/api/v1/contributions", json={
        "unit_id": u["c2"], "source": "people", "kind": "cash", "amount_vnd": 7_000_000,
        "date": "2021-06-10"}).status_code == 201
    assert api.post("/api/v1/contributions", json={
        "unit_id": u["v1"], "source": "people", "kind": "cash", "amount_vnd": 3_000_000,
        "date": "2021-06-11"}).status_code == 201
    with db() as s:
        assert rollups.differences(s) == []
    fast = _reports(db, u)
    assert fast == _from_records(db, u, monkeypatch)
    june = PERIODS[3]
    assert fast[("p2", june)]["contributions"]["total_vnd"] >= 10_000_000
    assert fast[("p1", june)]["contributions"]["total_vnd"] >= 7_000_000


def test_a_tree_changed_behind_the_services_back_is_read_from_the_communes(api, db, country,
                                                                          monkeypatch):
    u = country
    with db() as s:  # raw SQL, as a script or another program might
        s.exec(text("UPDATE unit SET parent_id = :p WHERE id = :c").bindparams(p=u["p2"], c=u["c2"]))
    assert _whole(db, u) == [None, None]  # stale: not read, not written
    assert api.post("/api/v1/contributions", json={
        "unit_id": u["c2"], "source": "people", "kind": "cash", "amount_vnd": 9_000_000,
        "date": "2022-02-02"}).status_code == 201
    fast = _reports(db, u)
    assert fast == _from_records(db, u, monkeypatch)
    with db() as s:
        rollups.rebuild(s)
    assert _whole(db, u) == [u["p1"], u["p2"]]
    with db() as s:
        assert rollups.differences(s) == []
    assert _reports(db, u) == fast


def test_a_province_from_its_sums_is_faithful_on_every_kind_of_write(api, db, country):
    u = country
    gifts = api.get("/api/v1/contributions", params={"unit_id": u["p1"], "limit": 30}).json()["items"]
    for g in gifts[:10]:
        assert api.patch(f"/api/v1/contributions/{g['id']}",
                         json={"amount_vnd": 1_234_000, "date": "2020-02-29"}).status_code == 200
    for g in gifts[10:20]:
        assert api.delete(f"/api/v1/contributions/{g['id']}").status_code == 204
    works = api.get("/api/v1/works", params={"unit_id": u["p2"], "limit": 5}).json()["items"]
    for w in works:
        assert api.patch(f"/api/v1/works/{w['id']}", json={"completed_date": "2025-12-31"}).status_code == 200
    with db() as s:
        assert rollups.differences(s) == []


def test_a_units_import_that_moves_a_commune_makes_them_once_and_whole(db, country, monkeypatch):
    from app.enums import Role
    from app.services.actor import Actor
    from app.services.imports.units import import_unit_rows

    u = country
    loader = Actor(user_id=None, username="loader", role=Role.admin, unit_id=None)
    made = []
    monkeypatch.setattr(rollups.tiers, "rebuild", lambda s, t=None, _r=rollups.tiers.rebuild: (made.append(t), _r(s, t)))
    with db() as s:
        report = import_unit_rows(s, loader, [
            {"code": "C1", "name": "Xã Một", "level": "commune", "parent_code": "P2"},
            {"code": "C2", "name": "Xã Hai", "level": "commune", "parent_code": "P1", "merged_into_code": "C3"},
            {"code": "C4", "name": "Xã Bốn", "level": "commune", "parent_code": "P1"}], dry_run=False)
        assert report.ok, report.errors
        assert (report.created, report.updated) == (1, 2)
    assert made == [{u["p1"], u["p2"]}]  # once, for the two provinces the file changed
    assert _whole(db, u) == [u["p1"], u["p2"]]
    with db() as s:
        assert rollups.differences(s) == []
    monkeypatch.undo()
    assert _reports(db, u) == _from_records(db, u, monkeypatch)


def test_a_lists_total_is_read_from_the_sums_and_equals_the_rows(api, make_user, db, country, monkeypatch):
    from sqlalchemy import func, select

    from app.db.contributions import Contribution
    from app.enums import Role

    u = country
    clerk = make_user(Role.clerk, unit_code="P2")
    asked = []
    real = rollups.tiers.counted
    monkeypatch.setattr(rollups, "counted", lambda s, t, unit: asked.append(unit) or real(s, t, unit))

    def rows(*units):
        with db() as s:
            q = select(func.count()).select_from(Contribution)
            return s.exec(q.where(Contribution.unit_id.in_(units)) if units else q).scalar_one()

    p2 = (u["p2"], u["c3"])
    cases = [(api, {}, rows(), [None]),  # the whole tree: its own rows
             (clerk, {}, rows(*p2), [u["p2"]]),  # the clerk's province: the province's rows
             (api, {"unit_id": u["p2"]}, rows(*p2), [u["p2"]]),
             (api, {"unit_id": u["p2"], "limit": 3, "sort": "-id"}, rows(*p2), [u["p2"]]),
             (api, {"unit_id": u["c3"]}, rows(u["c3"]), []),  # a commune: counted by the rows
             (clerk, {"source": "people"}, None, []),  # a filter: by the rows
             (api, {"date_from": "2020-01-01"}, None, [])]
    for client, params, expected, read in cases:
        asked.clear()
        page = client.get("/api/v1/contributions", params=params)
        assert page.status_code == 200, page.text
        if expected is None:
            by_rows = len(client.get("/api/v1/contributions", params={**params, "limit": 500}).json()["items"])
            assert page.json()["total"] == by_rows
        else:
            assert page.json()["total"] == expected > 0
        assert asked == read, params
    # A tree changed behind the services' back: the province's sums are not read, the rows are.
    with db() as s:
        s.exec(text("UPDATE unit SET parent_id = :p WHERE id = :c").bindparams(p=u["p2"], c=u["c2"]))
    asked.clear()
    assert clerk.get("/api/v1/contributions").json()["total"] == rows(u["p2"], u["c3"], u["c2"])
    assert asked == [u["p2"]]  # asked, and the sums answered None: counted by the rows


def test_a_province_made_a_root_and_back_keeps_every_unit_of_the_second_tier_whole(api, db, country,
                                                                                   monkeypatch):
    """Which units are of the second tier follows the tree: a province made a root makes its
    communes second-tier units (found by a reviewer: their reports read no rows and showed 0)."""
    u = country
    assert api.patch(f"/api/v1/units/{u['p1']}", json={"parent_id": None}).status_code == 200
    with db() as s:
        assert rollups.summed_at(s, u["c1"]) == u["c1"]
        assert rollups.summed_at(s, u["p1"]) is None  # a root now
        assert rollups.differences(s) == []
    assert api.post("/api/v1/contributions", json={
        "unit_id": u["v1"], "source": "people", "kind": "cash", "amount_vnd": 4_000_000,
        "date": "2021-06-12"}).status_code == 201
    assert api.patch(f"/api/v1/units/{u['p1']}", json={"parent_id": u["vn"]}).status_code == 200
    with db() as s:
        assert rollups.summed_at(s, u["c1"]) is None  # no more of the second tier
        assert rollups.differences(s) == []
    assert _reports(db, u) == _from_records(db, u, monkeypatch)


def test_an_admin_with_a_unit_of_their_own_gets_the_listed_provinces_total(make_user, db, country):
    """The total is the listed province's, whatever the admin's own unit (a reviewer found an
    admin of one province listing another of as many units got the first one's total)."""
    from app.enums import Role

    u = country
    with db() as s:  # province two as large as province one: four units each
        make_unit(s, code="C4", name="Xã Bốn", level="commune", kind="xa", parent_id=u["p2"])
        make_unit(s, code="C5", name="Xã Năm", level="commune", kind="xa", parent_id=u["p2"])
    admin = make_user(Role.admin, unit_code="P1")
    page = admin.get("/api/v1/contributions", params={"unit_id": u["p2"], "limit": 500}).json()
    assert page["total"] == len(page["items"]) > 0
