"""The workbook's sheets of records: the records behind the summary's figures, one sheet per
resource, read through the same scoped services as the lists. Headers are the fields' labels
(app.db.labels), codes are shown by their labels, and every column holds one measure."""

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlmodel import Session

from app import vn
from app.db.labels import kind, label
from app.enums import ENUMS, Labelled, Measure
from app.services import registry, units
from app.services.actor import Actor
from app.services.export_columns import Spool
from app.services.exports import batches

# Excel holds 1.048.576 rows a sheet; a province's ten years of contributions do not fit, and
# nobody reads them there. The sheet says when it was cut.
SHEET_CAP = 100_000

# (sheet title, resource, fields in order): the tab's short title, the registry's resource.
SHEETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Mô hình", "models", ("id", "name", "unit_id", "kind", "field", "org_type", "start_date",
                           "members", "status")),
    ("Công trình", "works", ("id", "name", "unit_id", "category", "quantity", "total_cost_vnd",
                             "org_type", "completed_date")),
    ("Đóng góp", "contributions", ("id", "date", "unit_id", "source", "kind", "amount_vnd",
                                   "labor_days", "work_id", "contributor_name")),
    ("Hiến đất", "land-donations", ("id", "date", "unit_id", "donor_name", "households",
                                    "area_m2", "value_vnd", "work_id")),
    ("Đơn thư", "petitions", ("id", "received_date", "unit_id", "type", "subject",
                              "petitioner_name", "status", "due_date", "closed_date")),
    ("Khen thưởng", "commendations", ("id", "decision_date", "unit_id", "recipient_name",
                                      "level", "decision_no")),
    ("Chỉ tiêu", "targets", ("id", "name", "unit_id", "period_start", "period_end", "achieved")),
    ("Công nhận", "recognitions", ("id", "date", "unit_id", "title", "decision_no")),
)

# A work's quantity goes in the column of its measure. Lengths share one column in km, the
# measure the summary adds them up in (rollups.py divides a length in metres by 1 000 too),
# so the sheet's column sums to the figure on the first sheet; houses, cards, lamps... each
# have their own column, since adding them up means nothing.
LENGTH = {Measure.km.value: 1, Measure.m.value: 1000}  # the divisor to km

class Rows:
    """A sheet's rows, read from the database in batches and set aside (app.services.exports'
    Spool: in a temporary file past a few MB), so that a province's 100 000 contributions are
    never all in memory; its length is known, its rows are read once, in order."""

    def __init__(self, aside: Spool, count: int, expand: Callable[[list[Any]], list[Any]],
                 tail: list[list[Any]]) -> None:
        self.aside, self.count, self.expand, self.tail = aside, count, expand, tail

    def __len__(self) -> int:
        return self.count + len(self.tail)

    def __iter__(self) -> Iterator[list[Any]]:
        yield from (self.expand(row) for row in self.aside)
        yield from self.tail


Sheet = tuple[str, list[str], Rows | list[list[Any]]]  # (title row, header, rows)


def record_sheets(session: Session, *, actor: Actor, unit_id: int, date_from: date,
                  date_to: date) -> Iterator[tuple[str, Sheet]]:
    """(Sheet title, (what the sheet lists, header, rows)) of every resource in `SHEETS`, one
    after the other: a sheet's records are read (in batches, set aside) when the workbook
    comes to it, with the session still open; its rows are read once."""
    names = {u.id: u.name for u in units.tree(session, actor=actor)}
    for title, name, fields in SHEETS:
        resource = registry.get(name)
        service = resource.service
        filters = service.Filters(unit_id=unit_id, date_from=date_from, date_to=date_to)
        columns = _columns(resource.read, fields, names)
        used: list[set[str | None]] = [set() for _ in columns]  # a quantity's measures
        aside, count, cut = Spool(), 0, False
        for batch in batches(session, actor, service.records, filters, cap=SHEET_CAP + 1):
            if count + len(batch) > SHEET_CAP:
                batch, cut = batch[:SHEET_CAP - count], True
            if resource.show is not None:  # a denouncer's name is withheld below manager
                batch = [resource.show(r, actor) for r in batch]
            rows = [[value(r) for _, _, value in columns] for r in batch]
            for i, (_, quantity, _) in enumerate(columns):
                if quantity:
                    used[i].update(row[i][1] for row in rows if row[i] is not None)
            aside.add(rows)
            count += len(rows)
        header, expand = _expanded(columns, used)
        tail = [[f"… chỉ xuất {vn.print_number(SHEET_CAP)} dòng đầu; lọc kỳ ngắn hơn để "
                 "có đủ."]] if cut else []
        yield title, (resource.title, header, Rows(aside, count, expand, tail))


