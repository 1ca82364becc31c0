"""The report's period and unit: checking what a caller asks for and filling in what it left
out (its own unit, the current year, a preset year or phase of the movement)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app import vn
from app.db.units import Unit
from app.enums import UnitLevel
from app.services import scope
from app.services.actor import Actor
from app.services.errors import Invalid, NotFound

MAX_YEARS = 25
DATE_MIN = date(1990, 1, 1)  # no record is older (app/db/fields.py)
PHASES = {"2016-2020": (date(2016, 1, 1), date(2020, 12, 31)),
          "2021-2025": (date(2021, 1, 1), date(2025, 12, 31))}


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date


def check_period(date_from: date, date_to: date) -> Period:
    if date_from > date_to:
        raise Invalid("Ngày đầu kỳ phải trước hoặc bằng ngày cuối kỳ.",
                      errors=[{"loc": ["query", "date_from"], "msg": "Sau ngày cuối kỳ."}])
    if (date_to.year - date_from.year) > MAX_YEARS:
        raise Invalid(f"Kỳ báo cáo dài quá {MAX_YEARS} năm; hãy chọn kỳ ngắn hơn.",
                      errors=[{"loc": ["query", "date_to"], "msg": f"Kỳ tối đa {MAX_YEARS} năm."}])
    return Period(date_from, date_to)


def report_unit(session: Session, actor: Actor, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None or not scope.can_see_unit(session, actor, unit_id):
        raise NotFound(f"Không tìm thấy đơn vị số {unit_id} (hoặc nằm ngoài phạm vi của bạn).")
    return unit


def within(column: Any, period: Period) -> Any:
    return column.between(period.date_from, period.date_to)


def resolve_params(session: Session, *, actor: Actor, unit_id: int | None, date_from: date | None,
                   date_to: date | None, preset: str | None = None) -> dict[str, Any]:
    """Fill in what the caller left out: their own unit; explicit dates, else the preset period
    (a year or a phase), else the current year."""
    if preset and not (date_from or date_to):
        date_from, date_to = preset_period(preset)  # type: ignore[misc]
    if unit_id is None:
        unit_id = actor.unit_id or _top_unit(session)
    if unit_id is None:
        raise Invalid("Chưa có đơn vị nào; hãy thêm đơn vị trước.",
                      errors=[{"loc": ["query", "unit_id"], "msg": "Cần chọn đơn vị."}])
    today = vn.today()
    date_from = date_from or (date(date_to.year, 1, 1) if date_to else date(today.year, 1, 1))
    date_to = date_to or date(date_from.year, 12, 31)
    return {"unit_id": unit_id, "date_from": date_from, "date_to": date_to}


def _top_unit(session: Session) -> int | None:
    """For an admin with no unit: the country, when one root of level country holds the
    provinces; else the first root of the tree that is still in force."""
    countries = session.exec(
        select(Unit.id).where(Unit.parent_id.is_(None), Unit.level == UnitLevel.country.value)
        .limit(2)
    ).scalars().all()
    if len(countries) == 1:
        return countries[0]
    return session.exec(
        select(Unit.id).where(Unit.parent_id.is_(None))
        .order_by(Unit.active_to.is_not(None), Unit.id).limit(1)
    ).scalar()


def preset_period(preset: str | None) -> tuple[date, date] | None:
    """'2016-2020', '2021-2025' (the movement's phases) or a year '2019'."""
    if not preset:
        return None
    if preset in PHASES:
        return PHASES[preset]
    if preset.isdigit() and len(preset) == 4:
        year = int(preset)
        return date(year, 1, 1), date(year, 12, 31)
    raise Invalid(f"Kỳ '{preset}' không hợp lệ.", errors=[{"loc": ["query", "preset"],
                                                           "msg": "Chọn năm hoặc giai đoạn."}])
