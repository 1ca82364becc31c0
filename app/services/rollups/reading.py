"""Reading the sums: a period as whole phases, years and months (stat rows) and the odd days
(raw rows), and the one subquery of a kind's figures over it (`rolled`)."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (BigInteger, Date, Float, Integer, String, bindparam, cast, func,
                        literal_column, null, select, union_all)
from sqlalchemy.dialects.postgresql import ARRAY

from app.services import scope
from app.services.rollups.keys import EVERY, PHASE_YEARS, in_kept, kept_rows, phase_of
from app.services.rollups.raw import KINDS
from app.services.rollups.tiers import tier_buckets, tier_grain


@dataclass(frozen=True)
class Cover:
    years: list[tuple[date, date]]  # bucket ranges of grain 'y'
    months: list[tuple[date, date]]  # bucket ranges of grain 'm'
    days: list[tuple[date, date]]  # raw date ranges
    phases: list[tuple[date, date]] = field(default_factory=list)  # bucket ranges of grain 'p'
    # Raw date ranges taken away: a month's row stands for most of its days, and the days of
    # that month outside the period are fewer to read than those inside.
    minus: list[tuple[date, date]] = field(default_factory=list)


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def cover(date_from: date, date_to: date) -> Cover:
    """Split [date_from, date_to] into whole phases, years and months and left-over days; a
    month mostly inside the period is read whole, less its days outside (`minus`)."""
    years: list[tuple[date, date]] = []
    months: list[tuple[date, date]] = []
    days: list[tuple[date, date]] = []
    minus: list[tuple[date, date]] = []

    def add(ranges: list[tuple[date, date]], start: date, end: date, step_ok: Callable[[date, date], bool]) -> None:
        if ranges and step_ok(ranges[-1][1], start):
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))

    next_month = lambda last, new: _month_end(last) + timedelta(days=1) == new  # noqa: E731
    next_day = lambda last, new: last + timedelta(days=1) == new  # noqa: E731
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
            add(months, d, d, next_month)
            d = _month_end(d) + timedelta(days=1)
        else:
            first, last = d.replace(day=1), _month_end(d)
            end = min(date_to, last)
            outside = [r for r in ((first, d - timedelta(days=1)), (end + timedelta(days=1), last))
                       if r[0] <= r[1]]
            if sum((b - a).days + 1 for a, b in outside) < (end - d).days + 1:
                add(months, first, first, next_month)
                minus.extend(outside)
            else:
                add(days, d, end, next_day)
            d = end + timedelta(days=1)
    return Cover(years, months, days, phases, minus)


def stat_parts(stat: Any, units: Any, span: Cover, dims: list[str], sums: list[str]) -> list[Any]:
    """SELECTs of the phase, year and month rows inside the period, labelled unit_id, dims,
    sums: one per range of buckets (an OR of ranges made SQLite read every bucket of each unit,
    PostgreSQL the whole grain). `units` EVERY: every unit's rows."""
    parts = []
    for grain, ranges in (("p", span.phases), ("y", span.years), ("m", span.months)):
        for a, b in ranges:
            parts.append(select(stat.unit_id.label("unit_id"),
                                *(getattr(stat, d).label(d) for d in dims),
                                *(getattr(stat, s).label(s) for s in sums))
                         .where(stat.grain == grain, in_kept(stat.unit_id, units),
                                stat.bucket.between(a, b)))
    return parts


def raw_parts(kind: str, units: Any, span: Cover, dims: list[str], sums: list[str]) -> list[Any]:
    """SELECTs of the records of the left-over days, and of the days taken away (`minus`) with
    their sums negated. One SELECT per range: an OR of ranges would keep the (unit_id, date)
    index unused."""
    k = KINDS[kind]
    parts = []
    for sign, ranges in ((1, span.days), (-1, span.minus)):
        for first, last in ranges:
            raw = k.raw(units, lambda column, a=first, b=last: column.between(a, b)).subquery()
            parts.append(select(raw.c.unit_id, *(raw.c[d] for d in dims),
                                *((raw.c[s] if sign > 0 else -raw.c[s]).label(s) for s in sums)))
    return parts


def span_of(date_from: date, date_to: date, villages: bool) -> Cover:
    """The period as stat rows and raw days; every day raw for figures per village."""
    return cover(date_from, date_to) if not villages else Cover([], [], [(date_from, date_to)])


def combined(parts: list[Any]) -> Any:
    return union_all(*parts).subquery("rolled") if len(parts) > 1 else parts[0].subquery("rolled")


def rolled(kind: str, units: Any, date_from: date, date_to: date, *, villages: bool = False,
           stat_units: Any = None) -> Any:
    """A subquery (unit_id, dims..., sums...) whose rows add up to the records of `units`
    dated in [date_from, date_to]: stat rows for whole phases, years and months (read with
    `stat_units`, the units sums are kept under, if given: EVERY for the whole tree), raw
    rows for the rest.
    With `villages`, every row is a record's own (for figures per village)."""
    k = KINDS[kind]
    span = span_of(date_from, date_to, villages)
    parts = stat_parts(k.stat, units if stat_units is None else stat_units, span, k.dims, k.sums)
    parts += raw_parts(kind, units, span, k.dims, k.sums)
    return combined(parts)


