"""Where a record's sums are kept: the grains (phase, year, month) and their buckets, the unit
a record is summed under, the memo of a bulk load that looks each unit and work up once, and
the units sums are read under (every one, with no condition, for the whole tree)."""

from datetime import date
from typing import Any

from sqlalchemy import and_, case
from sqlmodel import Session

from app.db.units import Unit
from app.db.works import Work
from app.enums import UnitLevel
from app.services import scope


# 'p': a phase of the movement, five years from 2016 (2016–2020, 2021–2025, ...), so that the
# phase reports and a province's ten years read a handful of rows per commune; 'y' a year;
# 'm' a month.
GRAINS = ("p", "y", "m")
# The whole tree's sums (the rows with no unit, app/db/stats.py) are kept per day too: they
# are a few hundred rows a year, so that the country over any period reads no record.
TOTAL_GRAINS = (*GRAINS, "d")
PHASE_START = 2016
PHASE_YEARS = 5


def phase_of(year: int) -> int:
    return year - (year - PHASE_START) % PHASE_YEARS


def bucket(grain: str, day: date) -> date:
    if grain == "p":
        return date(phase_of(day.year), 1, 1)
    if grain == "d":
        return day
    return date(day.year, 1, 1) if grain == "y" else date(day.year, day.month, 1)



# -- which unit a record's sums are kept under -----------------------------------------------
# A village's records are summed under its commune: villages hold few records each, so sums
# per village would be nearly as many rows as the records. A report or league table that
# must tell villages apart reads the records instead (see `rolled(..., villages=True)`).
# A village merged into another unit keeps its own sums, so its successor's subtree finds them.
def rollup_unit(session: Session, unit_id: int) -> int:
    memo = session.info.get(_MEMO)
    if memo is not None and (known := memo.get((Unit, unit_id))) is not None:
        return known
    u = session.get(Unit, unit_id)
    key = unit_id
    if u is not None and u.level == UnitLevel.village.value and u.merged_into_id is None \
            and u.parent_id is not None:
        key = u.parent_id
    if memo is not None:
        memo[(Unit, unit_id)] = key
    return key


_MEMO = "rollups.memo"


def remember(session: Session) -> None:
    """From now on, in this session, each unit's key and each work are looked up once: for a
    bulk load of records, which moves no unit and changes no work (an import's 100 000 rows
    name a few hundred of them; the identity map's lookup per row was a tenth of the import's
    time). `forget` ends it."""
    session.info[_MEMO] = {}


def forget(session: Session) -> None:
    session.info.pop(_MEMO, None)


def cached_work(session: Session, work_id: int) -> Any:
    memo = session.info.get(_MEMO)
    if memo is None:
        return session.get(Work, work_id)
    found = memo.get((Work, work_id), memo)
    if found is memo:
        found = memo[(Work, work_id)] = session.get(Work, work_id)
    return found


def rollup_unit_sql(unit: Any) -> Any:
    """The same rule in SQL, on a Unit alias joined to the record."""
    return case((and_(unit.level == UnitLevel.village.value, unit.merged_into_id.is_(None),
                      unit.parent_id.is_not(None)), unit.parent_id), else_=unit.id)


# The units of the sums for the whole tree (`scope.EVERY`): every unit's own rows, with no
# condition naming the units (28 000 buffer reads a part for the country's ids, bench/country.py).
# A figure of the whole tree that is not told per unit reads the rows with no unit instead
# (`kept_rows`): every record summed, per day too, so that it reads no record at all.
EVERY = scope.EVERY


def whole_tree(session: Session, unit_id: int) -> list[int] | None:
    """The ids of `unit_id`'s subtree when it is the whole tree (the country's root), from the
    tree kept in memory: its sums are then read with EVERY. None for any other subtree."""
    shape = scope.tree(session)
    every = shape.subtree(unit_id)
    return sorted(every) if len(every) == len(shape.parent) else None


def in_kept(column: Any, units: Any) -> Any:
    """A stat table's `column` in the units its sums are kept under (`scope.in_units`);
    EVERY: every unit's own rows (not the whole tree's, which have no unit)."""
    return column.is_not(None) if units is EVERY else scope.in_units(column, units)


def kept_rows(column: Any, units: Any) -> Any:
    """The stat rows whose sum is the units' figure, not told per unit: for EVERY the whole
    tree's rows (no unit), else those of the units (`in_kept`)."""
    return column.is_(None) if units is EVERY else scope.in_units(column, units)
