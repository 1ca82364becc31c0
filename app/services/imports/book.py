"""A workbook (.xlsx, .xls, .ods) read by calamine (python-calamine, Rust): its first data
sheet's rows, typed (str, float, bool, date, datetime), after workbook.py and scan.py have
made sure the file is no bomb. calamine reads a 100 000-row .xlsx in about half a second,
three times faster than the reader of our own it replaced and ten times faster than
openpyxl's read-only mode (bench/README.md, "Imports").

What calamine does not do and an import needs is added here: the sheet chosen as the old
reader chose it (the first visible one that is not a template's instructions or lists), rows
numbered as the spreadsheet numbers them, columns from A even when the sheet starts further
right, formulas reported instead of their last computed value (scan.py finds them), and .ods
merged ranges (scan.py again); calamine gives no formulas of an .xls: biff.py finds them.
"""

import zipfile
from collections.abc import Iterator
from typing import IO, Any

from app.services.imports.scan import Found, check_shared_strings, scan_ods, scan_xlsx, xlsx_sheet_part
from app.services.imports.sheets import Sheet, column_letter
from app.services.imports.workbook import (MAX_ASIDE_MEMORY, FileProblem, check_xls, damaged,
                                           open_book, too_large, unpack_all)
from app.vn import fold

# Sheets of a template that hold instructions or lists, not records.
HELP_SHEETS = ("huong dan", "danh muc", "instructions", "lists")


def read_book(stream: IO[bytes], kind: str) -> Sheet:
    """The sheet to import of a workbook of that kind ("xlsx", "xls" or "ods")."""
    if kind == "xls":
        check_xls(stream)
        return read_aside(stream.read(), kind)
    book = open_book(stream)  # its declared sizes checked before anything is unpacked
    unpack_all(book, skip=_scanned(kind))
    tables: list[Found] = []
    if kind == "xlsx":
        check_shared_strings(book)  # calamine reads them as it opens the file
    else:
        tables = scan_ods(book)  # calamine reads every sheet of an .ods as it opens it
    stream.seek(0)
    sheet, merged, found = _load(stream, kind, book, tables)
    return Sheet(_rows(sheet.iter_rows(), sheet.start, found), merged=merged, size=_size(sheet))


def _load(stream: IO[bytes], kind: str, book: zipfile.ZipFile | None,
          tables: list[Found]) -> tuple[Any, list[str], Found]:
    """calamine's sheet, its merged ranges and what the scan found (formulas)."""
    import python_calamine

    from app.services.imports.layout import HEADER_SCAN
    from app.services.imports.report import MAX_ROWS, too_long

    found = Found()
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(stream)
        index, name = _data_sheet(workbook)
        if kind == "xlsx" and book is not None:  # its reach, before calamine builds its grid
            found = scan_xlsx(book, xlsx_sheet_part(book, name))
        elif kind == "ods":
            found = tables[index] if index < len(tables) else Found(merged=[])
        elif kind == "xls":  # in the reader's bounded process: calamine gives no formulas
            from app.services.imports.biff import formulas

            stream.seek(0)
            found = Found(formulas=formulas(stream.read(), name))
        if found.rows > MAX_ROWS + HEADER_SCAN:  # known before its grid is built
            raise FileProblem(too_long(found.rows))
        sheet = workbook.get_sheet_by_index(index)
        merged = found.merged if found.merged is not None else [
            f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
    except (FileProblem, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - calamine's errors: the file is damaged
        raise damaged(exc, kind) from None
    except BaseException as exc:  # a panic in calamine (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        raise damaged(exc, kind) from None
    return sheet, merged, found


def _size(sheet: Any) -> int:
    return sheet.end[0] + 1 if sheet.end else 0


# -- .xls, read aside -------------------------------------------------------------------------
def read_aside(data: bytes, kind: str) -> Sheet:
    """The sheet read by calamine in a process of its own whose memory is bounded. An .xls is
    no zip of XML to scan before reading: its cells may reach row 65 536 and column IV of any
    number of sheets, which calamine holds as grids of 32 bytes a cell as it opens the file.
    Asked for more than MAX_ASIDE_MEMORY, that process ends, not the server's."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")  # nothing of this process's state goes along
    try:
        with ProcessPoolExecutor(1, mp_context=context, initializer=_bounded,
                                 initargs=(MAX_ASIDE_MEMORY,)) as pool:
            size, merged, start, rows, found = pool.submit(_read_whole, data, kind).result()
    except (BrokenProcessPool, MemoryError):
        raise too_large(f"đọc tệp .{kind} cần hơn {MAX_ASIDE_MEMORY >> 20} MB bộ nhớ") from None
    return Sheet(_rows(iter(rows), start, found), merged=merged, size=size)


def _bounded(limit: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _read_whole(data: bytes, kind: str) -> tuple[int, list[str], Any, list[list[Any]], Found]:
    """In the reader process: the whole sheet, its merged ranges, where it starts and its
    formulas."""
    import io

    sheet, merged, found = _load(io.BytesIO(data), kind, None, [])
    return _size(sheet), merged, sheet.start, list(sheet.iter_rows()), Found(formulas=found.formulas)


def _scanned(kind: str) -> Any:
    """The parts unpack_all passes over: those the scan unpacks itself (an .xlsx's sheets:
    the one read is scanned, calamine never opens the others)."""
    if kind == "ods":
        return lambda name: name == "content.xml"
    return lambda name: name.startswith("xl/worksheets/") and name.endswith(".xml")


def _data_sheet(workbook: Any) -> tuple[int, str]:
    """The index and name of the first visible sheet that is not a template's instructions
    or lists (the first visible one if all are)."""
    import python_calamine

    visible = [(i, m.name) for i, m in enumerate(workbook.sheets_metadata)
               if m.visible == python_calamine.SheetVisibleEnum.Visible
               and m.typ == python_calamine.SheetTypeEnum.WorkSheet]
    if not visible:
        raise FileProblem("Bảng tính không có trang (sheet) nào đang hiện.")
    for index, name in visible:
        if not fold(name).startswith(HELP_SHEETS):
            return index, name
    return visible[0]


def _rows(cells: Iterator[list[Any]], start: tuple[int, int] | None,
          found: Found) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells from column A) of each row; a formula's cell holds the formula."""
    if start is None:
        return
    # calamine gives every row from the first (blank ones above the data too), but the cells
    # of each from the sheet's first column with a value only.
    left = start[1]
    pad: list[Any] = [None] * left
    formulas: dict[int, list[tuple[int, Any]]] = {}
    for (r, c), formula in found.formulas.items():
        formulas.setdefault(r + 1, []).append((c, formula))
    for number, row in enumerate(cells, 1):
        if left:
            row = pad + row
        if formulas and number in formulas:
            for c, formula in formulas[number]:
                row.extend([None] * (c + 1 - len(row)))
                row[c] = formula
        yield number, row
