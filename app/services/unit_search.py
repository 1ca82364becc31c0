"""Finding a unit by name in a tree of fourteen thousand: the pickers' search, the tree page's
levels and the names shown beside records, without loading the tree.

A name is compared folded (app.vn fold: no marks, đ → d, lower case), so "phu long" finds
"Phú Long". Hits come best first: the units in force on the day asked (a record's date) before
those ended, as after the 2025 mergers the ended communes of a name ("Phường 1", twenty of them)
must not hide the one in force ("Phường 1 Bảo Lộc"); within each, the name itself (with or
without its kind word: "an phu" is "Xã An Phú"), those spelt with the marks typed first, then
names that start with the phrase, then a word of the name that starts with it, then the phrase
anywhere, then names holding every word typed. Each hit carries its path (province › district
› commune): 3 528 old communes share their name with another.
Everything is scoped to what the actor may see (services/scope.py).
"""

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.db.base import read_of
from app.db.units import Unit, UnitRead
from app.enums import UnitKind, UnitLevel
from app.services import scope, unit_tree
from app.services.actor import Actor
from app.services.in_force import in_force_sql
from app.vn import fold, today

# Ranks of a hit: the smaller, the better. The name itself comes first, read with or without
# its kind word ("an phu" is the name of "Xã An Phú"), the marks typed kept first ("an phú":
# "Xã An Phú" before "Xã An Phụ").
EXACT_MARKED, EXACT, STARTS, WORD_STARTS, INSIDE, ALL_WORDS = range(6)
# The words a unit's name may open with ("Xã", "Phường", "Thị trấn"), folded.
KIND_WORDS = tuple(dict.fromkeys(fold(k.vi) for k in UnitKind))
PATH_SEPARATOR = " › "
# Deeper than any real tree; stops a walk up a parent cycle a bad edit could make.
MAX_DEPTH = 16


@dataclass(frozen=True)
class Hit:
    """One unit as a picker shows it: its name, kind, path above it, and whether it is in
    force on the day asked."""

    id: int
    name: str
    level: str
    kind: str | None
    path: tuple[str, ...]   # the names above it, the top first
    in_force: bool
    active_from: date | None = None
    active_to: date | None = None

    @property
    def kind_label(self) -> str:
        return UnitKind(self.kind).vi if self.kind else UnitLevel(self.level).vi

    @property
    def where(self) -> str:
        """'Tỉnh › Huyện': where the unit lies, to tell apart two of one name."""
        return PATH_SEPARATOR.join(self.path)

    @property
    def label(self) -> str:
        """The unit's name with where it lies: what a picker's field shows once chosen."""
        return f"{self.name} ({self.where})" if self.path else self.name


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _folded_name() -> Any:
    """The folded name of a unit, read off `search_text` (its folded name, a space, its code
    in lower case: app/db/search.py), so no second folded column is needed."""
    return func.substr(Unit.search_text, 1,
                       func.length(Unit.search_text) - func.length(Unit.code) - 1)


def _visible(stmt: Any, actor: Actor) -> Any:
    return scope.restrict(stmt, Unit.id, actor)


def best_first(q: str, day: date | None = None) -> list[Any]:
    """The order of units matching `q` (folded or not), best first: the units in force on
    `day` (default today), so that a successor is never hidden behind the ended units of its
    name; among them, the rank of the match (`rank`); then the folded name. The pickers'
    search and the API's units list with `q` both sort by it."""
    return [case((in_force_sql(day or today()), 0), else_=1), rank(q), _folded_name()]


def rank(q: str) -> Any:
    """How well a unit's name matches `q`: the name itself, with or without its kind word
    (folded, so without marks or case), those spelt with the marks typed first; then a name
    that starts with the phrase (its kind word aside); then one with a word that does; then
    the phrase anywhere; then every word somewhere."""
    typed = " ".join(unicodedata.normalize("NFC", q).split())[:100]
    phrase = fold(typed)
    name = _folded_name()
    p = _like(phrase)
    exact = name.in_([phrase, *(f"{kind} {phrase}" for kind in KIND_WORDS)])
    word_starts = name.like(f"% {p}%", escape="\\")
    # After its kind word, the phrase starting a name is a word start too: the kind words are
    # tried on those only (a one-letter search matches most of the tree).
    starts = or_(name.like(f"{p}%", escape="\\"), and_(word_starts, or_(
        *(name.like(f"{_like(kind)} {p}%", escape="\\") for kind in KIND_WORDS))))
    ranks = [(exact, EXACT), (starts, STARTS), (word_starts, WORD_STARTS),
             (name.like(f"%{p}%", escape="\\"), INSIDE)]
    if typed.lower() != phrase:  # marks typed: the names spelt so first
        ranks.insert(0, (exact & _ends_as_typed(typed), EXACT_MARKED))
    return case(*ranks, else_=ALL_WORDS)


def _ends_as_typed(typed: str) -> Any:
    """The unit's name ends with `typed`, marks as typed, case aside. Vietnamese names capitalise
    each word ("An Phú"), and SQLite's lower() leaves a capital with marks as it is ("Đ"), so
    the text is tried as typed in lower case and with each word capitalised."""
    lower = typed.lower()
    spellings = {lower, " ".join(w[:1].upper() + w[1:] for w in lower.split(" "))}
    return or_(*(Unit.name.ilike(f"%{_like(s)}", escape="\\") for s in sorted(spellings)))


