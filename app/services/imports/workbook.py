"""A workbook opened with care, before calamine reads it (app/services/imports/book.py). An
.xlsx or .ods is a zip of XML parts, and a few hundred KiB of zip can unpack to gigabytes: one
shared string of 400 MB, millions of tiny ones, a sheet of endless rows; and calamine holds a
sheet as a grid of every cell from A1 to its last, so a 5 KB sheet with one value in A1 and
one in XFD1048576 asks for 550 GB at once, which ends the whole process.

So, before calamine sees the file, the archive's own directory is checked: how many parts,
their declared sizes, in total, and how tightly they are packed. Then every part is unpacked
once as a stream, counting what it really holds (a part may lie about its size), and the sheet
to be read is scanned (app/services/imports/scan.py) for how far its cells reach, its formulas
and (.ods) its merged cells. An .xls is bounded by its file's size. Every limit lives here;
every refusal says in Vietnamese what was too large (413) or why it is no workbook (415).
"""

import logging
import struct
import zipfile
import zlib
from collections.abc import Callable
from types import TracebackType
from typing import IO, Any
from xml.parsers import expat

from app.vn import print_number

log = logging.getLogger(__name__)

MB = 1 << 20
# -- limits ---------------------------------------------------------------------------------
MAX_PARTS = 10_000  # files inside the zip: Excel writes a few dozen
MAX_PART_BYTES = 512 * MB  # one part unpacked: a 200 000-row sheet of 30 columns is ~300 MB
MAX_BOOK_BYTES = 1024 * MB  # all parts unpacked together
# Sheets compress 5 to 30 times; deflate's ceiling is about 1 000. A big part packed tighter
# than this is made to unpack, not to be read.
MAX_RATIO = 100
RATIO_FROM = 4 * MB  # smaller parts may pack as tight as they like
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell's text
MAX_SHARED_STRINGS = 1_000_000  # distinct texts: five per row of the largest import
MAX_SHARED_BYTES = 64 * MB  # the shared strings' part, unpacked
MAX_ROW_BYTES = 16 * MB  # one row's XML in a sheet, or what follows its last row
MAX_COLUMNS = 16_384  # Excel's last column, XFD
MAX_SHEETS = 1_000  # sheets listed in the workbook
# calamine holds the sheet as a grid from its first to its last row and column, 32 bytes a
# cell: 8 million cells are 256 MB, 200 000 rows (an import's most) of 40 columns.
MAX_CELLS = 8_000_000
MAX_XLS_BYTES = 64 * MB  # an Excel 97–2003 file: 65 536 rows of 256 columns at most
# What the process that reads an .xls may hold (address space): a full sheet of 65 536 rows
# and 30 columns takes calamine some 100 MB.
MAX_ASIDE_MEMORY = 1024 * MB

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships}"
_READ = 1 << 16


