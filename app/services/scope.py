"""Row scoping, in one place: which units an actor may see, and the subtree of a unit.

A unit's subtree is the unit, everything below it, and every unit merged into any of those
(with everything below them): after the 2025 mergers a successor commune's figures include
its predecessors' records, while each record stays on the unit it was entered for.
In SQL it is one recursive query (`subtree_ids`) on both SQLite and PostgreSQL; in Python the
tree's shape is read once per process and kept while the database's stamp of it is unchanged
(app.services.unit_tree): lists, reads and every write check ask it instead of walking the tree
in SQL.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, any_, bindparam, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.db.units import Unit
from app.enums import Role
from app.services.actor import Actor
from app.services.errors import Forbidden
from app.services.unit_tree import Tree, hold, release, tree  # noqa: F401  (the tree, asked of scope)


def subtree_ids(unit_id: int, name: str = "subtree") -> Select[Any]:
    """SELECT of the ids in `unit_id`'s subtree (itself, descendants, merged predecessors).
    `name` names the CTE: two subtrees in one statement (the actor's and a filter's) need two."""
    tree = select(Unit.id).where(Unit.id == unit_id).cte(name, recursive=True)
    child = aliased(Unit)
    # UNION (not UNION ALL) also stops a cycle that a bad merge could make.
    tree = tree.union(
        select(child.id).join(
            tree, or_(child.parent_id == tree.c.id, child.merged_into_id == tree.c.id)
        )
    )
    return select(tree.c.id)


def is_descendant(session: Session, candidate: int, root: int) -> bool:
    """Is `candidate` `root` or below it in the parent/child tree (mergers aside)?"""
    return tree(session).descends(candidate, root)


def visible_ids(session: Session, actor: Actor,
                shape: Tree | None = None) -> frozenset[int] | None:
    """The ids of the units an actor may see; None means all of them. `shape`: the tree,
    when the caller has just read it."""
    if (actor.role == Role.admin and actor.token_id is None) or actor.unit_id is None:
        return None
    return (shape or tree(session)).subtree(actor.unit_id)


def list_units(session: Session, actor: Actor, unit_id: int | None) -> frozenset[int] | None:
    """The units a list may show: the actor's subtree and the filter's (`unit_id`, if any),
    both at once. None: every unit (an admin without a filter, or a scope or filter that
    covers the whole tree, so no condition on the unit is needed); empty: none (a filter
    wholly outside the actor's subtree). A filter inside the subtree is its own subtree,
    which the scope's contains (it holds everything below each of its units and everything
    merged into them); one above the actor's unit leaves the actor's; otherwise, after
    mergers, the two may share a part, which is what is shown."""
    shape = tree(session)
    units = visible_ids(session, actor, shape)
    if unit_id is not None:
        wanted = shape.subtree(unit_id)
        units = wanted if units is None or unit_id in units else units & wanted
    if units is not None and len(units) == len(shape.parent):
        return None  # the whole tree: nothing to check
    return units


class InUnits(ColumnElement[bool]):
    """`column IN (subtree)`. On PostgreSQL it is written `column = ANY(ARRAY(subtree))`: the
    planner then knows it is a short list of ids and uses the (unit_id, date) index, where
    `IN (SELECT ...)` made it guess half the table and scan all of it (bench/README.md)."""

    inherit_cache = True
    # Both parts belong to the statement's cache key: without this, two statements that
    # differ only here would share one compiled SQL string.
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement),
                           ("units", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any, units: Any) -> None:
        self.column, self.units = column, units


@compiles(InUnits)
def _in_units_default(element: InUnits, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.units), **kw)


@compiles(InUnits, "postgresql")
def _in_units_pg(element: InUnits, compiler: Any, **kw: Any) -> str:
    units = element.units
    inner = units.element if hasattr(units, "element") else units
    return (f"{compiler.process(element.column, **kw)} = ANY(ARRAY("
            f"{compiler.process(inner, asfrom=False, **kw)}))")


@dataclass(frozen=True)
class IdList:
    """A subtree's unit ids, fetched once, and the database they are for."""

    ids: tuple[int, ...]
    postgresql: bool


# Every unit: the whole tree (the country's root), read with no condition on the unit. The
# country's 14 000 ids, probed one by one in an index, took longer than reading every row.
EVERY = "every unit"


def in_units(column: Any, units: Any) -> Any:
    """`column` in a subtree: a SELECT of unit ids, or an IdList already fetched, or EVERY
    (no condition). On PostgreSQL the list travels as one array parameter (`= ANY(:ids)`):
    hundreds of separate parameters cost more to bind than the query takes to run."""
    if units is EVERY:
        return true()
    if isinstance(units, IdList):
        if units.postgresql:
            return column == any_(bindparam(None, list(units.ids), type_=ARRAY(Integer)))
        return column.in_(units.ids)
    return InUnits(column, units)


