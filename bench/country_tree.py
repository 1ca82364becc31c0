"""The unit tree of the country benchmark (bench/country.py): read from the database, whatever
it holds (`dvk units load-official`'s real tree, or any other), or, in an empty database, a
synthetic one shaped like Vietnam's.

The synthetic tree: a country root; 63 provinces → 11 districts each (693) → 10 035 communes,
all ended 30/06/2025; 34 provinces and 3 321 communes from 01/07/2025 (11 provinces kept
alone, 52 merged in 23 groups; each old commune merged into a new one of its new province,
which mostly carries a predecessor's code, as in 2025), and 471 old communes divided between
two successors (`unit_successor`, the default one also `merged_into_id`).

`CountryTree` gives bench/generate.py's `Generator` the places it picks records from (every
commune, old or new), and `Remap` moves a record to the unit in force at its date by the rule
of app/services/in_force.py (`in_force`, `successor_on`, `predecessors_on`): an old commune's
record of August 2025 goes to its default successor, a new commune's record of 2020 to one of
its predecessors."""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from bench.generate import COMMUNE_WORDS, D0, Tree, Writer, stamp

REFORM = date(2025, 7, 1)  # Nghị quyết 202/2025/QH15: the new tree's first day
ENDED = REFORM - timedelta(days=1)
OLD_PROVINCES, DISTRICTS_EACH, OLD_COMMUNES = 63, 11, 10_035
NEW_PROVINCES, NEW_COMMUNES, SPLITS, KEPT = 34, 3_321, 471, 11
UNIT_COLUMNS = ["id", "code", "name", "level", "kind", "parent_id", "remote", "active_from",
                "active_to", "merged_into_id", "search_text", "created_at", "updated_at",
                "version"]


# -- the synthetic tree ----------------------------------------------------------------------

