"""Units through the import, all or nothing, as records go: a dry run, a row-by-row report, an
upsert keyed by the official code and the validity, and parents and successors named by code.

- A row names the stored unit whose code is its own (without case) and whose validity
  [active_from, active_to] overlaps the row's (a row without dates: the unit carrying the code
  today, or its one carrier), or the unit of its `id`. One: only the columns the row fills
  change (a file of codes and `remote` sets the flag in bulk); none: a new unit; several: the
  row is refused, saying which.
- `parent_code` is read on the day the row begins (today without a date), `merged_into_code`
  and `successor_codes` (the default first) on the day after it ends, among the stored units
  and the file's own, above or below the row (services/in_force.py's rule).
- Every row passes the rules of services/units.py (levels, cycles, successors, codes, roots,
  a manager's subtree), the API's: updates through `units.update`, new units through its
  rules and then a bulk insert (unit_bulk.py). Updates go first (a unit ended by the file
  frees its code), then the new units, each after those it names, then the updates' links
  to the new units.

`import_unit_rows` is the entry for other code (`dvk units load-official`); a file goes through
the same `load` from job.py."""

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.db.units import Unit, UnitCreate, UnitUpdate
from app.services import rollups, scope, units
from app.services.actor import Actor
from app.services.errors import DomainError, Forbidden
from app.services.imports.layout import Layout, _header, header_keys
from app.services.imports.lookup import Loaded
from app.services.imports.parse import Parser
from app.services.imports.report import MAX_ROWS, ImportRefused, Report, settle, too_long
from app.services.imports.specs import spec_for
from app.services.imports.unit_bulk import NewUnits
from app.services.imports.unit_plan import Plan, Row, nodes
from app.services.validation import vi_message
from app.vn import today


def import_unit_rows(session: Session, actor: Actor, rows: Iterable[Mapping[str, Any]], *,
                     dry_run: bool) -> Report:
    """Import units given as mappings keyed by the file's API column names (`code`, `name`,
    `level`, `kind`, `parent_code`, `remote`, `active_from`, `active_to`, `merged_into_code`,
    `successor_codes`, and `id`, `parent_id`, `merged_into_id`), values as text or as dates
    and booleans: the checks and the all-or-nothing of a file, in a savepoint of the caller's
    transaction (kept when every row is good and this is no dry run). Rows are numbered from
    1 in the order given. An unknown key refuses the whole (ImportRefused)."""
    spec = spec_for("units")
    refusal = actor.write_refusal(spec.records.write_role)
    if refusal is not None:
        raise Forbidden(refusal)
    report = Report(resource="units", dry_run=dry_run, source="")
    given = [*rows]
    names = [*dict.fromkeys(k for row in given for k in row)]
    layout = _header(spec, header_keys(spec), 0, names, report)
    cells = ((n, [row.get(k) for k in names]) for n, row in enumerate(given, 1))
    savepoint = session.begin_nested()
    try:
        load(session, actor, layout, cells, report)
    except BaseException:
        savepoint.rollback()
        raise
    return settle(report, savepoint, dry_run)


def load(session: Session, actor: Actor, layout: Layout,
         rows: Iterator[tuple[int, list[Any]]], report: Report) -> None:
    """Check and write every row inside the caller's savepoint (which the caller takes back
    when the report has errors or for a dry run)."""
    spec = spec_for("units")
    lookup = Loaded(session, actor)
    parser = Parser(layout, lookup, report, lambda values: today())
    plan = Plan(lookup, report, layout, spec)
    for number, cells in rows:
        if not any(c not in (None, "") for c in cells):
            continue  # blank rows between units are no mistake
        report.rows += 1
        if report.rows > MAX_ROWS:
            raise ImportRefused(too_long(None))
        p = parser.parse(number, cells)
        if not p.bad:
            plan.add(p)
    plan.resolve()
    # Each unit goes through `units.update`/`create`; the second tier's sums are made once,
    # at the end, for the provinces the import changed (`rollups.TreeChange`).
    change = rollups.TreeChange(session, [r.stored.id for r in plan.rows if r.stored is not None])
    writer = Writer(session, actor, plan, scope.hold(session))
    try:
        with change:
            writer.write()
    finally:
        scope.release(session)
        # The new units the checks loaded from the database go with the savepoint if it is
        # taken back: none may stay in the session as if stored.
        for unit in writer.new.made:
            if (kept := session.identity_map.get(session.identity_key(Unit, unit[0].id))) is not None:
                session.expunge(kept)


