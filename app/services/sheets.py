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
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from app.db.search import fold

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Excel's built-in number formats that show a date (or a date and time).
DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57})
# Sheets of a template that hold instructions or lists, not records.
HELP_SHEETS = ("huong dan", "danh muc", "instructions", "lists")
CONVERT_HINT = ("Hãy mở tệp bằng Unikey: Công cụ chuyển mã (Ctrl+Shift+F6), chọn bảng mã nguồn "
                "TCVN3 (ABC) hoặc VNI Windows, bảng mã đích Unicode, chuyển mã rồi lưu lại dạng "
                ".xlsx hoặc CSV UTF-8 và nhập lại.")


class FileProblem(Exception):
    """The file as a whole cannot be read (type, encoding, structure); nothing is imported."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula: reported, never evaluated nor imported."""

    text: str


@dataclass
class Sheet:
    """A file's rows as (row number, cell values), and what was found only at the end."""

    rows: Iterator[tuple[int, list[Any]]]
    merged: list[str] = field(default_factory=list)  # ranges like "A7:B9", filled as read


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

    return Sheet(rows())


# -- XLSX -----------------------------------------------------------------------------------
def _xlsx(stream: IO[bytes]) -> Sheet:
    try:
        book = zipfile.ZipFile(stream)
        names = set(book.namelist())
        path, date1904 = _first_sheet(book)
    except (zipfile.BadZipFile, KeyError, SyntaxError) as exc:
        raise FileProblem("Tệp .xlsx bị hỏng hoặc không phải bảng tính Excel "
                          f"({type(exc).__name__}). Hãy mở lại bằng Excel và lưu thành .xlsx.", 415) from None
    strings = _shared_strings(book) if "xl/sharedStrings.xml" in names else []
    dates = _date_styles(book) if "xl/styles.xml" in names else frozenset()
    epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
    sheet = Sheet(iter(()))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with book.open(path) as f:
            data = None
            number = 0
            for event, el in iterparse(f, events=("start", "end")):
                tag = el.tag
                if event == "start":
                    if tag == MAIN + "sheetData":
                        data = el
                    continue
                if tag == MAIN + "row":
                    number = int(el.get("r") or number + 1)
                    yield number, _row_values(el, strings, dates, epoch)
                    if data is not None:
                        data.clear()  # what was read is let go: memory stays flat
                elif tag == MAIN + "mergeCell":
                    sheet.merged.append(el.get("ref", ""))

    sheet.rows = rows()
    return sheet


def _first_sheet(book: zipfile.ZipFile) -> tuple[str, bool]:
    """The path of the first visible sheet that is not a template's instructions or lists,
    and whether the workbook counts dates from 1904."""
    rels = {}
    with book.open("xl/_rels/workbook.xml.rels") as f:
        for _, el in iterparse(f):
            if el.tag == PKG_REL + "Relationship":
                target = el.get("Target", "")
                rels[el.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    sheets, date1904 = [], False
    with book.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if el.tag == MAIN + "workbookPr":
                date1904 = el.get("date1904") in ("1", "true")
            elif el.tag == MAIN + "sheet" and el.get("state", "visible") == "visible":
                sheets.append((el.get("name", ""), rels[el.get(REL + "id")]))
    if not sheets:
        raise FileProblem("Bảng tính không có trang (sheet) nào đang hiện.")
    for name, path in sheets:
        if not fold(name).startswith(HELP_SHEETS):
            return path, date1904
    return sheets[0][1], date1904


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    out: list[str] = []
    with book.open("xl/sharedStrings.xml") as f:
        for _, el in iterparse(f):
            if el.tag == MAIN + "si":
                out.append("".join(t.text or "" for t in el.iter(MAIN + "t")))
                el.clear()
    return out


_DATE_CODE = re.compile(r"[dmy]", re.IGNORECASE)


def _date_styles(book: zipfile.ZipFile) -> frozenset[int]:
    """The style indexes whose number format shows a date."""
    custom: dict[int, bool] = {}
    styles: list[int] = []
    with book.open("xl/styles.xml") as f:
        in_xfs = False
        for event, el in iterparse(f, events=("start", "end")):
            if el.tag == MAIN + "numFmt" and event == "end":
                code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", el.get("formatCode", ""))
                custom[int(el.get("numFmtId", "0"))] = bool(_DATE_CODE.search(code))
            elif el.tag == MAIN + "cellXfs":
                in_xfs = event == "start"
            elif el.tag == MAIN + "xf" and event == "start" and in_xfs:
                styles.append(int(el.get("numFmtId", "0")))
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


_COLUMNS: dict[str, int] = {}
_F, _V, _IS, _T = MAIN + "f", MAIN + "v", MAIN + "is", MAIN + "t"


def _column_of(ref: str) -> int:
    letters = ref.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        index = _COLUMNS[letters] = column_index(letters)
    return index


def _row_values(row: Any, strings: list[str], dates: frozenset[int], epoch: date) -> list[Any]:
    values: list[Any] = []
    for position, c in enumerate(row):
        ref = c.get("r")
        index = _column_of(ref) if ref else position
        if index >= len(values):
            values.extend([None] * (index + 1 - len(values)))
        text = None
        for child in c:  # <f>, <v> or <is>, read in one pass
            tag = child.tag
            if tag == _F:
                values[index] = Formula("=" + (child.text or ""))
                break
            if tag == _V:
                text = child.text
            elif tag == _IS:
                values[index] = "".join(t.text or "" for t in child.iter(_T))
                break
        else:
            if text is None:
                continue
            kind = c.get("t")
            if kind == "s":
                values[index] = strings[int(text)]
            elif kind in ("str", "e", "inlineStr"):
                values[index] = text
            elif kind == "b":
                values[index] = text == "1"
            elif kind == "d":
                values[index] = datetime.fromisoformat(text)
            else:
                number = float(text)
                style = c.get("s")
                if style is not None and dates and int(style) in dates:
                    day = epoch + timedelta(days=int(number))
                    # A date with a time of day (an export's created_at) keeps its time.
                    values[index] = day if number.is_integer() else \
                        datetime(day.year, day.month, day.day) + timedelta(days=number % 1)
                else:
                    values[index] = int(number) if number.is_integer() and "E" not in text else number
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
