"""The workbook's sheets of records: the records behind the summary's figures, one sheet per
resource, read through the same scoped services as the lists. Headers are the fields' labels
(app.db.labels), codes are shown by their labels, and every column holds one measure."""

from datetime import date
from typing import Any

from sqlmodel import Session

from app import vn
from app.db.labels import kind, label
from app.enums import ENUMS, Labelled, Measure
from app.services import registry, units
from app.services.actor import Actor

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

Sheet = tuple[str, list[str], list[list[Any]]]  # (title row, header, rows)


def record_sheets(session: Session, *, actor: Actor, unit_id: int, date_from: date,
                  date_to: date) -> dict[str, Sheet]:
    """Sheet title → (what the sheet lists, header, rows) of every resource in `SHEETS`."""
    names = {u.id: u.name for u in units.tree(session, actor=actor)}
    sheets: dict[str, Sheet] = {}
    for title, name, fields in SHEETS:
        resource = registry.get(name)
        service = resource.service
        filters = service.Filters(unit_id=unit_id, date_from=date_from, date_to=date_to)
        rows = service.records.all(session, actor=actor, filters=filters, cap=SHEET_CAP + 1)
        shown = rows[:SHEET_CAP]
        if resource.show is not None:  # a denouncer's name is withheld below manager
            shown = [resource.show(r, actor) for r in shown]
        header, data = _table(resource.read, fields, shown, names)
        if len(rows) > SHEET_CAP:
            data.append([f"… chỉ xuất {vn.print_number(SHEET_CAP)} dòng đầu; lọc kỳ ngắn hơn để "
                         "có đủ."])
        sheets[title] = (resource.title, header, data)
    return sheets


def _table(schema: type, fields: tuple[str, ...], rows: list[Any],
           names: dict[int, str]) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of `fields`, a work's quantity split by measure."""
    columns: list[tuple[str, Any]] = []  # (header, value of a row)
    for field in fields:
        if kind(schema, field) == "quantity":
            columns += _quantity_columns(schema, field, rows)
        else:
            columns.append(_column(schema, field, names))
    return [h for h, _ in columns], [[value(r) for _, value in columns] for r in rows]


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


def _quantity_columns(schema: type, field: str, rows: list[Any]) -> list[tuple[str, Any]]:
    """One column per measure the rows use, lengths together in km (see LENGTH); a quantity
    stored without its measure (before the forms required one) keeps a column of its own."""
    used = {_measure(r) for r in rows if getattr(r, field) is not None}
    header = label(schema, field)
    columns = [(f"{header} ({m.vi})", _quantity_in(field, m.value)) for m in Measure
               if m.value in used]
    if None in used:
        columns.append((header, _quantity_in(field, None)))
    return columns


def _own_measure(row: Any) -> str | None:
    measure = getattr(row, "measure", None)
    return getattr(measure, "value", measure)


def _measure(row: Any) -> str | None:
    """The column a row's quantity goes in: its measure, a length's in km."""
    own = _own_measure(row)
    return Measure.km.value if own in LENGTH else own


def _quantity_in(field: str, measure: str | None) -> Any:
    def value(row: Any) -> float | None:
        quantity = getattr(row, field)
        if quantity is None or _measure(row) != measure:
            return None
        return quantity / LENGTH.get(_own_measure(row) or "", 1)
    return value
