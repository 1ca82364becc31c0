"""Who is acting: a signed-in user, or a provincial system's token acting for one."""

from dataclasses import dataclass
from typing import Any

from app.enums import Role

_RANK = {Role.viewer: 0, Role.clerk: 1, Role.manager: 2, Role.admin: 3}


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: Role
    unit_id: int | None  # root of the subtree they work in; None only for the system itself
    can_write: bool = True  # False for a read-scoped API token
    token_id: int | None = None
    screen: bool = False  # a wall screen (display token): sees the dashboard, nothing else

    def at_least(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def write_refusal(self, role: Role = Role.clerk) -> str | None:
        """Why this actor may not change records needing `role` (units aside), in words for
        the one refused; None if they may. A viewer signed in on the pages is told about their
        account, not about an access token they never made."""
        if self.role is Role.viewer:
            return "Tài khoản của bạn chỉ được xem, không được thêm, sửa hay xử lý hồ sơ."
        if self.screen:
            return "Màn hình văn phòng chỉ hiển thị số liệu."
        if not self.can_write:
            return "Mã truy cập này chỉ được phép đọc dữ liệu."
        if not self.at_least(role):
            return f"Vai trò '{self.role.vi}' không được phép thực hiện thao tác này."
        return None

    @property
    def may_manage(self) -> bool:
        """Managers and admins: the pages of accounts, API tokens and wall screens."""
        return self.at_least(Role.manager)

    def may_write(self, role: Role = Role.clerk) -> bool:
        """Whether pages should offer this actor controls that change records needing `role`."""
        return self.write_refusal(role) is None

    def manage_refusal(self) -> str | None:
        """Why this actor may not manage accounts at all, in words for the one refused."""
        if self.token_id is not None:
            return "Mã truy cập API không được dùng để quản lý tài khoản."
        if not self.may_manage:
            return "Chỉ lãnh đạo và quản trị viên được quản lý tài khoản."
        return None

    @property
    def grantable_roles(self) -> list[Role]:
        """The roles this actor may give an account: none above their own."""
        return [r for r in Role if self.at_least(r)] if self.manage_refusal() is None else []

    def account_refusal(self, user: Any) -> str | None:
        """Why this actor may not change `user`'s account (its unit's scope aside), or None.
        A manager manages the people below them: a peer manager of the same unit is not below."""
        if (why := self.manage_refusal()) is not None:
            return why
        if not self.at_least(Role(user.role)):
            return "Không được sửa tài khoản có vai trò cao hơn vai trò của bạn."
        if (self.role is Role.manager and user.id != self.user_id
                and Role(user.role) is Role.manager and user.unit_id == self.unit_id):
            return "Không được sửa tài khoản lãnh đạo cùng cấp; hãy nhờ cấp trên."
        return None

    def may_edit_account(self, user: Any) -> bool:
        """Whether the accounts page should offer to edit or lock `user`'s account."""
        return self.account_refusal(user) is None

    @property
    def principal(self) -> str:
        return f"token:{self.token_id}" if self.token_id else f"user:{self.user_id}"


# The CLI and the demo loader act as this one: everything, no subtree limit.
SYSTEM = Actor(user_id=None, username="system", role=Role.admin, unit_id=None)