def synthetic_units(seed: int) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    """The rows of the synthetic tree (UNIT_COLUMNS) and its (predecessor, successor) pairs,
    parents before children and successors before the units merged into them."""
    from app.vn import fold

    rng = random.Random(f"country-tree:{seed}")
    ts = stamp(D0)
    rows: list[tuple[Any, ...]] = []

    def unit(code: str, name: str, level: str, kind: str, parent: int | None,
             start: date | None, end: date | None, merged: int | None = None) -> int:
        uid = len(rows) + 1
        rows.append((uid, code, name, level, kind, parent, False, start, end, merged,
                     fold(f"{name} {code}"), ts, ts, 1))
        return uid

    def name() -> str:
        return f"{rng.choice(COMMUNE_WORDS)} {rng.choice(COMMUNE_WORDS)}"

    root = unit("VN", "Việt Nam", "country", "quoc_gia", None, None, None)
    # Which new province each old one joins: the first KEPT alone, the rest in pairs and threes.
    groups = [[p] for p in range(KEPT)]
    rest = list(range(KEPT, OLD_PROVINCES))
    while rest:
        take = 3 if len(rest) > 2 * (NEW_PROVINCES - len(groups)) else 2
        groups.append(rest[:take])
        rest = rest[take:]
    assert len(groups) == NEW_PROVINCES, len(groups)
    new_prov = {}
    for g, members in enumerate(groups):
        new_prov[g] = unit(f"{members[0] + 1:02d}", f"Tỉnh {name()}", "province", "tinh", root,
                           REFORM, None)
    joins = {p: g for g, members in enumerate(groups) for p in members}
    # The old tree, each old commune's successor filled in once the new communes exist.
    old_communes: dict[int, list[int]] = defaultdict(list)  # new province index → old communes
    per_district = [OLD_COMMUNES // (OLD_PROVINCES * DISTRICTS_EACH)] * (OLD_PROVINCES * DISTRICTS_EACH)
    for i in range(OLD_COMMUNES - sum(per_district)):
        per_district[i] += 1
    n_code = 0
    for p in range(OLD_PROVINCES):
        pid = unit(f"{p + 1:02d}", f"Tỉnh {name()}", "province", "tinh", root, None, ENDED,
                   new_prov[joins[p]])
        for d in range(DISTRICTS_EACH):
            did = unit(f"{p * DISTRICTS_EACH + d + 1:03d}", f"Huyện {name()}", "district",
                       "huyen", pid, None, ENDED)
            for c in range(per_district[p * DISTRICTS_EACH + d]):
                n_code += 1
                cid = unit(f"{n_code:05d}", f"Xã {name()}", "commune",
                           "thi_tran" if c == 0 else "xa", did, None, ENDED)
                old_communes[joins[p]].append(cid)
    # New communes: each new province's old communes in runs of about three.
    total_old = sum(len(v) for v in old_communes.values())
    counts = {g: max(1, round(len(v) * NEW_COMMUNES / total_old)) for g, v in old_communes.items()}
    counts[NEW_PROVINCES - 1] += NEW_COMMUNES - sum(counts.values())
    merged_into: dict[int, int] = {}
    successors: list[tuple[int, int]] = []
    for g, olds in old_communes.items():
        n = counts[g]
        news = []
        for k in range(n):
            members = olds[k * len(olds) // n:(k + 1) * len(olds) // n]
            first = rows[members[0] - 1]
            nid = unit(first[1], f"Xã {name()}", "commune", "xa", new_prov[g], REFORM, None)
            news.append(nid)
            for old in members:
                merged_into[old] = nid
    # SPLITS old communes get a second successor: the next new commune of their province.
    new_of_province: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        if r[3] == "commune" and r[7] == REFORM:
            new_of_province[r[5]].append(r[0])
    olds_all = sorted(merged_into)
    for old in rng.sample(olds_all, SPLITS):
        default = merged_into[old]
        siblings = new_of_province[rows[default - 1][5]]
        other = siblings[(siblings.index(default) + 1) % len(siblings)]
        if other != default:  # one row per successor of a divided unit, the default's too
            successors += [(old, default), (old, other)]
    for old, new in merged_into.items():
        r = rows[old - 1]
        rows[old - 1] = (*r[:9], new, *r[10:])
    return rows, successors


def write_synthetic(conn: Connection, tables: dict[str, Table], seed: int,
                    log: Callable[[str], None]) -> None:
    rows, successors = synthetic_units(seed)
    w = Writer(conn, log)
    # Successors' rows come after their predecessors' here: write without the merger first
    # (the foreign key), then set it.
    w.write(tables["unit"], UNIT_COLUMNS, ((*r[:9], None, *r[10:]) for r in rows))
    with conn.begin():
        conn.execute(text("UPDATE unit SET merged_into_id = :m WHERE id = :i"),
                     [{"m": r[9], "i": r[0]} for r in rows if r[9] is not None])
        conn.execute(text("INSERT INTO unit_successor (predecessor_id, successor_id) "
                          "VALUES (:p, :s)"), [{"p": p, "s": s} for p, s in successors])
    log(f"  synthetic tree: {len(rows):,} units, {len(successors):,} successor links")


# -- the tree as the generator sees it -------------------------------------------------------

@dataclass
class U:
    """The columns of a unit that `in_force`'s rule reads (duck-typed for app.db.units.Unit)."""
    id: int
    parent_id: int | None
    level: str
    active_from: date | None
    active_to: date | None
    merged_into_id: int | None


@dataclass
class CountryTree(Tree):
    """bench.generate.Tree over any tree: the "communes" are every commune, old and new (the
    records' places; `Remap` then moves each to the unit in force at its date); a commune's
    "district" is its parent, whatever its level; the top of a pick is the commune's province
    rather than one province of the whole tree."""

    units: dict[int, U] = field(default_factory=dict)
    province_of: dict[int, int] = field(default_factory=dict)  # commune → its province

    def province_of_commune(self, commune: int) -> int:
        return self.province_of[commune]


def load_tree(conn: Connection, seed: int) -> CountryTree:
    t = CountryTree()
    rng = random.Random(f"country-weights:{seed}")
    rows = conn.execute(text("SELECT id, parent_id, level, name, remote, active_from, active_to, "
                             "merged_into_id FROM unit ORDER BY id")).all()
    for r in rows:
        t.units[r.id] = U(r.id, r.parent_id, r.level, _day(r.active_from), _day(r.active_to),
                          r.merged_into_id)
        t.names[r.id] = r.name
        if r.remote:
            t.remote.add(r.id)
    for u in t.units.values():
        if u.level == "commune":
            t.communes.append(u.id)
            parent = u.parent_id if u.parent_id is not None else u.id
            t.district_of[u.id] = parent
            t.communes_of.setdefault(parent, []).append(u.id)
            t.villages_of[u.id] = []
            p = u.id
            while t.units[p].level not in ("province", "country") and t.units[p].parent_id:
                p = t.units[p].parent_id  # type: ignore[assignment]
            t.province_of[u.id] = p
        elif u.level == "district":
            t.districts.append(u.id)
    if not t.communes:
        raise RuntimeError("the tree has no commune: load one (dvk units load-official) or "
                           "generate into an empty database")
    for u in t.units.values():
        if u.level == "village" and u.parent_id in t.villages_of:
            t.villages_of[u.parent_id].append(u.id)
            t.commune_of[u.id] = u.parent_id
    for c, vs in t.villages_of.items():
        if not vs:  # no village below (the data sets have none): the commune itself
            vs.append(c)
    total = 0.0
    for _ in t.communes:
        total += rng.uniform(0.4, 1.6)  # communes differ in size
        t.commune_cum.append(total)
    t.province = next(u.id for u in t.units.values() if u.parent_id is None)
    return t


def _day(x: Any) -> date | None:
    return date.fromisoformat(x) if isinstance(x, str) else x


# -- each record to the unit in force at its date --------------------------------------------

class Remap:
    """The unit in force at a record's date, for a record placed on `unit` (services/in_force.py's
    rule): `unit` itself, else the successor in force (through merged_into), else one of the
    predecessors in force (the choice spread by the unit and the day), else the same for its
    parent. Answers are kept per unit and stretch of days between validity boundaries."""

    def __init__(self, tree: CountryTree) -> None:
        from app.services.in_force import in_force, predecessors_on, successor_on

        self.tree = tree
        self._in_force, self._successor_on, self._predecessors_on = (
            in_force, successor_on, predecessors_on)
        self.lo = {i: u.active_from or date.min for i, u in tree.units.items()}
        self.hi = {i: u.active_to or date.max for i, u in tree.units.items()}
        self.bounds = sorted({d for u in tree.units.values()
                              for d in (u.active_from, u.active_to and u.active_to + timedelta(1))
                              if d is not None})
        self.merged: dict[int, list[U]] = defaultdict(list)
        for u in tree.units.values():
            if u.merged_into_id is not None:
                self.merged[u.merged_into_id].append(u)
        self.cache: dict[tuple[int, int], int] = {}
        self.moved = 0

    def __call__(self, unit: int, day: date) -> int:
        if self.lo[unit] <= day <= self.hi[unit]:
            return unit
        self.moved += 1
        key = (unit, bisect_right(self.bounds, day))
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._find(unit, day)
        return found

    def _find(self, unit: int, day: date) -> int:
        units = self.tree.units
        u = units[unit]
        while True:
            if self._in_force(u, day):
                return u.id
            then = self._successor_on(u, day, units.get)
            if then is not None:
                return then.id
            before = self._predecessors_on(u, day, lambda i: self.merged.get(i, ()))
            if before:
                return sorted(b.id for b in before)[(u.id + day.toordinal()) % len(before)]
            if u.parent_id is None:
                raise RuntimeError(f"no unit in force on {day} above unit {unit}")
            u = units[u.parent_id]

    def rows(self, rows: Iterable[tuple[Any, ...]], unit_at: int,
             day_of: Callable[[tuple[Any, ...]], date]) -> Iterator[tuple[Any, ...]]:
        """`rows` with the unit at index `unit_at` moved to the one in force at `day_of(row)`."""
        lo, hi = self.lo, self.hi
        for r in rows:
            u, d = r[unit_at], day_of(r)
            if lo[u] <= d <= hi[u]:
                yield r
            else:
                yield (*r[:unit_at], self(u, d), *r[unit_at + 1:])
