"""What a sheet holds, found before calamine reads it (app/services/imports/workbook.py says
why): how far its cells reach, where its formulas are, and (.ods, whose merged cells calamine
does not report) its merged ranges. The sheet's XML is unpacked as a stream and looked at with
regular expressions over its bytes (.xlsx) or expat's callbacks (.ods); no tree is built."""

import html
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from app.services.imports.sheets import Formula, column_index, column_letter
from app.services.imports.workbook import (MAIN, MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS,
                                           MAX_ROW_BYTES, MAX_SHARED_BYTES, MAX_SHARED_STRINGS,
                                           MAX_SHEETS, MB, PKG_REL, REL, FileProblem, Part, parse,
                                           too_large, too_wide)
from app.vn import print_number

BLOCK = 1 << 20  # bytes of sheet XML looked at a time


@dataclass
class Found:
    """What the scan found: the last row and column with a value (1-based), the formulas by
    (row, column), zero-based, and merged ranges ("A7:B9") where calamine gives none."""

    rows: int = 0
    columns: int = 0
    formulas: dict[tuple[int, int], Formula] = field(default_factory=dict)
    merged: list[str] | None = None

    def reach(self, rows: int, columns: int) -> None:
        """Cells reach this far: refused at once if the grid calamine would build is too big."""
        self.rows, self.columns = max(self.rows, rows), max(self.columns, columns)
        if self.columns > MAX_COLUMNS:
            raise too_large(f"có ô ở cột {column_letter(self.columns - 1)}, sau cột cuối cùng "
                            "của Excel (XFD)")
        if self.rows * self.columns > MAX_CELLS:
            raise too_wide(self.rows, self.columns)


# -- .xlsx ----------------------------------------------------------------------------------
# Rows and cells carry their place as r="B7" (a row as r="7"); Excel, openpyxl and most
# writers give every one of them. Tags may carry a namespace prefix (x:c).
_REF = re.compile(rb' r="([A-Za-z]{0,4})(\d{1,9})"')
_TAG = re.compile(rb"<(?:\w+:)?(row|c)[\s/>]")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_CELL_WITH_FORMULA = re.compile(
    rb'<(?:\w+:)?c\b([^>]*)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)',
    re.S)
_CELL_REF = re.compile(rb'\br="([A-Za-z]+)(\d+)"')


