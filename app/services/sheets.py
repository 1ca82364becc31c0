"""Reading a clerk's file row by row: .xlsx (read straight from its XML, streamed) and .csv
(UTF-8, with or without a byte-order mark, comma, semicolon or tab separated).

The .xlsx reader is ours rather than openpyxl's read-only mode because an import must read
100 000 rows in a few seconds: openpyxl builds a cell object per cell (about 8 000 rows a
second here), the standard library's C XML parser reads the same sheet three times faster.
It understands what an import needs: shared and inline strings, numbers, booleans, dates
(from the cell's number format), formulas (reported, never evaluated) and merged ranges.

A file typed in a legacy Vietnamese encoding (TCVN3/ABC or VNI fonts) is refused with the
way to convert it, never read as garbled text (`legacy_encoding`).
"""

import csv
import html
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from app.services.workbook import (MAIN, MAX_COLUMNS, MAX_ROW_BYTES, MAX_SHEETS, MAX_STYLES, MB,
                                   PKG_REL, REL, FileProblem, Part, SharedStrings, open_book,
                                   parse, shared_strings, too_large)
from app.services.workbook import damaged as _damaged
from app.vn import fold, print_number

log = logging.getLogger(__name__)

# Excel's built-in number formats that show a date (or a date and time).
DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
# Sheets of a template that hold instructions or lists, not records.
BLOCK = 1 << 20  # bytes of sheet XML read at a time
HELP_SHEETS = ("huong dan", "danh muc", "instructions", "lists")
CONVERT_HINT = ("Hãy mở tệp bằng Unikey: Công cụ chuyển mã (Ctrl+Shift+F6), chọn bảng mã nguồn "
                "TCVN3 (ABC) hoặc VNI Windows, bảng mã đích Unicode, chuyển mã rồi lưu lại dạng "
                ".xlsx hoặc CSV UTF-8 và nhập lại.")


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: reported, never evaluated nor imported."""

    text: str


@dataclass
class Sheet:
    """A file's rows as (row number, cell values), and what was found only at the end."""

    rows: Iterator[tuple[int, list[Any]]]
    merged: list[str] = field(default_factory=list)  # ranges like "A7:B9", filled as read
    # How many rows the file says it has (lines of a CSV, a sheet's dimension), known before
    # reading them: a file far too long is refused at once.
    size: int | None = None


def open_file(stream: IO[bytes], filename: str) -> Sheet:
    """A sheet of the uploaded file, by its content (the name only breaks a tie)."""
    head = stream.read(8)
    stream.seek(0)
    name = filename.lower()
    if not head:
        raise FileProblem("Tệp trống: không có dòng nào để nhập.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("Đây là tệp Excel 97–2003 (.xls). Hãy mở bằng Excel, chọn Lưu thành "
                          "(Save As) kiểu 'Excel Workbook (.xlsx)' rồi nhập lại.", 415)
    if head.startswith(b"PK\x03\x04"):
        if not name.endswith((".xlsx", ".xlsm")) and name.endswith((".docx", ".ods", ".zip")):
            raise FileProblem(_wrong_type(filename), 415)
        return _xlsx(stream)
    if name.endswith((".xlsx", ".xlsm", ".xls", ".pdf", ".docx", ".doc")) or b"\x00" in head:
        raise FileProblem(_wrong_type(filename), 415)
    return _csv(stream)


def _wrong_type(filename: str) -> str:
    return (f"Không đọc được tệp '{filename}': chỉ nhận bảng tính Excel (.xlsx) hoặc tệp CSV "
            "(UTF-8). Hãy tải mẫu nhập trên trang này, điền vào rồi gửi lại.")


