"""Pre-aggregated sums (app/db/stats.py): kept current in the write's own transaction, rebuilt
in bulk after a bulk load, checked against the raw rows, and read by the report as
"whole years from the year rows, whole months from the month rows, the odd days raw"."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, and_, case, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.models import Model
from app.db.petitions import Petition
from app.db.stats import (StatContribution, StatLand, StatModel, StatPetitionClose,
                          StatPetitionIn, StatPetitionOpen, StatWork)
from app.db.units import Unit
from app.db.works import Work
from app.enums import Measure, PetitionStatus, Source, UnitLevel
from app.services import scope
from app.services.petitions.rules import OUTSIDE_COMPETENCE

# 'p': a phase of the movement, five years from 2016 (2016–2020, 2021–2025, ...), so that the
# phase reports and a province's ten years read a handful of rows per commune; 'y' a year;
# 'm' a month.
GRAINS = ("p", "y", "m")
PHASE_START = 2016
PHASE_YEARS = 5


def phase_of(year: int) -> int:
    return year - (year - PHASE_START) % PHASE_YEARS


@dataclass(frozen=True)
class Effect:
    """What one record adds to one stat row: its unit, its date, the dimensions, the sums."""

    stat: Any
    unit_id: int
    day: date
    dims: dict[str, str]
    sums: dict[str, float | int]


# -- which unit a record's sums are kept under -----------------------------------------------
# A village's records are summed under its commune: villages hold few records each, so sums
# per village would be nearly as many rows as the records. A report or league table that
# must tell villages apart reads the records instead (see `rolled(..., villages=True)`).
# A village merged into another unit keeps its own sums, so its successor's subtree finds them.
def rollup_unit(session: Session, unit_id: int) -> int:
    memo = session.info.get(_MEMO)
    if memo is not None and (known := memo.get((Unit, unit_id))) is not None:
        return known
    u = session.get(Unit, unit_id)
    key = unit_id
    if u is not None and u.level == UnitLevel.village.value and u.merged_into_id is None \
            and u.parent_id is not None:
        key = u.parent_id
    if memo is not None:
        memo[(Unit, unit_id)] = key
    return key


_MEMO = "rollups.memo"


def remember(session: Session) -> None:
    """From now on, in this session, each unit's key and each work are looked up once: for a
    bulk load of records, which moves no unit and changes no work (an import's 100 000 rows
    name a few hundred of them; the identity map's lookup per row was a tenth of the import's
    time). `forget` ends it."""
    session.info[_MEMO] = {}


def forget(session: Session) -> None:
    session.info.pop(_MEMO, None)


def _work(session: Session, work_id: int) -> Any:
    memo = session.info.get(_MEMO)
    if memo is None:
        return session.get(Work, work_id)
    found = memo.get((Work, work_id), memo)
    if found is memo:
        found = memo[(Work, work_id)] = session.get(Work, work_id)
    return found


def rollup_unit_sql(unit: Any) -> Any:
    """The same rule in SQL, on a Unit alias joined to the record."""
    return case((and_(unit.level == UnitLevel.village.value, unit.merged_into_id.is_(None),
                      unit.parent_id.is_not(None)), unit.parent_id), else_=unit.id)


# -- what each record adds ------------------------------------------------------------------
def _work_quantity(w: Any) -> float:
    q = float(w.quantity or 0)
    return q / 1000 if w.measure == Measure.m.value else q


def _linked_non_state(session: Session, work_id: int) -> int:
    gifts = session.exec(select(func.coalesce(func.sum(Contribution.amount_vnd), 0)).where(
        Contribution.work_id == work_id, Contribution.source != Source.state_budget.value)).scalar_one()
    land = session.exec(select(func.coalesce(func.sum(LandDonation.value_vnd), 0)).where(
        LandDonation.work_id == work_id)).scalar_one()
    return int(gifts) + int(land)


def _work_key(session: Session, work_id: int | None, amount: int) -> list[Effect]:
    """A gift to a work adds to that work's non-state sum, in the work's own bucket."""
    if not work_id or not amount:
        return []
    w = _work(session, work_id)
    if w is None or w.completed_date is None:
        return []
    return [Effect(StatWork, rollup_unit(session, w.unit_id), w.completed_date,
                   {"category": w.category, "org_type": w.org_type or ""}, {"non_state_vnd": amount})]


def contribution_effects(session: Session, c: Any) -> list[Effect]:
    own = Effect(StatContribution, rollup_unit(session, c.unit_id), c.date, {"source": c.source, "kind": c.kind},
                 {"n": 1, "amount_vnd": c.amount_vnd or 0, "labor_days": c.labor_days or 0.0})
    non_state = (c.amount_vnd or 0) if c.source != Source.state_budget.value else 0
    return [own, *_work_key(session, c.work_id, non_state)]


def land_effects(session: Session, d: Any) -> list[Effect]:
    own = Effect(StatLand, rollup_unit(session, d.unit_id), d.date, {},
                 {"n": 1, "households": d.households or 0, "area_m2": d.area_m2 or 0.0,
                  "value_vnd": d.value_vnd or 0})
    return [own, *_work_key(session, d.work_id, d.value_vnd or 0)]


def work_effects(session: Session, w: Any) -> list[Effect]:
    if w.completed_date is None:
        return []
    return [Effect(StatWork, rollup_unit(session, w.unit_id), w.completed_date,
                   {"category": w.category, "org_type": w.org_type or ""},
                   {"n": 1, "quantity": _work_quantity(w), "total_cost_vnd": w.total_cost_vnd or 0,
                    "non_state_vnd": _linked_non_state(session, w.id) if w.id else 0})]


def model_effects(session: Session, m: Any) -> list[Effect]:
    return [Effect(StatModel, rollup_unit(session, m.unit_id), m.start_date,
                   {"kind": m.kind, "field": m.field, "status": m.status},
                   {"n": 1, "members": m.members or 0})]


def petition_effects(session: Session, p: Any) -> list[Effect]:
    key = rollup_unit(session, p.unit_id)
    competent = "0" if PetitionStatus(p.status) in OUTSIDE_COMPETENCE else "1"
    out = [Effect(StatPetitionIn, key, p.received_date,
                  {"type": p.type, "channel": p.channel or "", "competent": competent}, {"n": 1}),
           Effect(StatPetitionOpen, key, p.received_date, {"competent": competent}, {"n": 1})]
    if p.closed_date is not None:
        out.append(Effect(StatPetitionClose, key, p.closed_date, {"status": p.status}, {"n": 1}))
    return out


def bucket(grain: str, day: date) -> date:
    if grain == "p":
        return date(phase_of(day.year), 1, 1)
    return date(day.year, 1, 1) if grain == "y" else date(day.year, day.month, 1)


def apply(session: Session, effects: Iterable[Effect], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) the effects, in both grains, as upserts."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for e in effects:
        sums = {k: v * sign for k, v in e.sums.items()}
        for grain in GRAINS:
            key = {"grain": grain, "unit_id": e.unit_id, "bucket": bucket(grain, e.day), **e.dims}
            stmt = insert(e.stat).values(**key, **sums)
            stmt = stmt.on_conflict_do_update(
                index_elements=list(key),
                set_={k: getattr(e.stat, k) + stmt.excluded[k] for k in sums})
            session.exec(stmt)


def apply_summed(session: Session, effects: Iterable[Effect]) -> None:
    """Add many effects at once (an import): summed in memory per stat row, then one
    multi-row upsert per table, instead of three statements per effect."""
    totals: dict[tuple[Any, ...], dict[str, float | int]] = {}
    for e in effects:
        dims = tuple(sorted(e.dims.items()))
        for grain in GRAINS:
            key = (e.stat, grain, e.unit_id, bucket(grain, e.day), dims)
            sums = totals.setdefault(key, {})
            for name, v in e.sums.items():
                sums[name] = sums.get(name, 0) + v
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for (stat, grain, unit_id, day, dims), sums in totals.items():
        shape = (stat, tuple(k for k, _ in dims), tuple(sorted(sums)))
        groups.setdefault(shape, []).append(
            {"grain": grain, "unit_id": unit_id, "bucket": day, **dict(dims), **sums})
    for (stat, dim_names, sum_names), rows in groups.items():
        table = stat.__table__
        stmt = insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["grain", "unit_id", "bucket", *dim_names],
            set_={k: table.c[k] + stmt.excluded[k] for k in sum_names})
        session.execute(stmt, rows)


# -- reading: whole years, whole months, the odd days ----------------------------------------
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


# -- the raw side of each kind of record, for the odd days and for rebuilding ------------------
def _scoped(column: Any, units: Any) -> Any:
    return literal(True) if units is None else scope.in_units(column, units)


def raw_contributions(units: Any, when: Any) -> Any:
    return (select(Contribution.unit_id.label("unit_id"), Contribution.source.label("source"),
                   Contribution.kind.label("kind"), literal(1).label("n"),
                   func.coalesce(Contribution.amount_vnd, 0).label("amount_vnd"),
                   func.coalesce(Contribution.labor_days, 0.0).label("labor_days"),
                   Contribution.date.label("day"))
            .where(_scoped(Contribution.unit_id, units), when(Contribution.date)))


def raw_land(units: Any, when: Any) -> Any:
    return (select(LandDonation.unit_id.label("unit_id"), literal(1).label("n"),
                   func.coalesce(LandDonation.households, 0).label("households"),
                   func.coalesce(LandDonation.area_m2, 0.0).label("area_m2"),
                   func.coalesce(LandDonation.value_vnd, 0).label("value_vnd"),
                   LandDonation.date.label("day"))
            .where(_scoped(LandDonation.unit_id, units), when(LandDonation.date)))


def raw_models(units: Any, when: Any) -> Any:
    return (select(Model.unit_id.label("unit_id"), Model.kind.label("kind"),
                   Model.field.label("field"), Model.status.label("status"), literal(1).label("n"),
                   func.coalesce(Model.members, 0).label("members"), Model.start_date.label("day"))
            .where(_scoped(Model.unit_id, units), when(Model.start_date)))


def raw_works(units: Any, when: Any) -> Any:
    """Works with their linked non-state money (gifts of any date, and land value)."""
    chosen = select(Work.id).where(_scoped(Work.unit_id, units), when(Work.completed_date))
    gifts = union_all(
        select(Contribution.work_id.label("work_id"), Contribution.amount_vnd.label("v"))
        .where(Contribution.work_id.in_(chosen), Contribution.source != Source.state_budget.value),
        select(LandDonation.work_id.label("work_id"), LandDonation.value_vnd.label("v"))
        .where(LandDonation.work_id.in_(chosen)),
    ).subquery("gifts")
    per_work = (select(gifts.c.work_id, func.sum(gifts.c.v).label("v"))
                .group_by(gifts.c.work_id).subquery("per_work"))
    metres = case((Work.measure == Measure.m.value, 1000.0), else_=1.0)
    return (select(Work.unit_id.label("unit_id"), Work.category.label("category"),
                   func.coalesce(Work.org_type, "").label("org_type"), literal(1).label("n"),
                   func.coalesce(Work.quantity / metres, 0.0).label("quantity"),
                   func.coalesce(Work.total_cost_vnd, 0).label("total_cost_vnd"),
                   func.coalesce(per_work.c.v, 0).label("non_state_vnd"),
                   Work.completed_date.label("day"))
            .select_from(Work).outerjoin(per_work, per_work.c.work_id == Work.id)
            .where(_scoped(Work.unit_id, units), when(Work.completed_date)))


def raw_petitions_in(units: Any, when: Any) -> Any:
    competent = case((Petition.status.in_(OUTSIDE_COMPETENCE), "0"), else_="1")
    return (select(Petition.unit_id.label("unit_id"), Petition.type.label("type"),
                   func.coalesce(Petition.channel, "").label("channel"),
                   competent.label("competent"), literal(1).label("n"),
                   Petition.received_date.label("day"))
            .where(_scoped(Petition.unit_id, units), when(Petition.received_date)))


def raw_petitions_open(units: Any, when: Any) -> Any:
    competent = case((Petition.status.in_(OUTSIDE_COMPETENCE), "0"), else_="1")
    return (select(Petition.unit_id.label("unit_id"), competent.label("competent"),
                   literal(1).label("n"), Petition.received_date.label("day"))
            .where(_scoped(Petition.unit_id, units), when(Petition.received_date)))


def raw_petitions_close(units: Any, when: Any) -> Any:
    return (select(Petition.unit_id.label("unit_id"), Petition.status.label("status"),
                   literal(1).label("n"), Petition.closed_date.label("day"))
            .where(_scoped(Petition.unit_id, units), Petition.closed_date.is_not(None),
                   when(Petition.closed_date)))


@dataclass(frozen=True)
class Kind:
    stat: Any
    raw: Callable[[Any, Any], Any]
    dims: list[str]
    sums: list[str]
    source: Any
    date_column: str


KINDS = {
    "contributions": Kind(StatContribution, raw_contributions, ["source", "kind"],
                          ["n", "amount_vnd", "labor_days"], Contribution, "date"),
    "land": Kind(StatLand, raw_land, [], ["n", "households", "area_m2", "value_vnd"],
                 LandDonation, "date"),
    "works": Kind(StatWork, raw_works, ["category", "org_type"],
                  ["n", "quantity", "total_cost_vnd", "non_state_vnd"], Work, "completed_date"),
    "models": Kind(StatModel, raw_models, ["kind", "field", "status"], ["n", "members"], Model,
                   "start_date"),
    "petitions_in": Kind(StatPetitionIn, raw_petitions_in, ["type", "channel", "competent"], ["n"],
                         Petition, "received_date"),
    "petitions_open": Kind(StatPetitionOpen, raw_petitions_open, ["competent"], ["n"], Petition,
                           "received_date"),
    "petitions_close": Kind(StatPetitionClose, raw_petitions_close, ["status"], ["n"], Petition,
                            "closed_date"),
}


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


# -- bulk: rebuild and check -----------------------------------------------------------------
def _bucket_sql(column: Any, grain: str, dialect: str) -> Any:
    if grain == "p":
        year = (cast(func.extract("year", column), Integer) if dialect == "postgresql"
                else cast(func.strftime("%Y", column), Integer))
        start = year - ((year - PHASE_START) % PHASE_YEARS + PHASE_YEARS) % PHASE_YEARS
        if dialect == "postgresql":
            return func.make_date(start, 1, 1)
        return func.date(func.printf("%04d-01-01", start))
    if dialect == "postgresql":
        return cast(func.date_trunc("year" if grain == "y" else "month", column), Date)
    return func.date(column, "start of year" if grain == "y" else "start of month")


def _grouped_raw(session: Session, k: "Kind", grain: str, keys_only: Any = None) -> Any:
    """The records of a kind summed per (rollup unit, bucket, dims) of a grain: what the stat
    rows should hold (only those of the rollup units `keys_only`, if given)."""
    dialect = session.get_bind().dialect.name
    src = k.raw(None, lambda column: column.is_not(None)).subquery()
    unit = aliased(Unit)
    key = rollup_unit_sql(unit).label("unit_id")
    keyed = (select(key, *(c for c in src.c if c.key != "unit_id"))
             .join(unit, unit.id == src.c.unit_id))
    if keys_only is not None:
        keyed = keyed.where(key.in_(keys_only))
    src = keyed.subquery()
    keys = [src.c.unit_id, _bucket_sql(src.c.day, grain, dialect).label("bucket"),
            *(src.c[d] for d in k.dims)]
    return select(literal(grain).label("grain"), *keys,
                  *(func.sum(src.c[s]).label(s) for s in k.sums)).group_by(*keys[:2], *keys[2:])


def rebuild(session: Session, keys: list[int] | None = None) -> None:
    """Recompute the stat rows from the records, in SQL: all of them (after a bulk load), or
    those kept under the units `keys` (after a village moved or merged)."""
    for k in KINDS.values():
        table = k.stat.__table__
        session.exec(table.delete() if keys is None else table.delete().where(table.c.unit_id.in_(keys)))
        for grain in GRAINS:
            session.exec(table.insert().from_select(
                ["grain", "unit_id", "bucket", *k.dims, *k.sums],
                _grouped_raw(session, k, grain, keys)))
    session.flush()


def differences(session: Session) -> list[str]:
    """Each stat row that differs from the sum of its records (empty when all agree)."""
    out = []
    for name, k in KINDS.items():
        for grain in GRAINS:
            expected = {tuple(str(v) for v in row[1:3 + len(k.dims)]): row[3 + len(k.dims):]
                        for row in session.exec(_grouped_raw(session, k, grain)).all()}
            stored = {}
            for row in session.exec(select(k.stat).where(k.stat.grain == grain)).scalars():
                values = tuple(getattr(row, s) for s in k.sums)
                if any(values):  # rows emptied by deletions may stay at zero
                    key = (str(row.unit_id), str(row.bucket), *(getattr(row, d) for d in k.dims))
                    stored[key] = values
            for key in set(expected) | set(stored):
                a, b = expected.get(key), stored.get(key)
                if a is None or b is None or any(
                        abs(float(x) - float(y)) > 1e-6 * max(1.0, abs(float(x))) for x, y in zip(a, b)):
                    out.append(f"{name} {grain} {key}: records {a} ≠ stat {b}")
    return out
