"""The second tier's own sums: for each unit right under a root (a province under the country),
the sums of every record in its subtree, per month and day, so that a province's
report over any period reads a few hundred rows instead of its communes' thousands.

They are stat rows under the province's id with the grain in capitals ('M', 'D'),
upserted in each write's transaction beside the unit's own rows. Which provinces a record
counts in follows the tree (an old commune's records count in its old province and in its
successor's province), so a tree that changes makes them wrong: they are trusted only while
`unit_tree_stamp.sums_stamp`, set when they were last made whole, equals the tree's stamp,
which the database rewrites on any change of the tree, whatever makes it. A change through the
units service or the units import makes the provinces it touched again in its own transaction
(`TreeChange`); any other leaves them unread (the report then sums the communes' rows, as
before) and unwritten, until `dvk rollups --rebuild`.

A writer decides under the writers' turn (`writing`), so no tree change can come between
its reading the tree and its commit; a tree change makes its provinces again under the same
turn, after the writes before it are committed."""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlmodel import Session

from app.db.gate import writing
from app.db.units import UnitTreeStamp
from app.services import scope, unit_tree
from app.services.rollups.keys import PHASE_YEARS

# The second tier's grains: months and days only, in capitals. A write adds a row per grain
# and province (two provinces for most records: an old commune's old one and its successor's);
# whole years and phases are read from the months, some 120 rows per dimension for ten years.
TIER = {"m": "M", "d": "D"}
TIER_GRAINS = tuple(TIER.values())


def tier_grain(grain: str) -> str:
    """The second-tier grain that a period's piece of `grain` ('p', 'y', 'm', 'd') is read from."""
    return TIER["d"] if grain == "d" else TIER["m"]


def tier_buckets(grain: str, first: date, last: date) -> tuple[date, date]:
    """The buckets of the second-tier rows that stand for a period's piece of `grain` with
    buckets `first`..`last`: whole years and phases are their months, to the last one's
    December."""
    if grain in ("p", "y"):
        last = date(last.year + (PHASE_YEARS - 1 if grain == "p" else 0), 12, 1)
    return first, last


_STAMPS = select(UnitTreeStamp.stamp, UnitTreeStamp.sums_stamp).where(UnitTreeStamp.id == 1)


def whole(session: Session) -> bool:
    """Are the second tier's sums whole for the tree as it is now?"""
    return _whole(session.exec(_STAMPS).first())


def _whole(row: Any) -> bool:
    return row is not None and row[1] is not None and row[0] == row[1]


def above(session: Session) -> Callable[[int], tuple[int, ...]] | None:
    """For a write: the second-tier units each kept unit's sums also go to, or None while
    those sums are not whole (the write leaves them alone). In the writers' turn: no tree
    change can come between the tree read here and the write's commit."""
    writing(session)
    row = session.exec(_STAMPS).first()
    if not _whole(row):
        return None
    return unit_tree.kept(session, row[0]).tiers_above


def summed_at(session: Session, unit_id: int) -> int | None:
    """`unit_id` if it is a second-tier unit whose own sums can be read now, else None."""
    shape = scope.tree(session)
    if unit_id not in shape.tiers() or not whole(session):
        return None
    return unit_id


def counted(session: Session, table: Any, unit_id: int | None) -> int | None:
    """How many records of `table` the whole tree holds (`unit_id` None: its own rows) or a
    second-tier unit's subtree (its own rows, while whole), read from the sums: a few hundred
    rows where a count reads millions. None where the sums cannot tell: a kind whose records
    are not each counted once (`Kind.counts_every_record`), any other unit."""
    from app.services.rollups.raw import KINDS

    kind = next((k for k in KINDS.values() if k.source is table and k.counts_every_record), None)
    if kind is None:
        return None
    stat = kind.stat
    if unit_id is None:
        whose = [stat.grain == "p", stat.unit_id.is_(None)]
    elif summed_at(session, unit_id) is not None:
        whose = [stat.grain == TIER["m"], stat.unit_id == unit_id]
    else:
        return None
    return int(session.exec(select(func.coalesce(func.sum(stat.n), 0)).where(*whose)).scalar_one())


def _stamp(session: Session) -> None:
    session.exec(update(UnitTreeStamp).where(UnitTreeStamp.id == 1)
                 .values(sums_stamp=UnitTreeStamp.stamp))


