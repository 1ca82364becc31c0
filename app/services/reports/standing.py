"""What the live dashboard shows of a period (app/services/dashboards.py): the summary's
headline figures and the league table's rows at once, from a subtree read once."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, func, literal, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from app.db.units import Unit
from app.enums import UnitLevel
from app.services import rollups, scope
from app.services.reports.figures import (ROADS, fold_contributions, fold_models, fold_works,
                                          land_figures, road_figures)
from app.services.reports.league import league_rows
from app.services.reports.periods import Period
from app.services.reports.petition_counts import petition_figures


@dataclass(frozen=True)
class Tree:
    """A unit's subtree, read once for a dashboard: every unit (the records themselves are read
    with these), the units sums are kept under (a village's records are summed under its
    commune, so the sums are read with a fifth of the ids), and each unit's branch of the league
    table (`scope.branches`). `ids` and `stat_ids` go to `scope.in_units` as SELECTs of one
    bound parameter each (`id_select`); for the whole tree (the country's root) `stat_ids` and
    `kept_ids` are `rollups.EVERY`, its sums read with no condition on the unit."""

    unit: Unit
    unit_ids: tuple[int, ...]
    ids: Any
    stat_ids: Any
    branch_of: dict[int, int]
    kept_ids: Any = ()  # the ids of `stat_ids` (a tuple), or EVERY


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
    branch_of = {u: b for u, b, *_ in rows}
    if rollups.whole_tree(session, unit.id) is not None:
        return Tree(unit, ids, id_select(ids, postgresql), rollups.EVERY, branch_of, rollups.EVERY)
    return Tree(unit, ids, id_select(ids, postgresql), id_select(kept, postgresql), branch_of,
                tuple(kept))


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
    span = rollups.cover(period.date_from, period.date_to)
    only_sums = not (villages or span.days or span.minus)  # whole years: no record read
    branch_of = tree.branch_of if league else None

    def grouped(kind: str, dims: list[str], sums: list[str]) -> tuple[list[tuple[Any, ...]],
                                                                        dict[int, list[Any]]]:
        """The kind's sums per `dims` in all, and the rows (dims..., sums...) of each branch."""
        r = rollups.rolled(kind, tree.ids, period.date_from, period.date_to, villages=villages,
                           stat_units=tree.stat_ids if only_sums else None)
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
    pets = petition_figures(session, tree.kept_ids if only_sums else tree.unit_ids,
                            period, villages=villages, branch_of=branch_of,
                            raw_units=tree.unit_ids, overdue_on=today)
    keys = ("received", "carried_over", "in_competence", "resolved", "overdue")
    petitions = {k: sum(f[k] for f in pets.values()) for k in keys}
    competent = petitions["in_competence"]
    works_figures = fold_works(works)
    out = {
        "date_from": period.date_from.isoformat(),
        "date_to": min(period.date_to, today).isoformat(),
        "models": fold_models(models),
        "works": works_figures,
        "roads": road_figures(works_figures["by_category"]),
        "contributions": fold_contributions(gifts),
        "land_donations": land_figures(*(land[0] if land else (0, 0, 0, 0))),
        "petitions": {**petitions,
                      "resolution_rate": petitions["resolved"] / competent if competent else None},
        "league": None,
    }
    if branch_of is not None:
        roads = (3, lambda x: x[0] in {c.value for c in ROADS})  # km of road: quantity
        out["league"] = league_rows(session, unit.id, set(branch_of.values()), {
            "models": add(models_by, 3),
            "works": add(works_by, 2, 4, roads),
            "contributions": add(gifts_by, 1, 2),
            "land": add(land_by, 2, 3),
            "petitions": {b: (f["received"], f["in_competence"], f["resolved"], f["overdue"])
                          for b, f in pets.items()},
        })
    return out