class Writer:
    """The plan's writes through services/units.py, counted in the report."""

    def __init__(self, session: Session, actor: Actor, plan: Plan, tree: scope.Tree) -> None:
        self.session, self.actor, self.plan, self.report = session, actor, plan, plan.report
        self.updated: set[int] = set()
        self.tree = tree
        self.new = NewUnits(session, actor, plan.lookup, tree)

    def write(self) -> None:
        later: list[tuple[Row, dict[str, Any]]] = []
        stored = [r for r in self.plan.rows if r.stored is not None]
        for row in stored:
            links = self._links(row)
            now = {k: v for k, v in links.items() if all(n.id is not None for n in _each(v))}
            later += [(row, {k: v for k, v in links.items() if k not in now})] if len(now) < len(links) else []
            self._update(row, {**row.values, **_ids(now)})
        for row in self.plan.new_in_order():
            self._create(row)
        if self.report.ok:
            self.new.finish()  # before the links to them: a successor's checks read the links
        for row, rest in later:
            if not row.failed:
                self._update(row, _ids(rest))
        self.report.updated = len(self.updated)
        self.report.unchanged += sum(1 for r in stored if not r.failed
                                     and r.stored.id not in self.updated)  # type: ignore[union-attr]

    def _links(self, row: Row) -> dict[str, Any]:
        """The row's links (field → unit, or units). Which successor is the default, when the
        row names none, is the units service's one rule (`units.canonical_successors`): the
        stored default while still among them, else the first; as the API and the form do."""
        return dict(row.links)

    def _create(self, row: Row) -> None:
        waiting = [n for n in nodes(row) if n.id is None]
        if waiting:
            return self.plan.fail(row, None, f"Chưa kiểm tra được: đơn vị mã '{waiting[0].code}' "
                                             f"(dòng {waiting[0].row.number}) có lỗi.")
        try:
            data = UnitCreate.model_validate(units.canonical_successors(
                {**row.values, **_ids(self._links(row))}, None))
        except ValidationError as exc:
            return self._schema_errors(row, exc)
        try:
            row.node.id = self.new.add(data)
        except DomainError as exc:
            return self._domain_error(row, exc)
        self.report.created += 1
        return None

    def _update(self, row: Row, values: dict[str, Any]) -> None:
        stored = row.stored
        assert stored is not None
        # One successor named in `successor_codes` is the merger the command stores in
        # `merged_into_id` alone: compared as stored, it is no change.
        values = units.canonical_successors(dict(values), stored.merged_into_id)
        changed = {k: v for k, v in values.items()
                   if k != "successor_ids" and getattr(stored, k) != v}
        # The same successors in another order are no change (the default is compared apart).
        if "successor_ids" in values and set(values["successor_ids"]) != set(stored.successor_ids):
            changed["successor_ids"] = values["successor_ids"]
        if not changed:
            return
        try:
            data = UnitUpdate.model_validate(changed)
        except ValidationError as exc:
            return self._schema_errors(row, exc)
        # A refused change must not stay half-applied on the stored unit (the rules check
        # the unit as changed): its savepoint takes it back.
        was = (stored.parent_id, stored.merged_into_id)
        nested = self.session.begin_nested()
        try:
            unit, done = units.update(self.session, actor=self.actor, id=stored.id, data=data)
            nested.commit()
            if {"parent_id", "merged_into_id"} & set(done):
                self.tree.place(unit.id, unit.parent_id, unit.merged_into_id, was)
        except DomainError as exc:
            nested.rollback()
            return self._domain_error(row, exc)
        if done:
            self.updated.add(stored.id)  # type: ignore[arg-type]
        return None

    def _schema_errors(self, row: Row, exc: ValidationError) -> None:
        for e in exc.errors():
            loc = [x for x in e.get("loc", ()) if isinstance(x, str)]
            self.plan.fail(row, loc[0] if loc else None, vi_message(e))

    def _domain_error(self, row: Row, exc: DomainError) -> None:
        named = [e for e in exc.errors if e.get("loc")]
        if not named:
            self.plan.fail(row, None, exc.detail, isinstance(exc, Forbidden))
        for e in named:
            self.plan.fail(row, str(e["loc"][-1]), e["msg"], isinstance(exc, Forbidden))


def _each(link: Any) -> list[Any]:
    return link if isinstance(link, list) else [link]


def _ids(links: dict[str, Any]) -> dict[str, Any]:
    """Links as the schema's fields: ids, a list of them for the successors."""
    return {name: [n.id for n in link] if isinstance(link, list) else link.id
            for name, link in links.items()}