class FileProblem(Exception):
    """The file as a whole cannot be read (type, encoding, structure, size); nothing is
    imported."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message, self.status = message, status

    def __reduce__(self) -> tuple[Any, ...]:  # sent back whole by the .xls reader's process
        return (FileProblem, (self.message, self.status))


def too_large(what: str) -> FileProblem:
    return FileProblem(f"Tệp quá lớn để đọc: {what}. Một bảng tính nhập liệu không cần lớn "
                       "như vậy; có thể tệp bị hỏng hoặc cố ý làm phình to. Hãy mở tệp bằng "
                       "Excel, xóa phần thừa rồi lưu lại; dữ liệu nhiều thì chia thành nhiều "
                       "tệp nhỏ hơn.", 413)


def _megabytes(size: int) -> str:
    return f"{print_number(-(-size // MB))} MB"


def damaged(exc: BaseException, kind: str = "xlsx") -> FileProblem:
    # The reader's own error (a library's class name) is for the log, not for the clerk.
    log.info("unreadable .%s: %s: %s", kind, type(exc).__name__, exc)
    return FileProblem(f"Tệp .{kind} bị hỏng hoặc không phải bảng tính. Hãy mở lại bằng Excel "
                       "và lưu thành .xlsx.", 415)


def too_wide(rows: int, columns: int) -> FileProblem:
    from app.services.imports.sheets import column_letter

    return too_large(f"ô có dữ liệu trải tới dòng {print_number(rows)}, cột "
                     f"{column_letter(columns - 1)}: {print_number(rows * columns)} ô (tối đa "
                     f"{print_number(MAX_CELLS)}); có thể có ô lạc ở rất xa bên dưới hoặc bên phải")


# -- the archive, before anything is read ---------------------------------------------------
def open_book(stream: IO[bytes]) -> zipfile.ZipFile:
    """The zip of a workbook (.xlsx, .ods) whose directory promises nothing outside the
    limits."""
    parts = _parts_declared(stream)
    if parts is not None and parts > MAX_PARTS:
        raise too_large(f"tệp nén chứa {print_number(parts)} phần, một bảng tính chỉ vài chục")
    try:
        book = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error) as exc:
        raise damaged(exc) from None
    total = 0
    for info in book.infolist():
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) \
                or info.flag_bits & 1:  # another packing (bzip2, lzma...) or a password
            raise FileProblem(f"Phần '{info.filename[:80]}' của tệp được nén hoặc khóa theo "
                              "cách Excel không dùng: tệp không phải bảng tính của Excel. "
                              "Hãy mở bằng Excel và lưu lại thành .xlsx.", 415)
        if info.file_size > MAX_PART_BYTES:
            raise too_large(f"phần '{info.filename[:80]}' giải nén ra "
                            f"{_megabytes(info.file_size)} (tối đa {_megabytes(MAX_PART_BYTES)})")
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
            raise too_large(f"phần '{info.filename[:80]}' nén chặt bất thường, "
                            f"{_megabytes(info.compress_size)} giải nén ra "
                            f"{_megabytes(info.file_size)}")
        total += info.file_size
    if total > MAX_BOOK_BYTES:
        raise too_large(f"giải nén ra {_megabytes(total)} (tối đa {_megabytes(MAX_BOOK_BYTES)})")
    return book


def unpack_all(book: zipfile.ZipFile, skip: Callable[[str], bool] | None = None) -> None:
    """Every part unpacked once and thrown away, its real size bounded and its checksum
    checked: calamine then reads nothing bigger than declared, nor damaged."""
    for info in book.infolist():
        if skip and skip(info.filename):
            continue
        with Part(book, info.filename) as part:
            while part.read(_READ):
                pass


def check_xls(stream: IO[bytes]) -> None:
    """An Excel 97–2003 file is no zip: its size is all there is to check before reading."""
    size = stream.seek(0, 2)
    stream.seek(0)
    if size > MAX_XLS_BYTES:
        raise too_large(f"tệp .xls nặng {_megabytes(size)} (tối đa {_megabytes(MAX_XLS_BYTES)})")


_END = struct.Struct("<4s4H2LH")  # end of central directory
_END64 = struct.Struct("<4sQ2H2L4Q")  # its zip64 form, just before the zip64 locator (20 bytes)


def _parts_declared(stream: IO[bytes]) -> int | None:
    """How many parts the zip's last record declares, read before its directory is loaded
    (loading half a million entries costs some 100 MB by itself); None if not found."""
    size = stream.seek(0, 2)
    start = max(0, size - _END.size - 0xFFFF)  # the record is followed by a comment ≤ 64 KiB
    stream.seek(start)
    tail = stream.read()
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _END.size:
        return None
    count = _END.unpack_from(tail, at)[4]
    if count != 0xFFFF:
        return int(count)
    at64 = start + at - 20 - _END64.size
    if at64 < 0:
        return None
    stream.seek(at64)
    record = stream.read(_END64.size)
    stream.seek(0)
    if len(record) < _END64.size or not record.startswith(b"PK\x06\x06"):
        return None
    return int(_END64.unpack(record)[7])


# -- reading a part -------------------------------------------------------------------------
class Part:
    """One part's unpacked bytes, counted as they are read: refused past `limit`
    (MAX_PART_BYTES) whatever the directory declared; a damaged part is a damaged file."""

    def __init__(self, book: zipfile.ZipFile, name: str, limit: int | None = None) -> None:
        self.name, self.seen, self.limit = name, 0, limit or MAX_PART_BYTES
        try:
            self._raw = book.open(name)
        except (zipfile.BadZipFile, KeyError, zlib.error, EOFError, OSError,
                NotImplementedError) as exc:
            raise damaged(exc) from None

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.limit + 1 - self.seen
        try:
            data = self._raw.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # damaged inside
            raise damaged(exc) from None
        self.seen += len(data)
        if self.seen > self.limit:
            raise too_large(f"phần '{self.name[:80]}' giải nén ra hơn "
                            f"{_megabytes(self.limit)}")
        return data

    def __enter__(self) -> "Part":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._raw.close()


def parse(part: Part, start: Callable[[str, dict[str, str]], None],
          end: Callable[[str], None] | None = None,
          text: Callable[[str], None] | None = None) -> None:
    """Feed a part to expat a block at a time, calling back per element: no tree is built.
    Names come as 'namespace}local'. OOXML never declares a DTD: one that does (and with it
    entities that expand) is refused."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.buffer_size = _READ

    def no_dtd(*_: Any) -> None:
        raise FileProblem(f"Phần '{part.name[:80]}' của tệp khai báo DTD, điều Excel không bao "
                          "giờ viết: tệp không phải bảng tính của Excel.", 415)

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    try:
        while block := part.read(_READ):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError,
            ValueError) as exc:
        raise damaged(exc) from None
