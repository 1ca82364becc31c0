"""Reading the sums: a period as whole phases, years and months (stat rows) and the odd days
(raw rows), and the one subquery of a kind's figures over it (`rolled`)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select, union_all

from app.services import scope
from app.services.rollups.keys import PHASE_YEARS, phase_of
from app.services.rollups.raw import KINDS


@dataclass(frozen=True)
class Cover:
    years: list[tuple[date, date]]  # bucket ranges of grain 'y'
    months: list[tuple[date, date]]  # bucket ranges of grain 'm'
    days: list[tuple[date, date]]  # raw date ranges
    phases: list[tuple[date, date]] = field(default_factory=list)  # bucket ranges of grain 'p'


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def cover(date_from: date, date_to: date) -> Cover:
    """Split [date_from, date_to] into whole years, whole months and left-over days."""
    years: list[tuple[date, date]] = []
    months: list[tuple[date, date]] = []
    days: list[tuple[date, date]] = []

    def add(ranges: list[tuple[date, date]], start: date, end: date, step_ok: Callable[[date, date], bool]) -> None:
        if ranges and step_ok(ranges[-1][1], start):
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))

    phases: list[tuple[date, date]] = []
    d = date_from
    while d <= date_to:
        if (d.month, d.day) == (1, 1) and phase_of(d.year) == d.year \
                and date(d.year + PHASE_YEARS - 1, 12, 31) <= date_to:
            add(phases, d, d, lambda last, new: new.year == last.year + PHASE_YEARS)
            d = date(d.year + PHASE_YEARS, 1, 1)
        elif (d.month, d.day) == (1, 1) and date(d.year, 12, 31) <= date_to:
            add(years, d, d, lambda last, new: new.year == last.year + 1)
            d = date(d.year + 1, 1, 1)
        elif d.day == 1 and _month_end(d) <= date_to:
            add(months, d, d, lambda last, new: _month_end(last) + timedelta(days=1) == new)
            d = _month_end(d) + timedelta(days=1)
        else:
            end = min(date_to, _month_end(d))
            add(days, d, end, lambda last, new: last + timedelta(days=1) == new)
            d = end + timedelta(days=1)
    return Cover(years, months, days, phases)


def _ranges(column: Any, ranges: list[tuple[date, date]]) -> Any:
    return or_(*(column.between(a, b) for a, b in ranges))


def stat_parts(stat: Any, units: Any, span: Cover, dims: list[str], sums: list[str]) -> list[Any]:
    """SELECTs of the year and month rows inside the period, labelled unit_id, dims, sums."""
    parts = []
    for grain, ranges in (("p", span.phases), ("y", span.years), ("m", span.months)):
        if ranges:
            parts.append(select(stat.unit_id.label("unit_id"),
                                *(getattr(stat, d).label(d) for d in dims),
                                *(getattr(stat, s).label(s) for s in sums))
                         .where(stat.grain == grain, scope.in_units(stat.unit_id, units),
                                _ranges(stat.bucket, ranges)))
    return parts


def combined(parts: list[Any]) -> Any:
    return union_all(*parts).subquery("rolled") if len(parts) > 1 else parts[0].subquery("rolled")


def rolled(kind: str, units: Any, date_from: date, date_to: date, *, villages: bool = False) -> Any:
    """A subquery (unit_id, dims..., sums...) whose rows add up to the records of `units`
    dated in [date_from, date_to]: stat rows for whole years and months, raw rows for the rest.
    With `villages`, every row is a record's own (for figures per village)."""
    k = KINDS[kind]
    span = cover(date_from, date_to) if not villages else Cover([], [], [(date_from, date_to)])
    parts = stat_parts(k.stat, units, span, k.dims, k.sums)
    for n, (first, last) in enumerate(span.days):
        # One SELECT per range: an OR of ranges would keep the (unit_id, date) index unused.
        raw = k.raw(units, lambda column, a=first, b=last: column.between(a, b)).subquery(f"days{n}")
        parts.append(select(raw.c.unit_id, *(raw.c[d] for d in k.dims), *(raw.c[s] for s in k.sums)))
    return combined(parts)

