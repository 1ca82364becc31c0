"""References between records (work_id, model_id) must stay on one line of the unit tree:
a village's gift to its commune's road is fine, a gift of Hàm Trí to a road of Hàm Liêm is not."""

import pytest

from tests.api.helpers import (COMMENDATIONS, CONTRIBUTIONS, LAND_DONATIONS, MODELS, WORKS,
                               Resource, assert_invalid, create, ids, listing)

REFERENCES = [
    (CONTRIBUTIONS, "work_id", WORKS),
    (CONTRIBUTIONS, "model_id", MODELS),
    (LAND_DONATIONS, "work_id", WORKS),
    (WORKS, "model_id", MODELS),
    (COMMENDATIONS, "model_id", MODELS),
]
by_reference = pytest.mark.parametrize("res, ref, target", REFERENCES,
                                       ids=[f"{r}-{f}" for r, f, _ in REFERENCES])


@by_reference
def test_reference_to_another_communes_record_is_refused(api, tree, res: Resource, ref, target):
    other = create(api, target, target.body(tree.ham_lien))
    assert_invalid(api.post(res.path, json=res.body(tree.ham_tri, **{ref: other["id"]})), ref)
    assert_invalid(api.post(res.path, json=res.body(tree.lam_giang, **{ref: other["id"]})), ref)
    assert listing(api, res)["total"] == 0


@by_reference
def test_reference_up_or_down_the_same_line_is_accepted(api, tree, res: Resource, ref, target):
    commune_record = create(api, target, target.body(tree.ham_tri))
    village_record = create(api, target, target.body(tree.lam_giang))
    from_village = create(api, res, res.body(tree.lam_giang, **{ref: commune_record["id"]}))
    from_commune = create(api, res, res.body(tree.ham_tri, **{ref: village_record["id"]}))
    same_unit = create(api, res, res.body(tree.ham_tri, **{ref: commune_record["id"]}))
    assert from_village[ref] == commune_record["id"]
    assert from_commune[ref] == village_record["id"]
    assert same_unit[ref] == commune_record["id"]
    page = listing(api, res, **{ref: commune_record["id"]})
    assert ids(page) == {from_village["id"], same_unit["id"]}


@by_reference
def test_reference_to_a_missing_record_is_refused(api, tree, res: Resource, ref, target):
    assert_invalid(api.post(res.path, json=res.body(tree.ham_tri, **{ref: 424242})), ref)
    assert_invalid(api.post(res.path, json=res.body(tree.ham_tri, **{ref: "one"})), ref)


@by_reference
def test_moving_a_record_away_from_its_reference_is_refused(api, tree, res: Resource, ref,
                                                            target):
    mine = create(api, target, target.body(tree.ham_tri))
    other = create(api, target, target.body(tree.ham_lien))
    record = create(api, res, res.body(tree.lam_giang, **{ref: mine["id"]}))
    url = f"{res.path}/{record['id']}"
    assert_invalid(api.patch(url, json={"unit_id": tree.thon_1}), ref)
    assert_invalid(api.patch(url, json={ref: other["id"]}), ref)
    assert api.get(url).json() == record
    r = api.patch(url, json={"unit_id": tree.thon_1, ref: other["id"]})
    assert r.status_code == 200, r.text
    assert (r.json()["unit_id"], r.json()[ref], r.json()["version"]) == (
        tree.thon_1, other["id"], 2)
    r = api.patch(url, json={ref: None})
    assert (r.status_code, r.json()[ref]) == (200, None)