# -- many figures in one statement ------------------------------------------------------------
# Each figure of a report is a labelled part of one UNION ALL, grouped once: one round trip
# and one statement for the whole report (a commune's year took longer to ask in 17 statements
# than to compute). Every part has the same columns: label, unit_id, three dimensions (padded
# with ''), and four sums: n, two integers, one float (a kind's sums in that order, `slots`).
DIMS = ("d1", "d2", "d3")
SLOTS = ("n", "i1", "i2", "f1")


@dataclass(frozen=True)
class Ask:
    """One figure: a kind's sums over a period, grouped by some of its dimensions."""

    label: str
    kind: str
    date_from: date
    date_to: date
    dims: tuple[str, ...] = ()


def slots(kind: str) -> dict[str, str]:
    """Which slot carries each of a kind's sums."""
    k = KINDS[kind]
    table = k.stat.__table__
    ints = [s for s in k.sums if s != "n" and not isinstance(table.c[s].type, Float)]
    floats = [s for s in k.sums if isinstance(table.c[s].type, Float)]
    return {"n": "n", **{s: f"i{i + 1}" for i, s in enumerate(ints)},
            **{s: f"f{i + 1}" for i, s in enumerate(floats)}}


_ZERO = {"n": ("0", Integer), "i1": ("0", BigInteger), "i2": ("0", BigInteger), "f1": ("0.0", Float)}


def shaped(label: str, unit_id: Any, dims: list[Any] | tuple[Any, ...] = (),
           sums: dict[str, Any] | None = None) -> list[Any]:
    """The columns of one part: its label, unit, dimensions and sums in the common shape."""
    sums = sums if sums is not None else {"n": literal_column("1", Integer)}
    cols = [literal_column(f"'{label}'", String).label("label"), unit_id.label("unit_id")]
    cols += [(dims[i] if i < len(dims) else literal_column("''", String)).label(DIMS[i])
             for i in range(len(DIMS))]
    cols += [(sums[s] if s in sums else literal_column(_ZERO[s][0], _ZERO[s][1])).label(s)
             for s in SLOTS]
    return cols


@dataclass
class Gathered:
    """The rows of each label: (unit_id or None, d1, d2, d3, n, i1, i2, f1)."""

    rows: dict[str, list[tuple[Any, ...]]]

    def of(self, label: str) -> list[tuple[Any, ...]]:
        return self.rows.get(label, [])

    def kind_rows(self, ask: Ask, *sums: str) -> list[tuple[Any, ...]]:
        """An ask's rows as (dims..., sums...) in the kind's own names (all its sums by default)."""
        slot = slots(ask.kind)
        index = {s: 4 + SLOTS.index(v) for s, v in slot.items()}
        names = sums or tuple(KINDS[ask.kind].sums)
        return [(*row[1:1 + len(ask.dims)], *(row[index[s]] for s in names))
                for row in self.of(ask.label)]


def _ids_select(name: str, postgresql: bool) -> Any:
    """A list of unit ids as a SELECT of one bound parameter `name` (as reports.id_select): a
    JSON list read by json_each on SQLite, an array literal on PostgreSQL."""
    param = bindparam(name, None, type_=String, required=False)
    if postgresql:
        return select(func.unnest(cast(param, ARRAY(Integer))))
    return select(literal_column("value")).select_from(func.json_each(param))


def _ids_value(ids: Any, postgresql: bool) -> str:
    ids = [int(u) for u in ids]
    return "{" + ",".join(map(str, ids)) + "}" if postgresql else json.dumps(ids)


# A part of `gather` other than an Ask's: given the units' SELECT and a function that gives
# the statement's named date parameters, its SELECTs of `shaped` columns.
Extra = Callable[[Any, Callable[[str], Any]], list[Any]]


