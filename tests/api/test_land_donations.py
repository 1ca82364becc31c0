"""Land donations (dân hiến đất): a positive area, at least one household."""

import pytest

from tests.api.helpers import LAND_DONATIONS as R
from tests.api.helpers import assert_invalid, create, listing

INVALID = [
    ({"area_m2": 0}, "area_m2"),
    ({"area_m2": -5}, "area_m2"),
    ({"area_m2": "big"}, "area_m2"),
    ({"value_vnd": -1}, "value_vnd"),
    ({"value_vnd": 10.5}, "value_vnd"),
    ({"households": 0}, "households"),
    ({"households": -2}, "households"),
    ({"households": 1.5}, "households"),
    ({"status": "promised"}, "status"),
    ({"donor_name": "   "}, "donor_name"),
    ({"note": "x" * 4001}, "note"),
    ({"work_id": 424242}, "work_id"),
]


@pytest.mark.parametrize("change, name", INVALID, ids=[f"{n}-{v}" for v, n in INVALID])
def test_invalid_land_donation_is_refused(api, tree, change, name):
    assert_invalid(api.post(R.path, json=R.body(tree.lam_giang, **change)), name)
    assert listing(api, R)["total"] == 0


def test_defaults_one_household_signed(api, tree):
    created = create(api, R, R.body(tree.lam_giang))
    assert (created["households"], created["status"], created["value_vnd"]) == (1, "signed", None)


def test_a_full_land_donation_round_trips(api, tree):
    body = R.body(tree.lam_giang, households=3, area_m2=240.75, value_vnd=96_000_000,
                  status="pledged", note="Hiến đất mở rộng đường thôn")
    created = create(api, R, body)
    assert {k: created[k] for k in body} == body
    r = api.patch(f"{R.path}/{created['id']}", json={"area_m2": 0})
    assert_invalid(r, "area_m2")
    assert api.get(f"{R.path}/{created['id']}").json() == created
