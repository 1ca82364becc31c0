"""Who may read and write records: a token is needed; viewers read; clerks write within their
subtree; outside it a read is 404 (no existence leak) and a write 403."""

import pytest

from app.enums import Role
from tests.api.helpers import RESOURCES, Resource, assert_problem, create, ids, listing

by_name = pytest.mark.parametrize("res", RESOURCES, ids=str)


@by_name
def test_anonymous_gets_401_everywhere(anon, api, tree, res: Resource):
    record = create(api, res, res.body(tree.ham_tri))
    url = f"{res.path}/{record['id']}"
    for r in (anon.get(res.path), anon.get(url), anon.post(res.path, json=res.body(tree.ham_tri)),
              anon.patch(url, json=res.patch), anon.delete(url)):
        assert_problem(r, 401)
    assert api.get(url).json() == record


@by_name
def test_viewer_reads_but_cannot_write(make_user, api, tree, res: Resource):
    record = create(api, res, res.body(tree.lam_giang))
    viewer = make_user(Role.viewer, "T-HT")
    url = f"{res.path}/{record['id']}"
    assert viewer.get(url).json() == record
    assert ids(viewer.get(res.path).json()) == {record["id"]}
    assert_problem(viewer.post(res.path, json=res.body(tree.ham_tri)), 403)
    assert_problem(viewer.patch(url, json=res.patch), 403)
    assert_problem(viewer.delete(url), 403)
    assert api.get(url).json() == record
    assert listing(api, res)["total"] == 1


@by_name
def test_clerk_writes_only_within_their_subtree(make_user, api, tree, res: Resource):
    clerk = make_user(Role.clerk, "T-HT")
    mine = clerk.post(res.path, json=res.body(tree.lam_giang))
    assert mine.status_code == 201, mine.text
    theirs = create(api, res, res.body(tree.ham_lien))
    url = f"{res.path}/{theirs['id']}"
    assert_problem(clerk.post(res.path, json=res.body(tree.thon_1)), 403)
    assert_problem(clerk.get(url), 404)
    assert_problem(clerk.patch(url, json=res.patch), 403)
    assert_problem(clerk.delete(url), 403)
    moved = clerk.patch(f"{res.path}/{mine.json()['id']}", json={"unit_id": tree.ham_lien})
    assert_problem(moved, 403)
    page = clerk.get(res.path).json()
    assert (ids(page), page["total"]) == ({mine.json()["id"]}, 1)
    assert clerk.get(res.path, params={"unit_id": tree.province}).json()["total"] == 1
    assert api.get(url).json() == theirs
    assert listing(api, res)["total"] == 2


def test_a_patch_that_changes_nothing_is_still_refused_to_a_viewer(make_user, db, tree):
    from tests.factories import make_model

    with db() as s:
        model = make_model(s, unit_id=tree.ham_tri, members=12)
    viewer = make_user(Role.viewer, "T-HT")
    assert viewer.patch(f"/api/v1/models/{model.id}", json={}).status_code == 403
    assert viewer.patch(f"/api/v1/models/{model.id}", json={"members": 12}).status_code == 403
