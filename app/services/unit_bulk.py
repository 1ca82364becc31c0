"""Changes to many units at once, as a province or district sets what no data set holds: the
remote-area flag (vùng sâu, vùng xa) of several units, and a commune's villages typed one per
line. Each unit goes through the units verbs (`units.update`, `units.create`), so every change
is checked and audited by the rules of a single one; all or nothing: one refusal and nothing is
kept, every refusal told, by its line or its unit."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from app.db import labels
from app.db.gate import writing
from app.db.units import Unit, UnitCreate, UnitUpdate
from app.enums import UnitKind, UnitLevel
from app.services import scope, units
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden, Invalid, NotFound
from app.services.validation import field_errors

MAX_UNITS = 500   # units ticked in one go (a level of the tree shows 100 at a time)
MAX_LINES = 300   # villages typed in one go (a commune has a few dozen)
VILLAGE_KINDS = (UnitKind.thon, UnitKind.ap, UnitKind.ban, UnitKind.khu_pho, UnitKind.to_dan_pho)


@dataclass(frozen=True)
class Line:
    number: int       # 1-based, as the text area shows it
    code: str | None  # given as "CODE;Name", else made from the commune's code
    name: str


def _why(exc: Exception) -> str:
    """A refusal in one sentence, each field named by its label, never by its API name."""
    if isinstance(exc, ValidationError):
        errors = field_errors(exc)
    elif isinstance(exc, DomainError):
        errors = [e for e in exc.errors if e.get("loc")]
        if not errors:
            return exc.detail
    else:
        raise exc
    said = []
    for e in errors:
        name = str(e["loc"][-1]) if e.get("loc") else ""
        shown = labels.label(UnitCreate, name) if name in UnitCreate.model_fields else ""
        said.append(f"{shown}: {e['msg']}" if shown else str(e["msg"]))
    return "; ".join(said)


def _each(session: Session, items: Iterable[Any], write: Callable[[Any], None],
          place: Callable[[Any], str], field: str) -> list[dict[str, Any]]:
    """Write every item in a savepoint of its own, so one refusal leaves the session usable
    and the next items are still checked; the refusals, each placed (`place`)."""
    refused = []
    for item in items:
        try:
            with session.begin_nested():
                write(item)
        except (ValidationError, DomainError) as exc:
            refused.append({"loc": ["body", field], "msg": f"{place(item)}: {_why(exc)}"})
    return refused


def _may_manage(actor: Actor) -> None:
    """A viewer or a clerk is refused once (403), not once per unit."""
    refusal = actor.write_refusal(units.records.write_role)
    if refusal is not None:
        raise Forbidden(refusal)


def _all_or_nothing(refused: list[dict[str, Any]], what: str) -> None:
    if refused:
        raise Invalid(f"Không lưu gì: {len(refused)} {what} có lỗi; hãy sửa rồi gửi lại.",
                      errors=refused)


def set_remote(session: Session, *, actor: Actor, ids: list[int], remote: bool) -> list[Unit]:
    """Mark the units `ids` as remote areas (or not), each through `units.update`; all or none.
    The units already so are left as they are (no change, nothing audited)."""
    _may_manage(actor)
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise Invalid("Chưa chọn đơn vị nào: hãy đánh dấu ô trước tên các đơn vị.")
    if len(ids) > MAX_UNITS:
        raise Invalid(f"Chọn tối đa {MAX_UNITS} đơn vị một lần.")
    writing(session)
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all())  # type: ignore[union-attr]

    def write(uid: int) -> None:
        units.update(session, actor=actor, id=uid, data=UnitUpdate(remote=remote))

    def place(uid: int) -> str:  # a unit outside the actor's sight is not named
        seen = uid in names and scope.can_see_unit(session, actor, uid)
        return f"{names[uid]} (số {uid})" if seen else f"Đơn vị số {uid}"

    refused = _each(session, ids, write, place, "ids")
    _all_or_nothing(refused, "đơn vị")
    return [session.get(Unit, i) for i in ids]  # type: ignore[misc]


def read_lines(text: str) -> list[Line]:
    """The villages typed, one a line: "Name", or "CODE;Name" to give its code; blank lines
    skipped, the others numbered as the text area shows them."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, sep, name = line.partition(";")
        out.append(Line(number, code.strip(), name.strip()) if sep else Line(number, None, line))
    return out


def _place_line(line: Line) -> str:
    name = line.name if len(line.name) <= 20 else line.name[:15] + "…"
    return f"Dòng {line.number} (“{name}”)"


def _numbers(session: Session, prefix: str) -> set[int]:
    """The numbers already taken after `prefix` + '.' by any unit's code (without case)."""
    pattern = re.compile(re.escape(prefix.lower()) + r"\.(\d+)$")
    codes = session.execute(select(Unit.code).where(Unit.code.ilike(f"{prefix}.%"))).scalars()  # type: ignore[attr-defined]
    return {int(m.group(1)) for c in codes if (m := pattern.match(c.lower()))}


def add_villages(session: Session, *, actor: Actor, parent_id: int, text: str,
                 kind: str = UnitKind.thon.value) -> list[Unit]:
    """Villages under the commune `parent_id`, one per line of `text`, each through
    `units.create`: a line's own code ("CODE;Name") or the commune's code and the next free
    number (BTH.HTB.HAMTRI.07), as the villages of the demo district are coded. All or none."""
    _may_manage(actor)
    lines = read_lines(text)
    if not lines:
        raise Invalid.field("lines", "Hãy gõ tên các thôn, mỗi dòng một tên.")
    if len(lines) > MAX_LINES:
        raise Invalid.field("lines", f"Tối đa {MAX_LINES} dòng một lần.")
    if kind not in {k.value for k in VILLAGE_KINDS}:
        raise Invalid.field("kind", "Loại phải là một loại đơn vị cấp thôn.")
    writing(session)
    commune = session.get(Unit, parent_id)
    if commune is None:
        raise NotFound(f"Không tìm thấy đơn vị số {parent_id}.")
    if UnitLevel(commune.level) != UnitLevel.commune:
        raise Invalid(f"Chỉ thêm thôn vào một xã, phường, thị trấn; “{commune.name}” là "
                      f"{UnitLevel(commune.level).vi.lower()}.")
    taken = _numbers(session, commune.code)
    given = {line.code.lower() for line in lines if line.code}
    made: list[Unit] = []

    def next_code() -> str:
        n = max(taken, default=0) + 1
        while f"{commune.code}.{n:02d}".lower() in given:
            n += 1
        taken.add(n)
        return f"{commune.code}.{n:02d}"

    def write(line: Line) -> None:
        data = UnitCreate.model_validate({
            "code": line.code if line.code is not None else next_code(), "name": line.name,
            "level": UnitLevel.village, "kind": kind, "parent_id": commune.id})
        made.append(units.create(session, actor=actor, data=data))

    refused = _each(session, lines, write, _place_line, "lines")
    _all_or_nothing(refused, "dòng")
    return made