Column = tuple[str, bool, Callable[[Any], Any]]  # (header, a quantity?, value of a record)


def _columns(schema: type, fields: tuple[str, ...], names: dict[int, str]) -> list[Column]:
    """A value per field; a quantity's is (value, the column's measure), split later."""
    columns: list[Column] = []
    for field in fields:
        if kind(schema, field) == "quantity":
            columns.append((label(schema, field), True, _quantity(field)))
        else:
            header, value = _column(schema, field, names)
            columns.append((header, False, value))
    return columns


def _expanded(columns: list[Column], used: list[set[str | None]]
              ) -> tuple[list[str], Callable[[list[Any]], list[Any]]]:
    """The header, and a row as set aside → the sheet's row: a quantity in one column per
    measure the rows use, lengths together in km (see LENGTH); a quantity stored without its
    measure (before the forms required one) keeps a column of its own."""
    header: list[str] = []
    parts: list[tuple[int, list[str | None] | None]] = []  # (index, measures of a quantity)
    for i, (title, quantity, _) in enumerate(columns):
        if not quantity:
            header.append(title)
            parts.append((i, None))
            continue
        measures: list[str | None] = [m.value for m in Measure if m.value in used[i]]
        if None in used[i]:
            measures.append(None)
        header += [f"{title} ({Measure(m).vi})" if m is not None else title for m in measures]
        parts.append((i, measures))

    def expand(row: list[Any]) -> list[Any]:
        out: list[Any] = []
        for i, measures in parts:
            if measures is None:
                out.append(row[i])
            else:
                out += [row[i][0] if row[i] is not None and row[i][1] == m else None
                        for m in measures]
        return out
    return header, expand


def _column(schema: type, field: str, names: dict[int, str]) -> tuple[str, Any]:
    shown, header = kind(schema, field), label(schema, field)
    if shown == "unit":
        return header, lambda r: names.get(getattr(r, field), getattr(r, field))
    if shown.startswith("ref:"):  # another record, by its number
        return f"{header} ({label(schema, 'id').lower()})", lambda r: getattr(r, field)
    if shown.startswith("enum:"):
        enum = ENUMS[shown.removeprefix("enum:")]
        return header, lambda r: _labelled(enum, getattr(r, field))
    return header, lambda r: getattr(r, field)


def _labelled(enum: type[Labelled], code: Any) -> Any:
    """The code's label; a code the enum no longer has (an old row) is shown as stored."""
    if code is None:
        return None
    try:
        return enum(code)
    except ValueError:
        return code


def _own_measure(row: Any) -> str | None:
    measure = getattr(row, "measure", None)
    return getattr(measure, "value", measure)


def _measure(row: Any) -> str | None:
    """The column a row's quantity goes in: its measure, a length's in km."""
    own = _own_measure(row)
    return Measure.km.value if own in LENGTH else own


def _quantity(field: str) -> Callable[[Any], Any]:
    def value(row: Any) -> tuple[float, str | None] | None:
        quantity = getattr(row, field)
        if quantity is None:
            return None
        return quantity / LENGTH.get(_own_measure(row) or "", 1), _measure(row)
    return value
