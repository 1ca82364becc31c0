"""Legal time limits for petitions, kept as data with their legal basis: when a law changes,
this table changes, not the code that reads it. Days are calendar days."""

from dataclasses import dataclass

from app.enums import PetitionType

# Time to decide whether to accept (thụ lý) a petition, counted from the day it was received.
ACCEPT_DAYS = 10
ACCEPT_BASIS = "Luật Khiếu nại 2011 Điều 27; Luật Tố cáo 2018 Điều 24"


@dataclass(frozen=True)
class TimeLimit:
    days: int  # from acceptance
    basis: str
    complex_days: int | None = None  # the case is complex (vụ việc phức tạp)
    remote_days: int | None = None  # the unit is remote (vùng sâu, vùng xa)
    remote_complex_days: int | None = None
    max_extensions: int = 0
    max_extension_days: int = 0


TIME_LIMITS: dict[PetitionType, TimeLimit] = {
    PetitionType.complaint: TimeLimit(
        days=30, complex_days=45, remote_days=45, remote_complex_days=60,
        basis="Luật Khiếu nại 2011 Điều 28 (giải quyết lần đầu)",
    ),
    PetitionType.denunciation: TimeLimit(
        days=30, max_extensions=2, max_extension_days=30,
        basis="Luật Tố cáo 2018 Điều 30 (gia hạn tối đa hai lần, mỗi lần không quá 30 ngày)",
    ),
    PetitionType.dispute: TimeLimit(
        days=30, basis="Luật Đất đai 2024 Điều 235 (hòa giải tranh chấp đất đai tại cấp xã)",
    ),
    PetitionType.request: TimeLimit(days=15, basis="Luật Tiếp công dân 2013; quy chế xử lý đơn"),
    PetitionType.recommendation: TimeLimit(
        days=15, basis="Luật Tiếp công dân 2013; quy chế xử lý đơn"
    ),
}


def resolve_days(kind: PetitionType, *, complex_: bool, remote: bool) -> int:
    """Days from acceptance to the legal deadline, before any extension."""
    limit = TIME_LIMITS[kind]
    if remote and complex_ and limit.remote_complex_days:
        return limit.remote_complex_days
    if remote and limit.remote_days:
        return limit.remote_days
    if complex_ and limit.complex_days:
        return limit.complex_days
    return limit.days
