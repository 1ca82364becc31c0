"""Every list as a file: .csv (UTF-8 with a byte-order mark, so Excel reads Vietnamese right)
and .xlsx, with the list's own filters and the reader's own view of each record (a denouncer's
identity stays empty below manager, as in the API).

Two forms of the same rows:
- **for people** (the default, on the pages and the API alike): the schemas' Vietnamese labels
  as headers, a code list's label instead of its code, a unit's code and name instead of its
  id, a work's code and name beside its id, one measure per column (money in đồng, an area in
  m², times in UTC, said in the header). In a CSV numbers and dates are written the Vietnamese
  way (1500000, 2,5, 05/02/2021). Its headers are the import's own columns (and those the
  import reads past), so the file imports back: unchanged rows change nothing.
- **for programs** (`columns=fields`): the API's field names and its JSON values (codes, ids,
  ISO dates, 2.5), as another system or a script reads them; it imports back too.

A text that starts like a formula (= + - @) is written so that no spreadsheet evaluates it:
in .xlsx as a string cell; in .csv behind an apostrophe, the usual guard against formula
injection.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Literal

from sqlmodel import Session, SQLModel

from app.db.base import read_of
from app.services.actor import Actor
from app.services.export_columns import BATCH, Spool, Table, for_people
from app.vn import printable

MAX_ROWS = 200_000  # a list bigger than this is a database dump: use dvk backup
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
Form = Literal["labels", "fields"]


def rows(session: Session, *, actor: Actor, records: Any, filters: Any, read: type[SQLModel],
         present: Callable[[Any, Actor], Any] | None = None, form: Form = "labels",
         present_all: Callable[[Any, list[Any], Actor], list[Any]] | None = None) -> Table:
    """The header and rows of every record the list's filters select, oldest first. The rows
    are read in batches and set aside (in a temporary file past a few MB): the table's `rows`
    can be read once, after the session has closed too. `present_all` shows a batch at once
    (registry.Resource.show_all); else `present` each record."""
    show = present or (lambda obj, _: read_of(read, obj))
    shown = (present_all(session, batch, actor) if present_all else
             [show(obj, actor) for obj in batch]
             for batch in batches(session, actor, records, filters))
    if form == "fields":
        columns = list(read.model_fields)
        aside = Spool()
        for batch in shown:
            aside.add([[row.get(c) for c in columns] for row in
                       (item.model_dump(mode="json") for item in batch)])
        return Table(columns, aside, people=False)
    return for_people(session, actor, read, ([item.model_dump() for item in batch]
                                             for batch in shown))


def batches(session: Session, actor: Actor, records: Any, filters: Any,
            cap: int = MAX_ROWS) -> Iterator[list[Any]]:
    """What `records.all` reads (at most `cap`, oldest first), BATCH records at a time."""
    stmt = records.all_query(session, actor=actor, filters=filters, cap=cap)
    if stmt is None:
        return
    stmt = stmt.execution_options(yield_per=BATCH)
    # The session holds what it loaded weakly: a batch's records go once its rows are made.
    result = session.exec(stmt).scalars()  # type: ignore[call-overload]
    try:
        for batch in result.partitions(BATCH):
            yield list(batch)
    finally:
        result.close()


def _joined(value: Any) -> Any:
    """A list (a unit's successors' ids) in one cell: its items, comma-separated."""
    return (", ".join(str(v) for v in value) or None) if isinstance(value, list) else value


def _text(value: Any, people: bool) -> str:
    value = _joined(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if people:
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        if isinstance(value, float):  # the decimal comma, no grouping: read back exactly
            return repr(value).replace(".", ",")
        if isinstance(value, int):
            return str(value)
    text = printable(str(value))
    return "'" + text if text.startswith(FORMULA_START) and not _number(text) else text


def unguarded(text: str) -> str:
    """A CSV cell as the export above wrote it, read back: the apostrophe its guard put before
    a text that starts like a formula is taken off, so an exported list imports unchanged."""
    rest = text[1:]
    return rest if text.startswith("'") and rest.startswith(FORMULA_START) and not _number(rest) \
        else text


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def csv_chunks(table: Table, batch: int = 2000) -> Iterator[bytes]:
    """The CSV in pieces of `batch` rows: a long list starts downloading at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(table.headers)
    for n, row in enumerate(table.rows, 1):
        writer.writerow([_text(v, table.people) for v in row])
        if n % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(table: Table, title: str) -> bytes:
    """The rows as a workbook (write-only mode: memory stays flat as rows are added)."""
    from openpyxl import Workbook  # only here: the server does not load it until a download
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(title))
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_cell(sheet, value, table.people, WriteOnlyCell) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any, people: bool, cell_type: Any) -> Any:
    value = _joined(value)
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        value = printable(value) if people else _typed(printable(value))
    elif isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)  # Excel has no zones: UTC, as headed
    cell = cell_type(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy" if not isinstance(value, datetime) else "dd/mm/yyyy hh:mm"
    return cell


def _sheet_title(title: str) -> str:
    """A sheet's name: at most 31 characters, none of those Excel forbids there."""
    return "".join(" " if c in "[]:*?/\\" else c for c in title)[:31].strip() or "Dữ liệu"


def _typed(text: str) -> Any:
    """JSON's ISO dates back to dates, so Excel sorts and filters them as dates."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    if len(text) > 19 and text[10] == "T":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            return text
    return text