def search(session: Session, *, actor: Actor, q: str, on: date | None = None,
           limit: int = 20) -> tuple[list[Hit], bool]:
    """The units whose name matches `q`, best first, and whether more than `limit` matched."""
    phrase = fold(q)[:100]
    if not phrase:
        return [], False
    day = on or today()
    words = phrase.split()
    stmt = (select(Unit.id)
            .where(*(Unit.search_text.like(f"%{_like(w)}%", escape="\\") for w in words)))
    stmt = _visible(stmt, actor).order_by(*best_first(q, day), Unit.id).limit(limit + 1)
    ids = [row.id for row in session.execute(stmt)]
    return hits(session, ids[:limit], on=day), len(ids) > limit


def hits(session: Session, ids: list[int], *, on: date | None = None) -> list[Hit]:
    """The units `ids` as hits with their paths, in the order given: the units above them are
    found in the tree kept in memory (services/unit_tree.py), then read with them at once,
    whatever their number."""
    if not ids:
        return []
    day = on or today()
    parent = unit_tree.tree(session).parent
    wanted = set(ids)
    for uid in ids:
        above, depth = parent.get(uid), 0
        while above is not None and above not in wanted and depth < MAX_DEPTH:
            wanted.add(above)
            above, depth = parent.get(above), depth + 1
    rows = session.execute(select(Unit.id, Unit.name, Unit.level, Unit.kind, Unit.parent_id,
                                  Unit.active_from, Unit.active_to)
                           .where(Unit.id.in_(wanted))).all()
    known: dict[int, Any] = {r.id: r for r in rows}
    return [_hit(known, i, day) for i in ids if i in known]


def paths(session: Session, ids: list[int]) -> dict[int, str]:
    """Where each of the units `ids` lies, as a picker shows it (`Hit.where`: 'Việt Nam › Tỉnh
    Lâm Đồng'; empty for a root): what the API's units carry as `path`."""
    return {h.id: h.where for h in hits(session, ids)}


def shown(session: Session, units: list[Unit], actor: Actor | None = None) -> list[UnitRead]:
    """The units as the API reads them (a list's page, an export's batch, one unit), each
    with its path (`paths`: one read of the units above them all)."""
    where = paths(session, [u.id for u in units if u.id is not None])
    return [read_of(UnitRead, u).model_copy(
        update={"path": where.get(u.id, "")}) for u in units]  # type: ignore[arg-type]


def _hit(known: dict[int, Any], unit_id: int, day: date) -> Hit:
    row = known[unit_id]
    path: list[str] = []
    above, seen = row.parent_id, {unit_id}
    while above is not None and above in known and above not in seen:
        seen.add(above)
        path.append(known[above].name)
        above = known[above].parent_id
    current = ((row.active_from is None or row.active_from <= day)
               and (row.active_to is None or day <= row.active_to))
    return Hit(row.id, row.name, row.level, row.kind, tuple(reversed(path)), current,
               row.active_from, row.active_to)


def visible_count(session: Session, *, actor: Actor) -> int:
    """How many units the actor may see: a picker lists them all only when they are few."""
    stmt = _visible(select(func.count()).select_from(Unit), actor)
    return int(session.execute(stmt).scalar_one())


def names(session: Session, ids: set[int] | list[int]) -> dict[int, str]:
    """The names of the units `ids` (a list page's unit column): only those, not the tree."""
    wanted = {i for i in ids if isinstance(i, int)}
    if not wanted:
        return {}
    rows = session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(wanted)))
    return {r.id: r.name for r in rows}


@dataclass(frozen=True)
class Level:
    """One page of the children of a unit (or of the top of the actor's tree)."""

    rows: list[tuple[Unit, int]]  # each unit with how many units lie directly under it
    total: int
    offset: int
    limit: int


def children(session: Session, *, actor: Actor, parent_id: int | None, offset: int = 0,
             limit: int = 100) -> Level:
    """The units directly under `parent_id` that the actor may see, those in force first,
    then by name, with how many children each has; `parent_id=None` gives the top of the
    actor's tree (the roots, or the actor's own unit)."""
    child = aliased(Unit)
    below = select(func.count(child.id)).where(child.parent_id == Unit.id).scalar_subquery()
    stmt = select(Unit, below.label("children"))
    if parent_id is not None:
        stmt = stmt.where(Unit.parent_id == parent_id)
    elif actor.unit_id is not None and scope.visible_unit_ids(actor) is not None:
        # The top of a subtree: the actor's unit, and the units merged into it whose parents
        # the actor does not see (an old commune under an old district, after 2025).
        seen = scope.subtree_ids(actor.unit_id, name="seen_parents")
        stmt = stmt.where(or_(Unit.parent_id.is_(None), Unit.parent_id.not_in(seen)))
    else:
        stmt = stmt.where(Unit.parent_id.is_(None))
    stmt = _visible(stmt, actor)
    total = int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
    ended = case((in_force_sql(today()), 0), else_=1)
    rows = session.execute(stmt.order_by(ended, Unit.search_text, Unit.id)
                           .offset(offset).limit(limit)).all()
    return Level([(unit, int(count)) for unit, count in rows], total, offset, limit)