def xlsx_sheet_part(book: zipfile.ZipFile, name: str) -> str:
    """The path of the part holding the sheet of that name (workbook.xml and its
    relationships, read as a stream)."""
    rels: dict[str | None, str] = {}

    def relationship(tag: str, attrs: dict[str, str]) -> None:
        if tag == PKG_REL + "Relationship":
            target = attrs.get("Target", "")
            rels[attrs.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target

    with Part(book, "xl/_rels/workbook.xml.rels") as f:
        parse(f, relationship)
    found: list[str] = []
    count = [0]

    def sheet(tag: str, attrs: dict[str, str]) -> None:
        if tag == MAIN + "sheet":
            count[0] += 1
            if count[0] > MAX_SHEETS:
                raise too_large(f"bảng tính có hơn {MAX_SHEETS} trang")
            if attrs.get("name") == name and not found:
                found.append(rels.get(attrs.get(REL + "id"), ""))

    with Part(book, "xl/workbook.xml") as f:
        parse(f, sheet)
    if not found or found[0] not in book.NameToInfo:
        raise FileProblem(f"Không tìm thấy trang '{name}' trong tệp: tệp bị hỏng. Hãy mở lại "
                          "bằng Excel và lưu thành .xlsx.", 415)
    return found[0]


def scan_xlsx(book: zipfile.ZipFile, path: str) -> Found:
    """The sheet at `path`, unpacked once: how far its cells reach (every r="..." it holds),
    its formulas. A sheet whose cells do not all say where they are is counted the long way."""
    found = Found()
    with Part(book, path) as f:
        pending = bytearray()
        row, width = 0, 0  # for rows and cells without r: where the last ones were
        while True:
            block = f.read(BLOCK)
            if len(pending) + len(block) > MAX_ROW_BYTES and b"row>" not in pending[-3:] + block:
                # a row that never ends would be held whole
                raise too_large(f"một dòng của trang tính (sau dòng {print_number(row)}) dài "
                                f"hơn {MAX_ROW_BYTES // MB} MB")
            pending += block
            # Whole rows only (a cell and its formula stay together): the rest waits.
            at = pending.rfind(b"row>") if block else len(pending) - 4
            if not block and not pending:
                break
            if at < 0 and block:
                continue
            end = at + 4 if at >= 0 else len(pending)
            part = bytes(memoryview(pending)[:end])
            del pending[:end]
            refs = _REF.findall(part)
            if refs:
                letters = {x for x, _ in refs}
                last = max(map(int, {n for _, n in refs}))
                columns = max((column_index(x.decode()) + 1 for x in letters if x), default=0)
                found.reach(last, columns)
                row = max(row, last)
            if _unplaced(part, len(refs)):
                row, width = _count_unplaced(part, found, row, width)
            if _FORMULA.search(part):
                _formulas(part, found)
            if not block:
                break
    return found


def _unplaced(part: bytes, placed: int) -> bool:
    """Whether some row or cell in `part` has no r="..." (fewer places than tags)."""
    tags = part.count(b"<c ") + part.count(b"<c>") + part.count(b"<row ") + part.count(b"<row>")
    if not tags and b":row" in part:  # prefixed tags (x:row), rarer: the slow way
        tags = len(_TAG.findall(part))
    return tags > placed


def _count_unplaced(part: bytes, found: Found, row: int, width: int) -> tuple[int, int]:
    """Rows and cells without r="...": calamine puts each after the one before it."""
    column = 0
    for m in re.finditer(rb"<(?:\w+:)?(row|c)\b([^>]*)>", part):
        ref = _CELL_REF.search(m.group(2)) or re.search(rb'\br="(\d+)"', m.group(2))
        if m.group(1) == b"row":
            row = int(ref.group(ref.lastindex or 1)) if ref else row + 1
            column = 0
        else:
            column = column_index(ref.group(1).decode()) + 1 if ref else column + 1
            width = max(width, column)
            found.reach(max(row, 1), width)
    return row, width


def _formulas(part: bytes, found: Found) -> None:
    for m in _CELL_WITH_FORMULA.finditer(part):
        ref = _CELL_REF.search(m.group(1))
        if ref is None:
            raise FileProblem("Trang tính có ô chứa công thức: hãy sao chép rồi dán giá trị "
                              "(Paste Values) thay cho công thức, rồi nhập lại.")
        text = html.unescape((m.group(2) or b"").decode("utf-8", errors="replace"))
        place = (int(ref.group(2)) - 1, column_index(ref.group(1).decode().upper()))
        found.formulas[place] = Formula("=" + text)


def check_shared_strings(book: zipfile.ZipFile) -> None:
    """The shared strings calamine keeps in memory, bounded in bytes and in number, and each
    by Excel's own limit for a cell (in bytes of XML: 4 a character at most, and some room)."""
    if "xl/sharedStrings.xml" not in book.NameToInfo:
        return
    count = since = 0  # since: bytes of the entry not yet ended
    with Part(book, "xl/sharedStrings.xml", MAX_SHARED_BYTES) as f:
        rest = b""
        while block := f.read(BLOCK):
            buffer = rest + block
            count += buffer.count(b"<si>") + buffer.count(b"<si ") + buffer.count(b":si>")
            rest = buffer[-4:]
            count -= rest.count(b"<si>") + rest.count(b"<si ") + rest.count(b":si>")
            if count > MAX_SHARED_STRINGS:
                raise too_large(f"tệp chứa hơn {print_number(MAX_SHARED_STRINGS)} đoạn chữ khác nhau")
            pieces = block.split(b"si>")
            longest = max(since + len(pieces[0]), *map(len, pieces[1:]))
            since = len(pieces[-1]) if len(pieces) > 1 else since + len(block)
            if longest > 4 * MAX_CELL_CHARS + 1024:
                raise too_large(f"có ô chứa hơn {print_number(MAX_CELL_CHARS)} ký tự, giới hạn "
                                "của chính Excel")


# -- .ods -----------------------------------------------------------------------------------
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")


def scan_ods(book: zipfile.ZipFile) -> list[Found]:
    """Each table of content.xml: how far its values reach, counting the rows and cells that
    repeat (a repeated empty row, LibreOffice's way to end a sheet, holds nothing), its
    formulas and merged ranges. calamine reads them all: their cells are bounded together.
    (Called for every element of the file: kept tight.)"""
    tables: list[Found] = []
    row = repeat = column = last = cells = 0
    cell: tuple[int, int] | None = None
    table, table_row, value_type, formula = _TABLE + "table", _TABLE + "table-row", \
        _OFFICE + "value-type", _TABLE + "formula"
    rows_repeated, columns_repeated = _TABLE + "number-rows-repeated", \
        _TABLE + "number-columns-repeated"
    spanned = (_TABLE + "number-rows-spanned", _TABLE + "number-columns-spanned")
    paragraph = _TEXT + "p"

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row, repeat, column, last, cell
        if tag in _CELLS:
            if not tables:
                return
            n = _count(attrs, columns_repeated) if columns_repeated in attrs else 1
            if value_type in attrs or formula in attrs:
                last = column + n
            cell = (column, n)
            if formula in attrs or spanned[0] in attrs or spanned[1] in attrs:
                _marked(tables[-1], attrs, row, column, repeat, n)
            column += n
        elif tag == table_row:
            repeat = _count(attrs, rows_repeated) if rows_repeated in attrs else 1
            column = last = 0
            cell = None
        elif tag == paragraph:  # text without a value type counts too
            if cell is not None and cell[0] + cell[1] > last:
                last = cell[0] + cell[1]
        elif tag == table:
            tables.append(Found(merged=[]))
            row = 0
            if len(tables) > MAX_SHEETS:
                raise too_large(f"bảng tính có hơn {MAX_SHEETS} trang")

    def end(tag: str) -> None:
        nonlocal row, cells, cell
        if tag == table_row and tables:
            if last:
                tables[-1].reach(row + repeat, last)
            row += repeat
            cell = None
        elif tag == table and tables:
            cells += tables[-1].rows * tables[-1].columns
            if cells > MAX_CELLS:
                raise too_large(f"các trang của tệp có tổng cộng {print_number(cells)} ô (tối "
                                f"đa {print_number(MAX_CELLS)})")

    with Part(book, "content.xml") as f:
        parse(f, start, end)
    return tables


def _marked(found: Found, attrs: dict[str, str], row: int, column: int, rows: int,
            columns: int) -> None:
    """A cell with a formula, or merged over others (repeated over `rows` and `columns`)."""
    text = attrs.get(_TABLE + "formula")
    if text is not None:
        text = text.split(":", 1)[1] if text.startswith(("of:", "oooc:", "msoxl:")) else text
        for r in range(row, row + min(rows, 1000)):
            for c in range(column, column + min(columns, 1000)):
                found.formulas[(r, c)] = Formula(text if text.startswith("=") else "=" + text)
    height, width = _count(attrs, _TABLE + "number-rows-spanned"), \
        _count(attrs, _TABLE + "number-columns-spanned")
    if (height, width) != (1, 1) and found.merged is not None:
        found.merged.append(f"{column_letter(column)}{row + 1}:"
                            f"{column_letter(column + width - 1)}{row + height}")


def _count(attrs: dict[str, str], name: str) -> int:
    try:
        return max(1, int(attrs.get(name, "1")))
    except ValueError:
        raise FileProblem(f"Thuộc tính {name} không phải số: tệp .ods bị hỏng.", 415) from None
