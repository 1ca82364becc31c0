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
