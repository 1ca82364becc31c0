"""Recognitions: a unit recognised for a standard, by an open list of snake_case titles."""

import pytest

from tests.api.helpers import RECOGNITIONS as R
from tests.api.helpers import assert_invalid, create, listing


@pytest.mark.parametrize("title", ["Xã NTM", "New_rural_commune", "new rural commune",
                                   "1st_title", "", "a" * 65, "xã_nông_thôn_mới"])
def test_title_must_be_a_snake_case_code(api, tree, title):
    assert_invalid(api.post(R.path, json=R.body(tree.ham_tri, title=title)), "title")
    assert listing(api, R)["total"] == 0


@pytest.mark.parametrize("title", ["new_rural_commune", "advanced_new_rural_commune",
                                   "cultural_village", "clean_green_village_2025"])
def test_known_and_new_titles_are_accepted(api, tree, title):
    assert create(api, R, R.body(tree.lam_giang, title=title))["title"] == title


def test_decision_number_is_limited(api, tree):
    assert_invalid(api.post(R.path, json=R.body(tree.ham_tri, decision_no="1" * 101)),
                   "decision_no")
    created = create(api, R, R.body(tree.ham_tri, decision_no=None))
    assert created["decision_no"] is None
