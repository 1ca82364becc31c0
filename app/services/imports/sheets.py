"""Reading a clerk's file row by row: a workbook (.xlsx, Excel 97–2003 .xls, OpenDocument
.ods: app/services/imports/book.py, through calamine) or a .csv (UTF-8, with or without a
byte-order mark, comma, semicolon or tab separated), told apart by their content.

A file typed in a legacy Vietnamese encoding (TCVN3/ABC or VNI fonts) is refused with the
way to convert it, never read as garbled text (`legacy_encoding`).
"""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from app.services.exports import unguarded
from app.services.imports.workbook import FileProblem

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


# What an upload may be: the page's file input offers these, and the messages name them.
ACCEPTED = (".xlsx", ".xls", ".ods", ".csv")
ACCEPTED_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "application/vnd.ms-excel", "application/vnd.oasis.opendocument.spreadsheet",
                  "text/csv")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97–2003 file (or a .doc: calamine tells)
_ODS = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet"


def open_file(stream: IO[bytes], filename: str) -> Sheet:
    """A sheet of the uploaded file, by its content (the name only breaks a tie)."""
    head = stream.read(128)
    stream.seek(0)
    name = filename.lower()
    if not head:
        raise FileProblem("Tệp trống: không có dòng nào để nhập.")
    kind = None
    if head.startswith(_OLE):
        kind = "xls"
    elif head.startswith(b"PK\x03\x04"):
        # An OpenDocument file names its type first, unpacked (ODF 1.2, part 3, 3.3).
        kind = "ods" if head[30:30 + len(_ODS)] == _ODS else "xlsx"
        if kind == "xlsx" and name.endswith((".docx", ".odt", ".zip", ".pptx")):
            raise FileProblem(_wrong_type(filename), 415)
    if kind is not None:
        if name.endswith((".doc", ".ppt", ".msg")):
            raise FileProblem(_wrong_type(filename), 415)
        from app.services.imports.book import read_book  # it reads into this module's Sheet

        return read_book(stream, kind)
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise FileProblem(_not_a_workbook(filename), 415)
    if name.endswith((".pdf", ".docx", ".doc")) or b"\x00" in head[:8]:
        raise FileProblem(_wrong_type(filename), 415)
    return _csv(stream)


def _wrong_type(filename: str) -> str:
    return (f"Không đọc được tệp '{filename}': chỉ nhận bảng tính Excel (.xlsx, .xls), "
            "OpenDocument (.ods) hoặc tệp CSV (UTF-8). Hãy tải mẫu nhập trên trang này, điền "
            "vào rồi gửi lại.")


def _not_a_workbook(filename: str) -> str:
    """A name that says workbook on what is none: often a web page or text that a program
    exported with an .xls name, which Excel opens with a warning."""
    ending = filename.rsplit(".", 1)[-1].lower()
    return (f"Tệp '{filename}' mang đuôi .{ending} nhưng không phải bảng tính: có thể là trang "
            f"web hoặc văn bản mà một phần mềm xuất ra rồi đặt đuôi .{ending}, hoặc tệp đã hỏng. "
            "Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) kiểu Excel Workbook (.xlsx) rồi "
            "nhập lại.")


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
                yield reader.line_num, [unguarded(c) for c in cells]
        except UnicodeDecodeError:
            raise FileProblem(f"Từ dòng {reader.line_num + 1}, tệp không còn ở bảng mã UTF-8. "
                              + CONVERT_HINT) from None
        except csv.Error as exc:
            raise FileProblem(f"Dòng {reader.line_num}: tệp CSV hỏng ({exc}).") from None

    return Sheet(rows(), size=lines)


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



# -- legacy Vietnamese encodings ------------------------------------------------------------
# Text typed with a TCVN3 (ABC) font and read as Unicode shows symbols from Latin-1's upper
# half inside words ("Hµm TrÝ" for "Hàm Trí", "®" for "đ"); VNI shows letters Vietnamese
# never uses ("Haøm", "Höng", "ñ" for "đ"). Real Vietnamese text has neither. TCVN3 also puts
# lowercase toned vowels on Latin-1's capitals ("TiÒn mÆt" for "Tiền mặt"), and VNI writes a
# vowel's circumflex, breve or tone as a second letter after it ("Nguyeãn Vaên", "Traàn"):
# no Vietnamese word has a capital after a small letter, nor â, ê after a, e, o, nor a toned
# a after a or e.
_LEGACY_SYMBOL = "[\u00a1-\u00af\u00b1\u00b4-\u00bf]"  # not °, ², ³ (m², 30°)
_TCVN3 = re.compile(rf"[^\W\d_]{_LEGACY_SYMBOL}|{_LEGACY_SYMBOL}[^\W\d_]|®\S"
                    "|[a-z][\u00c0-\u00d6\u00d8-\u00de]")  # not × (2×3)
_UNICODE_VI = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
_VNI = re.compile(r"[a-zA-Z][øïöäëüñÿåæç]|[ØÏÖÄËÜÑ]|[aeoAEO][âêÂÊ]|[aeAE][àáãÀÁÃ]")


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
