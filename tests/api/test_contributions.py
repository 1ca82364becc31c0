"""Contributions (đóng góp): cash needs an amount, labour needs its days."""

import pytest

from tests.api.helpers import CONTRIBUTIONS as R
from tests.api.helpers import assert_invalid, create, listing

INVALID = [
    ({"source": "bank"}, "source"),
    ({"kind": "gold"}, "kind"),
    ({"amount_vnd": -1}, "amount_vnd"),
    ({"amount_vnd": 2.5}, "amount_vnd"),  # money is whole đồng
    ({"labor_days": -0.5}, "labor_days"),
    ({"labor_days": "many"}, "labor_days"),
    ({"kind": "cash", "amount_vnd": None}, "amount_vnd"),
    ({"kind": "cash", "amount_vnd": None, "labor_days": 3}, "amount_vnd"),
    ({"kind": "labor", "amount_vnd": None}, "labor_days"),
    ({"kind": "labor", "amount_vnd": 300_000}, "labor_days"),  # valued labour still has days
    ({"kind": "labor", "amount_vnd": None, "labor_days": 0}, "labor_days"),
    ({"note": "x" * 4001}, "note"),
    ({"work_id": 424242}, "work_id"),
    ({"model_id": 424242}, "model_id"),
]


@pytest.mark.parametrize("change, name", INVALID, ids=[f"{n}-{v}" for v, n in INVALID])
def test_invalid_contribution_is_refused(api, tree, change, name):
    assert_invalid(api.post(R.path, json=R.body(tree.ham_tri, **change)), name)
    assert listing(api, R)["total"] == 0


@pytest.mark.parametrize("change", [
    {"kind": "labor", "amount_vnd": None, "labor_days": 12.5},
    {"kind": "labor", "amount_vnd": 2_400_000, "labor_days": 12},
    {"kind": "in_kind", "amount_vnd": 15_000_000, "note": "3 tấn xi măng"},
    {"kind": "cash", "source": "state_budget", "amount_vnd": 10**12},
])
def test_valid_kinds_are_accepted(api, tree, change):
    body = R.body(tree.ham_tri, **change)
    created = create(api, R, body)
    assert {k: created[k] for k in body} == body


def test_patch_keeps_the_kind_rules(api, tree):
    cash = create(api, R, R.body(tree.ham_tri))
    url = f"{R.path}/{cash['id']}"
    assert_invalid(api.patch(url, json={"amount_vnd": None}), "amount_vnd")
    assert_invalid(api.patch(url, json={"kind": "labor", "amount_vnd": None}), "labor_days")
    assert api.get(url).json() == cash
    r = api.patch(url, json={"kind": "labor", "amount_vnd": None, "labor_days": 4})
    assert r.status_code == 200, r.text
    assert (r.json()["kind"], r.json()["labor_days"], r.json()["amount_vnd"]) == ("labor", 4, None)
