"""The pre-aggregated sums stay equal to the records through every kind of write, and the
report reads the same figures from them as from the raw rows, on any period."""

import random
from datetime import date, timedelta

import pytest

from app.services import reports, rollups
from app.services.actor import SYSTEM
from tests.factories import (make_contribution, make_land_donation, make_model, make_petition, make_tree,
                             make_work)


def test_cover_splits_a_period_into_years_months_and_days():
    span = rollups.cover(date(2015, 11, 20), date(2019, 2, 10))
    assert span.years == [(date(2016, 1, 1), date(2018, 1, 1))]
    assert span.months == [(date(2015, 12, 1), date(2015, 12, 1)), (date(2019, 1, 1), date(2019, 1, 1))]
    assert span.days == [(date(2015, 11, 20), date(2015, 11, 30)), (date(2019, 2, 1), date(2019, 2, 10))]
    one_day = rollups.cover(date(2020, 2, 29), date(2020, 2, 29))
    assert (one_day.years, one_day.months, one_day.days) == ([], [], [(date(2020, 2, 29),) * 2])
    whole = rollups.cover(date(2016, 1, 1), date(2025, 12, 31))
    assert whole.phases == [(date(2016, 1, 1), date(2021, 1, 1))]
    assert not whole.years and not whole.months and not whole.days
    # A month mostly inside the period is read whole, less its days outside.
    ends = rollups.cover(date(2019, 3, 4), date(2019, 6, 27))
    assert ends.months == [(date(2019, 3, 1), date(2019, 6, 1))]
    assert ends.minus == [(date(2019, 3, 1), date(2019, 3, 3)), (date(2019, 6, 28), date(2019, 6, 30))]
    assert not ends.days
    middle = rollups.cover(date(2019, 5, 3), date(2019, 5, 29))
    assert (middle.months, middle.days) == ([(date(2019, 5, 1),) * 2], [])
    assert middle.minus == [(date(2019, 5, 1), date(2019, 5, 2)), (date(2019, 5, 30), date(2019, 5, 31))]
    mixed = rollups.cover(date(2015, 1, 1), date(2022, 6, 30))
    assert mixed.years == [(date(2015, 1, 1), date(2015, 1, 1)), (date(2021, 1, 1), date(2021, 1, 1))]
    assert mixed.phases == [(date(2016, 1, 1), date(2016, 1, 1))]
    assert mixed.months == [(date(2022, 1, 1), date(2022, 6, 1))]


def test_sums_follow_creates_updates_and_deletes(api, db):
    rng = random.Random(7)
    with db() as s:
        tree = make_tree(s)
    units = [tree.ham_tri, tree.lam_giang, tree.ham_lien, tree.thon_1]
    works = []
    for i in range(12):
        unit = rng.choice(units)
        r = api.post("/api/v1/works", json={
            "name": f"Đường {i}", "unit_id": unit, "category": rng.choice(["road_concrete", "canal"]),
            "quantity": rng.randint(100, 3000), "measure": rng.choice(["m", "km"]),
            "total_cost_vnd": rng.randint(1, 900) * 1_000_000, "org_type": "government",
            "completed_date": str(date(2018, 1, 1) + timedelta(days=rng.randint(0, 900)))})
        assert r.status_code == 201, r.text
        works.append(r.json())
    for i in range(40):
        w = rng.choice(works)
        body = {"unit_id": w["unit_id"], "work_id": w["id"], "source": rng.choice(["people", "state_budget", "business"]),
                "kind": "cash", "amount_vnd": rng.randint(1, 50) * 1_000_000,
                "date": str(date(2017, 6, 1) + timedelta(days=rng.randint(0, 1200)))}
        assert api.post("/api/v1/contributions", json=body).status_code == 201
        assert api.post("/api/v1/land-donations", json={
            "unit_id": w["unit_id"], "work_id": w["id"], "donor_name": f"Hộ {i}", "area_m2": 50 + i,
            "value_vnd": 2_000_000, "date": body["date"]}).status_code == 201
    # Moves: a work's category, date and unit; a gift's work and source; deletions.
    w = works[0]
    assert api.patch(f"/api/v1/works/{w['id']}", json={"category": "road_other",
                                                        "completed_date": "2020-12-31"}).status_code == 200
    gifts = api.get("/api/v1/contributions", params={"limit": 500}).json()["items"]
    for g in gifts[:10]:
        other = rng.choice([x for x in works if x["unit_id"] == g["unit_id"]] or [None])
        if other:
            assert api.patch(f"/api/v1/contributions/{g['id']}",
                             json={"work_id": other["id"], "source": "people"}).status_code == 200
    for g in gifts[10:20]:
        assert api.delete(f"/api/v1/contributions/{g['id']}").status_code == 204
    m = api.post("/api/v1/models", json={"name": "Tổ hòa giải", "unit_id": tree.ham_tri,
                                         "field": "defense_security", "org_type": "government",
                                         "start_date": "2019-03-01", "members": 9}).json()
    assert api.patch(f"/api/v1/models/{m['id']}", json={"status": "in_progress", "members": 11}).status_code == 200
    with db() as s:
        assert rollups.differences(s) == []


