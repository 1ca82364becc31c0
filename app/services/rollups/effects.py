"""What each record adds to the pre-aggregated sums (`Effect`s), and adding or taking them
away in the write's own transaction: one record's (`apply`) or an import's at once."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from typing import Any

from sqlalchemy import String, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.db.contributions import Contribution
from app.db.land_donations import LandDonation
from app.db.stats import (StatContribution, StatLand, StatModel, StatPetitionClose,
                          StatPetitionIn, StatPetitionOpen, StatWork)
from app.enums import Measure, PetitionStatus, Source
from app.services.petitions.rules import OUTSIDE_COMPETENCE
from app.services.rollups import tiers
from app.services.rollups.keys import GRAINS, TOTAL_GRAINS, bucket, cached_work, rollup_unit


@dataclass(frozen=True)
class Effect:
    """What one record adds to one stat row: its unit, its date, the dimensions, the sums."""

    stat: Any
    unit_id: int
    day: date
    dims: dict[str, str]
    sums: dict[str, float | int]


# -- what each record adds ------------------------------------------------------------------
def _work_quantity(w: Any) -> float:
    q = float(w.quantity or 0)
    return q / 1000 if w.measure == Measure.m.value else q


def _linked_non_state(session: Session, work_id: int) -> int:
    gifts = session.exec(select(func.coalesce(func.sum(Contribution.amount_vnd), 0)).where(
        Contribution.work_id == work_id, Contribution.source != Source.state_budget.value)).scalar_one()
    land = session.exec(select(func.coalesce(func.sum(LandDonation.value_vnd), 0)).where(
        LandDonation.work_id == work_id)).scalar_one()
    return int(gifts) + int(land)


def _work_key(session: Session, work_id: int | None, amount: int) -> list[Effect]:
    """A gift to a work adds to that work's non-state sum, in the work's own bucket."""
    if not work_id or not amount:
        return []
    w = cached_work(session, work_id)
    if w is None or w.completed_date is None:
        return []
    return [Effect(StatWork, rollup_unit(session, w.unit_id), w.completed_date,
                   {"category": w.category, "org_type": w.org_type or ""}, {"non_state_vnd": amount})]


def contribution_effects(session: Session, c: Any) -> list[Effect]:
    own = Effect(StatContribution, rollup_unit(session, c.unit_id), c.date, {"source": c.source, "kind": c.kind},
                 {"n": 1, "amount_vnd": c.amount_vnd or 0, "labor_days": c.labor_days or 0.0})
    non_state = (c.amount_vnd or 0) if c.source != Source.state_budget.value else 0
    return [own, *_work_key(session, c.work_id, non_state)]


def land_effects(session: Session, d: Any) -> list[Effect]:
    own = Effect(StatLand, rollup_unit(session, d.unit_id), d.date, {},
                 {"n": 1, "households": d.households or 0, "area_m2": d.area_m2 or 0.0,
                  "value_vnd": d.value_vnd or 0})
    return [own, *_work_key(session, d.work_id, d.value_vnd or 0)]


def work_effects(session: Session, w: Any) -> list[Effect]:
    if w.completed_date is None:
        return []
    return [Effect(StatWork, rollup_unit(session, w.unit_id), w.completed_date,
                   {"category": w.category, "org_type": w.org_type or ""},
                   {"n": 1, "quantity": _work_quantity(w), "total_cost_vnd": w.total_cost_vnd or 0,
                    "non_state_vnd": _linked_non_state(session, w.id) if w.id else 0})]


def model_effects(session: Session, m: Any) -> list[Effect]:
    return [Effect(StatModel, rollup_unit(session, m.unit_id), m.start_date,
                   {"kind": m.kind, "field": m.field, "status": m.status},
                   {"n": 1, "members": m.members or 0})]


def petition_effects(session: Session, p: Any) -> list[Effect]:
    key = rollup_unit(session, p.unit_id)
    competent = "0" if PetitionStatus(p.status) in OUTSIDE_COMPETENCE else "1"
    out = [Effect(StatPetitionIn, key, p.received_date,
                  {"type": p.type, "channel": p.channel or "", "competent": competent}, {"n": 1}),
           Effect(StatPetitionOpen, key, p.received_date, {"competent": competent}, {"n": 1})]
    if p.closed_date is not None:
        out.append(Effect(StatPetitionClose, key, p.closed_date, {"status": p.status}, {"n": 1}))
    return out


def apply(session: Session, effects: Iterable[Effect], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) the effects, under their unit in each grain, under
    the second-tier units above it in each of theirs (while those sums are whole), and in the
    whole tree's rows (no unit), as upserts: two statements each, its rows given at once."""
    dialect = session.get_bind().dialect.name
    tiers_above = tiers.above(session)
    for e in effects:
        sums = {k: v * sign for k, v in e.sums.items()}
        names = (tuple(e.dims), tuple(sums))
        session.execute(upsert(dialect, e.stat, *names), [
            *({"grain": g, "unit_id": e.unit_id, "bucket": bucket(g, e.day), **e.dims, **sums}
              for g in GRAINS),
            *({"grain": tiers.TIER[g], "unit_id": t, "bucket": bucket(g, e.day), **e.dims, **sums}
              for t in (tiers_above(e.unit_id) if tiers_above else ()) for g in tiers.TIER)])
        session.execute(upsert(dialect, e.stat, *names, total=True), [
            {"grain": g, "unit_id": None, "bucket": bucket(g, e.day), **e.dims, **sums}
            for g in TOTAL_GRAINS])


