"""Petition counts of a report (received, carried over, in competence, resolved, overdue),
from the pre-aggregated sums by received and by closed date, per branch or in all."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, not_, or_, select, union_all
from sqlmodel import Session

from app.db.petitions import Petition
from app.services import rollups, scope
from app.services.petitions.rules import DONE, OUTSIDE_COMPETENCE
from app.services.reports.figures import to_int
from app.services.reports.periods import DATE_MIN, Period, within


def petition_sets(period: Period) -> dict[str, Any]:
    """The petition figures as SQL conditions (shared by the report and its drill-down lists)."""
    received = within(Petition.received_date, period)
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
        return {None: to_int(row[-1]) for row in rows}
    out: dict[Any, int] = {}
    for unit, n in rows:
        branch = branch_of.get(unit)
        if branch is not None:
            out[branch] = out.get(branch, 0) + to_int(n)
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
        return {None: to_int(session.exec(select(func.count()).select_from(late)).scalar_one())}
    return per_branch(session.exec(select(late.c.unit_id, func.count()).select_from(late)
                                   .group_by(late.c.unit_id)).all(), branch_of)