@pytest.mark.parametrize("period", [
    (date(2016, 1, 1), date(2020, 12, 31)), (date(2018, 3, 15), date(2019, 11, 2)),
    (date(2015, 1, 1), date(2021, 6, 30)),
    (date(2018, 6, 30), date(2018, 6, 30)), (date(2017, 12, 1), date(2019, 1, 31)),
    # months read whole less their days outside the period, at either end and in the middle
    (date(2016, 3, 4), date(2019, 10, 27)), (date(2018, 5, 3), date(2018, 5, 29)),
])
def test_report_from_sums_equals_report_from_rows(db, period, monkeypatch):
    rng = random.Random(11)
    with db() as s:
        tree = make_tree(s)
        for i in range(30):
            unit = rng.choice([tree.ham_tri, tree.lam_giang, tree.ham_lien])
            day = date(2016, 1, 1) + timedelta(days=rng.randint(0, 1800))
            w = make_work(s, unit_id=unit, completed_date=str(day), start_date=str(day),
                          quantity=rng.randint(1, 20) / 10, total_cost_vnd=rng.randint(1, 9) * 10**8)
            make_contribution(s, unit_id=unit, work_id=w.id, date=str(day), amount_vnd=10**7)
            make_land_donation(s, unit_id=tree.lam_giang if unit == tree.ham_tri else unit,
                               work_id=w.id if unit != tree.ham_lien else None, date=str(day))
            make_model(s, unit_id=unit, start_date=str(day), members=i)
        # Records on the period's edges, inside and out: the odd days must count them.
        for i, day in enumerate((period[0] - timedelta(days=1), period[0], period[1],
                                 period[1] + timedelta(days=1))):
            unit = (tree.ham_tri, tree.lam_giang, tree.ham_lien)[i % 3]
            w = make_work(s, unit_id=unit, completed_date=str(day), start_date=str(day),
                          total_cost_vnd=(i + 1) * 10**6)
            make_contribution(s, unit_id=unit, work_id=w.id, date=str(day), amount_vnd=(i + 1) * 10**5)
            make_land_donation(s, unit_id=unit, date=str(day), value_vnd=(i + 1) * 10**4)
    # The district, and the province: the whole tree (its only root), read from the rows
    # with no unit, per day for the odd days.
    units = (tree.district, tree.province)
    with db() as s:
        fast = [reports.summary(s, actor=SYSTEM, unit_id=u, date_from=period[0],
                                date_to=period[1]) for u in units]
    # The same report read from the records alone: every day of the period on the raw path,
    # and the whole tree read as any subtree, unit by unit.
    every_day_raw = lambda f, t: rollups.Cover([], [], [(f, t)])  # noqa: E731
    monkeypatch.setattr(rollups, "cover", every_day_raw)  # the report's own question
    monkeypatch.setattr(rollups.reading, "cover", every_day_raw)  # what `rolled` reads
    monkeypatch.setattr(rollups, "whole_tree", lambda session, unit_id: None)
    with db() as s:
        raw = [reports.summary(s, actor=SYSTEM, unit_id=u, date_from=period[0],
                               date_to=period[1]) for u in units]
    assert fast == raw
    assert fast[0]["works"]["total"] > 0 or (period[1] - period[0]).days < 31  # a day, a month


