"""Who may change records, and the words a refusal uses: each says who is refused, so a viewer
signed in on the pages is not told about an access token they never made."""

import pytest

from app.enums import Role
from app.services.actor import Actor


def actor(role: Role, **kw) -> Actor:
    return Actor(user_id=1, username="x", role=role, unit_id=1, **kw)


@pytest.mark.parametrize(("who", "role", "words"), [
    (actor(Role.viewer, can_write=False), Role.clerk, "Tài khoản của bạn chỉ được xem"),
    (actor(Role.viewer, can_write=False, token_id=3), Role.clerk, "Tài khoản của bạn chỉ được xem"),
    (actor(Role.manager, can_write=False, screen=True), Role.clerk, "Màn hình văn phòng"),
    (actor(Role.clerk, can_write=False, token_id=3), Role.clerk, "Mã truy cập này chỉ được phép đọc"),
    (actor(Role.clerk), Role.manager, "Vai trò 'Cán bộ"),
])
def test_each_refusal_names_who_is_refused(who, role, words):
    assert who.write_refusal(role).startswith(words), who.write_refusal(role)
    assert not who.may_write(role)


def test_who_may_write_and_manage():
    assert actor(Role.clerk).may_write() and not actor(Role.clerk).may_manage
    assert actor(Role.manager).may_write(Role.manager) and actor(Role.manager).may_manage
    assert actor(Role.admin).write_refusal(Role.admin) is None


class Account:
    """An account as the accounts page lists it: all the rule reads."""

    def __init__(self, id: int, role: Role, unit_id: int | None = 1):
        self.id, self.role, self.unit_id = id, role.value, unit_id


def test_who_may_manage_accounts_and_grant_which_roles():
    assert actor(Role.clerk).manage_refusal().startswith("Chỉ lãnh đạo")
    assert actor(Role.admin, token_id=3).manage_refusal().startswith("Mã truy cập API")
    assert actor(Role.manager).manage_refusal() is None
    assert actor(Role.manager).grantable_roles == [Role.manager, Role.clerk, Role.viewer]
    assert actor(Role.admin).grantable_roles == list(Role)
    assert actor(Role.clerk).grantable_roles == []


@pytest.mark.parametrize(("who", "account", "words"), [
    (actor(Role.manager), Account(2, Role.clerk), None),
    (actor(Role.manager), Account(1, Role.manager), None),  # oneself
    (actor(Role.manager), Account(2, Role.manager, unit_id=5), None),  # a manager below
    (actor(Role.manager), Account(2, Role.manager), "Không được sửa tài khoản lãnh đạo cùng cấp"),
    (actor(Role.manager), Account(2, Role.admin, unit_id=None), "Không được sửa tài khoản có vai trò cao hơn"),
    (actor(Role.admin), Account(2, Role.admin, unit_id=None), None),
    (actor(Role.clerk), Account(2, Role.viewer), "Chỉ lãnh đạo"),
])
def test_whose_account_the_actor_may_change(who, account, words):
    """The accounts page offers to edit or lock exactly the accounts the service would let
    this actor change (the unit's scope aside, which the list already applies)."""
    why = who.account_refusal(account)
    assert (why is None) if words is None else why.startswith(words), why
    assert who.may_edit_account(account) is (words is None)
