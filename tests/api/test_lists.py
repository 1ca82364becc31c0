"""Lists of every record resource: paging, the unit subtree, inclusive dates, one filter per
enumerated field, and updated_since for provincial systems that sync."""

import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.api.helpers import (COMMENDATIONS, CONTRIBUTIONS, LAND_DONATIONS, MODELS,
                               RECOGNITIONS, RESOURCES, TARGETS, WORKS, Resource, assert_invalid,
                               create, ids, listing)

by_name = pytest.mark.parametrize("res", RESOURCES, ids=str)


@by_name
def test_pages_cover_every_record_once(api, tree, res: Resource):
    made = [create(api, res, res.body(tree.ham_tri))["id"] for _ in range(5)]
    first = listing(api, res, limit=2)
    assert (len(first["items"]), first["total"], first["limit"], first["offset"]) == (2, 5, 2, 0)
    seen = [i["id"] for offset in (0, 2, 4) for i in listing(api, res, limit=2,
                                                             offset=offset)["items"]]
    assert sorted(seen) == sorted(made)
    assert listing(api, res, limit=2, offset=4)["items"][0]["id"] in made
    past_end = listing(api, res, limit=2, offset=10)
    assert (past_end["items"], past_end["total"]) == ([], 5)
    default = listing(api, res)
    assert (default["limit"], default["offset"], default["total"]) == (50, 0, 5)
    assert listing(api, res, limit=500)["limit"] == 500


@pytest.mark.parametrize("params, name", [
    ({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"limit": "ten"}, "limit"),
    ({"offset": -1}, "offset"), ({"date_from": "2020-13-01"}, "date_from"),
    ({"updated_since": "yesterday"}, "updated_since"), ({"unit_id": "x"}, "unit_id"),
])
@by_name
def test_bad_list_parameters_are_422(api, res: Resource, params, name):
    assert_invalid(api.get(res.path, params=params), name)


@by_name
def test_date_from_after_date_to_is_422(api, res: Resource):
    assert_invalid(api.get(res.path, params={"date_from": "2020-04-01", "date_to": "2020-03-31"}))


@by_name
def test_unit_filter_covers_the_unit_and_everything_below(api, tree, res: Resource):
    village = create(api, res, res.body(tree.lam_giang))["id"]
    commune = create(api, res, res.body(tree.ham_tri))["id"]
    sibling = create(api, res, res.body(tree.thon_1))["id"]
    expected = {
        tree.province: {village, commune, sibling}, tree.district: {village, commune, sibling},
        tree.ham_tri: {village, commune}, tree.lam_giang: {village},
        tree.ham_lien: {sibling}, tree.thon_1: {sibling},
    }
    for unit, want in expected.items():
        page = listing(api, res, unit_id=unit)
        assert (ids(page), page["total"]) == (want, len(want)), unit


@by_name
def test_date_filter_is_inclusive_on_the_resource_date(api, tree, res: Resource):
    days = ("2020-02-29", "2020-03-01", "2020-03-31", "2020-04-01")
    made = {day: create(api, res, res.body(tree.ham_tri, day))["id"] for day in days}

    def dated(**params: str) -> set[int]:
        page = listing(api, res, **params)
        assert page["total"] == len(page["items"])
        return ids(page)

    assert dated(date_from="2020-03-01", date_to="2020-03-31") == {made["2020-03-01"],
                                                                   made["2020-03-31"]}
    assert dated(date_from="2020-03-31") == {made["2020-03-31"], made["2020-04-01"]}
    assert dated(date_to="2020-03-01") == {made["2020-02-29"], made["2020-03-01"]}
    assert dated(date_from="2020-03-01", date_to="2020-03-01") == {made["2020-03-01"]}
    assert dated(date_from="2020-03-02", date_to="2020-03-30") == set()


ENUM_FILTERS = [
    (MODELS, "field", ["economy", "culture_society", "defense_security"], {}),
    (MODELS, "kind", ["collective", "individual"], {}),
    (MODELS, "org_type", ["government", "youth_union", "red_cross"], {}),
    (MODELS, "status", ["registered", "evaluated", "discontinued"], {}),
    (MODELS, "recognition_level", ["commune", "district", "national"], {"status": "recognized"}),
    (WORKS, "category", ["canal", "lighting", "poor_fund"], {"quantity": None, "measure": None}),
    (WORKS, "measure", ["m", "house", "lamp"], {"category": "other"}),
    (WORKS, "org_type", ["government", "womens_union", "other"], {}),
    (WORKS, "status", ["planned", "in_progress", "completed"], {}),
    (CONTRIBUTIONS, "source", ["state_budget", "business", "other"], {}),
    (CONTRIBUTIONS, "kind", ["cash", "labor", "in_kind"], {"labor_days": 2}),
    (LAND_DONATIONS, "status", ["pledged", "signed", "registered"], {}),
    (COMMENDATIONS, "recipient_type", ["collective", "individual"], {}),
    (COMMENDATIONS, "level", ["commune", "province", "national"], {}),
    (RECOGNITIONS, "title", ["new_rural_commune", "cultural_village", "new_rural_district"], {}),
]