def gather(session: Any, asks: list[Ask], ids: Any, *, stat_ids: Any = None,
           villages: bool = False, extra: dict[str, Extra] | None = None,
           dates: dict[str, date] | None = None, by_unit: bool = False,
           summed_at: int | None = None) -> Gathered:
    """Every ask, and every `extra` part (named; its dates are `dates`), in one statement
    over the units `ids` (the sums read with `stat_ids`, the units they are kept under),
    summed per label and dimensions (and unit, with `by_unit`). `stat_ids` EVERY: the sums of
    every unit, with no condition on their unit (`ids` is then the whole tree). `summed_at`:
    the second-tier unit whose own sums (`tiers`) are the subtree's, when they may be read; the
    figures not told per unit are then read from them, odd days included.

    The statement's SQL is kept per shape (the asks, how their periods split, the extras):
    its dates and ids are parameters. Building and compiling it took longer than a commune's
    figures take to compute."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    day = (lambda d: d) if postgresql else (lambda d: d.isoformat())
    everything = stat_ids is EVERY
    tier = summed_at is not None and not (everything or by_unit or villages)
    params: dict[str, Any] = {"ids": _ids_value(ids, postgresql), "at": summed_at}
    if not everything:
        params["stat_ids"] = _ids_value(ids if stat_ids is None else stat_ids, postgresql)
    params.update({k: day(v) for k, v in (dates or {}).items()})
    layout = []
    for i, ask in enumerate(asks):
        span = span_of(ask.date_from, ask.date_to, villages)
        pieces = []
        for source, ranges in (("p", span.phases), ("y", span.years), ("m", span.months),
                               ("d", span.days), ("x", span.minus)):
            for j, (a, b) in enumerate(ranges):
                name = f"q{i}{source}{j}"
                if tier:
                    a, b = tier_buckets(source, a, b)
                params[name + "a"], params[name + "b"] = day(a), day(b)
                pieces.append((source, name))
        layout.append((ask.label, ask.kind, tuple(ask.dims), tuple(pieces)))
    extra = extra or {}
    built_by = tuple((name, f"{build.__module__}.{build.__qualname__}") for name, build in extra.items())
    shape = ("gather", postgresql, by_unit, everything, tier, tuple(layout), built_by)
    rows = run_prepared(session, shape,
                        lambda: _gathered(layout, extra, by_unit, postgresql, everything, tier),
                        params)
    out: dict[str, list[tuple[Any, ...]]] = {}
    for label, *row in rows:
        out.setdefault(label, []).append(tuple(row))
    return Gathered(out)


def _gathered(layout: list[Any], extra: dict[str, Extra], by_unit: bool, postgresql: bool,
              everything: bool = False, tier: bool = False) -> Any:
    # The whole tree's figures, not told per unit, are its own rows (no unit), kept per day
    # too: its odd days are read from them rather than from the records, and the extras read
    # their small tables whole. A second-tier unit's (`tier`) are its own rows likewise.
    totals = everything and not by_unit
    own = totals or tier
    units = EVERY if totals else _ids_select("ids", postgresql)
    stat_units = EVERY if everything else _ids_select("stat_ids", postgresql)

    def date_param(name: str) -> Any:
        return bindparam(name, None, type_=Date, required=False)

    parts = []
    for label, kind, dims, pieces in layout:
        k = KINDS[kind]
        slot = slots(kind)
        for source, name in pieces:
            a, b = date_param(name + "a"), date_param(name + "b")
            if source in ("p", "y", "m") or own:
                stat = k.stat
                grain = source if source in ("p", "y", "m") else "d"
                if tier:
                    grain, whose = tier_grain(grain), stat.unit_id == bindparam("at", None, type_=Integer)
                else:
                    whose = (kept_rows if totals else in_kept)(stat.unit_id, stat_units)
                part = (select(stat.unit_id.label("unit_id"), *(getattr(stat, d).label(d) for d in dims),
                               *((getattr(stat, s) if source != "x" else -getattr(stat, s)).label(s)
                                 for s in k.sums))
                        .where(stat.grain == grain, whose, stat.bucket.between(a, b)))
            else:
                raw = k.raw(units, lambda column, a=a, b=b: column.between(a, b)).subquery()
                part = select(raw.c.unit_id, *(raw.c[d] for d in dims),
                              *((raw.c[s] if source == "d" else -raw.c[s]).label(s) for s in k.sums))
            # Summed in each part first: SQLite then sorts each part's rows by fewer keys,
            # and the whole statement's GROUP BY only the parts' sums (half the time).
            sub = part.subquery()
            unit = sub.c.unit_id if by_unit else cast(null(), Integer)
            keys = [sub.c[d] for d in dims]
            parts.append(select(*shaped(label, unit, keys,
                                        {slot[s]: func.sum(sub.c[s]) for s in k.sums}))
                         .group_by(*([sub.c.unit_id] if by_unit else []), *keys))
    for build in extra.values():
        parts += build(units, date_param)
    u = union_all(*parts).subquery("gathered") if len(parts) > 1 else parts[0].subquery("gathered")
    keys = [u.c.label, u.c.unit_id if by_unit else null().label("unit_id"), *(u.c[d] for d in DIMS)]
    group = [u.c.label, *([u.c.unit_id] if by_unit else []), *(u.c[d] for d in DIMS)]
    return select(*keys, *(func.sum(u.c[s]) for s in SLOTS)).group_by(*group)


_PREPARED: dict[Any, tuple[str, Any, dict[str, Any]]] = {}


def run_prepared(session: Any, shape: Any, build: Callable[[], Any], params: dict[str, Any]) -> list[Any]:
    """Run the statement `build` makes, compiled once per `shape` and database: its SQL is
    kept with the values of its constant parameters; `params` gives the named ones (already
    as the driver takes them: dates as ISO text on SQLite)."""
    conn = session.connection()
    dialect = conn.dialect
    key = (dialect.name, shape)
    entry = _PREPARED.get(key)
    if entry is None:
        compiled = build().compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        order = compiled.positiontup if dialect.positional else None
        entry = (str(compiled), order, dict(compiled.params))
        if len(_PREPARED) >= 512:
            _PREPARED.clear()
        _PREPARED[key] = entry
    sql, order, constants = entry
    merged = {**constants, **params}
    args = tuple(merged[name] for name in order) if order is not None else merged
    return list(conn.exec_driver_sql(sql, args).all())
