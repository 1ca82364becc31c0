"""The summary report (tổng kết) of any unit subtree over any period, computed by the database
in a fixed number of grouped queries, whatever the number of rows. Definitions: spec/api.md."""

from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from app.db.commendations import Commendation
from app.db.recognitions import Recognition
from app.db.targets import Target
from app.db.units import Unit
from app.enums import Channel, Level, PetitionType, UnitLevel
from app.services import rollups, scope
from app.services.actor import Actor
from app.services.reports.figures import (fold_contributions, fold_models, fold_works,
                                          land_figures, road_figures, to_int)
from app.services.reports.periods import Period, check_period, report_unit, within
from app.services.reports.petition_counts import petition_figures


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
        "roads": road_figures(works["by_category"]),
        "contributions": _contributions(session, units, period, villages),
        "land_donations": _land(session, units, period, villages),
        "petitions": _petitions(session, units, period, villages),
        "targets": _targets(session, units, period),
        "recognitions": _recognitions(session, units, period),
        "commendations": _commendations(session, units, period),
    }


def _models(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("models", units, period.date_from, period.date_to, villages=villages)
    rows = session.exec(
        select(r.c.kind, r.c.field, r.c.status, func.sum(r.c.n), func.sum(r.c.members))
        .group_by(r.c.kind, r.c.field, r.c.status)
    ).all()
    return fold_models(rows)


def _works(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("works", units, period.date_from, period.date_to, villages=villages)
    rows = session.exec(
        select(r.c.category, r.c.org_type, func.sum(r.c.n), func.sum(r.c.quantity),
               func.sum(r.c.total_cost_vnd), func.sum(r.c.non_state_vnd))
        .group_by(r.c.category, r.c.org_type)
    ).all()
    return fold_works(rows)


def _contributions(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("contributions", units, period.date_from, period.date_to, villages=villages)
    rows = session.exec(
        select(r.c.source, func.sum(r.c.amount_vnd), func.sum(r.c.labor_days)).group_by(r.c.source)
    ).all()
    return fold_contributions(rows)


def _land(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    r = rollups.rolled("land", units, period.date_from, period.date_to, villages=villages)
    n, households, area, value = session.exec(
        select(func.sum(r.c.n), func.sum(r.c.households), func.sum(r.c.area_m2),
               func.sum(r.c.value_vnd))
    ).one()
    return land_figures(n, households, area, value)


def _petitions(session: Session, units: Any, period: Period, villages: bool) -> dict[str, Any]:
    figures = petition_figures(session, units, period, villages=villages).get(None) or \
        dict.fromkeys(("received", "carried_over", "in_competence", "resolved", "overdue"), 0)
    r = rollups.rolled("petitions_in", units, period.date_from, period.date_to, villages=villages)
    by_type = dict.fromkeys((t.value for t in PetitionType), 0)
    by_channel = dict.fromkeys((c.value for c in Channel), 0)
    for kind, channel, n in session.exec(
        select(r.c.type, r.c.channel, func.sum(r.c.n)).group_by(r.c.type, r.c.channel)
    ).all():
        by_type[kind] += to_int(n)
        if channel:
            by_channel[channel] += to_int(n)
    competent = figures["in_competence"]
    return {**figures, "resolution_rate": figures["resolved"] / competent if competent else None,
            "by_type": by_type, "by_channel": by_channel}


def _targets(session: Session, units: Any, period: Period) -> dict[str, int]:
    total, achieved = session.exec(
        select(func.count(), func.sum(case((Target.achieved.is_(True), 1), else_=0)))
        .where(scope.in_units(Target.unit_id, units), within(Target.period_end, period))
    ).one()
    return {"total": to_int(total), "achieved": to_int(achieved)}


def _recognitions(session: Session, units: Any, period: Period) -> dict[str, Any]:
    rows = session.exec(
        select(Recognition.title, Unit.name).join(Unit, Unit.id == Recognition.unit_id)
        .where(scope.in_units(Recognition.unit_id, units), within(Recognition.date, period))
        .order_by(Recognition.title, Recognition.date, Unit.name)
    ).all()
    by_title: dict[str, list[str]] = {}
    for title, name in rows:
        by_title.setdefault(title, []).append(name)
    return {"total": len(rows), "by_title": by_title}


def _commendations(session: Session, units: Any, period: Period) -> dict[str, Any]:
    rows = session.exec(
        select(Commendation.level, func.count())
        .where(scope.in_units(Commendation.unit_id, units), within(Commendation.decision_date, period))
        .group_by(Commendation.level)
    ).all()
    by_level = dict.fromkeys((lv.value for lv in Level), 0)
    total = 0
    for level, n in rows:
        total += n
        if level:
            by_level[level] += n
    return {"total": total, "by_level": by_level}
