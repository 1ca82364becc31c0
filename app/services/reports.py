"""The summary report (tổng kết) of any unit subtree over any period, computed by the database
in a fixed number of grouped queries, whatever the number of rows. Definitions: spec/api.md."""

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (Integer, and_, case, cast, func, literal, literal_column, not_, or_, select,
                        union_all)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from app import vn
from app.db.commendations import Commendation
from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.models import Model
from app.db.petitions import Petition
from app.db.recognitions import Recognition
from app.db.targets import Target
from app.db.units import Unit
from app.db.works import Work
from app.enums import (Channel, Field_, UnitLevel, Level, Measure, ModelKind, ModelStatus, OrgType,
                       PetitionType, Source, WorkCategory)
from app.services import rollups, scope
from app.services.actor import Actor
from app.services.errors import Invalid, NotFound
from app.services.petitions.rules import DONE, OUTSIDE_COMPETENCE
from app.vn import sort_key

MAX_YEARS = 25
DATE_MIN = date(1990, 1, 1)  # no record is older (app/db/fields.py)
ROADS = (WorkCategory.road_concrete, WorkCategory.road_other)
# Categories whose standard measure is km: a work recorded in metres is converted.
KM_CATEGORIES = (WorkCategory.road_concrete, WorkCategory.road_other, WorkCategory.field_road,
                 WorkCategory.canal)
# The Front and the mass organisations (figure D12 of the 2016–2020 report).
MASS_ORGS = tuple(o for o in OrgType if o not in (OrgType.party_committee, OrgType.government,
                                                  OrgType.other))


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


def summary(session: Session, *, actor: Actor, unit_id: int, date_from: date,
            date_to: date) -> dict[str, Any]:
    """Every figure of the summary for `unit_id`'s subtree over [date_from, date_to]."""
    period = check_period(date_from, date_to)
    unit = report_unit(session, actor, unit_id)
    units = scope.subtree_id_list(session, unit_id)
    # A village's records are summed under its commune; a village's own report reads rows.
    villages = unit.level == UnitLevel.village.value
    works = _works(session, units, period, villages)
    return {
        "unit": {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level,
                 "kind": unit.kind},
        "date_from": period.date_from.isoformat(),
        "date_to": period.date_to.isoformat(),
        "models": _models(session, units, period, villages),
        "works": works,
        "roads": _roads(works["by_category"]),
        "contributions": _contributions(session, units, period, villages),
        "land_donations": _land(session, units, period, villages),
        "petitions": _petitions(session, units, period, villages),
        "targets": _targets(session, units, period),
        "recognitions": _recognitions(session, units, period),
        "commendations": _commendations(session, units, period),
    }


def _in(column: Any, period: Period) -> Any:
    return column.between(period.date_from, period.date_to)


def _int(value: Any) -> int:
    return int(value or 0)


def _num(value: Any) -> float:
    """A quantity, rounded to the metre / the m² so float sums print cleanly."""
    return round(float(value or 0), 3)


