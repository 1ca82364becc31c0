"""/api/v1/units: the administrative tree, its rules, and the 2025 mergers seen through lists."""

import pytest

from app.enums import Role
from tests.factories import make_model, make_petition, make_tree, make_unit, make_work

U = "/api/v1/units"


def post_unit(client, **body):
    return client.post(U, json={"level": "commune", "kind": "xa", **body})


def codes(client):
    return [u["code"] for u in client.get(U, params={"limit": 500}).json()["items"]]


def ids(response):
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def tree(db):
    with db() as s:
        return make_tree(s, "U")


def test_a_four_level_tree_is_built_through_the_api(api):
    p = api.post(U, json={"code": "60", "name": "Bình Thuận", "level": "province", "kind": "tinh"})
    assert p.status_code == 201, p.text
    province = p.json()
    assert p.headers["location"] == f"{U}/{province['id']}"
    assert p.headers["etag"] == '"1"'
    assert (province["parent_id"], province["version"], province["remote"]) == (None, 1, False)
    d = api.post(U, json={"code": "599", "name": "Hàm Thuận Bắc", "level": "district",
                          "kind": "huyen", "parent_id": province["id"]})
    assert d.status_code == 201, d.text
    c = post_unit(api, code="22960", name="Hàm Trí", parent_id=d.json()["id"],
                  active_from="2016-01-01")
    assert c.status_code == 201, c.text
    v = api.post(U, json={"code": "22960-LG", "name": "Lâm Giang", "level": "village",
                          "kind": "thon", "parent_id": c.json()["id"]})
    assert v.status_code == 201, v.text
    village = api.get(f"{U}/{v.json()['id']}").json()
    assert (village["name"], village["level"], village["parent_id"]) == (
        "Lâm Giang", "village", c.json()["id"])
    assert c.json()["active_from"] == "2016-01-01"
    listed = api.get(U, params={"unit_id": province["id"]})
    assert ids(listed) == {province["id"], d.json()["id"], c.json()["id"], v.json()["id"]}
    assert listed.json()["total"] == 4


def test_code_is_unique(api, tree):
    r = post_unit(api, code="U-HT", name="Hàm Trí mới", parent_id=tree.district)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    r = api.patch(f"{U}/{tree.ham_lien}", json={"code": "U-HT"})
    assert r.status_code == 409
    assert api.get(f"{U}/{tree.ham_lien}").json()["code"] == "U-HL"
    assert codes(api).count("U-HT") == 1


@pytest.mark.parametrize("level, parent", [
    ("commune", "ham_tri"), ("village", "lam_giang"), ("district", "ham_tri"),
    ("province", "district"), ("district", "district"),
])
def test_level_must_be_below_the_parent_level(api, tree, level, parent):
    r = post_unit(api, code="U-NEW", name="Mới", level=level, parent_id=getattr(tree, parent))
    assert r.status_code == 422, r.text
    assert ["body", "level"] in [e["loc"] for e in r.json()["errors"]]
    assert "U-NEW" not in codes(api)


def test_a_units_kind_is_one_of_its_levels(api, tree):
    """A commune is no 'Quốc gia' and no 'Tỉnh' (the form's and the API's kinds are checked
    against the level); a unit made with a fitting kind, then given another level, is told."""
    for kind in ("quoc_gia", "tinh", "thon"):
        r = post_unit(api, code=f"U-K{kind}", name="Xã Mới", kind=kind, parent_id=tree.district)
        assert r.status_code == 422 and ["body", "kind"] in [e["loc"] for e in r.json()["errors"]]
        assert "không phải cấp xã" in r.json()["errors"][0]["msg"], r.text
    r = api.patch(f"{U}/{tree.ham_tri}", json={"kind": "tinh"})
    assert r.status_code == 422 and "'Tỉnh' là đơn vị cấp tỉnh" in r.text, r.text
    assert api.patch(f"{U}/{tree.ham_tri}", json={"kind": "phuong"}).status_code == 200
    assert post_unit(api, code="U-KT", name="Thôn Mới", level="village", kind="ap",
                     parent_id=tree.ham_tri).status_code == 201


def test_a_commune_may_sit_directly_under_a_province(api, tree):
    # After 1 July 2025 there is no district level.
    r = post_unit(api, code="U-NEWC", name="Hàm Thuận", parent_id=tree.province,
                  active_from="2025-07-01")
    assert r.status_code == 201, r.text


