"""The journeys' guard can fail: after sign-in, typing an address is refused."""

import pytest

from app.enums import Role
from app.services import auth
from tests.e2e.journey import TypedAddress, sign_in
from tests.factories import PASSWORD, make_tree


def test_a_typed_address_after_sign_in_fails_the_journey(journey, db):
    with db() as s:
        make_tree(s)
        auth.create_user(s, username="xem", password=PASSWORD, role=Role.viewer, unit_code="T-HT")
    sign_in(journey, "xem")
    assert "/login" not in journey.url
    with pytest.raises(TypedAddress):
        journey.goto("/units")
    with pytest.raises(TypedAddress):
        journey.evaluate("window.location.href = '/units'")
    assert journey.evaluate("1 + 1") == 2
    with pytest.raises(TypedAddress):
        journey.context.new_page().goto("/units")
    journey._journey_tried.clear()  # the teardown would report the tries above