def subtree_id_list(session: Session, unit_id: int) -> IdList:
    """The subtree's ids, fetched once: the report's many queries then filter on a constant
    list, which PostgreSQL estimates well whatever the subtree's size."""
    return id_list(session, tree(session).subtree(unit_id))


def id_list(session: Session, ids: Iterable[int]) -> IdList:
    return IdList(tuple(sorted(ids)), session.get_bind().dialect.name == "postgresql")


def visible_unit_ids(actor: Actor) -> Select[Any] | None:
    """The units an actor may see; None means all of them (admins and the system)."""
    if (actor.role == Role.admin and actor.token_id is None) or actor.unit_id is None:
        return None
    return subtree_ids(actor.unit_id, name="visible_units")


def restrict(stmt: Select[Any], column: Any, actor: Actor) -> Select[Any]:
    """Add the actor's subtree to a statement on a table with a unit column."""
    visible = visible_unit_ids(actor)
    return stmt if visible is None else stmt.where(in_units(column, visible))


def in_subtree(session: Session, unit_id: int, root_id: int) -> bool:
    return unit_id in tree(session).subtree(root_id)


def ancestor_ids(session: Session, unit_id: int) -> list[int]:
    """The units whose subtree holds `unit_id`, nearest first (parents, and the units it was
    merged into, up to the root). The tree is a few levels deep, so this is a few lookups."""
    out: list[int] = []
    todo = [unit_id]
    while todo:
        unit = session.get(Unit, todo.pop())
        for above in (unit.parent_id, unit.merged_into_id) if unit is not None else ():
            if above is not None and above not in out and above != unit_id:
                out.append(above)
                todo.append(above)
    return out


def on_line(session: Session, unit_id: int) -> Any:
    """The units on one line of the tree with `unit_id`: its subtree and the units above it.
    A record may refer to a work or model of these units, and of no others."""
    above = ancestor_ids(session, unit_id)
    below = subtree_ids(unit_id, name="line_units")
    return or_(Unit.id.in_(below), Unit.id.in_(above)) if above else Unit.id.in_(below)


def can_see_unit(session: Session, actor: Actor, unit_id: int) -> bool:
    if unit_id == actor.unit_id:  # one's own unit (a wall screen's, every poll): often loaded
        return session.get(Unit, unit_id) is not None
    shape = tree(session)
    visible = visible_ids(session, actor, shape)
    return unit_id in (shape.ids if visible is None else visible)


def write_refusal(session: Session, actor: Actor, unit_id: int, *,
                  role: Role = Role.clerk) -> str | None:
    """Why `actor` may not write on `unit_id`'s records (a viewer, a read-only token, too low a
    role, a unit outside the subtree), or None if they may."""
    refusal = actor.write_refusal(role)
    if refusal is None and not can_see_unit(session, actor, unit_id):
        refusal = "Đơn vị này nằm ngoài phạm vi đơn vị bạn phụ trách."
    return refusal


def may_write(session: Session, actor: Actor, unit_id: int, *, role: Role = Role.clerk) -> bool:
    """Whether a page should offer `actor` the controls that change this unit's records."""
    return write_refusal(session, actor, unit_id, role=role) is None


def check_write(session: Session, actor: Actor, unit_id: int, *, role: Role = Role.clerk) -> None:
    """Refuse a write that write_refusal refuses (403, its words)."""
    refusal = write_refusal(session, actor, unit_id, role=role)
    if refusal is not None:
        raise Forbidden(refusal)


def branches(unit_id: int) -> Any:
    """Subquery (id, branch): every unit of `unit_id`'s subtree with the child of `unit_id` (or
    the predecessor merged into it) whose subtree it lies in; the unit itself is its own branch,
    for records kept on the unit directly. A unit reachable along two lines (an old commune under
    both the old province and its successor) goes to the nearer branch, so that league tables
    add up to the unit's own figure."""
    top = (select(Unit.id.label("id"), Unit.id.label("branch"), literal(1).label("depth"))
           .where(or_(Unit.parent_id == unit_id, Unit.merged_into_id == unit_id, Unit.id == unit_id))
           .cte("branch_map", recursive=True))
    child = aliased(Unit)
    top = top.union_all(
        select(child.id, top.c.branch, top.c.depth + 1).join(
            top, or_(child.parent_id == top.c.id, child.merged_into_id == top.c.id))
        .where(top.c.id != unit_id, top.c.depth < MAX_DEPTH)
    )
    ranked = select(top.c.id, top.c.branch, func.row_number().over(
        partition_by=top.c.id, order_by=(top.c.depth, top.c.branch)).label("rank")).subquery()
    return select(ranked.c.id, ranked.c.branch).where(ranked.c.rank == 1).subquery("branches")


# Deeper than any real tree (province, district, commune, village, and a few mergers); it only
# stops a cycle that a bad merge could make.
MAX_DEPTH = 16
