"""The columns of a list's export for people, read off the schema (app.db.labels): each field's
label as its header, a code list's label for its code, yes or no, a unit's code and name for
its id, a referenced work's code and name beside its id, a model's name beside its id. The
headers of the columns the import reads are the import's own (app.services.imports.specs), so
the file imports back."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from app.db import labels
from app.db.units import Unit
from app.enums import ENUMS
from app.services import registry
from app.services.actor import Actor
from app.services.imports.specs import (FILE_LABELS, MEASURE, TIME_ZONE_NOTE, code_header,
                                        id_header, measure_header, measures, name_header)

# A record's own bookkeeping: after what it says.
LAST = ("external_source", "external_id", "id", "created_at", "updated_at", "version")
BATCH = 1_000  # ids looked up at a time
Row = dict[str, Any]
Getter = Callable[[Row], Any]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    people: bool = True  # the form for people (labels), else for programs (field names)


class Names:
    """The code and name of each unit, work and model the rows refer to, looked up once:
    units all (a parent may lie above the reader's subtree; the tree is no secret), works and
    models only those the reader may see (else the id alone, as the API gives it)."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session, self.actor = session, actor
        self.found: dict[str, dict[int, Any]] = {}

    def load(self, kind: str, ids: set[int]) -> None:
        ids.discard(None)  # type: ignore[arg-type]
        found = self.found.setdefault(kind, {})
        wanted = sorted(i for i in ids if i not in found)
        for start in range(0, len(wanted), BATCH):
            part = wanted[start:start + BATCH]
            if kind == "unit":
                stmt = select(Unit).where(Unit.id.in_(part))  # type: ignore[union-attr]
            else:
                records = registry.get(kind.split(":", 1)[1]).records
                stmt = records.base_query(self.actor).where(records.table.id.in_(part))
            for obj in self.session.exec(stmt).scalars():
                found[obj.id] = obj

    def attr(self, kind: str, name: str) -> Callable[[Any], Any]:
        found = self.found.setdefault(kind, {})
        return lambda id_: getattr(found.get(id_), name, None) if id_ is not None else None


def _field(read: type[SQLModel], name: str, names: Names) -> list[tuple[str, Getter]]:
    """The export's columns of one field: (header, how to get its value from a row)."""
    kind = labels.kind(read, name)
    raw: Getter = lambda row: row.get(name)  # noqa: E731
    if name == "id":
        return [(FILE_LABELS["id"], raw)]
    if kind == "unit":
        code, full = names.attr("unit", "code"), names.attr("unit", "name")
        return [(code_header(read, name), lambda row: code(row.get(name))),
                (name_header(read, name), lambda row: full(row.get(name)))]
    if kind in ("ref:works", "ref:models"):
        full = names.attr(kind, "name")
        shown = [(name_header(read, name), lambda row: full(row.get(name))),
                 (id_header(read, name), raw)]
        if kind == "ref:works":
            code = names.attr(kind, "code")
            shown.insert(0, (code_header(read, name), lambda row: code(row.get(name))))
        return shown
    header = labels.label(read, name)
    if kind.startswith("enum:"):
        enum = ENUMS[kind.split(":", 1)[1]]
        return [(header, lambda row: _label(enum, row.get(name)))]
    if kind == "bool":
        return [(header, lambda row: None if row.get(name) is None else
                 ("có" if row.get(name) else "không"))]
    if kind == "datetime":
        return [(header + TIME_ZONE_NOTE, raw)]
    return [(header, raw)]


def _quantity(read: type[SQLModel], name: str, data: list[Row]) -> list[tuple[str, Getter]]:
    """A quantity in one column per measure the rows use ('Khối lượng (km)', 'Khối lượng (m)'),
    and in its own column where no measure is given."""
    used = {row.get(MEASURE) for row in data}
    shown: list[tuple[str, Getter]] = [
        (measure_header(read, name, m), lambda row, m=m: row.get(name) if row.get(MEASURE) == m else None)
        for m in measures(read) if m in used]
    if None in used:
        shown.append((labels.label(read, name),
                      lambda row: row.get(name) if row.get(MEASURE) is None else None))
    return shown


def _label(enum: Any, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return str(enum(value).vi)
    except ValueError:  # a code stored before its list had it: shown as it is
        return str(value)


def for_people(session: Session, actor: Actor, read: type[SQLModel], data: list[Row]) -> Table:
    """The rows (the records as `model_dump()` gives them) with the columns for people."""
    names = Names(session, actor)
    fields = [n for n in read.model_fields if n not in LAST] + [n for n in LAST if n in read.model_fields]
    for name in fields:
        kind = labels.kind(read, name)
        if kind == "unit" or kind.startswith("ref:"):
            names.load(kind, {row.get(name) for row in data})
    columns = [c for name in fields for c in (
        _quantity(read, name, data) if labels.kind(read, name) == "quantity" else
        _field(read, name, names))]
    return Table([h for h, _ in columns], [[get(row) for _, get in columns] for row in data])
