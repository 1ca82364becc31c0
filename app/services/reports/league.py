"""The league table: the headline figures for each unit directly below the reported one."""

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.db.units import Unit
from app.enums import UnitLevel
from app.services import rollups, scope
from app.services.actor import Actor
from app.services.reports.figures import ROADS, to_int, to_num
from app.services.reports.periods import check_period, report_unit
from app.services.reports.petition_counts import petition_figures
from app.vn import sort_key


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
    # The whole tree's sums are read with no condition on the unit (`rollups.EVERY`).
    kept = rollups.EVERY if rollups.whole_tree(session, unit_id) is not None else units

    def by_branch(kind: str, *sums: str, where: Any = None) -> dict[int, tuple[Any, ...]]:
        r = rollups.rolled(kind, units, period.date_from, period.date_to, villages=villages,
                           stat_units=kept)
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

    pets = petition_figures(session, kept, period, villages=villages, branch_of=branch_of,
                            raw_units=units)
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
    return league_rows(session, unit_id, set(branch_of.values()), figures)


def league_rows(session: Session, unit_id: int, branches: set[int],
                 figures: dict[str, dict[int, tuple[Any, ...]]]) -> list[dict[str, Any]]:
    """The league table's rows from the figures per branch (the tuples `league` makes)."""
    names = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(branches))).scalars()}
    rows = []
    for branch, unit in sorted(names.items(), key=lambda kv: (kv[0] == unit_id, sort_key(kv[1].name))):
        models = figures["models"].get(branch, (0,))
        works = figures["works"].get(branch, (0, 0, 0))
        gifts = figures["contributions"].get(branch, (0, 0))
        land = figures["land"].get(branch, (0, 0))
        pets = [to_int(x) for x in figures["petitions"].get(branch, (0, 0, 0, 0))]
        row = {"unit": {"id": unit.id, "code": unit.code, "name": unit.name, "level": unit.level},
               "own": branch == unit_id,
               "models": to_int(models[0]), "works": to_int(works[0]),
               "works_cost_vnd": to_int(works[1]), "roads_km": to_num(works[2]),
               "contributions_vnd": to_int(gifts[0]), "labor_days": to_num(gifts[1]),
               "land_area_m2": to_num(land[0]), "land_value_vnd": to_int(land[1]),
               "petitions_received": pets[0], "petitions_in_competence": pets[1],
               "petitions_resolved": pets[2], "petitions_overdue": pets[3],
               "resolution_rate": pets[2] / pets[1] if pets[1] else None}
        if row["own"] and not any(v for k, v in row.items() if k not in ("unit", "own", "resolution_rate")):
            continue  # nothing is kept on the unit itself
        rows.append(row)
    return rows