# -- CSV ------------------------------------------------------------------------------------
def _csv(stream: IO[bytes]) -> Sheet:
    lines = 0
    while block := stream.read(1 << 20):
        lines += block.count(b"\n")
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="strict")
    try:
        sample = text.read(64 * 1024)
    except UnicodeDecodeError:
        raise FileProblem("Tệp CSV không ở bảng mã UTF-8 (có thể là TCVN3/ABC, VNI hoặc "
                          "Windows-1258): tiếng Việt sẽ bị lỗi font nếu nhập. Trong Excel, hãy "
                          "chọn Lưu thành (Save As) kiểu 'CSV UTF-8'; nếu chữ đã lỗi font từ "
                          "trước, " + CONVERT_HINT[0].lower() + CONVERT_HINT[1:]) from None
    if not sample.strip():
        raise FileProblem("Tệp trống: không có dòng nào để nhập.")
    first = sample.splitlines()[0] if sample.splitlines() else sample
    # Excel set to Vietnamese writes ';' (its decimal mark is ','); a tab from a copied table.
    delimiter = max((";", ",", "\t"), key=first.count)
    text.seek(0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for cells in reader:
                yield reader.line_num, list(cells)
        except UnicodeDecodeError:
            raise FileProblem(f"Từ dòng {reader.line_num + 1}, tệp không còn ở bảng mã UTF-8. "
                              + CONVERT_HINT) from None
        except csv.Error as exc:
            raise FileProblem(f"Dòng {reader.line_num}: tệp CSV hỏng ({exc}).") from None

    return Sheet(rows(), size=lines)


# -- XLSX -----------------------------------------------------------------------------------
# A sheet at least this long is read in a process of its own while this one checks and stores
# the rows it sends (the import's other half): reading its XML is a fifth of an import's time.
ASIDE_ROWS = 20_000
ASIDE_BATCH = 2_000  # rows sent at a time
ASIDE_WAITING = 8  # batches read ahead at most: memory stays flat however long the sheet


def _xlsx(stream: IO[bytes]) -> Sheet:
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
            end = _last_row_end(buffer) if block else len(buffer)
            part, rest = buffer[:end], buffer[end:]
            for found, body in _rows_of(part):
                number = found or number + 1
                if body:
                    try:
                        values = _row_values(body, strings, dates, epoch)
                    except (IndexError, ValueError) as exc:  # no such shared string, no number
                        raise _damaged(exc) from None
                    yield number, values
            merged.extend(r.decode() for r in _MERGE.findall(part))
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


# The sheet's XML is read with regular expressions over its bytes, a block at a time: three
# times faster than building an element per cell. Tags may carry a namespace prefix (x:c).
_P = rb"(?:\w+:)?"
_ROW = re.compile(rb"<" + _P + rb"row\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"row>)", re.S)
_V = re.compile(rb"<" + _P + rb"v>(.*?)</" + _P + rb"v>", re.S)
_F = re.compile(rb"<" + _P + rb"f\b[^>]*?(?:/>|>(.*?)</" + _P + rb"f>)", re.S)
_T = re.compile(rb"<" + _P + rb"t\b[^>]*>(.*?)</" + _P + rb"t>", re.S)
_MERGE = re.compile(rb"<" + _P + rb'mergeCell\b[^>]*\bref="([^"]+)"')


_ROW_END = re.compile(rb"</" + _P + rb"row>")


def _last_row_end(buffer: bytes) -> int:
    """Where the last complete row of `buffer` ends (0 if none does)."""
    at = len(buffer)
    while True:
        at = buffer.rfind(b"row>", 0, at)
        if at < 0:
            return 0
        start = buffer.rfind(b"<", 0, at)
        if start >= 0 and _ROW_END.fullmatch(buffer, start, at + 4):
            return at + 4
        # an opening <row>: look further back


def _text_of(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="[A-Za-z]*\d*:?[A-Za-z]*(\d+)"')


def _dimension(book: zipfile.ZipFile, path: str) -> int | None:
    """The last row number the sheet's <dimension> claims (near its top), if it has one."""
    with Part(book, path) as f:
        found = _DIMENSION.search(f.read(4096))
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


def column_index(ref: str) -> int:
    """'C5' → 2 (zero-based)."""
    n = 0
    for ch in ref:
        if ch.isdigit():
            break
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def column_letter(index: int) -> str:
    """2 → 'C'."""
    out, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


_COLUMNS: dict[bytes, int] = {}


def _column_of(ref: bytes) -> int:
    letters = ref.rstrip(b"0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        if not letters.isalpha():
            raise ValueError(f"no column {letters[:10]!r}")  # a damaged file
        index = column_index(letters[:4].decode())
        if index >= MAX_COLUMNS:  # its row would be a list that long
            raise too_large(f"có ô ở cột {letters[:10].decode()}, sau cột cuối cùng của "
                            "Excel (XFD)")
        _COLUMNS[letters] = index
    return index


_INLINE: dict[bytes, str] = {}


def _rows_of(part: bytes) -> Iterator[tuple[int, bytes]]:
    """(row number or 0, the row's cells' XML) of every complete row in `part`. Tags without
    a namespace prefix (Excel's, openpyxl's) are cut with bytes.split, several times faster
    than a regular expression; prefixed ones (x:row, some other writers) go through one."""
    if b"<row" not in part and _PREFIXED.search(part):
        for m in _ROW.finditer(part):
            r = _ROW_NUMBER.search(m.group(1))
            yield (int(r.group(1)) if r else 0), m.group(2) or b""
        return
    for piece in part.split(b"</row>")[:-1]:
        start = piece.rfind(b"<row")  # empty <row .../> before it hold nothing...
        close = piece.find(b">", start)
        r = _ROW_NUMBER.search(piece, start, close)
        if r is None:  # ...but a number, which the next row without its own follows
            before = _ROW_NUMBER.findall(piece, 0, start)
            yield (int(before[-1]) + 1 if before else 0), piece[close + 1:]
        else:
            yield int(r.group(1)), piece[close + 1:]


def _cells_of(row: bytes) -> list[tuple[bytes, bytes, bytes, bytes]]:
    """(column letters, type, style, content) of each cell with content."""
    if b"<c " not in row and b"<c>" not in row:
        return [(m.group(1), m.group(2), m.group(3), m.group(4)) for m in _CELL_RE.finditer(row)]
    # Excel and openpyxl write every cell as <c r="B2" s="1" t="s">, in that order: one
    # findall reads such a row (a third faster); a row with any other cell goes the long way.
    strict = _STRICT_CELL.findall(row) if b"<c>" not in row else ()
    if strict and len(strict) == row.count(b"<c "):
        return [(letters, kind, style, body) for letters, style, kind, body in strict if body]
    out = []
    for piece in row.replace(b"<c>", b"<c >").split(b"<c ")[1:]:
        close = piece.find(b">")
        if close < 0 or piece[close - 1:close] == b"/":
            continue  # <c r="B2" s="1"/>: a formatted cell without a value
        attrs = b" " + piece[:close]
        out.append((_attr(attrs, b' r="', letters=True), _attr(attrs, b' t="'),
                    _attr(attrs, b' s="'), piece[close + 1:piece.rfind(b"</c>")]))
    return out


def _attr(attrs: bytes, name: bytes, letters: bool = False) -> bytes:
    at = attrs.find(name)
    if at < 0:
        return b""
    at += len(name)
    value = attrs[at:attrs.find(b'"', at)]
    return value.rstrip(b"0123456789") if letters else value


_STRICT_CELL = re.compile(rb'<c r="([A-Z]{1,3})\d*"(?: s="(\d+)")?(?: t="(\w+)")?(?:/>|>(.*?)</c>)', re.S)
_PREFIXED = re.compile(rb"<\w+:row\b")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
# A cell's column, type and style (in whatever order its attributes come) and its content.
_CELL_RE = re.compile(rb"<" + _P + rb'c\b(?=[^>]*?\br="([A-Za-z]+))?(?=[^>]*?\bt="(\w+)")?'
                      rb'(?=[^>]*?\bs="(\d+)")?[^>]*?(?:/>|>(.*?)</' + _P + rb"c>)", re.S)


def _row_values(row: bytes, strings: SharedStrings, dates: frozenset[int], epoch: date) -> list[Any]:
    values: list[Any] = []
    for position, (letters, kind, style, body) in enumerate(_cells_of(row)):
        if not body:
            continue
        index = _column_of(letters) if letters else position
        if index >= len(values):
            values.extend([None] * (index + 1 - len(values)))
        if b"f" in body and (formula := _F.search(body)) is not None:
            values[index] = Formula("=" + _text_of(formula.group(1) or b""))
            continue
        if kind == b"inlineStr":
            text = _INLINE.get(body)
            if text is None:  # a sheet repeats its texts: each (short one) is decoded once
                if len(_INLINE) > 50_000:
                    _INLINE.clear()
                text = "".join(_text_of(t) for t in _T.findall(body))
                if len(body) <= 128:  # the cache outlives the import: long texts stay out
                    _INLINE[body] = text
            values[index] = text
            continue
        if body.startswith(b"<v>") and body.endswith(b"</v>"):  # the usual, unprefixed form
            raw = body[3:-4]
        else:
            v = _V.search(body)
            if v is None:
                continue
            raw = v.group(1)
        if kind == b"s":
            values[index] = strings[int(raw)]
        elif kind in (b"str", b"e"):
            values[index] = _text_of(raw)
        elif kind == b"b":
            values[index] = raw.strip() == b"1"
        elif kind == b"d":
            values[index] = datetime.fromisoformat(raw.decode())
        else:
            number = float(raw)
            if style and dates and int(style) in dates:
                day = epoch + timedelta(days=int(number))
                # A date with a time of day (an export's created_at) keeps its time.
                values[index] = day if number.is_integer() else \
                    datetime(day.year, day.month, day.day) + timedelta(days=number % 1)
            else:
                values[index] = int(number) if number.is_integer() and b"E" not in raw else number
    return values


# -- legacy Vietnamese encodings ------------------------------------------------------------
# Text typed with a TCVN3 (ABC) font and read as Unicode shows symbols from Latin-1's upper
# half inside words ("Hµm TrÝ" for "Hàm Trí", "®" for "đ"); VNI shows letters Vietnamese
# never uses ("Haøm", "Höng", "ñ" for "đ"). Real Vietnamese text has neither.
_LEGACY_SYMBOL = "[\u00a1-\u00af\u00b1\u00b4-\u00bf]"  # not °, ², ³ (m², 30°)
_TCVN3 = re.compile(rf"[^\W\d_]{_LEGACY_SYMBOL}|{_LEGACY_SYMBOL}[^\W\d_]|®\S")
_UNICODE_VI = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
_VNI = re.compile(r"[a-zA-Z][øïöäëüñÿåæç]|[ØÏÖÄËÜÑ]")


def legacy_encoding(text: str) -> str | None:
    """'TCVN3 (ABC)' or 'VNI' if the text looks typed in that legacy encoding, else None.
    Unicode Vietnamese has letters beyond Latin-1 (ạ, ă, đ, ơ, ư...); text in the old fonts,
    read as Unicode, never does."""
    if not text or text.isascii() or _UNICODE_VI.search(text):
        return None
    if _VNI.search(text):
        return "VNI"
    if _TCVN3.search(text):
        return "TCVN3 (ABC)"
    return None