def test_a_unit_lies_within_its_parents_validity(api, tree):
    """A village under a commune that ended would take records of today: refused, naming the
    day; one that ends with its commune, or a unit starting when its parent starts, is not."""
    old = post_unit(api, code="U-OLD", name="Xã cũ", parent_id=tree.district,
                    active_to="2025-06-30").json()
    village = {"level": "village", "kind": "thon", "parent_id": old["id"]}
    r = api.post(U, json={**village, "code": "U-OLD.1", "name": "Thôn Ma", "active_from": "2026-01-01"})
    assert r.status_code == 422 and "30/06/2025" in r.text
    assert [e["loc"][-1] for e in r.json()["errors"]] == ["active_to"]
    ok = api.post(U, json={**village, "code": "U-OLD.2", "name": "Thôn Một", "active_to": "2025-06-30"})
    assert ok.status_code == 201, ok.text
    moved = api.patch(f"{U}/{ok.json()['id']}", json={"active_to": None})
    assert moved.status_code == 422
    new = post_unit(api, code="U-NEW", name="Xã mới", parent_id=tree.province,
                    active_from="2025-07-01").json()
    early = api.post(U, json={**village, "parent_id": new["id"], "code": "U-NEW.1",
                              "name": "Thôn Hai", "active_from": "2025-01-01"})
    assert early.status_code == 422 and "01/07/2025" in early.text
    # A village that ended before the new commune began cannot move under it (a tester moved
    # one from an old commune to a 2025 one, and it was taken).
    gone = api.patch(f"{U}/{ok.json()['id']}", json={"parent_id": new["id"]})
    assert gone.status_code == 422, gone.text
    assert [e["loc"][-1] for e in gone.json()["errors"]] == ["parent_id"]
    assert "30/06/2025" in gone.text and "01/07/2025" in gone.text


@pytest.mark.parametrize("unit, change", [
    ("district", {"parent_id": "district"}),
    ("ham_tri", {"parent_id": "ham_tri"}),
    ("district", {"parent_id": "ham_tri"}),
    ("district", {"parent_id": "ham_tri", "level": "village"}),
    ("province", {"parent_id": "ham_lien", "level": "village"}),
])
def test_a_unit_cannot_move_under_itself_or_its_descendant(api, tree, unit, change):
    uid = getattr(tree, unit)
    before = api.get(f"{U}/{uid}").json()
    body = {k: getattr(tree, v) if k == "parent_id" else v for k, v in change.items()}
    r = api.patch(f"{U}/{uid}", json=body)
    assert r.status_code == 422, r.text
    assert api.get(f"{U}/{uid}").json() == before
    assert ids(api.get(U, params={"unit_id": tree.province})) == {
        tree.province, tree.district, tree.ham_tri, tree.ham_lien, tree.lam_giang, tree.thon_1}


@pytest.mark.parametrize("unit, change", [
    ("ham_tri", {"level": "village"}),  # its village Lâm Giang would sit under a village
    ("district", {"level": "commune"}),  # its communes would sit under a commune
    ("district", {"level": "commune", "parent_id": "province"}),
])
def test_a_level_change_may_not_put_children_at_or_above_their_parent(api, tree, unit, change):
    uid = getattr(tree, unit)
    before = api.get(f"{U}/{uid}").json()
    body = {k: getattr(tree, v) if k == "parent_id" else v for k, v in change.items()}
    r = api.patch(f"{U}/{uid}", json=body)
    assert r.status_code == 422, r.text
    assert api.get(f"{U}/{uid}").json() == before


@pytest.mark.parametrize("unit, target", [
    ("ham_tri", "ham_tri"), ("district", "ham_tri"), ("district", "lam_giang"),
    ("province", "district"),
])
def test_a_unit_cannot_merge_into_itself_or_its_subtree(api, tree, unit, target):
    uid = getattr(tree, unit)
    before = api.get(f"{U}/{uid}").json()
    r = api.patch(f"{U}/{uid}", json={"merged_into_id": getattr(tree, target)})
    assert r.status_code == 422, r.text
    assert ["body", "merged_into_id"] in [e["loc"] for e in r.json()["errors"]]
    assert api.get(f"{U}/{uid}").json() == before


