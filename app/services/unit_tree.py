"""The unit tree's shape, kept in memory per process: every unit's id, its parent, and the units
directly in its subtree (children, and units merged into it). It is read once and kept while the
database's stamp of it (`unit_tree_stamp`, rewritten by triggers on any change of a unit's id,
parent or merger) is unchanged, so lists, reads and every write check ask it instead of walking
the tree in SQL (app.services.scope)."""

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from app.db.units import Unit, UnitTreeStamp


@dataclass
class Tree:
    """Who is below whom: every unit's id, its parent, and the units directly in its subtree
    (its children and the units merged into it). Subtrees are worked out on first use."""

    parent: dict[int, int | None]
    below: dict[int, list[int]]
    _subtrees: dict[int, frozenset[int]] = field(default_factory=dict)
    _tiers: dict[int, tuple[int, ...]] | None = None
    _tier_set: frozenset[int] | None = None

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

    def tiers(self) -> frozenset[int]:
        """The tree's second tier: the units right under a root (the provinces under the
        country), whose subtrees keep sums of their own (app.services.rollups.tiers)."""
        if self._tier_set is None:
            self._tier_set = frozenset(u for u, p in self.parent.items()
                                       if p is not None and self.parent.get(p, 0) is None)
        return self._tier_set

    def tiers_above(self, uid: int) -> tuple[int, ...]:
        """The second-tier units whose subtree holds `uid` (itself included): an old commune's
        old province and its successor's province; none for a root or a unit not in the tree."""
        if self._tiers is None:
            above: dict[int, tuple[int, ...]] = {}
            for t in sorted(self.tiers()):
                for u in self.subtree(t):
                    above[u] = (*above.get(u, ()), t)
            self._tiers = above
        return self._tiers.get(uid, ())

    def place(self, uid: int, parent_id: int | None, merged_into_id: int | None,
              was: tuple[int | None, int | None] = (None, None)) -> None:
        """A unit written in the session that holds this tree (`hold`): added as a leaf, the
        subtrees worked out so far grow with it; moved (from `was`: its parent and merger
        before), they are worked out again."""
        self._tiers = self._tier_set = None
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


def kept(session: Session, stamp: int) -> Tree:
    """The tree as `tree` gives it, when the caller has just read its stamp in this session:
    the one kept under that stamp, without reading the stamp again."""
    held = session.info.get(_HELD)
    if held is not None:
        return held  # type: ignore[no-any-return]
    return _kept.get(stamp) or tree(session)


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