def _models(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("models", units, period.date_from, period.date_to, villages=villages)
    rows = session.exec(
        select(r.c.kind, r.c.field, r.c.status, func.sum(r.c.n), func.sum(r.c.members))
        .group_by(r.c.kind, r.c.field, r.c.status)
    ).all()
    return _fold_models(rows)


def _fold_models(rows: Any) -> dict[str, Any]:
    """The model figures from rows (kind, field, status, n, members); a key may repeat."""
    by_kind = dict.fromkeys((k.value for k in ModelKind), 0)
    by_field = dict.fromkeys((f.value for f in Field_), 0)
    by_status = dict.fromkeys((s.value for s in ModelStatus), 0)
    members = 0
    for kind, field, status, n, m in rows:
        by_kind[kind] += _int(n)
        by_field[field] += _int(n)
        by_status[status] += _int(n)
        members += _int(m)
    return {"total": sum(by_kind.values()), "members": members, "by_kind": by_kind,
            "by_field": by_field, "by_status": by_status,
            "recognized": by_status[ModelStatus.recognized.value]}


def _works(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("works", units, period.date_from, period.date_to, villages=villages)
    rows = session.exec(
        select(r.c.category, r.c.org_type, func.sum(r.c.n), func.sum(r.c.quantity),
               func.sum(r.c.total_cost_vnd), func.sum(r.c.non_state_vnd))
        .group_by(r.c.category, r.c.org_type)
    ).all()
    return _fold_works(rows)


def _fold_works(rows: Any) -> dict[str, Any]:
    """The work figures from rows (category, org_type, n, quantity, cost, non-state money)."""
    # "non_government": the part carried out by anyone but the government (figure D17: charity
    # houses built with funds that agencies, businesses and organisations mobilised).
    by_category = {c.value: {"count": 0, "quantity": 0.0, "total_cost_vnd": 0, "non_state_vnd": 0,
                             "non_government": {"count": 0, "quantity": 0.0, "total_cost_vnd": 0}}
                   for c in WorkCategory}
    by_org: dict[str, dict[str, int]] = {o.value: {"count": 0, "total_cost_vnd": 0} for o in OrgType}
    for category, org_type, n, qty, cost, non_state in rows:
        n, qty, cost = _int(n), float(qty or 0), _int(cost)
        entry = by_category[category]
        entry["count"] += n
        entry["quantity"] = _num(entry["quantity"] + qty)
        entry["total_cost_vnd"] += cost
        entry["non_state_vnd"] += _int(non_state)
        if org_type != OrgType.government.value:
            part = entry["non_government"]
            part["count"] += n
            part["quantity"] = _num(part["quantity"] + qty)
            part["total_cost_vnd"] += cost
        org = by_org[org_type or OrgType.other.value]
        org["count"] += n
        org["total_cost_vnd"] += cost
    return {"total": sum(e["count"] for e in by_category.values()),
            "total_cost_vnd": sum(e["total_cost_vnd"] for e in by_category.values()),
            "by_category": by_category, "by_org_type": by_org,
            "mass_organizations": mass_org_totals(by_org)}


def mass_org_totals(by_org_type: dict[str, dict[str, int]]) -> dict[str, int]:
    """Works of the Front and the mass organisations together (figure D12)."""
    return {key: sum(by_org_type.get(o.value, {}).get(key, 0) for o in MASS_ORGS)
            for key in ("count", "total_cost_vnd")}


def _roads(by_category: dict[str, dict[str, Any]]) -> dict[str, Any]:
    concrete, other = by_category["road_concrete"], by_category["road_other"]
    return {
        "km": _num(concrete["quantity"] + other["quantity"]),
        "total_cost_vnd": concrete["total_cost_vnd"] + other["total_cost_vnd"],
        "non_state_vnd": concrete["non_state_vnd"] + other["non_state_vnd"],
        "concrete_km": concrete["quantity"],
        "concrete_cost_vnd": concrete["total_cost_vnd"],
        "concrete_non_state_vnd": concrete["non_state_vnd"],
    }


def _contributions(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("contributions", units, period.date_from, period.date_to, villages=villages)
    rows = session.exec(
        select(r.c.source, func.sum(r.c.amount_vnd), func.sum(r.c.labor_days)).group_by(r.c.source)
    ).all()
    return _fold_contributions(rows)


def _fold_contributions(rows: Any) -> dict[str, Any]:
    """The money figures from rows (source, amount, labour days)."""
    by_source = dict.fromkeys((s.value for s in Source), 0)
    labor = 0.0
    for source, amount, days in rows:
        by_source[source] += _int(amount)
        labor += float(days or 0)
    return {"total_vnd": sum(by_source.values()), "by_source": by_source,
            "labor_days": _num(labor)}


def _land(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("land", units, period.date_from, period.date_to, villages=villages)
    n, households, area, value = session.exec(
        select(func.sum(r.c.n), func.sum(r.c.households), func.sum(r.c.area_m2),
               func.sum(r.c.value_vnd))
    ).one()
    return _land_figures(n, households, area, value)


def _land_figures(n: Any, households: Any, area: Any, value: Any) -> dict[str, Any]:
    return {"count": _int(n), "households": _int(households), "area_m2": _num(area),
            "value_vnd": _int(value)}


def petition_sets(period: Period) -> dict[str, Any]:
    """The petition figures as SQL conditions (shared by the report and its drill-down lists)."""
    received = _in(Petition.received_date, period)
    carried = and_(Petition.received_date < period.date_from,
                   or_(Petition.closed_date.is_(None), Petition.closed_date >= period.date_from))
    competent = and_(or_(received, carried), not_(Petition.status.in_(OUTSIDE_COMPETENCE)))
    resolved = and_(competent, Petition.status.in_(DONE), Petition.closed_date <= period.date_to)
    open_at_end = or_(Petition.closed_date.is_(None), Petition.closed_date > period.date_to)
    overdue = and_(competent, open_at_end, Petition.due_date < period.date_to)
    return {"received": received, "carried_over": carried, "in_competence": competent,
            "resolved": resolved, "overdue": overdue}


def petition_figures(session: Session, units: Any, period: Period, *, villages: bool,
                     branch_of: dict[int, int] | None = None, raw_units: Any = None,
                     overdue_on: date | None = None) -> dict[Any, dict[str, int]]:
    """received, carried_over, in_competence, resolved, overdue — per branch (`branch_of`
    maps each unit of the subtree to its branch), or under the key None. Counts come from the sums by received and by closed date:
    carried over at f = received before f − closed before f; in competence = received up to t
    (competent) − closed before f (competent); resolved = closed as resolved or withdrawn in
    [f, t]. (closed_date ≥ received_date always holds, the services see to it.) Overdue is read
    from the few petitions still open at t (or at `overdue_on`: the dashboard's year runs to
    31/12 while its overdue petitions are today's), of `raw_units` if given (the sums may be
    read with only the units they are kept under, the petitions themselves need them all)."""
    f, t = period.date_from, period.date_to
    before = f - timedelta(days=1)

    def count(kind: str, lo: date, hi: date, where: Any = None) -> dict[Any, int]:
        if hi < lo:
            return {}
        r = rollups.rolled(kind, units, lo, hi, villages=villages)
        group = [r.c.unit_id] if branch_of is not None else []
        stmt = select(*group, func.sum(r.c.n)).select_from(r).group_by(*group)
        if where is not None:
            stmt = stmt.where(where(r))
        return per_branch(session.exec(stmt).all(), branch_of)

    competent = lambda r: r.c.competent == "1"  # noqa: E731
    received = count("petitions_open", f, t)
    opened_before = count("petitions_open", DATE_MIN, before)
    closed_before = count("petitions_close", DATE_MIN, before)
    competent_to_t = count("petitions_open", DATE_MIN, t, competent)
    competent_closed_before = count("petitions_close", DATE_MIN, before,
                                    lambda r: r.c.status.not_in(OUTSIDE_COMPETENCE))
    resolved = count("petitions_close", f, t, lambda r: r.c.status.in_(DONE))
    overdue = _overdue(session, units if raw_units is None else raw_units, overdue_on or t,
                       branch_of)
    keys = set().union(received, opened_before, competent_to_t, resolved, overdue)
    return {k: {"received": received.get(k, 0),
                "carried_over": opened_before.get(k, 0) - closed_before.get(k, 0),
                "in_competence": competent_to_t.get(k, 0) - competent_closed_before.get(k, 0),
                "resolved": resolved.get(k, 0), "overdue": overdue.get(k, 0)} for k in keys}


def per_branch(rows: Any, branch_of: dict[int, int] | None) -> dict[Any, int]:
    """Counts grouped by unit in SQL, added up per branch here: joining the recursive branch
    map in SQL made the planner loop over it for every row (ten times slower, bench/README)."""
    if branch_of is None:
        return {None: _int(row[-1]) for row in rows}
    out: dict[Any, int] = {}
    for unit, n in rows:
        branch = branch_of.get(unit)
        if branch is not None:
            out[branch] = out.get(branch, 0) + _int(n)
    return out


def _overdue(session: Session, units: Any, t: date, branch_of: dict[int, int] | None) -> dict[Any, int]:
    """In competence, past due before t and still open at t: from the petitions open at t
    (not closed, or closed after t), one indexed SELECT each."""
    parts = [select(Petition.unit_id).where(
        scope.in_units(Petition.unit_id, units), open_at, Petition.due_date < t,
        Petition.status.not_in(OUTSIDE_COMPETENCE))
        for open_at in (Petition.closed_date.is_(None), Petition.closed_date > t)]
    late = union_all(*parts).subquery("late")
    if branch_of is None:
        return {None: _int(session.exec(select(func.count()).select_from(late)).scalar_one())}
    return per_branch(session.exec(select(late.c.unit_id, func.count()).select_from(late)
                                   .group_by(late.c.unit_id)).all(), branch_of)


def _petitions(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    figures = petition_figures(session, units, period, villages=villages).get(None) or \
        dict.fromkeys(("received", "carried_over", "in_competence", "resolved", "overdue"), 0)
    r = rollups.rolled("petitions_in", units, period.date_from, period.date_to, villages=villages)
    by_type = dict.fromkeys((t.value for t in PetitionType), 0)
    by_channel = dict.fromkeys((c.value for c in Channel), 0)
    for kind, channel, n in session.exec(
        select(r.c.type, r.c.channel, func.sum(r.c.n)).group_by(r.c.type, r.c.channel)
    ).all():
        by_type[kind] += _int(n)
        if channel:
            by_channel[channel] += _int(n)
    competent = figures["in_competence"]
    return {**figures, "resolution_rate": figures["resolved"] / competent if competent else None,
            "by_type": by_type, "by_channel": by_channel}


def _targets(session: Session, units: Any, period: Period) -> dict[str, int]:
    total, achieved = session.exec(
        select(func.count(), func.sum(case((Target.achieved.is_(True), 1), else_=0)))
        .where(scope.in_units(Target.unit_id, units), _in(Target.period_end, period))
    ).one()
    return {"total": _int(total), "achieved": _int(achieved)}


def _recognitions(session: Session, units: Any, period: Period) -> dict[str, Any]:
    rows = session.exec(
        select(Recognition.title, Unit.name).join(Unit, Unit.id == Recognition.unit_id)
        .where(scope.in_units(Recognition.unit_id, units), _in(Recognition.date, period))
        .order_by(Recognition.title, Recognition.date, Unit.name)
    ).all()
    by_title: dict[str, list[str]] = {}
    for title, name in rows:
        by_title.setdefault(title, []).append(name)
    return {"total": len(rows), "by_title": by_title}


def _commendations(session: Session, units: Any, period: Period) -> dict[str, Any]:
    rows = session.exec(
        select(Commendation.level, func.count())
        .where(scope.in_units(Commendation.unit_id, units), _in(Commendation.decision_date, period))
        .group_by(Commendation.level)
    ).all()
    by_level = dict.fromkeys((lv.value for lv in Level), 0)
    total = 0
    for level, n in rows:
        total += n
        if level:
            by_level[level] += n
    return {"total": total, "by_level": by_level}


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
    """For an admin with no unit: the first root of the tree that is still in force."""
    return session.exec(
        select(Unit.id).where(Unit.parent_id.is_(None))
        .order_by(Unit.active_to.is_not(None), Unit.id).limit(1)
    ).scalar()


def league(session: Session, *, actor: Actor, unit_id: int, date_from: date,
           date_to: date) -> list[dict[str, Any]]:
    """The headline figures for each unit directly below `unit_id` (and for its predecessors),
    one row each, plus a row for records kept on the unit itself; the rows add up to the
    unit's own figures. Each figure is one grouped query over the whole subtree."""
    period = check_period(date_from, date_to)
    unit = report_unit(session, actor, unit_id)
    bmap = scope.branches(unit_id)
    branch_of = {u: b for u, b in session.exec(select(bmap.c.id, bmap.c.branch)).all()}
    # Rows per village need the records themselves (sums are kept per commune).
    villages = unit.level in (UnitLevel.commune.value, UnitLevel.village.value)

    units = scope.subtree_id_list(session, unit_id)

    def by_branch(kind: str, *sums: str, where: Any = None) -> dict[int, tuple[Any, ...]]:
        r = rollups.rolled(kind, units, period.date_from, period.date_to, villages=villages)
        stmt = (select(r.c.unit_id, *(func.sum(r.c[s]) for s in sums)).select_from(r)
                .group_by(r.c.unit_id))
        if where is not None:
            stmt = stmt.where(where(r))
        out: dict[int, list[Any]] = {}
        for unit, *values in session.exec(stmt).all():
            branch = branch_of.get(unit)
            if branch is not None:
                total = out.setdefault(branch, [0] * len(sums))
                for i, v in enumerate(values):
                    total[i] += v or 0
        return {b: tuple(v) for b, v in out.items()}

    pets = petition_figures(session, units, period, villages=villages, branch_of=branch_of)
    petitions_by_branch = {b: (f["received"], f["in_competence"], f["resolved"], f["overdue"])
                           for b, f in pets.items()}
    roads = by_branch("works", "quantity", where=lambda r: r.c.category.in_(ROADS))
    figures = {
        "models": by_branch("models", "n"),
        "works": {b: (*v, roads.get(b, (0,))[0]) for b, v in
                  by_branch("works", "n", "total_cost_vnd").items()},
        "contributions": by_branch("contributions", "amount_vnd", "labor_days"),
        "land": by_branch("land", "area_m2", "value_vnd"),
        "petitions": petitions_by_branch,
    }
    return _league_rows(session, unit_id, set(branch_of.values()), figures)


def _league_rows(session: Session, unit_id: int, branches: set[int],
                 figures: dict[str, dict[int, tuple[Any, ...]]]) -> list[dict[str, Any]]:
    """The league table's rows from the figures per branch (the tuples `league` makes)."""
    names = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(branches))).scalars()}
    rows = []
    for branch, unit in sorted(names.items(), key=lambda kv: (kv[0] == unit_id, sort_key(kv[1].name))):
        models = figures["models"].get(branch, (0,))
        works = figures["works"].get(branch, (0, 0, 0))
        gifts = figures["contributions"].get(branch, (0, 0))
        land = figures["land"].get(branch, (0, 0))
        pets = [_int(x) for x in figures["petitions"].get(branch, (0, 0, 0, 0))]
        row = {"unit": {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level},
               "own": branch == unit_id,
               "models": _int(models[0]), "works": _int(works[0]),
               "works_cost_vnd": _int(works[1]), "roads_km": _num(works[2]),
               "contributions_vnd": _int(gifts[0]), "labor_days": _num(gifts[1]),
               "land_area_m2": _num(land[0]), "land_value_vnd": _int(land[1]),
               "petitions_received": pets[0], "petitions_in_competence": pets[1],
               "petitions_resolved": pets[2], "petitions_overdue": pets[3],
               "resolution_rate": pets[2] / pets[1] if pets[1] else None}
        if row["own"] and not any(v for k, v in row.items() if k not in ("unit", "own", "resolution_rate")):
            continue  # nothing is kept on the unit itself
        rows.append(row)
    return rows


# -- the live dashboard ------------------------------------------------------------------------
@dataclass(frozen=True)
class Tree:
    """A unit's subtree, read once for a dashboard: every unit (the records themselves are read
    with these), the units sums are kept under (a village's records are summed under its
    commune, so the sums are read with a fifth of the ids), and each unit's branch of the league
    table (`scope.branches`). `ids` and `stat_ids` go to `scope.in_units` as SELECTs of one
    bound parameter each (`id_select`)."""

    unit: Unit
    unit_ids: tuple[int, ...]
    ids: Any
    stat_ids: Any
    branch_of: dict[int, int]


def id_select(ids: Any, postgresql: bool) -> Any:
    """A list of unit ids as a SELECT of one bound parameter: a JSON list read by json_each on
    SQLite, an array literal on PostgreSQL. Bound one by one (IN with 755 parameters, or an
    array of 755 items), the province's ids cost more to pass than most queries take to run."""
    ids = [int(u) for u in ids]
    if postgresql:
        text = "{" + ",".join(map(str, ids)) + "}"
        return select(func.unnest(cast(literal(text), ARRAY(Integer))))
    return select(literal_column("value")).select_from(func.json_each(literal(json.dumps(ids))))


def tree(session: Session, unit: Unit) -> Tree:
    bmap = scope.branches(unit.id)
    rows = session.exec(select(bmap.c.id, bmap.c.branch, Unit.level, Unit.parent_id,
                               Unit.merged_into_id).join(Unit, Unit.id == bmap.c.id)).all()
    postgresql = session.get_bind().dialect.name == "postgresql"
    # The rule of rollups.rollup_unit: a village still in force, under a commune, is summed there.
    kept = sorted(u for u, _, level, parent, merged in rows
                  if not (level == UnitLevel.village.value and merged is None and parent is not None))
    ids = tuple(sorted(u for u, *_ in rows))
    return Tree(unit, ids, id_select(ids, postgresql), id_select(kept, postgresql),
                {u: b for u, b, *_ in rows})


def standing(session: Session, tree: Tree, period: Period, *, today: date,
             league: bool) -> dict[str, Any]:
    """What the live dashboard shows of a period: the summary report's headline figures (models,
    works and roads, money, land, petitions) and, with `league`, the league table's rows; both
    from one query per kind of record grouped by unit, added up here per branch and in all
    (the summary and `league` ask the same twice). Over whole years only the sums are read,
    with the ids they are kept under: the figures are then those of `summary` for the same
    period. Overdue petitions are those of `today` (the dashboard's year runs to 31/12)."""
    unit = tree.unit
    # The league table of a commune has a row per village: it reads the records (as `league`).
    villages = unit.level == UnitLevel.village.value or (
        league and unit.level == UnitLevel.commune.value)
    whole = not rollups.cover(period.date_from, period.date_to).days
    units = tree.ids if villages or not whole else tree.stat_ids
    branch_of = tree.branch_of if league else None

    def grouped(kind: str, dims: list[str], sums: list[str]) -> tuple[list[tuple[Any, ...]],
                                                                        dict[int, list[Any]]]:
        """The kind's sums per `dims` in all, and the rows (dims..., sums...) of each branch."""
        r = rollups.rolled(kind, units, period.date_from, period.date_to, villages=villages)
        keys = ([r.c.unit_id] if league else []) + [r.c[d] for d in dims]
        stmt = select(*keys, *(func.sum(r.c[x]) for x in sums)).select_from(r)
        totals: dict[tuple[Any, ...], list[Any]] = {}
        rows: dict[int, list[Any]] = {}
        for row in session.exec(stmt.group_by(*keys) if keys else stmt).all():
            if branch_of is not None:
                branch = branch_of.get(row[0])
                row = tuple(row[1:])
                if branch is not None:
                    rows.setdefault(branch, []).append(row)
            total = totals.setdefault(tuple(row[:len(dims)]), [0] * len(sums))
            for i, v in enumerate(row[len(dims):]):
                total[i] += v or 0
        return [(*k, *v) for k, v in totals.items()], rows

    def add(rows: dict[int, list[Any]], *pick: Any) -> dict[int, tuple[Any, ...]]:
        """Per branch: the sums of the columns `pick` (an index, or (index, row filter))."""
        out = {}
        for branch, xs in rows.items():
            out[branch] = tuple(sum((x[p] or 0 for x in xs), 0) if isinstance(p, int)
                                else sum((x[p[0]] or 0 for x in xs if p[1](x)), 0) for p in pick)
        return out

    models, models_by = grouped("models", ["kind", "field", "status"], ["n", "members"])
    works, works_by = grouped("works", ["category", "org_type"],
                              ["n", "quantity", "total_cost_vnd", "non_state_vnd"])
    gifts, gifts_by = grouped("contributions", ["source"], ["amount_vnd", "labor_days"])
    land, land_by = grouped("land", [], ["n", "households", "area_m2", "value_vnd"])
    pets = petition_figures(session, units, period, villages=villages, branch_of=branch_of,
                            raw_units=tree.ids, overdue_on=today)
    keys = ("received", "carried_over", "in_competence", "resolved", "overdue")
    petitions = {k: sum(f[k] for f in pets.values()) for k in keys}
    competent = petitions["in_competence"]
    works_figures = _fold_works(works)
    out = {
        "date_from": period.date_from.isoformat(),
        "date_to": min(period.date_to, today).isoformat(),
        "models": _fold_models(models),
        "works": works_figures,
        "roads": _roads(works_figures["by_category"]),
        "contributions": _fold_contributions(gifts),
        "land_donations": _land_figures(*(land[0] if land else (0, 0, 0, 0))),
        "petitions": {**petitions,
                      "resolution_rate": petitions["resolved"] / competent if competent else None},
        "league": None,
    }
    if branch_of is not None:
        roads = (3, lambda x: x[0] in {c.value for c in ROADS})  # km of road: quantity
        out["league"] = _league_rows(session, unit.id, set(branch_of.values()), {
            "models": add(models_by, 3),
            "works": add(works_by, 2, 4, roads),
            "contributions": add(gifts_by, 1, 2),
            "land": add(land_by, 2, 3),
            "petitions": {b: (f["received"], f["in_competence"], f["resolved"], f["overdue"])
                          for b, f in pets.items()},
        })
    return out


PHASES = {"2016-2020": (date(2016, 1, 1), date(2020, 12, 31)),
          "2021-2025": (date(2021, 1, 1), date(2025, 12, 31))}


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


def headline(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(key, Vietnamese label, value) of the figures a comparison shows side by side."""
    works, roads, pets = report["works"], report["roads"], report["petitions"]
    return [
        ("models", "Mô hình, điển hình", report["models"]["total"]),
        ("works", "Công trình, phần việc", works["total"]),
        ("works_cost", "Tổng kinh phí công trình (đồng)", works["total_cost_vnd"]),
        ("roads_km", "Đường giao thông (km)", roads["km"]),
        ("roads_non_state", "Nhân dân, doanh nghiệp góp cho đường (đồng)", roads["non_state_vnd"]),
        ("concrete_km", "Đường bê tông xi măng (km)", roads["concrete_km"]),
        ("canal_km", "Kênh mương nạo vét (km)", works["by_category"]["canal"]["quantity"]),
        ("mass_works", "Công trình của Mặt trận, đoàn thể", works["mass_organizations"]["count"]),
        ("contributions", "Tổng đóng góp (đồng)", report["contributions"]["total_vnd"]),
        ("labor_days", "Ngày công", report["contributions"]["labor_days"]),
        ("land_m2", "Đất hiến (m²)", report["land_donations"]["area_m2"]),
        ("petitions_received", "Đơn thư tiếp nhận", pets["received"]),
        ("petitions_resolved", "Đơn thư đã giải quyết", pets["resolved"]),
        ("resolution_rate", "Tỷ lệ giải quyết", pets["resolution_rate"]),
        ("petitions_overdue", "Đơn quá hạn", pets["overdue"]),
    ]
