"""Who is acting: a signed-in user, or a provincial system's token acting for one."""

from dataclasses import dataclass

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

    @property
    def principal(self) -> str:
        return f"token:{self.token_id}" if self.token_id else f"user:{self.user_id}"


# The CLI and the demo loader act as this one: everything, no subtree limit.
SYSTEM = Actor(user_id=None, username="system", role=Role.admin, unit_id=None)
