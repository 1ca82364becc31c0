"""Which unit a dated record belongs to: the one in force on its date. After a merger
(Nghị quyết 202/2025/QH15: old communes ended 30/06/2025, their successors began 01/07/2025)
a gift made in August belongs to the new commune, and one made in 2024 to the old one.

`get` and `merged_into` answer from the database or from what an import loaded once
(services/records/checks.py's Lookup), with the same rule and the same words."""

from collections.abc import Callable, Iterable
from datetime import date

from app.db.units import Unit
from app.vn import print_date
from app.services.errors import Invalid


def in_force(unit: Unit, day: date) -> bool:
    return ((unit.active_from is None or unit.active_from <= day)
            and (unit.active_to is None or day <= unit.active_to))


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
    if unit.active_to is not None and day > unit.active_to:
        then = successor_on(unit, day, get)
        hint = (f" Ngày đó đơn vị kế thừa là '{then.name}': hãy chọn '{then.name}'." if then
                else " Hãy chọn đơn vị còn hiệu lực vào ngày đó.")
        raise Invalid.field(column, f"Đơn vị '{unit.name}' chỉ có hiệu lực đến hết ngày "
                                    f"{print_date(unit.active_to)}, không nhận bản ghi ngày "
                                    f"{print_date(day)}.{hint}")
    if unit.active_from is not None and day < unit.active_from:
        names = [f"'{u.name}'" for u in predecessors_on(unit, day, merged_into)]
        which = "đơn vị này" if len(names) == 1 else "một trong các đơn vị này"
        hint = (f" Ngày đó là của {', '.join(names)}: hãy chọn {which}." if names
                else " Hãy chọn đơn vị có hiệu lực vào ngày đó.")
        raise Invalid.field(column, f"Đơn vị '{unit.name}' có hiệu lực từ ngày "
                                    f"{print_date(unit.active_from)}, không nhận bản ghi ngày "
                                    f"{print_date(day)}.{hint}")
