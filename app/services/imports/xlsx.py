"""An .xlsx read straight from its XML (see app/services/imports/sheets.py): its first data
sheet, its shared strings and date formats; a long sheet is read by a process of its own while
this one checks and stores the rows it sends."""

import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from app.services.imports.sheets import Sheet
from app.services.imports.workbook import (MAIN, MAX_ROW_BYTES, MAX_SHEETS, MAX_STYLES, MB,
                                           PKG_REL, REL, FileProblem, Part, SharedStrings,
                                           open_book, parse, shared_strings, too_large)
from app.services.imports.workbook import damaged as _damaged
from app.services.imports.xlsx_rows import MERGE, DIMENSION, last_row_end, row_values, rows_of
from app.vn import fold, print_number

log = logging.getLogger(__name__)

# Excel's built-in number formats that show a date (or a date and time).
DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
# Sheets of a template that hold instructions or lists, not records.
BLOCK = 1 << 20  # bytes of sheet XML read at a time
HELP_SHEETS = ("huong dan", "danh muc", "instructions", "lists")

# -- XLSX -----------------------------------------------------------------------------------
# A sheet at least this long is read in a process of its own while this one checks and stores
# the rows it sends (the import's other half): reading its XML is a fifth of an import's time.
ASIDE_ROWS = 20_000
ASIDE_BATCH = 2_000  # rows sent at a time
ASIDE_WAITING = 8  # batches read ahead at most: memory stays flat however long the sheet


def read_xlsx(stream: IO[bytes]) -> Sheet:
    book = open_book(stream)  # its declared sizes checked before anything is read
    try:
        path, _ = _first_sheet(book)
        sheet = Sheet(iter(()), size=_dimension(book, path))
    except (zipfile.BadZipFile, KeyError, zlib.error, EOFError) as exc:
        raise _damaged(exc) from None
    if sheet.size is not None and sheet.size >= ASIDE_ROWS:
        stream.seek(0)
        sheet.rows = _rows_aside(stream.read(), sheet)
    else:
        sheet.rows = _read_book(book, sheet.merged)
    return sheet


def _sheet_rows(book: zipfile.ZipFile, path: str, strings: SharedStrings, dates: frozenset[int],
                epoch: date, merged: list[str]) -> Iterator[tuple[int, list[Any]]]:
    with Part(book, path) as f:
        number, rest = 0, b""
        while True:
            try:
                block = f.read(BLOCK)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # damaged inside
                raise _damaged(exc) from None
            if len(rest) > MAX_ROW_BYTES:  # a row that never ends would be held whole
                raise too_large(f"một dòng của trang tính (sau dòng {number}) dài hơn "
                                f"{MAX_ROW_BYTES // MB} MB")
            buffer = rest + block
            # Whole rows only: the rest waits for the next block.
            end = last_row_end(buffer) if block else len(buffer)
            part, rest = buffer[:end], buffer[end:]
            for found, body in rows_of(part):
                number = found or number + 1
                if body:
                    try:
                        values = row_values(body, strings, dates, epoch)
                    except (IndexError, ValueError) as exc:  # no such shared string, no number
                        raise _damaged(exc) from None
                    yield number, values
            merged.extend(r.decode() for r in MERGE.findall(part))
            if not block:
                break


def _rows_aside(data: bytes, sheet: Sheet) -> Iterator[tuple[int, list[Any]]]:
    """The sheet's rows as a reader process of its own sends them, a batch at a time; if no
    process can be started here, read in this one."""
    import multiprocessing
    import queue

    context = multiprocessing.get_context("spawn")  # nothing of this process's state goes along
    batches: Any = context.Queue(ASIDE_WAITING)
    reader = context.Process(target=_read_aside, args=(data, batches), name="xlsx-reader",
                             daemon=True)
    try:
        reader.start()
    except Exception:  # noqa: BLE001 - no process to be had here (a daemon's child, no spawn)
        log.warning("xlsx reader process unavailable; reading in this process", exc_info=True)
        book = zipfile.ZipFile(io.BytesIO(data))
        yield from _read_book(book, sheet.merged)
        return
    finished = False
    try:
        while True:
            try:
                kind, payload = batches.get(timeout=1)
            except queue.Empty:
                if not reader.is_alive():  # it died without a word (killed, out of memory)
                    raise FileProblem("Không đọc hết được tệp .xlsx (tiến trình đọc tệp dừng "
                                      "giữa chừng). Hãy thử nhập lại.", 500) from None
                continue
            if kind == "rows":
                yield from payload
            elif kind == "end":
                sheet.merged.extend(payload)
                finished = True
                return
            else:
                raise FileProblem(*payload)
    finally:
        # Done: the reader ends by itself. Stopped early (a bad row, too many rows), it may
        # wait to send more: end it.
        reader.join(5 if finished else 0)
        if reader.is_alive():
            reader.terminate()
            reader.join(5)
        batches.close()


