"""Commendations (khen thưởng, biểu dương)."""

import pytest

from tests.api.helpers import COMMENDATIONS as R
from tests.api.helpers import assert_invalid, create, listing

INVALID = [
    ({"recipient_type": "family"}, "recipient_type"),
    ({"level": "ward"}, "level"),
    ({"level": "Province"}, "level"),
    ({"recipient_name": ""}, "recipient_name"),
    ({"decision_no": "x" * 101}, "decision_no"),
    ({"model_id": 424242}, "model_id"),
]


@pytest.mark.parametrize("change, name", INVALID, ids=[f"{n}-{v}" for v, n in INVALID])
def test_invalid_commendation_is_refused(api, tree, change, name):
    assert_invalid(api.post(R.path, json=R.body(tree.ham_tri, **change)), name)
    assert listing(api, R)["total"] == 0


@pytest.mark.parametrize("level", ["commune", "district", "province", "national", None])
def test_every_level_is_accepted(api, tree, level):
    body = R.body(tree.ham_tri, recipient_type="collective", level=level,
                  recipient_name="Chi hội Phụ nữ thôn Lâm Giang", decision_no="08/QĐ-UBND")
    created = create(api, R, body)
    assert {k: created[k] for k in body} == body