def test_a_successor_cannot_merge_back_into_its_predecessor(api, tree):
    r = api.patch(f"{U}/{tree.ham_tri}", json={"merged_into_id": tree.ham_lien})
    assert r.status_code == 200
    r = api.patch(f"{U}/{tree.ham_lien}", json={"merged_into_id": tree.ham_tri})
    assert r.status_code == 422
    assert api.get(f"{U}/{tree.ham_lien}").json()["merged_into_id"] is None
    r = api.patch(f"{U}/{tree.ham_tri}", json={"merged_into_id": 999_999})
    assert r.status_code == 422


def test_unit_id_filter_lists_the_subtree(api, tree):
    assert ids(api.get(U, params={"unit_id": tree.district})) == {
        tree.district, tree.ham_tri, tree.ham_lien, tree.lam_giang, tree.thon_1}
    assert ids(api.get(U, params={"unit_id": tree.ham_tri})) == {tree.ham_tri, tree.lam_giang}
    assert ids(api.get(U, params={"unit_id": tree.thon_1})) == {tree.thon_1}
    r = api.get(U, params={"unit_id": tree.district, "level": "village"})
    assert ids(r) == {tree.lam_giang, tree.thon_1}


@pytest.mark.parametrize("role", [Role.viewer, Role.clerk, Role.manager])
def test_staff_filter_units_within_their_subtree(make_user, tree, role):
    client = make_user(role, "U-HTB")
    r = client.get(U, params={"unit_id": tree.ham_tri})
    assert ids(r) == {tree.ham_tri, tree.lam_giang}
    assert ids(client.get(U)) == {tree.district, tree.ham_tri, tree.ham_lien, tree.lam_giang,
                                  tree.thon_1}


@pytest.fixture
def merged(api, db, tree):
    """2025: Hàm Trí (district HTB) and Hàm Hiệp (another district) merge into a new commune."""
    with db() as s:
        other = make_unit(s, code="U-PT", name="Phan Thiết", level="district", kind="thanh_pho",
                          parent_id=tree.province)
        hiep = make_unit(s, code="U-HH", name="Hàm Hiệp", kind="xa", parent_id=other.id)
        new_p = make_unit(s, code="U-LD", name="Lâm Đồng", level="province", kind="tinh",
                          active_from="2025-07-01")
    r = post_unit(api, code="U-HTN", name="Hàm Thuận Bắc", parent_id=new_p.id,
                  active_from="2025-07-01")
    assert r.status_code == 201, r.text
    succ = r.json()["id"]
    for old in (tree.ham_tri, hiep.id):
        r = api.patch(f"{U}/{old}", json={"merged_into_id": succ, "active_to": "2025-06-30"})
        assert r.status_code == 200, r.text
        assert r.json()["merged_into_id"] == succ
    units = {"ham_tri": tree.ham_tri, "lam_giang": tree.lam_giang, "ham_lien": tree.ham_lien,
             "thon_1": tree.thon_1, "hiep": hiep.id, "succ": succ}
    with db() as s:
        for name, uid in units.items():
            new = name == "succ"
            make_model(s, unit_id=uid, name=f"M {name}",
                       start_date="2025-09-01" if new else "2020-03-01")
            make_work(s, unit_id=uid, name=f"W {name}", start_date="2019-01-10",
                      completed_date="2025-10-01" if new else "2020-06-30")
            make_petition(s, unit_id=uid, subject=f"P {name}",
                          received_date="2025-08-04" if new else "2021-05-06")
    return tree, units


@pytest.mark.parametrize("resource, prefix", [("models", "M"), ("works", "W"), ("petitions", "P")])
def test_a_successor_lists_its_predecessors_records(api, merged, resource, prefix):
    tree, units = merged
    key = "subject" if resource == "petitions" else "name"
    r = api.get(f"/api/v1/{resource}", params={"unit_id": units["succ"]})
    assert r.status_code == 200, r.text
    got = {item[key]: item["unit_id"] for item in r.json()["items"]}
    # Each record keeps the unit it was entered for.
    assert got == {f"{prefix} {n}": units[n] for n in ("ham_tri", "lam_giang", "hiep", "succ")}
    assert r.json()["total"] == 4
    old = api.get(f"/api/v1/{resource}", params={"unit_id": tree.district})
    assert {item[key] for item in old.json()["items"]} == {
        f"{prefix} {n}" for n in ("ham_tri", "lam_giang", "ham_lien", "thon_1")}
    units_of_succ = ids(api.get(U, params={"unit_id": units["succ"]}))
    assert units_of_succ == {units[n] for n in ("succ", "ham_tri", "lam_giang", "hiep")}


