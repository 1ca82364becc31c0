"""Models (mô hình, điển hình): the rules of their own fields."""

import pytest

from tests.api.helpers import MODELS as R
from tests.api.helpers import assert_invalid, create, listing

INVALID = [
    ({"field": "farming"}, "field"),
    ({"field": "Economy"}, "field"),
    ({"kind": "group"}, "kind"),
    ({"org_type": "club"}, "org_type"),
    ({"status": "done"}, "status"),
    ({"status": "recognized", "recognition_level": "global"}, "recognition_level"),
    ({"recognition_level": "province"}, "recognition_level"),  # not recognised (yet)
    ({"members": -1}, "members"),
    ({"members": 2.5}, "members"),
    ({"score": -0.5}, "score"),
    ({"end_date": "2020-03-14"}, "end_date"),  # the day before start_date
    ({"name": "   "}, "name"),
    ({"org_name": "x" * 301}, "org_name"),
    ({"description": "x" * 4001}, "description"),
    ({"results": "x" * 4001}, "results"),
]


@pytest.mark.parametrize("change, name", INVALID, ids=[n for _, n in INVALID])
def test_invalid_model_is_refused(api, tree, change, name):
    assert_invalid(api.post(R.path, json=R.body(tree.ham_tri, **change)), name)
    assert listing(api, R)["total"] == 0


def test_defaults_and_a_full_model(api, tree):
    bare = create(api, R, R.body(tree.ham_tri))
    assert (bare["kind"], bare["status"], bare["end_date"]) == ("collective", "registered", None)
    full = R.body(tree.ham_tri, kind="individual", org_name="Chi hội nông dân thôn 2",
                  end_date="2020-03-15", members=0, description="Nuôi bò", results="Thu nhập tăng",
                  status="recognized", recognition_level="district", score=92.5)
    created = create(api, R, full)
    assert {k: created[k] for k in full} == full


@pytest.mark.parametrize("change", [{"end_date": "2020-03-01"}, {"start_date": "2021-01-01"}])
def test_patch_putting_end_before_start_is_refused(api, tree, change):
    model = create(api, R, R.body(tree.ham_tri, end_date="2020-12-31"))
    body = assert_invalid(api.patch(f"{R.path}/{model['id']}", json=change))
    assert {"start_date", "end_date"} & {part for e in body["errors"] for part in e["loc"]}
    assert api.get(f"{R.path}/{model['id']}").json() == model


def test_recognising_a_model_with_its_level(api, tree):
    model = create(api, R, R.body(tree.ham_tri))
    url = f"{R.path}/{model['id']}"
    assert_invalid(api.patch(url, json={"recognition_level": "province"}), "recognition_level")
    r = api.patch(url, json={"status": "recognized", "recognition_level": "province"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["recognition_level"], r.json()["version"]) == (
        "recognized", "province", 2)