@pytest.mark.parametrize("res, name, codes, extra", ENUM_FILTERS,
                         ids=[f"{r}-{n}" for r, n, _, _ in ENUM_FILTERS])
def test_each_enumerated_field_filters(api, tree, res: Resource, name, codes, extra):
    made = {code: create(api, res, res.body(tree.ham_tri, **{**extra, name: code}))["id"]
            for code in codes}
    for code in codes:
        page = listing(api, res, **{name: code})
        assert (ids(page), page["total"]) == ({made[code]}, 1), code
    both = listing(api, res, **{name: codes[:2]})  # ?name=a&name=b
    assert (ids(both), both["total"]) == ({made[c] for c in codes[:2]}, 2)
    assert listing(api, res)["total"] == len(codes)


@pytest.mark.parametrize("res, name, code", [
    (r, n, "bogus") for r, n, _, _ in ENUM_FILTERS if n != "title"
] + [(TARGETS, "achieved", "maybe")], ids=lambda v: str(v))
def test_unknown_code_in_a_filter_is_422(api, res: Resource, name, code):
    assert_invalid(api.get(res.path, params={name: code}), name)


def test_targets_filter_on_achieved(api, tree):
    made = {flag: create(api, TARGETS, TARGETS.body(tree.ham_tri, achieved=flag))["id"]
            for flag in (True, False, None)}
    assert ids(listing(api, TARGETS, achieved="true")) == {made[True]}
    assert ids(listing(api, TARGETS, achieved="false")) == {made[False]}
    assert listing(api, TARGETS)["total"] == 3


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@by_name
def test_updated_since_lists_what_changed_at_or_after(api, tree, res: Resource):
    first = create(api, res, res.body(tree.ham_tri))
    time.sleep(0.05)
    second = create(api, res, res.body(tree.ham_lien))
    assert ids(listing(api, res, updated_since=first["updated_at"])) == {first["id"],
                                                                         second["id"]}
    assert ids(listing(api, res, updated_since=second["updated_at"])) == {second["id"]}
    # The same instant written in Vietnam's offset means the same thing.
    local = _instant(second["updated_at"]).astimezone(timezone(timedelta(hours=7))).isoformat()
    assert ids(listing(api, res, updated_since=local)) == {second["id"]}
    naive = _instant(second["updated_at"]).replace(tzinfo=None).isoformat()  # read as UTC
    assert ids(listing(api, res, updated_since=naive)) == {second["id"]}
    time.sleep(0.05)
    r = api.patch(f"{res.path}/{first['id']}", json=res.patch)
    assert r.status_code == 200, r.text
    changed = listing(api, res, updated_since=r.json()["updated_at"])
    assert (ids(changed), changed["total"]) == ({first["id"]}, 1)
    future = (_instant(r.json()["updated_at"]) + timedelta(minutes=1)).isoformat()
    assert listing(api, res, updated_since=future)["total"] == 0


@by_name
def test_keyset_pages_cover_every_record_once(api, tree, res: Resource):
    made = sorted(create(api, res, res.body(tree.ham_tri))["id"] for _ in range(5))
    seen, after, pages = [], None, 0
    while True:
        page = listing(api, res, limit=2, **({} if after is None else {"after": after}))
        assert (page["total"], page["limit"], page["offset"]) == (5, 2, 0)
        seen += [i["id"] for i in page["items"]]
        pages += 1
        if page["next"] is None:
            break
        assert page["next"] == page["items"][-1]["id"]
        after = page["next"]
    assert (seen, pages) == (made, 3)
    backwards = listing(api, res, limit=2, sort="-id", after=made[2])
    assert ([i["id"] for i in backwards["items"]], backwards["next"]) == (made[1::-1], None)
    assert listing(api, res, sort="-id")["next"] is None
    assert_invalid(api.get(res.path, params={"after": made[0], "sort": "id,x"}))
    assert_invalid(api.get(res.path, params={"after": 0}), "after")


def test_after_goes_with_the_order_by_id_only(api, tree):
    made = create(api, CONTRIBUTIONS, CONTRIBUTIONS.body(tree.ham_tri))["id"]
    assert_invalid(api.get(CONTRIBUTIONS.path, params={"after": made, "sort": "-date"}), "after")
    assert listing(api, CONTRIBUTIONS, sort="-date")["next"] is None
