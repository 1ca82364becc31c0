"""Which unit a dated record belongs to: the one in force on its date. After a merger
(Nghị quyết 202/2025/QH15: old communes ended 30/06/2025, their successors began 01/07/2025)
a gift made in August belongs to the new commune, and one made in 2024 to the old one.

A code names a unit only with a date: Vietnam's 2025 communes mostly carry a predecessor's
code (23059 was Thị trấn Ma Lâm until 30/06/2025, Xã Hàm Thuận since). `unit_at` is the one
resolver: the API's `?code=&on=`, a write's `unit_code` and an import's column ask it (an
import answers from what it loaded, by the same rule: `nearest`).

`get` and `merged_into` answer from the database or from what an import loaded once
(services/records/checks.py's Lookup), with the same rule and the same words."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from app.db.units import Unit
from app.vn import print_date
from app.services.errors import Invalid


def in_force(unit: Unit, day: date) -> bool:
    return ((unit.active_from is None or unit.active_from <= day)
            and (unit.active_to is None or day <= unit.active_to))


def in_force_sql(day: date) -> Any:
    """`in_force` as a condition on the unit table."""
    return and_(or_(Unit.active_from.is_(None), Unit.active_from <= day),  # type: ignore[union-attr]
                or_(Unit.active_to.is_(None), Unit.active_to >= day))  # type: ignore[union-attr]


def coded(code: str) -> Any:
    """The units whose code is `code`, without case (the index on lower(code) answers)."""
    return func.lower(Unit.code) == code.lower()


def unit_at(session: Session, code: str, on: date) -> Unit | None:
    """The unit that carried `code` on `on` (none, or one: services/units.py keeps a code
    unique among units in force at the same time)."""
    return session.exec(select(Unit).where(coded(code), in_force_sql(on))
                        .order_by(Unit.id)).scalars().first()


def carriers(session: Session, code: str) -> list[Unit]:
    """Every unit that ever carried `code`, for a refusal's words."""
    return [*session.exec(select(Unit).where(coded(code)).order_by(Unit.id)).scalars()]


def validity(unit: Unit) -> str:
    """'từ 01/07/2025', 'đến hết 30/06/2025', '01/01/2020 – 30/06/2025', '' (always)."""
    return span(unit.active_from, unit.active_to)


def span(start: date | None, end: date | None) -> str:
    """A stretch of days in words, either end open (see `validity`)."""
    if start and end:
        return f"{print_date(start)} – {print_date(end)}"
    if start:
        return f"từ {print_date(start)}"
    return f"đến hết {print_date(end)}" if end else ""


def not_carried(code: str, day: date, units: list[Unit], get: Callable[[int], Unit | None],
                merged_into: Callable[[int], Iterable[Unit]]) -> str:
    """Why no unit answers to `code` on `day`: the words of `check` for the unit that carried
    it nearest that day (the successor, or the predecessors, in force on that day named)."""
    unit = nearest(units, day)
    why = refusal(unit, day, get, merged_into) if unit is not None else None
    return why or f"Không có đơn vị mã '{code}'."


def among(units: Iterable[Any], day: date) -> Any:
    """`unit_at` over units already loaded (the carriers of a code): the one in force on
    `day`, or None."""
    return next((unit for unit in units if in_force(unit, day)), None)


def overlaps(unit: Any, start: date | None, end: date | None) -> bool:
    """Whether `unit`'s validity and [start, end] (either end open) share a day: the
    condition services/units.py checks a code's uniqueness under."""
    return ((unit.active_from is None or end is None or unit.active_from <= end)
            and (unit.active_to is None or start is None or unit.active_to >= start))


def nearest(units: Iterable[Unit], day: date) -> Unit | None:
    """The one of `units` (the carriers of a code) in force on `day` (`among`), or else the
    one whose validity lies nearest that day: the last to end before it, or the first to
    begin after."""
    units = units if isinstance(units, list) else [*units]
    found = among(units, day)
    if found is not None:
        return found
    before = [u for u in units if u.active_to is not None and u.active_to < day]
    if before:
        return max(before, key=lambda u: u.active_to)  # type: ignore[arg-type,return-value]
    return min((u for u in units if u.active_from is not None), default=None,
               key=lambda u: u.active_from)  # type: ignore[arg-type,return-value]