def _read_book(book: zipfile.ZipFile, merged: list[str]) -> Iterator[tuple[int, list[Any]]]:
    """The first data sheet's rows (its strings and date formats read first); the merged
    ranges go into `merged` as they are read."""
    names = set(book.namelist())
    path, date1904 = _first_sheet(book)
    strings = shared_strings(book) if "xl/sharedStrings.xml" in names else SharedStrings()
    dates = _date_styles(book) if "xl/styles.xml" in names else frozenset()
    epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
    return _sheet_rows(book, path, strings, dates, epoch, merged)


def _read_aside(data: bytes, batches: Any) -> None:
    """In the reader process: read the whole sheet, send its rows in batches, then the merged
    ranges ("end"), or what is wrong with the file ("problem")."""
    merged: list[str] = []
    try:
        batch: list[tuple[int, list[Any]]] = []
        for row in _read_book(zipfile.ZipFile(io.BytesIO(data)), merged):
            batch.append(row)
            if len(batch) >= ASIDE_BATCH:
                batches.put(("rows", batch))
                batch = []
        if batch:
            batches.put(("rows", batch))
        batches.put(("end", merged))
    except FileProblem as exc:
        batches.put(("problem", (exc.message, exc.status)))
    except Exception as exc:  # noqa: BLE001 - a damaged part of the archive, bad XML
        problem = _damaged(exc)
        batches.put(("problem", (problem.message, problem.status)))


def _dimension(book: zipfile.ZipFile, path: str) -> int | None:
    """The last row number the sheet's <dimension> claims (near its top), if it has one."""
    with Part(book, path) as f:
        found = DIMENSION.search(f.read(4096))
    return int(found.group(1)) if found else None


def _first_sheet(book: zipfile.ZipFile) -> tuple[str, bool]:
    """The path of the first visible sheet that is not a template's instructions or lists,
    and whether the workbook counts dates from 1904."""
    rels: dict[str | None, str] = {}

    def relationship(name: str, attrs: dict[str, str]) -> None:
        if name == PKG_REL + "Relationship":
            target = attrs.get("Target", "")
            rels[attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target

    with Part(book, "xl/_rels/workbook.xml.rels") as f:
        parse(f, relationship)
    sheets: list[tuple[str, str]] = []
    date1904 = []

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if name == MAIN + "workbookPr":
            date1904.append(attrs.get("date1904") in ("1", "true"))
        elif name == MAIN + "sheet" and attrs.get("state", "visible") == "visible":
            sheets.append((attrs.get("name", ""), rels[attrs.get(REL + "id")]))
            if len(sheets) > MAX_SHEETS:
                raise too_large(f"bảng tính có hơn {MAX_SHEETS} trang")

    with Part(book, "xl/workbook.xml") as f:
        parse(f, sheet)
    if not sheets:
        raise FileProblem("Bảng tính không có trang (sheet) nào đang hiện.")
    for name, path in sheets:
        if not fold(name).startswith(HELP_SHEETS):
            return path, any(date1904)
    return sheets[0][1], any(date1904)


_DATE_CODE = re.compile(r"[dmy]", re.IGNORECASE)


def _date_styles(book: zipfile.ZipFile) -> frozenset[int]:
    """The style indexes whose number format shows a date."""
    custom: dict[int, bool] = {}
    styles: list[int] = []
    in_xfs = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == MAIN + "numFmt":
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", attrs.get("formatCode", ""))
            custom[int(attrs.get("numFmtId", "0"))] = bool(_DATE_CODE.search(code))
        elif name == MAIN + "cellXfs":
            in_xfs[0] = True
        elif name == MAIN + "xf" and in_xfs[0]:
            styles.append(int(attrs.get("numFmtId", "0")))
        if len(styles) + len(custom) > MAX_STYLES:
            raise too_large(f"tệp có hơn {print_number(MAX_STYLES)} kiểu định dạng ô")

    def end(name: str) -> None:
        if name == MAIN + "cellXfs":
            in_xfs[0] = False

    with Part(book, "xl/styles.xml") as f:
        parse(f, start, end)
    return frozenset(i for i, fmt in enumerate(styles)
                     if fmt in DATE_FORMATS or custom.get(fmt, False))