def test_unit_with_children_cannot_be_deleted(api, tree):
    r = api.delete(f"{U}/{tree.ham_tri}")
    assert r.status_code == 409
    assert api.get(f"{U}/{tree.ham_tri}").status_code == 200
    assert api.delete(f"{U}/{tree.lam_giang}").status_code == 204
    assert api.get(f"{U}/{tree.lam_giang}").status_code == 404
    assert api.delete(f"{U}/{tree.ham_tri}").status_code == 204


@pytest.mark.parametrize("factory", [make_model, make_work, make_petition])
def test_unit_with_records_cannot_be_deleted(api, db, tree, factory):
    with db() as s:
        factory(s, unit_id=tree.thon_1)
    r = api.delete(f"{U}/{tree.thon_1}")
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert api.get(f"{U}/{tree.thon_1}").status_code == 200


def test_a_successor_with_predecessors_cannot_be_deleted(api, tree):
    succ = post_unit(api, code="U-S", name="Xã mới", parent_id=tree.district).json()["id"]
    assert api.patch(f"{U}/{tree.ham_lien}", json={"merged_into_id": succ}).status_code == 200
    assert api.delete(f"{U}/{succ}").status_code == 409
    assert api.get(f"{U}/{tree.ham_lien}").json()["merged_into_id"] == succ


def test_active_to_may_not_precede_active_from(api, tree):
    r = post_unit(api, code="U-X", name="X", parent_id=tree.district,
                  active_from="2020-01-01", active_to="2019-12-31")
    assert r.status_code == 422
    assert ["body", "active_to"] in [e["loc"] for e in r.json()["errors"]]
    ok = post_unit(api, code="U-X", name="X", parent_id=tree.district,
                   active_from="2020-01-01", active_to="2020-01-01")
    assert ok.status_code == 201, ok.text
    r = api.patch(f"{U}/{ok.json()['id']}", json={"active_from": "2020-01-02"})
    assert r.status_code == 422
    assert api.get(f"{U}/{ok.json()['id']}").json()["active_from"] == "2020-01-01"


@pytest.mark.parametrize("role", [Role.manager, Role.clerk, Role.viewer])
def test_only_an_admin_creates_a_root_unit(api, make_user, tree, role):
    user = make_user(role, "U-BT")
    r = user.post(U, json={"code": "U-ROOT", "name": "Tỉnh mới", "level": "province"})
    assert r.status_code == 403
    assert "U-ROOT" not in codes(api)
    r = api.post(U, json={"code": "U-ROOT", "name": "Tỉnh mới", "level": "province"})
    assert r.status_code == 201
    assert r.json()["parent_id"] is None


def test_a_manager_manages_units_below_their_own(make_user, tree):
    manager = make_user(Role.manager, "U-HTB")
    r = post_unit(manager, code="U-M1", name="Thôn 2", level="village", kind="thon",
                  parent_id=tree.ham_lien)
    assert r.status_code == 201, r.text
    assert post_unit(manager, code="U-M2", name="Huyện khác", level="district", kind="huyen",
                     parent_id=tree.province).status_code == 403
    clerk = make_user(Role.clerk, "U-HTB")
    assert post_unit(clerk, code="U-M3", name="Thôn 3", level="village", kind="thon",
                     parent_id=tree.ham_lien).status_code == 403


def test_unknown_unit_is_404(api):
    r = api.get(f"{U}/987654")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 404


def test_a_search_lists_the_exact_name_first_then_names_and_words_that_start_with_it(api, tree):
    for code, name in [("PL-1", "Tân Phú Long"), ("PL-2", "Phú Long Hưng"), ("PL-3", "Phú Long"),
                       ("PL-4", "Long Phú")]:
        assert post_unit(api, code=code, name=name, parent_id=tree.district).status_code == 201
    found = api.get(U, params={"q": "phu long"}).json()["items"]
    assert [u["name"] for u in found] == ["Phú Long", "Phú Long Hưng", "Tân Phú Long", "Long Phú"]
    # An explicit order still wins.
    by_code = api.get(U, params={"q": "phu long", "sort": "-code"}).json()["items"]
    assert [u["code"] for u in by_code] == ["PL-4", "PL-3", "PL-2", "PL-1"]