def apply_summed(session: Session, effects: Iterable[Effect]) -> None:
    """Add many effects at once (an import): summed in memory per stat row, then one
    multi-row upsert per table and shape, instead of seven statements per effect. The rows go
    in a fixed order, so that two imports at once lock the whole tree's rows in the same order
    (PostgreSQL would otherwise see a deadlock)."""
    totals: dict[tuple[Any, ...], dict[str, float | int]] = {}

    def add(key: tuple[Any, ...], e: Effect) -> None:
        sums = totals.setdefault(key, {})
        for name, v in e.sums.items():
            sums[name] = sums.get(name, 0) + v

    tiers_above = tiers.above(session)
    for e in effects:
        dims = tuple(sorted(e.dims.items()))
        for grain in GRAINS:
            add((e.stat, grain, e.unit_id, bucket(grain, e.day), dims), e)
        for grain in TOTAL_GRAINS:
            add((e.stat, grain, None, bucket(grain, e.day), dims), e)
        for t in tiers_above(e.unit_id) if tiers_above else ():
            for grain, tier_grain in tiers.TIER.items():
                add((e.stat, tier_grain, t, bucket(grain, e.day), dims), e)
    dialect = session.get_bind().dialect.name
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for (stat, grain, unit_id, day, dims), sums in totals.items():
        shape = (stat.__tablename__, unit_id is None, tuple(k for k, _ in dims), tuple(sorted(sums)))
        groups.setdefault(shape, []).append(
            {"grain": grain, "unit_id": unit_id, "bucket": day, **dict(dims), **sums})
    stats = {e[0].__tablename__: e[0] for e in totals}
    for shape in sorted(groups):
        table, total, dim_names, sum_names = shape
        rows = sorted(groups[shape], key=lambda r: (r["grain"], r["bucket"], r["unit_id"] or 0,
                                                    *(r[d] for d in dim_names)))
        if dialect == "postgresql":
            _upsert_arrays(session, stats[table], dim_names, sum_names, total, rows)
        else:
            session.execute(upsert(dialect, stats[table], dim_names, sum_names, total=total), rows)


def _upsert_arrays(session: Session, stat: Any, dim_names: tuple[str, ...],
                   sum_names: tuple[str, ...], total: bool, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: the rows as one array a column, unnested by one upsert, in their order:
    the driver's executemany sends a statement a row (1.3 s for an import of 20 000 records)."""
    sql, names, kinds, defaults = _array_upsert(stat, dim_names, sum_names, total)
    columns = [[r[n] if kind is None or r[n] is None else kind(r[n]) for r in rows]
               for n, kind in zip(names, kinds, strict=True)]
    columns += [[value] * len(rows) for value in defaults]
    session.connection().exec_driver_sql(sql, tuple(columns))


@lru_cache(maxsize=128)
def _array_upsert(stat: Any, dim_names: tuple[str, ...], sum_names: tuple[str, ...],
                  total: bool) -> tuple[str, tuple[str, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The statement of `_upsert_arrays` for one shape, the columns given (in the order of
    its arrays), the Python type each one's values are made (one type an array: an int among
    floats would not be sent), and the defaults of the columns not given."""
    from sqlalchemy.dialects import postgresql

    table = stat.__table__
    dialect = postgresql.dialect()
    q = dialect.identifier_preparer.quote
    given = ("grain", "unit_id", "bucket", *dim_names, *sum_names)
    keys = _row_key(dim_names, total)
    # The columns not given take their defaults, as the ORM's insert would give them.
    rest = [c for c in table.columns if c.name not in given and not c.primary_key]
    names = (*given, *(c.name for c in rest))
    # Texts as plain varchar: a cast to varchar(n) would cut a longer value where the
    # column's own assignment refuses it.
    arrays = ", ".join(f"%s::{'VARCHAR' if _texts(t) else t.compile(dialect=dialect)}[]"
                       for t in (table.c[n].type for n in names))
    sets = ", ".join(f"{q(k)} = {q(table.name)}.{q(k)} + excluded.{q(k)}" for k in sum_names)
    sql = (f"INSERT INTO {q(table.name)} ({', '.join(q(n) for n in names)}) "
           f"SELECT * FROM unnest({arrays}) "
           f"ON CONFLICT ({', '.join(q(k) for k in keys)})"
           f"{' WHERE unit_id IS NULL' if total else ''} DO UPDATE SET {sets}")
    kinds = tuple(t if (t := table.c[n].type.python_type) in (int, float) else None
                  for n in given)
    return sql, given, kinds, tuple(c.default.arg for c in rest)


def _texts(column_type: Any) -> bool:
    """Whether a column holds texts (SQLModel's AutoString decorates a String)."""
    return isinstance(getattr(column_type, "impl_instance", column_type), String)


@lru_cache(maxsize=512)
def upsert(dialect: str, stat: Any, dim_names: tuple[str, ...],
           sum_names: tuple[str, ...], total: bool = False) -> Any:
    """The upsert of one shape of stat row (its table, its dimensions, the sums it adds to;
    `total`: the whole tree's row, with no unit), its values given at execution: built once
    per shape, not at every write (building it and its `excluded` set cost about 0.4 ms a
    write)."""
    table = stat.__table__
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return stmt.on_conflict_do_update(
        index_elements=_row_key(dim_names, total),
        index_where=table.c.unit_id.is_(None) if total else None,
        set_={k: table.c[k] + stmt.excluded[k] for k in sum_names})


def _row_key(dim_names: tuple[str, ...], total: bool) -> list[str]:
    """The columns of a stat row's unique key: the whole tree's rows (`total`, no unit) have
    one of their own, a partial index where the unit is null."""
    return ["grain", *(() if total else ("unit_id",)), "bucket", *dim_names]
