"""The unit tree page's rows (/units). A small tree shows every unit, nested. A large one (the
country: 14 149 units, some 7 MB as one table) opens one level at a time: each unit with units
under it has a link that loads them below it (htmx, /units/level) or, without script, opens
the page at it (/units?open=<id>: the levels down to it, opened); a level with hundreds of
units comes a page at a time, and a level's many ended units (the country's 63 provinces
before 07/2025 beside its 34 new ones) are folded behind one row after those in force, so
that a page opened anywhere stays small (under 150 KB with the country loaded)."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db.base import MAX_ID
from app.db.units import Unit
from app.enums import UnitLevel
from app.deps import PageActor, Route, SessionDep
from app.services import scope, unit_search
from app.services import units as units_service
from app.services.actor import Actor
from app.services.in_force import in_force
from app.ui import render_block
from app.ui.unit_picker import THRESHOLD
from app.vn import today

PAGE = 100  # units of one level shown at once
# Ended units of a level beside units in force: up to this many are shown where they lie (a
# district's commune merged last year); more (a whole former tree) are folded behind one row.
FOLD = 20
TEMPLATE = "units/tree.html"

router = APIRouter(route_class=Route)


@dataclass(frozen=True)
class Row:
    """A row of the tree: a unit at its depth (with how many units lie under it, when the
    tree opens level by level, and whether they are shown), or the link to a level's next
    page (`unit` None)."""

    unit: Unit | None
    depth: int
    children: int | None = None
    opened: bool = False
    parent_id: int | None = None   # the next page's link: whose level, from where, of how many
    offset: int = 0
    total: int = 0
    folded: bool = False  # the link is to the level's ended units, folded after those in force


def _level(session: Any, actor: Actor, parent_id: int | None, depth: int, offset: int = 0,
           opened: set[int] = frozenset()) -> list[Row]:  # type: ignore[assignment]
    level = unit_search.children(session, actor=actor, parent_id=parent_id, offset=offset,
                                 limit=PAGE)
    day = today()
    # Units in force come first (unit_search.children), the others after them.
    cut = next((i for i, (u, _) in enumerate(level.rows) if not in_force(u, day)), None)
    if cut and level.total - (level.offset + cut) > FOLD:
        rows = [Row(u, depth, n, u.id in opened) for u, n in level.rows[:cut]]
        return [*rows, Row(None, depth, parent_id=parent_id, offset=level.offset + cut,
                           total=level.total, folded=True)]
    rows = [Row(u, depth, n, u.id in opened) for u, n in level.rows]
    if level.offset + level.limit < level.total:
        rows.append(Row(None, depth, parent_id=parent_id, offset=level.offset + level.limit,
                        total=level.total))
    return rows


def _chain(session: Any, actor: Actor, unit_id: int) -> list[Unit]:
    """The unit `unit_id` and the units above it that the actor sees, the top first."""
    if not scope.can_see_unit(session, actor, unit_id):
        return []
    out: list[Unit] = []
    unit = session.get(Unit, unit_id)
    while unit is not None and len(out) < unit_search.MAX_DEPTH:
        out.append(unit)
        if (unit.id == actor.unit_id or unit.parent_id is None
                or not scope.can_see_unit(session, actor, unit.parent_id)):
            break  # the top of what the actor sees (a unit merged in from outside, too)
        unit = session.get(Unit, unit.parent_id)
    return out[::-1]


def rows(session: Any, actor: Actor, open_id: int | None = None, offset: int = 0) -> list[Row]:
    """The rows of the tree, the levels down to `open_id` opened (its own at `offset`; the top
    level's, with no unit opened)."""
    chain = _chain(session, actor, open_id) if open_id else []
    opened = {u.id for u in chain}
    out = _level(session, actor, None, 0, 0 if chain else offset, opened=opened)
    end, depth = len(out), 0  # where the level opened last ends, and its depth
    for unit in chain:
        at = next((i for i, r in enumerate(out) if r.unit is not None and r.unit.id == unit.id), None)
        if at is None:  # not on the page of its level shown (further on, or folded): at its end
            out.insert(end, Row(unit, depth, None, True))
            at = end
        below = _level(session, actor, unit.id, out[at].depth + 1,
                       offset if unit.id == open_id else 0, opened)
        out[at + 1:at + 1] = below
        end, depth = at + 1 + len(below), out[at].depth + 1
    return out


def context(session: Any, actor: Actor, request: Request) -> dict[str, Any]:
    """The tree page's rows and what they show beside each unit (approvals, mergers); on a
    unit's edit page (/units/{id}/edit), what that unit received in part, above its form."""
    return {**opened_at(session, actor, _number(request.query_params.get("open")),
                        _number(request.query_params.get("offset")) or 0),
            **received_note(session, _number(request.path_params.get("id")))}


def received_note(session: Any, unit_id: int | None) -> dict[str, Any]:
    """What the unit received in part from predecessors divided between several units, as its
    tree row says it (macros.received_note): `record_received` [(predecessor, default)] and
    the names they need."""
    _, received = units_service.splits(session, {unit_id} if unit_id else set())
    parts = received.get(unit_id, []) if unit_id else []
    return {"record_received": parts,
            "received_names": unit_search.names(session, {i for pair in parts for i in pair})}


def opened_at(session: Any, actor: Actor, open_id: int | None, offset: int = 0) -> dict[str, Any]:
    """The tree page's context, a large tree opened down to `open_id` (a bulk change's units
    are shown where they lie)."""
    large = unit_search.visible_count(session, actor=actor) > THRESHOLD
    if large:
        shown = rows(session, actor, open_id, offset)
    else:
        shown = [Row(u, depth) for u, depth in
                 units_service.nested(units_service.tree(session, actor=actor))]
    return {**_beside(session, actor, shown), "tree_rows": shown, "large_tree": large,
            "unit_total": unit_search.visible_count(session, actor=actor) if large else len(shown)}


def _beside(session: Any, actor: Actor, shown: list[Row]) -> dict[str, Any]:
    """What the rows show beside each unit: its approved periods, the unit it merged into, the
    units it was divided between, and what a successor other than the default received."""
    from app.services import approvals

    units = [r.unit for r in shown if r.unit is not None]
    ids = {u.id for u in units}
    approved: dict[int, list[Any]] = {}
    for a in approvals.list_(session, actor=actor):
        if a.unit_id in ids:
            approved.setdefault(a.unit_id, []).append(a)
    merged = {u.merged_into_id for u in units if u.merged_into_id}
    divided, received = units_service.splits(session, ids)
    named = merged | set(divided) | {i for ids_ in divided.values() for i in ids_} | \
        {i for parts in received.values() for pair in parts for i in pair}
    return {"approved": approved, "names": unit_search.names(session, named),
            "divided": divided, "received": received, **_changeable(session, actor, units)}


def _changeable(session: Any, actor: Actor, units: list[Unit]) -> dict[str, set[int]]:
    """The units a row offers to tick for a bulk change (those the actor may edit: their
    parent in the actor's subtree, at manager) and the communes it offers to add villages to."""
    if not _shows_form(actor):
        return {"tickable": set(), "village_parents": set()}
    may = {i for i in {u.parent_id for u in units} | {u.id for u in units} if i is not None
           and scope.may_write(session, actor, i, role=units_service.records.write_role)}
    return {"tickable": {u.id for u in units if u.parent_id in may},
            "village_parents": {u.id for u in units if u.id in may and u.level == UnitLevel.commune}}


def _number(text: Any) -> int | None:
    return int(text) if text and str(text).isdigit() and 0 <= int(text) <= MAX_ID else None


@router.get("/units/level")
def level(request: Request, session: SessionDep, actor: PageActor,
          parent: int | None = Query(None, ge=1, le=MAX_ID), depth: int = Query(1, ge=0, le=16),
          offset: int = Query(0, ge=0, le=MAX_ID)) -> Response:
    """The units directly under one unit, or the top of the tree (a page of them), as rows of
    the unit tree."""
    shown = (_level(session, actor, parent, depth, offset)
             if parent is None or scope.can_see_unit(session, actor, parent) else [])
    return render_block(request, TEMPLATE, "rows", {
        **_beside(session, actor, shown), "tree_rows": shown, "large_tree": True,
        "shows_form": _shows_form(actor)})


def _shows_form(actor: Actor) -> bool:
    from app.ui.records import BY_PATH

    return BY_PATH["units"].shows_form(actor)
