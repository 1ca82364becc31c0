"""Works (công trình, phần việc): measures that fit the category, status from the dates."""

import pytest

from tests.api.helpers import WORKS as R
from tests.api.helpers import assert_invalid, create, ids, listing

INVALID = [
    ({"category": "bridge"}, "category"),
    ({"measure": "mile"}, "measure"),
    ({"status": "done"}, "status"),
    ({"org_type": "club"}, "org_type"),
    ({"quantity": -0.1}, "quantity"),
    ({"total_cost_vnd": -1}, "total_cost_vnd"),
    ({"total_cost_vnd": 1.5}, "total_cost_vnd"),  # money is whole đồng
    ({"start_date": "2020-03-16"}, "completed_date"),  # completed the day before it started
    ({"status": "completed", "completed_date": None}, "completed_date"),
    ({"name": ""}, "name"),
    ({"model_id": 424242}, "model_id"),
]


@pytest.mark.parametrize("change, name", INVALID, ids=[f"{n}-{v}" for v, n in INVALID])
def test_invalid_work_is_refused(api, tree, change, name):
    assert_invalid(api.post(R.path, json=R.body(tree.ham_tri, **change)), name)
    assert listing(api, R)["total"] == 0


@pytest.mark.parametrize("category, measure", [
    ("canal", "house"), ("road_concrete", "lamp"), ("field_road", "card"), ("lighting", "km"),
    ("gratitude_house_new", "km"), ("charity_house", "m"), ("health_insurance", "house"),
])
def test_measure_must_fit_the_category(api, tree, category, measure):
    body = R.body(tree.ham_tri, category=category, measure=measure, quantity=3)
    assert_invalid(api.post(R.path, json=body), "measure")
    assert listing(api, R)["total"] == 0


@pytest.mark.parametrize("category, measure", [
    ("canal", "km"), ("canal", "m"), ("road_other", "m"), ("lighting", "lamp"),
    ("gratitude_house_repair", "house"), ("charity_house", "house"),
    ("health_insurance", "card"), ("other", "item"),
])
def test_fitting_measures_are_accepted(api, tree, category, measure):
    created = create(api, R, R.body(tree.ham_tri, category=category, measure=measure, quantity=3))
    assert (created["category"], created["measure"], created["quantity"]) == (category, measure, 3)


def test_patch_to_a_measure_that_does_not_fit_is_refused(api, tree):
    work = create(api, R, R.body(tree.ham_tri))
    url = f"{R.path}/{work['id']}"
    assert_invalid(api.patch(url, json={"measure": "house"}), "measure")
    assert_invalid(api.patch(url, json={"category": "lighting"}), "measure")
    assert_invalid(api.patch(url, json={"start_date": "2020-04-01"}), "completed_date")
    assert api.get(url).json() == work


@pytest.mark.parametrize("change, status", [
    ({}, "completed"),
    ({"completed_date": None}, "planned"),
    ({"completed_date": None, "start_date": "2020-01-01"}, "planned"),
    ({"completed_date": None, "status": "in_progress"}, "in_progress"),
    ({"status": "in_progress"}, "in_progress"),
])
def test_status_follows_completed_date_unless_given(api, tree, change, status):
    created = create(api, R, R.body(tree.ham_tri, **change))
    assert created["status"] == status
    assert api.get(f"{R.path}/{created['id']}").json()["status"] == status


def test_work_without_completed_date_is_outside_any_date_range(api, tree):
    done = create(api, R, R.body(tree.ham_tri, "2020-03-15"))
    create(api, R, R.body(tree.ham_tri, completed_date=None, start_date="2020-03-10"))
    page = listing(api, R, date_from="2020-01-01", date_to="2020-12-31")
    assert (ids(page), page["total"]) == ({done["id"]}, 1)
    assert listing(api, R)["total"] == 2
