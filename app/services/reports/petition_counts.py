"""Petition counts of a report (received, carried over, in competence, resolved, overdue),
from the pre-aggregated sums by received and by closed date, per branch or in all."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, not_, or_, select
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


FIGURES = ("received", "carried_over", "in_competence", "resolved", "overdue")


def petition_asks(period: Period) -> list[rollups.Ask]:
    """What the petition counts read, as labelled parts of one statement (`rollups.gather`):
    the sums by received date in the period (by type, channel and competence: the figure
    'received' and its breakdowns) and before it, and by closed date in and before it."""
    f, t = period.date_from, period.date_to
    asks = [rollups.Ask("p_in", "petitions_in", f, t, ("type", "channel", "competent")),
            rollups.Ask("p_close_in", "petitions_close", f, t, ("status",))]
    before = f - timedelta(days=1)
    if before >= DATE_MIN:
        asks += [rollups.Ask("p_open_before", "petitions_open", DATE_MIN, before, ("competent",)),
                 rollups.Ask("p_close_before", "petitions_close", DATE_MIN, before, ("status",))]
    return asks


def overdue_extra(units: Any, param: Any) -> list[Any]:
    """`overdue_parts` as an extra part of `rollups.gather`, at its date parameter 't'."""
    return overdue_parts(units, param("t"))


def overdue_parts(units: Any, t: Any) -> list[Any]:
    """In competence, past due before t and still open at t: the petitions open at t (not
    closed, or closed after t), one indexed SELECT each, as parts labelled 'p_overdue'."""
    # Those closed after t are found by their closing date (few); "due before t" is then
    # written so that SQLite cannot take the due date's own index for it, which read every
    # petition due before t when no unit narrows them (the whole tree: 0.2 s at 60 000).
    due_before = (Petition.due_date < t, func.coalesce(Petition.due_date, t) < t)
    return [select(*rollups.shaped("p_overdue", Petition.unit_id)).where(
        scope.in_units(Petition.unit_id, units), open_at, due,
        Petition.status.not_in(OUTSIDE_COMPETENCE))
        for open_at, due in zip((Petition.closed_date.is_(None), Petition.closed_date > t), due_before)]


_DONE = {s.value for s in DONE}
_OUTSIDE = {s.value for s in OUTSIDE_COMPETENCE}


def petition_fold(got: rollups.Gathered, branch_of: dict[int, int] | None = None
                  ) -> dict[Any, dict[str, int]]:
    """received, carried_over, in_competence, resolved, overdue from the parts of
    `petition_asks` and `overdue_parts`, per branch or under the key None. Counts from the sums
    by received and by closed date: carried over at f = received before f − closed before f;
    in competence = received up to t (competent) − closed before f (competent); resolved =
    closed as resolved or withdrawn in [f, t]. (closed_date ≥ received_date always holds, the
    services see to it.)"""
    out: dict[Any, dict[str, int]] = {}
    if branch_of is None:
        out[None] = dict.fromkeys(FIGURES, 0)

    def entry(unit: Any) -> dict[str, int] | None:
        """The branch's counts (None: a unit outside the map)."""
        key = None if branch_of is None else branch_of.get(unit)
        if branch_of is not None and key is None:
            return None
        return out.setdefault(key, dict.fromkeys(FIGURES, 0))

    for unit, _type, _channel, competent, n, *_ in got.of("p_in"):
        if (e := entry(unit)) is not None:
            e["received"] += to_int(n)
            e["in_competence"] += to_int(n) if competent == "1" else 0
    for unit, competent, _, _, n, *_ in got.of("p_open_before"):
        if (e := entry(unit)) is not None:
            e["carried_over"] += to_int(n)
            e["in_competence"] += to_int(n) if competent == "1" else 0
    for unit, status, _, _, n, *_ in got.of("p_close_in"):
        if status in _DONE and (e := entry(unit)) is not None:
            e["resolved"] += to_int(n)
    for unit, *_, n, _, _, _ in got.of("p_overdue"):
        if (e := entry(unit)) is not None:
            e["overdue"] += to_int(n)
    # Closed before f: taken away where another figure placed the branch (as before, a branch
    # with nothing but petitions closed before the period has no row).
    for unit, status, _, _, n, *_ in got.of("p_close_before"):
        key = None if branch_of is None else branch_of.get(unit)
        if key in out:
            out[key]["carried_over"] -= to_int(n)
            if status not in _OUTSIDE:
                out[key]["in_competence"] -= to_int(n)
    return out


def petition_figures(session: Session, units: Any, period: Period, *, villages: bool,
                     branch_of: dict[int, int] | None = None, raw_units: Any = None,
                     overdue_on: date | None = None) -> dict[Any, dict[str, int]]:
    """received, carried_over, in_competence, resolved, overdue of the units `units` (ids, or
    an IdList; `rollups.EVERY`: the whole tree's sums, with `raw_units`) — per branch
    (`branch_of` maps each unit of the subtree to its branch), or under the key None, in one
    statement (`petition_fold` says how). Overdue is read from the few petitions still open at
    t (or at `overdue_on`: the dashboard's year runs to 31/12 while its overdue petitions are
    today's), of `raw_units` if given (the sums may be read with only the units they are kept
    under, the petitions themselves need them all: `raw_units` are all of them)."""
    def ids(units: Any) -> tuple[int, ...]:
        return units.ids if isinstance(units, scope.IdList) else tuple(units)

    got = rollups.gather(session, petition_asks(period),
                         ids(units if raw_units is None else raw_units),
                         stat_ids=units if units is rollups.EVERY else ids(units),
                         villages=villages, extra={"overdue": overdue_extra},
                         dates={"t": overdue_on or period.date_to}, by_unit=branch_of is not None)
    return petition_fold(got, branch_of)
