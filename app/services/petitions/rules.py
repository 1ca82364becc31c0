"""The law on petitions as data: the legal time limits with their basis, the state sets, the
steps allowed from each state, and the one rule of a deadline's badge. When a law changes, these
tables change, not the code that reads them. Days are calendar days."""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.enums import PetitionStatus as S
from app.enums import PetitionType

OPEN = frozenset({S.received, S.accepted, S.in_progress})
CLOSED = frozenset({S.resolved, S.withdrawn, S.transferred, S.rejected})
# Transferred (sent to the competent body) and rejected (not eligible) leave this unit's
# competence; the resolution rate does not count them.
OUTSIDE_COMPETENCE = frozenset({S.transferred, S.rejected})
# Closed within the unit's competence: the summary's "resolved" figure.
DONE = CLOSED - OUTSIDE_COMPETENCE
# Accepted and still open: the time limit runs from acceptance and may be extended.
UNDER_WAY = frozenset({S.accepted, S.in_progress})
TRANSITIONS: dict[S, frozenset[S]] = {
    S.received: frozenset({S.accepted, S.rejected, S.transferred, S.withdrawn}),
    S.accepted: frozenset({S.in_progress, S.resolved, S.withdrawn, S.transferred}),
    S.in_progress: frozenset({S.resolved, S.withdrawn, S.transferred}),
}
# An open petition this close to its deadline is "due soon": the dashboard lists it and both the
# dashboard and the petition's page mark it so.
DUE_SOON_DAYS = 7

# Time to decide whether to accept (thụ lý) a petition, counted from the day it was received.
ACCEPT_DAYS = 10
# Its legal basis, by the kind of petition (a complaint's is not a denunciation's).
ACCEPT_BASIS: dict[PetitionType, str] = {
    PetitionType.complaint: "Luật Khiếu nại 2011 Điều 27 (thụ lý giải quyết khiếu nại)",
    PetitionType.denunciation: "Luật Tố cáo 2018 Điều 24 (tiếp nhận, xử lý ban đầu thông tin tố cáo)",
    PetitionType.dispute: "Quy chế xử lý đơn",
    PetitionType.request: "Luật Tiếp công dân 2013; quy chế xử lý đơn",
    PetitionType.recommendation: "Luật Tiếp công dân 2013; quy chế xử lý đơn",
}


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


def complex_lengthens(p: Any) -> bool:
    """Whether marking this accepted, open petition complex would give it more time by law."""
    return (S(p.status) in UNDER_WAY and p.accepted_date is not None and not p.complex
            and TIME_LIMITS[PetitionType(p.type)].complex_days is not None)


@dataclass(frozen=True)
class Term:
    """Which legal deadline a petition's due date is: to accept it (before acceptance) or to
    resolve it (after), with what a page calls it and the law it rests on."""

    label: str  # "Hạn thụ lý" or "Hạn giải quyết"
    basis: str
    counted: str  # from when the days run, in words


def term_label(status: str) -> str:
    """`term`'s label from an open petition's status alone (a list that reads no dates): only
    a petition not yet accepted waits on the deadline to accept (records._check keeps
    `accepted_date` to the statuses that have one)."""
    return "Hạn thụ lý" if S(status) == S.received else "Hạn giải quyết"


def term(p: Any, extension_days: int = 0) -> Term:
    """The deadline `due_date` holds (services/petitions/records.py `due_date` computes it),
    `extension_days` of it granted by extensions."""
    kind = PetitionType(p.type)
    if p.accepted_date is None:
        return Term("Hạn thụ lý", ACCEPT_BASIS[kind], f"{ACCEPT_DAYS} ngày kể từ ngày nhận đơn")
    counted = "kể từ ngày thụ lý"
    if p.due_date is not None:
        days = (p.due_date - p.accepted_date).days
        counted = f"{days - extension_days} ngày {counted}" + (
            f", gia hạn thêm {extension_days} ngày" if extension_days else "")
    return Term("Hạn giải quyết", TIME_LIMITS[kind].basis, counted)


DeadlineState = Literal["overdue", "due_soon", "on_time", "closed"]


@dataclass(frozen=True)
class Deadline:
    """Where a petition stands against its legal deadline on a day: what every badge shows."""

    state: DeadlineState
    days_left: int | None  # negative when overdue; None when closed
    due_date: date | None


def deadline(p: Any, today: date) -> Deadline:
    """The one rule of the deadline badge: a closed petition has none to meet; an open one is
    overdue after its due date, due soon within DUE_SOON_DAYS of it, else on time."""
    if S(p.status) in CLOSED or p.due_date is None:  # closed, or no deadline to meet
        return Deadline("closed", None, p.due_date)
    days_left = (p.due_date - today).days
    state: DeadlineState = ("overdue" if days_left < 0 else
                            "due_soon" if days_left <= DUE_SOON_DAYS else "on_time")
    return Deadline(state, days_left, p.due_date)
