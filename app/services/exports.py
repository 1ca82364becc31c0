"""Every list as a file: .csv (UTF-8 with a byte-order mark, so Excel reads Vietnamese right)
and .xlsx, with the list's own filters and the reader's own view of each record (a denouncer's
identity stays null below manager, as in the API).

Columns are the API's field names, so a file can be read back by a program (or an import).
A text that starts like a formula (= + - @) is written so that no spreadsheet evaluates it:
in .xlsx as a string cell; in .csv behind an apostrophe, the usual guard against formula
injection.
"""

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlmodel import Session, SQLModel

from app.services.actor import Actor
from app.vn import printable

MAX_ROWS = 200_000  # a list bigger than this is a database dump: use dvk backup
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def rows(session: Session, *, actor: Actor, records: Any, filters: Any, read: type[SQLModel],
         present: Callable[[Any, Actor], Any] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """(column names, rows) of every record the list's filters select, oldest first."""
    columns = list(read.model_fields)
    items = records.all(session, actor=actor, filters=filters, cap=MAX_ROWS)
    show = present or (lambda obj, _: read.model_validate(obj, from_attributes=True))
    return columns, [show(obj, actor).model_dump(mode="json") for obj in items]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    text = printable(str(value))
    return "'" + text if text.startswith(FORMULA_START) and not _number(text) else text


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def csv_chunks(columns: list[str], data: list[dict[str, Any]], batch: int = 2000) -> Iterator[bytes]:
    """The CSV in pieces of `batch` rows: a long list starts downloading at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(columns)
    for n, row in enumerate(data, 1):
        writer.writerow([_text(row.get(c)) for c in columns])
        if n % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_bytes(columns: list[str], data: list[dict[str, Any]], title: str) -> bytes:
    """The rows as a workbook (write-only mode: memory stays flat as rows are added)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(columns)
    for row in data:
        cells = []
        for c in columns:
            value = row.get(c)
            if isinstance(value, str):
                value = _typed(printable(value))
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy" if not isinstance(value, datetime) else "dd/mm/yyyy hh:mm"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