def successor_on(unit: Unit, day: date, get: Callable[[int], Unit | None]) -> Unit | None:
    """The unit in force on `day` that `unit` was merged into, through any later mergers."""
    seen = {unit.id}
    while unit.merged_into_id is not None and unit.merged_into_id not in seen:
        found = get(unit.merged_into_id)
        if found is None:
            return None
        if in_force(found, day):
            return found
        seen.add(found.id)
        unit = found
    return None


def successors_on(unit: Unit, day: date, get: Callable[[int], Unit | None]) -> list[Unit]:
    """The units in force on `day` that a unit divided between several received its parts,
    each through any later mergers, the default first; [] for a unit not divided."""
    found: list[Unit] = []
    ids = getattr(unit, "successor_ids", None) or []
    for heir in (get(i) for i in ids if len(ids) > 1):
        if heir is not None and not in_force(heir, day):
            heir = successor_on(heir, day, get)
        if heir is not None and heir not in found:
            found.append(heir)
    return found


def predecessors_on(unit: Unit, day: date,
                    merged_into: Callable[[int], Iterable[Unit]]) -> list[Unit]:
    """The units in force on `day` that were later merged into `unit`."""
    found: list[Unit] = []
    seen, todo = {unit.id}, [unit.id]
    while todo:
        for older in merged_into(todo.pop()):
            if older.id in seen:
                continue
            seen.add(older.id)
            if in_force(older, day):
                found.append(older)
            else:
                todo.append(older.id)  # it had replaced others in its turn
    return found


def check(unit: Unit, day: date, column: str, get: Callable[[int], Unit | None],
          merged_into: Callable[[int], Iterable[Unit]]) -> None:
    """Refuse (422 on `column`) a record dated `day` on a unit not in force that day, naming
    the unit that was."""
    why = refusal(unit, day, get, merged_into)
    if why is not None:
        raise Invalid.field(column, why)


def refusal(unit: Unit, day: date, get: Callable[[int], Unit | None],
            merged_into: Callable[[int], Iterable[Unit]]) -> str | None:
    """Why a record dated `day` cannot be kept on `unit`, naming the unit that was in force
    that day; None when `unit` was."""
    if unit.active_to is not None and day > unit.active_to:
        heirs = successors_on(unit, day, get)
        then = successor_on(unit, day, get)
        if len(heirs) > 1:
            named = ", ".join(f"'{u.name}'" + (" (đơn vị kế thừa mặc định)" if u is heirs[0] else "")
                              for u in heirs)
            hint = f" Đơn vị đã được chia cho {named}: hãy chọn một trong các đơn vị này."
        elif then is not None:
            hint = f" Ngày đó đơn vị kế thừa là '{then.name}': hãy chọn '{then.name}'."
        else:
            hint = " Hãy chọn đơn vị còn hiệu lực vào ngày đó."
        return (f"Đơn vị '{unit.name}' chỉ có hiệu lực đến hết ngày "
                f"{print_date(unit.active_to)}, không nhận bản ghi ngày {print_date(day)}.{hint}")
    if unit.active_from is not None and day < unit.active_from:
        names = [f"'{u.name}'" for u in predecessors_on(unit, day, merged_into)]
        which = "đơn vị này" if len(names) == 1 else "một trong các đơn vị này"
        hint = (f" Ngày đó là của {', '.join(names)}: hãy chọn {which}." if names
                else " Hãy chọn đơn vị có hiệu lực vào ngày đó.")
        return (f"Đơn vị '{unit.name}' có hiệu lực từ ngày {print_date(unit.active_from)}, "
                f"không nhận bản ghi ngày {print_date(day)}.{hint}")
    return None
