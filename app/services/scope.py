"""Row scoping, in one place: which units an actor may see, and the subtree of a unit.

A unit's subtree is the unit, everything below it, and every unit merged into any of those
(with everything below them): after the 2025 mergers a successor commune's figures include
its predecessors' records, while each record stays on the unit it was entered for.
In SQL it is one recursive query (`subtree_ids`) on both SQLite and PostgreSQL; in Python the
tree's shape is read once per process and kept while the database's stamp of it is unchanged
(`tree`): lists, reads and every write check ask it instead of walking the tree in SQL.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, Select, any_, bindparam, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.db.units import Unit, UnitTreeStamp
from app.enums import Role
from app.services.actor import Actor
from app.services.errors import Forbidden


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


# -- the tree's shape in memory ----------------------------------------------------------------

@dataclass
class Tree:
    """Who is below whom: every unit's id, its parent, and the units directly in its subtree
    (its children and the units merged into it). Subtrees are worked out on first use."""

    parent: dict[int, int | None]
    below: dict[int, list[int]]
    _subtrees: dict[int, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, edges: Iterable[tuple[int, int | None, int | None]]) -> "Tree":
        parent: dict[int, int | None] = {}
        below: dict[int, list[int]] = {}
        for uid, parent_id, merged_into_id in edges:
            parent[uid] = parent_id
            for above in {parent_id, merged_into_id} - {None}:
                below.setdefault(above, []).append(uid)  # type: ignore[arg-type]
        return cls(parent, below)

    @property
    def ids(self) -> frozenset[int]:
        return self.subtree(None)

    def subtree(self, unit_id: int | None) -> frozenset[int]:
        """The unit, everything below it and everything merged into those (a cycle that a bad
        merge could make stops where it comes round); empty for a unit that does not exist.
        None: every unit."""
        found = self._subtrees.get(unit_id)  # type: ignore[arg-type]
        if found is None:
            if unit_id is None:
                found = frozenset(self.parent)
            elif unit_id not in self.parent:
                found = frozenset()
            else:
                seen, todo = {unit_id}, [unit_id]
                while todo:
                    for child in self.below.get(todo.pop(), ()):
                        if child not in seen:
                            seen.add(child)
                            todo.append(child)
                found = frozenset(seen)
            self._subtrees[unit_id] = found  # type: ignore[index]
        return found

    def place(self, uid: int, parent_id: int | None, merged_into_id: int | None,
              was: tuple[int | None, int | None] = (None, None)) -> None:
        """A unit written in the session that holds this tree (`hold`): added as a leaf, the
        subtrees worked out so far grow with it; moved (from `was`: its parent and merger
        before), they are worked out again."""
        if uid in self.parent:
            for above in set(was) - {None}:
                if uid in self.below.get(above, ()):  # type: ignore[arg-type]
                    self.below[above].remove(uid)  # type: ignore[index]
            self._subtrees.clear()
        self.parent[uid] = parent_id
        for above in {parent_id, merged_into_id} - {None}:
            self.below.setdefault(above, []).append(uid)  # type: ignore[arg-type]
        for root, found in [*self._subtrees.items()]:
            if root is None or parent_id in found or merged_into_id in found:
                if not isinstance(found, set):  # grown in place: a copy per unit is quadratic
                    found = self._subtrees[root] = set(found)  # type: ignore[assignment]
                found.add(uid)  # type: ignore[attr-defined]

    def descends(self, candidate: int, root: int) -> bool:
        """`candidate` is `root` or below it along parents only (mergers aside)."""
        if root not in self.parent:
            return False
        seen: set[int] = set()
        at: int | None = candidate
        while at is not None and at not in seen and at in self.parent:
            if at == root:
                return True
            seen.add(at)
            at = self.parent[at]
        return False


_kept: dict[int, Tree] = {}
# Built once: building it (its operators) cost about half a millisecond per list.
_STAMP = select(UnitTreeStamp.stamp).where(UnitTreeStamp.id == 1)
_kept_lock = threading.Lock()


_HELD = "dvk.held_tree"


def hold(session: Session) -> Tree:
    """Keep the tree in the session while it writes many units (an import of units): each
    unit written would change the stamp and have the whole tree read again for the next
    one's checks. The writer tells the held tree each unit it writes (`Tree.place`) and lets
    go (`release`) when done, kept or taken back."""
    held = session.info[_HELD] = Tree.of(
        (r[0], r[1], r[2]) for r in session.exec(select(Unit.id, Unit.parent_id,
                                                        Unit.merged_into_id)).all())
    return held


def release(session: Session) -> None:
    session.info.pop(_HELD, None)


def tree(session: Session) -> Tree:
    """The tree's shape as the session sees it: one small read of the stamp while it is
    current, the whole (id, parent, merger) list when it has changed. Read in the session, so
    a unit written earlier in the same transaction is in it; a stamp that was rolled back
    never comes back (it is random), so a tree read under it is never served again. A
    session writing many units holds its own (`hold`)."""
    held = session.info.get(_HELD)
    if held is not None:
        return held  # type: ignore[no-any-return]
    stamp = session.exec(_STAMP).scalar()
    kept = _kept.get(stamp) if stamp is not None else None
    if kept is not None:
        return kept
    rows = session.exec(select(Unit.id, Unit.parent_id, Unit.merged_into_id,
                               _STAMP.scalar_subquery())).all()
    fresh = Tree.of((r[0], r[1], r[2]) for r in rows)
    # The stamp read with the rows (one statement: one snapshot) is the one they are for.
    read_under = rows[0][3] if rows else None
    if read_under is not None:
        with _kept_lock:
            _kept.clear()  # the newest shape only: an older stamp does not come back
            _kept[read_under] = fresh
    return fresh


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


def in_units(column: Any, units: Any) -> Any:
    """`column` in a subtree: a SELECT of unit ids, or an IdList already fetched. On
    PostgreSQL the list travels as one array parameter (`= ANY(:ids)`): hundreds of separate
    parameters cost more to bind than the query takes to run."""
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
