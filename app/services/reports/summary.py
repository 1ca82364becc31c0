"""The summary report (tổng kết) of any unit subtree over any period, computed by the database
in one grouped statement (`rollups.gather`) after one lookup of the subtree, whatever the number
of rows. Definitions: spec/api.md."""

from datetime import date
from typing import Any

from sqlalchemy import Integer, String, bindparam, case, cast, func, select
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
from app.services.reports.petition_counts import overdue_extra, petition_asks, petition_fold


def summary(session: Session, *, actor: Actor, unit_id: int, date_from: date,
            date_to: date) -> dict[str, Any]:
    """Every figure of the summary for `unit_id`'s subtree over [date_from, date_to]."""
    period = check_period(date_from, date_to)
    unit = report_unit(session, actor, unit_id)
    ids, kept, at = _subtree(session, unit_id)
    # A village's records are summed under its commune; a village's own report reads rows.
    villages = unit.level == UnitLevel.village.value
    f, t = period.date_from, period.date_to
    asks = {a.label: a for a in (
        rollups.Ask("models", "models", f, t, ("kind", "field", "status")),
        rollups.Ask("works", "works", f, t, ("category", "org_type")),
        rollups.Ask("contributions", "contributions", f, t, ("source",)),
        rollups.Ask("land", "land", f, t),
        *petition_asks(period))}
    got = rollups.gather(session, list(asks.values()), ids, stat_ids=kept, villages=villages,
                         extra={"overdue": overdue_extra, "others": _other_parts},
                         dates={"f": f, "t": t}, summed_at=at)
    works = fold_works(got.kind_rows(asks["works"]))
    land = got.kind_rows(asks["land"])
    return {
        "unit": {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level,
                 "kind": unit.kind},
        "date_from": period.date_from.isoformat(),
        "date_to": period.date_to.isoformat(),
        "models": fold_models(got.kind_rows(asks["models"], "n", "members")),
        "works": works,
        "roads": road_figures(works["by_category"]),
        "contributions": fold_contributions(got.kind_rows(asks["contributions"], "amount_vnd",
                                                          "labor_days")),
        "land_donations": land_figures(*(land[0] if land else (0, 0, 0, 0))),
        "petitions": _petitions(got),
        "targets": _targets(got),
        "recognitions": _recognitions(got),
        "commendations": _commendations(got),
    }


def _subtree(session: Session, unit_id: int) -> tuple[list[int], Any, int | None]:
    """The subtree's unit ids (for the records), the ids its sums are kept under (a village's
    are kept under its commune: a fifth of the ids), from one query, and the unit whose own
    sums are the subtree's (`rollups.summed_at`), if any. For the whole tree (the country's
    root) every id, and its sums read with no condition on the unit (`rollups.EVERY`); for a
    province whose own sums are whole, its ids from the tree kept in memory and no others."""
    every = rollups.whole_tree(session, unit_id)
    if every is not None:
        return every, rollups.EVERY, None
    if (at := rollups.summed_at(session, unit_id)) is not None:
        return sorted(scope.tree(session).subtree(unit_id)), [], at

    def build() -> Any:
        tree = scope.subtree_ids(bindparam("root", None, type_=Integer, required=False)).subquery()
        return select(Unit.id, rollups.rollup_unit_sql(Unit)).join(tree, tree.c.id == Unit.id)

    rows = rollups.run_prepared(session, "report subtree", build, {"root": unit_id})
    return sorted(u for u, _ in rows), sorted({u for u, key in rows if u == key}), None


def _other_parts(units: Any, param: Any) -> list[Any]:
    """The small tables, as parts of the report's one statement (`rollups.gather`'s extras,
    over its date parameters 'f' and 't')."""
    period = Period(param("f"), param("t"))
    achieved = case((Target.achieved.is_(True), "1"), else_="0")
    # Each recognition its own row, numbered in the order the report lists them.
    order = cast(func.row_number().over(order_by=(Recognition.title, Recognition.date, Unit.name)),
                 String)
    return [
        select(*rollups.shaped("targets", Target.unit_id, [achieved]))
        .where(scope.in_units(Target.unit_id, units), within(Target.period_end, period)),
        select(*rollups.shaped("recognitions", Recognition.unit_id,
                               [Recognition.title, Unit.name, order]))
        .select_from(Recognition).join(Unit, Unit.id == Recognition.unit_id)
        .where(scope.in_units(Recognition.unit_id, units), within(Recognition.date, period)),
        select(*rollups.shaped("commendations", Commendation.unit_id,
                               [func.coalesce(Commendation.level, "")]))
        .where(scope.in_units(Commendation.unit_id, units),
               within(Commendation.decision_date, period)),
    ]


def _petitions(got: rollups.Gathered) -> dict[str, Any]:
    figures = petition_fold(got)[None]
    by_type = dict.fromkeys((t.value for t in PetitionType), 0)
    by_channel = dict.fromkeys((c.value for c in Channel), 0)
    for _, kind, channel, _, n, *_ in got.of("p_in"):
        by_type[kind] += to_int(n)
        if channel:
            by_channel[channel] += to_int(n)
    competent = figures["in_competence"]
    return {**figures, "resolution_rate": figures["resolved"] / competent if competent else None,
            "by_type": by_type, "by_channel": by_channel}


def _targets(got: rollups.Gathered) -> dict[str, int]:
    rows = got.of("targets")
    return {"total": sum(to_int(r[4]) for r in rows),
            "achieved": sum(to_int(r[4]) for r in rows if r[1] == "1")}


def _recognitions(got: rollups.Gathered) -> dict[str, Any]:
    by_title: dict[str, list[str]] = {}
    rows = sorted(got.of("recognitions"), key=lambda r: int(r[3]))
    for _, title, name, *_ in rows:
        by_title.setdefault(title, []).append(name)
    return {"total": len(rows), "by_title": by_title}


def _commendations(got: rollups.Gathered) -> dict[str, Any]:
    by_level = dict.fromkeys((lv.value for lv in Level), 0)
    total = 0
    for _, level, _, _, n, *_ in got.of("commendations"):
        total += to_int(n)
        if level:
            by_level[level] += to_int(n)
    return {"total": total, "by_level": by_level}
