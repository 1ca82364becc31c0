"""The formulas of an Excel 97–2003 (.xls) sheet, which calamine does not give: an import
refuses a formula's cell in an .xls as in an .xlsx or .ods (book.py), instead of reading the
value saved with it (none, from some writers).

An .xls is a compound file (MS-CFB): sectors chained by a table (the FAT), a directory of
streams, small streams in a mini stream of their own. Its "Workbook" stream is a run of BIFF8
records; each sheet's starts at the offset its BOUNDSHEET record gives, and each formula's
cell is a FORMULA record naming its row and column (MS-XLS 2.4.127). Run in the .xls reader's
bounded process, after calamine has opened the same bytes; every chain is bounded by the
file's own size, so a damaged file ends in FileProblem, never in a loop.
"""

import struct

from app.services.imports.sheets import Formula
from app.services.imports.workbook import damaged

_END_OF_CHAIN = 0xFFFFFFFE
_BOF, _EOF, _BOUNDSHEET, _FORMULA = 0x0809, 0x000A, 0x0085, 0x0006
SHOWN = "=…"  # what the report shows for such a cell: the formula's text is not read


class DamagedCompoundFile(Exception):
    """A chain, offset or record that leads outside the file or back into itself."""


def _chain(table: list[int], start: int, limit: int) -> list[int]:
    sectors, seen = [], set()
    while start != _END_OF_CHAIN:
        if start >= limit or start in seen:
            raise DamagedCompoundFile("sector chain")
        seen.add(start)
        sectors.append(start)
        start = table[start] if start < len(table) else _END_OF_CHAIN + 1
    return sectors


def _u32s(data: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(data) // 4}L", data[:len(data) // 4 * 4]))


def workbook_stream(data: bytes) -> bytes:
    """The bytes of the compound file's "Workbook" stream; none in an Excel 5/95 file (its
    stream is "Book", its sheets listed otherwise: not scanned)."""
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= shift <= 16 or not 2 <= mini_shift < shift:
        raise DamagedCompoundFile("header")
    size = 1 << shift
    count = max(0, (len(data) - size) // size)  # sectors in the file

    def sector(n: int) -> bytes:
        return data[(n + 1) * size:(n + 2) * size]

    difat = _u32s(data[0x4C:0x200])
    at, extra = struct.unpack_from("<LL", data, 0x44)
    for _ in range(min(extra, count)):  # further DIFAT sectors, each ending with the next's
        if at >= count:
            break
        more = _u32s(sector(at))
        difat, at = difat + more[:-1], more[-1]
    fat = [v for n in difat if n < count for v in _u32s(sector(n))]

    def stream(start: int, length: int) -> bytes:
        return b"".join(sector(n) for n in _chain(fat, start, count))[:length]

    directory = stream(struct.unpack_from("<L", data, 0x30)[0], count * size)
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise DamagedCompoundFile("directory")
    cutoff = struct.unpack_from("<L", data, 0x38)[0]
    for entry in entries:
        length = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[:max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
        if entry[0x42] != 2 or name.lower() != "workbook":
            continue
        start, length = struct.unpack_from("<LL", entry, 0x74)
        if length >= cutoff:
            return stream(start, length)
        root = entries[0]
        mini = stream(*struct.unpack_from("<LL", root, 0x74))
        mini_fat = stream(struct.unpack_from("<L", data, 0x3C)[0], count * size)
        small = 1 << mini_shift
        chain = _chain(_u32s(mini_fat), start, len(mini) // small)
        return b"".join(mini[n * small:(n + 1) * small] for n in chain)[:length]
    return b""


def _sheet_offset(book: bytes, name: str) -> int | None:
    at = 0
    while at + 4 <= len(book):
        kind, length = struct.unpack_from("<HH", book, at)
        body = book[at + 4:at + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            chars, high = body[6], body[7] & 1
            raw = body[8:8 + chars * (2 if high else 1)]
            if (raw.decode("utf-16-le" if high else "latin-1", "replace")) == name:
                return int(struct.unpack_from("<L", body)[0])
        if kind == _EOF:  # the workbook's globals end before the first sheet
            break
        at += 4 + length
    return None


def formulas(data: bytes, sheet: str) -> dict[tuple[int, int], Formula]:
    """(row, column), zero-based, of every formula's cell on the sheet named `sheet`; none
    for an Excel 5/95 file (a "Book" stream), whose sheets are listed otherwise."""
    try:
        book = workbook_stream(data)
        at = _sheet_offset(book, sheet) if book else None
        found: dict[tuple[int, int], Formula] = {}
        if at is None:
            return found
        if book[at:at + 2] != _BOF.to_bytes(2, "little"):
            raise DamagedCompoundFile("sheet offset")
        depth = 0  # a chart drawn on the sheet is a BOF...EOF of its own inside the sheet's
        while at + 4 <= len(book):
            kind, length = struct.unpack_from("<HH", book, at)
            if kind == _BOF:
                depth += 1
            elif kind == _EOF:
                depth -= 1
                if depth <= 0:
                    break
            elif kind == _FORMULA and length >= 4 and depth == 1:
                row, column = struct.unpack_from("<HH", book, at + 4)
                found[(row, column)] = Formula(SHOWN)
            at += 4 + length
        return found
    except (DamagedCompoundFile, struct.error, IndexError) as exc:
        raise damaged(exc, "xls") from None