def test_a_work_with_gifts_cannot_be_deleted(api, db):
    with db() as s:
        tree = make_tree(s)
        w = make_work(s, unit_id=tree.ham_tri)
        make_contribution(s, unit_id=tree.ham_tri, work_id=w.id)
    r = api.delete(f"/api/v1/works/{w.id}")
    assert r.status_code == 409 and "đóng góp" in r.json()["detail"]
    assert api.get(f"/api/v1/works/{w.id}").status_code == 200


def test_village_sums_follow_the_village_when_it_moves(api, db):
    with db() as s:
        tree = make_tree(s)
        make_contribution(s, unit_id=tree.lam_giang, amount_vnd=7_000_000, date="2019-04-01")
    moved = api.patch(f"/api/v1/units/{tree.lam_giang}", json={"parent_id": tree.ham_lien})
    assert moved.status_code == 200, moved.text
    with db() as s:
        assert rollups.differences(s) == []
    full_year = {"date_from": "2019-01-01", "date_to": "2019-12-31"}
    for unit, expected in ((tree.ham_lien, 7_000_000), (tree.ham_tri, 0), (tree.lam_giang, 7_000_000)):
        body = api.get("/api/v1/reports/summary", params={"unit_id": unit, **full_year}).json()
        assert body["contributions"]["total_vnd"] == expected, unit


@pytest.mark.parametrize("period", [
    ("2016-01-01", "2020-12-31"), ("2018-03-15", "2019-11-02"), ("2019-06-30", "2019-06-30"),
    ("2017-12-01", "2019-01-31"), ("2018-03-03", "2019-11-28"),
])
def test_petition_figures_from_sums_equal_the_definitions(api, db, period):
    """The report counts petitions from sums by received and closed date; each figure must
    equal the petitions that meet its definition one by one (the list filter `figure`)."""
    rng = random.Random(5)
    with db() as s:
        tree = make_tree(s)
        for i in range(120):
            unit = rng.choice([tree.ham_tri, tree.lam_giang, tree.ham_lien, tree.district])
            received = date(2016, 1, 1) + timedelta(days=rng.randint(0, 1700))
            fate = rng.random()
            accepted = received + timedelta(days=rng.randint(0, 9))
            closed = accepted + timedelta(days=rng.randint(0, 80))
            if fate < 0.15:
                kw = {"status": "received"}
            elif fate < 0.3:
                kw = {"status": "in_progress", "accepted_date": str(accepted)}
            elif fate < 0.4:
                kw = {"status": rng.choice(["transferred", "rejected", "withdrawn"]),
                      "closed_date": str(received + timedelta(days=rng.randint(0, 9)))}
            else:
                kw = {"status": "resolved", "accepted_date": str(accepted), "closed_date": str(closed)}
            make_petition(s, unit_id=unit, received_date=str(received),
                          type=rng.choice(["complaint", "dispute", "request"]), **kw)
    body = api.get("/api/v1/reports/summary", params={
        "unit_id": tree.province, "date_from": period[0], "date_to": period[1]}).json()["petitions"]
    for figure in ("received", "carried_over", "in_competence", "resolved", "overdue"):
        listed = api.get("/api/v1/petitions", params={
            "unit_id": tree.province, "figure": figure, "period_from": period[0],
            "period_to": period[1], "limit": 1}).json()["total"]
        assert body[figure] == listed, figure
    assert sum(body["by_type"].values()) == body["received"]
    with db() as s:
        assert rollups.differences(s) == []
