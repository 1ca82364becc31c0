"""Targets (chỉ tiêu) of a period."""

import pytest

from tests.api.helpers import TARGETS as R
from tests.api.helpers import assert_invalid, create, listing

INVALID = [
    ({"period_start": "2020-03-16"}, "period_end"),  # the period ends before it starts
    ({"achieved": "maybe"}, "achieved"),
    ({"target_value": "a lot"}, "target_value"),
    ({"actual_value": [1]}, "actual_value"),
    ({"name": " "}, "name"),
]


@pytest.mark.parametrize("change, name", INVALID, ids=[f"{n}-{v}" for v, n in INVALID])
def test_invalid_target_is_refused(api, tree, change, name):
    assert_invalid(api.post(R.path, json=R.body(tree.ham_tri, **change)), name)
    assert listing(api, R)["total"] == 0


def test_one_day_period_and_values_round_trip(api, tree):
    body = R.body(tree.ham_tri, period_start="2020-03-15", target_value=2.0,
                  actual_value=1.6, achieved=True)
    created = create(api, R, body)
    assert {k: created[k] for k in body} == body


@pytest.mark.parametrize("change", [{"period_end": "2015-12-31"}, {"period_start": "2020-03-16"}])
def test_patch_putting_the_end_before_the_start_is_refused(api, tree, change):
    target = create(api, R, R.body(tree.ham_tri))
    body = assert_invalid(api.patch(f"{R.path}/{target['id']}", json=change))
    assert {"period_start", "period_end"} & {p for e in body["errors"] for p in e["loc"]}
    assert api.get(f"{R.path}/{target['id']}").json() == target


@pytest.mark.parametrize("value", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_numbers_are_refused_not_a_500(api, tree, value):
    body = R.body(tree.ham_tri)
    raw = (f'{{"unit_id": {body["unit_id"]}, "name": "Hộ nghèo", "period_start": '
           f'"2016-01-01", "period_end": "2020-12-31", "target_value": ').encode() + value + b"}"
    r = api.post(R.path, content=raw, headers={"Content-Type": "application/json"})
    assert_invalid(r, "target_value")
    assert listing(api, R)["total"] == 0
