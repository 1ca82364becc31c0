"""The sums in bulk: rebuilt from the records in SQL (after a bulk load, or for the units a
moved village was kept under) and checked against them."""

from typing import Any

from sqlalchemy import Date, Integer, cast, func, literal, null, select
from sqlalchemy.orm import aliased
from sqlmodel import Session
from app.db.gate import writing

from app.db.units import Unit
from app.services.rollups.keys import (GRAINS, PHASE_START, PHASE_YEARS, TOTAL_GRAINS,
                                       rollup_unit_sql)
from app.services.rollups import tiers
from app.services.rollups.raw import KINDS, Kind


def bucket_sql(column: Any, grain: str, dialect: str) -> Any:
    if grain == "d":
        return column
    if grain == "p":
        year = (cast(func.extract("year", column), Integer) if dialect == "postgresql"
                else cast(func.strftime("%Y", column), Integer))
        start = year - ((year - PHASE_START) % PHASE_YEARS + PHASE_YEARS) % PHASE_YEARS
        if dialect == "postgresql":
            return func.make_date(start, 1, 1)
        return func.date(func.printf("%04d-01-01", start))
    if dialect == "postgresql":
        return cast(func.date_trunc("year" if grain == "y" else "month", column), Date)
    return func.date(column, "start of year" if grain == "y" else "start of month")


def _grouped_raw(session: Session, k: "Kind", grain: str, keys_only: Any = None,
                 total: bool = False) -> Any:
    """The records of a kind summed per (rollup unit, bucket, dims) of a grain: what the stat
    rows should hold (only those of the rollup units `keys_only`, if given); `total`: per
    (bucket, dims) over every unit, what the whole tree's rows should hold (unit NULL)."""
    dialect = session.get_bind().dialect.name
    src = k.raw(None, lambda column: column.is_not(None)).subquery()
    if total:
        keys = [null().label("unit_id"), bucket_sql(src.c.day, grain, dialect).label("bucket"),
                *(src.c[d] for d in k.dims)]
        return select(literal(grain).label("grain"), *keys,
                      *(func.sum(src.c[s]).label(s) for s in k.sums)).group_by(*keys[1:])
    unit = aliased(Unit)
    key = rollup_unit_sql(unit).label("unit_id")
    keyed = (select(key, *(c for c in src.c if c.key != "unit_id"))
             .join(unit, unit.id == src.c.unit_id))
    if keys_only is not None:
        keyed = keyed.where(key.in_(keys_only))
    src = keyed.subquery()
    keys = [src.c.unit_id, bucket_sql(src.c.day, grain, dialect).label("bucket"),
            *(src.c[d] for d in k.dims)]
    return select(literal(grain).label("grain"), *keys,
                  *(func.sum(src.c[s]).label(s) for s in k.sums)).group_by(*keys[:2], *keys[2:])


def rebuild(session: Session, keys: list[int] | None = None) -> None:
    """Recompute the stat rows from the records, in SQL: all of them (after a bulk load), or
    those kept under the units `keys` (after a village moved or merged: the whole tree's rows,
    which no unit's move changes, stay)."""
    writing(session)  # the writers' turn: no write may add to the sums while they are rebuilt
    for k in KINDS.values():
        table = k.stat.__table__
        session.exec(table.delete() if keys is None else table.delete().where(
            table.c.unit_id.in_(keys), table.c.grain.in_(GRAINS)))
        for grain in GRAINS:
            session.exec(table.insert().from_select(
                ["grain", "unit_id", "bucket", *k.dims, *k.sums],
                _grouped_raw(session, k, grain, keys)))
    if keys is None:
        rebuild_totals(session)
        tiers.rebuild(session)
    session.flush()


def rebuild_totals(session: Session) -> None:
    """Recompute the whole tree's rows (no unit): the phases, years and months from the units'
    rows (fewer than the records), the days from the records."""
    writing(session)
    for k in KINDS.values():
        table = k.stat.__table__
        session.exec(table.delete().where(table.c.unit_id.is_(None)))
        columns = ["grain", "unit_id", "bucket", *k.dims, *k.sums]
        dims = [table.c[d] for d in k.dims]
        session.exec(table.insert().from_select(columns, select(
            table.c.grain, null(), table.c.bucket, *dims, *(func.sum(table.c[s]) for s in k.sums))
            .where(table.c.unit_id.is_not(None), table.c.grain.in_(GRAINS))
            .group_by(table.c.grain, table.c.bucket, *dims)))
        for grain in TOTAL_GRAINS[len(GRAINS):]:
            session.exec(table.insert().from_select(columns, _grouped_raw(session, k, grain, total=True)))
    session.flush()


def differences(session: Session) -> list[str]:
    """Each stat row that differs from the sum of its records (empty when all agree)."""
    out = []
    for name, k in KINDS.items():
        for grain, total in [*((g, False) for g in GRAINS), *((g, True) for g in TOTAL_GRAINS)]:
            expected = {tuple(str(v) for v in row[1:3 + len(k.dims)]): row[3 + len(k.dims):]
                        for row in session.exec(_grouped_raw(session, k, grain, total=total)).all()}
            stored = {}
            unit = k.stat.unit_id.is_(None) if total else k.stat.unit_id.is_not(None)
            for row in session.exec(select(k.stat).where(k.stat.grain == grain, unit)).scalars():
                values = tuple(getattr(row, s) for s in k.sums)
                if any(values):  # rows emptied by deletions may stay at zero
                    key = (str(row.unit_id), str(row.bucket), *(getattr(row, d) for d in k.dims))
                    stored[key] = values
            out += [f"{name} {grain} {key}: records {a} ≠ stat {b}"
                    for key, a, b in unequal(expected, stored)]
    return out + tiers.differences(session)


def unequal(expected: dict[Any, Any], stored: dict[Any, Any]) -> list[tuple[Any, Any, Any]]:
    """The keys whose sums differ between the records (`expected`) and the stat rows."""
    out = []
    for key in sorted(set(expected) | set(stored), key=str):
        a, b = expected.get(key), stored.get(key)
        if a is None or b is None or any(
                abs(float(x) - float(y)) > 1e-6 * max(1.0, abs(float(x))) for x, y in zip(a, b)):
            out.append((key, a, b))
    return out
