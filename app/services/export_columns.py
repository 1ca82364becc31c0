"""The columns of a list's export for people, read off the schema (app.db.labels): each field's
label as its header, a code list's label for its code, yes or no, a unit's code and name for
its id, a referenced work's code and name beside its id, a model's name beside its id. The
headers of the columns the import reads are the import's own (app.services.imports.specs), so
the file imports back."""

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
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
# Records read, and ids looked up, at a time: a list's rows are read, turned into rows and set
# aside in batches, since a list of 200 000 records held at once took hundreds of MB of the
# server process (bench/memory.py).
BATCH = 1_000
SPOOL_BYTES = 2_000_000  # rows set aside beyond this go to a temporary file
Row = dict[str, Any]
Getter = Callable[[Row], Any]


@dataclass
class Table:
    headers: list[str]
    rows: Iterable[list[Any]]  # read once (a Spool's rows)
    people: bool = True  # the form for people (labels), else for programs (field names)


class Spool:
    """Rows set aside batch by batch and read back once, in order: in memory up to
    SPOOL_BYTES, then in a temporary file, deleted once read (or dropped)."""

    def __init__(self) -> None:
        self.file: Any = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)

    def add(self, batch: list[Any]) -> None:
        pickle.dump(batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)

    def __iter__(self) -> Iterator[Any]:
        file, self.file = self.file, None
        if file is None:
            raise RuntimeError("the rows of an export are read once")
        with file:
            file.seek(0)
            while True:
                try:
                    batch = pickle.load(file)
                except EOFError:
                    return
                yield from batch


class Names:
    """The code and name of each unit, work and model the rows refer to, looked up once:
    units all (a parent may lie above the reader's subtree; the tree is no secret), works and
    models only those the reader may see (else the id alone, as the API gives it)."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session, self.actor = session, actor
        self.found: dict[str, dict[int, tuple[Any, Any]]] = {}  # kind → id → (code, name)

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
                found[obj.id] = (getattr(obj, "code", None), obj.name)

    def attr(self, kind: str, name: str) -> Callable[[Any], Any]:
        found, at = self.found.setdefault(kind, {}), ("code", "name").index(name)
        return lambda id_: found.get(id_, (None, None))[at] if id_ is not None else None


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


def _quantity(read: type[SQLModel], name: str, used: set[Any]) -> list[tuple[str, Getter]]:
    """A quantity in one column per measure the rows use (`used`: 'Khối lượng (km)', 'Khối
    lượng (m)'), and in its own column where no measure is given."""
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


def for_people(session: Session, actor: Actor, read: type[SQLModel],
               batches: Iterable[list[Row]]) -> Table:
    """The rows (batches of the records as `model_dump()` gives them) with the columns for
    people. The batches are read here, the names they refer to looked up and the rows set
    aside; the table's rows are made as they are read."""
    names = Names(session, actor)
    fields = [n for n in read.model_fields if n not in LAST] + [n for n in LAST if n in read.model_fields]
    kinds = {name: labels.kind(read, name) for name in fields}
    looked_up = [(name, kind) for name, kind in kinds.items()
                 if kind == "unit" or kind.startswith("ref:")]
    counted = any(kind == "quantity" for kind in kinds.values())
    used: set[Any] = set()  # the measures the rows' quantities are in
    aside = Spool()
    for data in batches:
        for name, kind in looked_up:
            names.load(kind, {row.get(name) for row in data})
        if counted:
            used.update(row.get(MEASURE) for row in data)
        aside.add(data)
    columns = [c for name in fields for c in (
        _quantity(read, name, used) if kinds[name] == "quantity" else _field(read, name, names))]
    getters = [get for _, get in columns]
    return Table([h for h, _ in columns], ([get(row) for get in getters] for row in aside))