def rebuild(session: Session, tiers: Iterable[int] | None = None) -> None:
    """Make the sums of the second-tier units `tiers` (all of them by default) again from the
    records, and mark them whole for the tree as it is now: the days from the records of each
    one's subtree, the months from its days."""
    from app.services.rollups.bulk import bucket_sql
    from app.services.rollups.raw import KINDS

    writing(session)
    shape = scope.tree(session)
    given = None if tiers is None else sorted(set(tiers))
    chosen = sorted(shape.tiers() if given is None else set(given) & shape.tiers())
    dialect = session.get_bind().dialect.name
    for k in KINDS.values():
        table = k.stat.__table__
        gone = table.delete().where(table.c.grain.in_(TIER_GRAINS))
        # A unit no longer of the second tier loses its rows too.
        session.exec(gone if given is None else gone.where(table.c.unit_id.in_(given)))
        columns = ["grain", "unit_id", "bucket", *k.dims, *k.sums]
        for t in chosen:
            src = k.raw(scope.id_list(session, shape.subtree(t)), lambda c: c.is_not(None)).subquery()
            keys = [src.c.day, *(src.c[d] for d in k.dims)]
            session.exec(table.insert().from_select(columns, select(
                literal(TIER["d"]), literal(t), *keys, *(func.sum(src.c[s]) for s in k.sums))
                .group_by(*keys)))
        days = [table.c[d] for d in k.dims]
        for grain in (g for g in TIER if g != "d"):
            bucket = bucket_sql(table.c.bucket, grain, dialect)
            stmt = (select(literal(TIER[grain]), table.c.unit_id, bucket, *days,
                           *(func.sum(table.c[s]) for s in k.sums))
                    .where(table.c.grain == TIER["d"])
                    .group_by(table.c.unit_id, bucket, *days))
            if tiers is not None:
                stmt = stmt.where(table.c.unit_id.in_(chosen))
            session.exec(table.insert().from_select(columns, stmt))
    _stamp(session)
    session.flush()


class TreeChange:
    """Around a change of the tree through the services (`with TreeChange(session, ids) as
    change: ...; change.changed(ids)`): were the sums whole before, what was the tree's stamp,
    and which second-tier units held the units about to change; at the end, if the tree did
    change, those and the ones that hold the changed units now are made again, and the sums
    marked whole for the new tree. One inside another (an import of units, each through
    `units.update`) hands its units to the outer one, which makes the sums once at its end."""

    _KEY = "rollups.tree_change"

    def __init__(self, session: Session, unit_ids: Iterable[int] = ()) -> None:
        writing(session)
        self.session = session
        self.outer: TreeChange | None = session.info.get(self._KEY)
        self.was_whole = self.outer is None and whole(session)
        self.stamp = session.exec(_STAMPS).first() if self.outer is None else None
        # Which units are of the second tier follows the tree too: a province made a root
        # makes its communes second-tier units, which must get sums of their own.
        self.tiers = scope.tree(session).tiers() if self.was_whole else frozenset()
        self.touched: set[int] = set()
        self.watched: set[int] = set()
        self.after: set[int] = set()
        self.watch(unit_ids)

    def __enter__(self) -> "TreeChange":
        if self.outer is None:
            self.session.info[self._KEY] = self
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        if self.outer is None:
            self.session.info.pop(self._KEY, None)
            if kind is None:
                self._settle()

    def watch(self, unit_ids: Iterable[int]) -> None:
        """Units about to change: the second tier above them now (once a unit: an import
        watches its stored units first, then each `units.update` again on a tree it changes)."""
        if self.outer is not None:
            self.outer.watch(unit_ids)
        elif self.was_whole:
            fresh = set(unit_ids) - self.watched
            if fresh:
                shape = scope.tree(self.session)
                for u in fresh:
                    self.touched.update(shape.tiers_above(u))
                self.watched |= fresh

    def changed(self, unit_ids: Iterable[int]) -> None:
        """Units changed: the second tier above them once the change is done."""
        (self.outer.after if self.outer is not None else self.after).update(unit_ids)

    def _settle(self) -> None:
        if not self.was_whole:
            return
        self.session.flush()
        if self.session.exec(_STAMPS).first() == self.stamp:
            return  # no change of the tree's shape: the sums are still whole
        shape = scope.tree(self.session)
        for u in self.after:
            self.touched.update(shape.tiers_above(u))
        self.touched |= self.tiers ^ shape.tiers()  # units now of the second tier, or no more
        if self.touched:
            rebuild(self.session, self.touched)
        else:
            _stamp(self.session)


def differences(session: Session) -> list[str]:
    """Each second-tier row that differs from the sum of its records, while the sums are
    whole (none are read otherwise)."""
    from app.services.rollups.bulk import bucket_sql, unequal
    from app.services.rollups.raw import KINDS

    if not whole(session):
        return []
    shape = scope.tree(session)
    dialect = session.get_bind().dialect.name
    out = []
    for t in sorted(shape.tiers()):
        units = scope.id_list(session, shape.subtree(t))
        for name, k in KINDS.items():
            src = k.raw(units, lambda c: c.is_not(None)).subquery()
            for grain in TIER:
                keys = [bucket_sql(src.c.day, grain, dialect), *(src.c[d] for d in k.dims)]
                expected = {tuple(str(v) for v in row[:len(keys)]): row[len(keys):]
                            for row in session.exec(select(*keys, *(func.sum(src.c[s]) for s in k.sums))
                                                    .group_by(*keys)).all()}
                stored = {}
                for row in session.exec(select(k.stat).where(k.stat.grain == TIER[grain],
                                                             k.stat.unit_id == t)).scalars():
                    values = tuple(getattr(row, s) for s in k.sums)
                    if any(values):  # rows emptied by deletions may stay at zero
                        stored[(str(row.bucket), *(getattr(row, d) for d in k.dims))] = values
                out += [f"{name} {TIER[grain]} {t} {key}: records {a} ≠ stat {b}"
                        for key, a, b in unequal(expected, stored)]
    return out
