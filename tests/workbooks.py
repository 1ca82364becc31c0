"""Workbooks built part by part for tests, large parts streamed into the zip so that building a
bomb never holds what it unpacks to: one shared string of 400 MB, a million small ones, a
sheet of endless rows, a part that lies about its size. Beside them, an .ods written by hand
and a real Excel 97–2003 .xls (xlwt, a test dependency)."""

import io
import os
import struct
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
WORKBOOK = (HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>').encode()
RELS = (HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>').encode()
# The package's own relationships: where its workbook is (every writer gives them; calamine
# finds the workbook by them).
ROOT_RELS = (HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
             'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
             '</Relationships>').encode()
# A header row whose first cell is shared string 0: reading the sheet needs the strings.
SHEET = (HEAD + f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v>'
         '</c></row></sheetData></worksheet>').encode()

Part = bytes | Iterable[bytes]


def book(**parts: Part) -> bytes:
    """An .xlsx of the minimal parts, with the given ones added or replaced (named by path
    with '/' written as '__': xl__sharedStrings_xml is xl/sharedStrings.xml)."""
    named: dict[str, Part] = {"_rels/.rels": ROOT_RELS, "xl/workbook.xml": WORKBOOK,
                              "xl/_rels/workbook.xml.rels": RELS, "xl/worksheets/sheet1.xml": SHEET}
    named.update({k.replace("__", "/").replace("_xml", ".xml"): v for k, v in parts.items()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in named.items():
            if isinstance(content, bytes):
                z.writestr(name, content)
                continue
            with z.open(name, "w") as f:
                for block in content:
                    f.write(block)
    return out.getvalue()


def strings(*texts: Iterable[bytes]) -> Iterator[bytes]:
    """xl/sharedStrings.xml around the given pieces of XML."""
    yield (HEAD + f'<sst xmlns="{MAIN}">').encode()
    for pieces in texts:
        yield from pieces
    yield b"</sst>"


def repeated(piece: bytes, total: int) -> Iterator[bytes]:
    """`piece` repeated up to `total` bytes, a MiB at a time."""
    block = piece * max(1, (1 << 20) // len(piece))
    for _ in range(total // len(block)):
        yield block


def one_huge_string(size: int) -> bytes:
    """One shared string of `size` bytes of 'a': packed a thousand times (the issue's file)."""
    return book(xl__sharedStrings_xml=strings([b"<si><t>"], repeated(b"a", size),
                                              [b"</t></si>"]))


def one_long_random_string(size: int) -> bytes:
    """One shared string of random letters: packs like text, no tighter."""
    return book(xl__sharedStrings_xml=strings([b"<si><t>", os.urandom(size // 2).hex().encode(),
                                               b"</t></si>"]))


def many_strings(count: int) -> bytes:
    """`count` different small shared strings (numbers written out: no tighter than text)."""
    def entries() -> Iterator[bytes]:
        for start in range(0, count, 10_000):
            yield b"".join(b"<si><t>%d</t></si>" % (i * 7919 % 1_000_003)
                           for i in range(start, min(count, start + 10_000)))
    return book(xl__sharedStrings_xml=strings(entries()))


def huge_sheet(size: int) -> bytes:
    """A sheet of the same row repeated to `size` bytes."""
    row = b'<row><c t="inlineStr"><is><t>T-HT</t></is></c><c><v>100000</v></c></row>'
    sheet = [(HEAD + f'<worksheet xmlns="{MAIN}"><sheetData>').encode(), *repeated(row, size),
             b"</sheetData></worksheet>"]
    return book(xl__worksheets__sheet1_xml=sheet)


def lying(data: bytes, name: str, declared: int) -> bytes:
    """The workbook with part `name`'s uncompressed size rewritten to `declared`, in its
    local header and the central directory alike (no zip64 extra written for it)."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(name)
    at = info.header_offset
    assert raw[at:at + 4] == b"PK\x03\x04"
    struct.pack_into("<L", raw, at + 22, declared)
    central = raw.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46:central + 46 + name_len] == name.encode():
            struct.pack_into("<L", raw, central + 24, declared)
            return bytes(raw)
        central = raw.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{name} not in the central directory")


# -- OpenDocument (.ods), written by hand: nothing on this machine writes one ----------------
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2"')
_ODS_MANIFEST = (HEAD + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                 'xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
                 'manifest:full-path="/" manifest:media-type="' + ODS_MIME.decode() + '"/>'
                 '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type='
                 '"text/xml"/></manifest:manifest>').encode()


def _ods_cell(value: Any, span: tuple[int, int] | None = None) -> str:
    spanned = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"' \
        if span else ""
    if value is None or value == "":
        return f"<table:table-cell{spanned}/>"
    if isinstance(value, str) and value.startswith("="):  # a formula, its value 0
        return (f'<table:table-cell{spanned} table:formula={quoteattr("of:" + value)} '
                'office:value-type="float" office:value="0"><text:p>0</text:p></table:table-cell>')
    if isinstance(value, bool):
        kind = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, (int, float)):
        kind = f'office:value-type="float" office:value="{value}"'
    elif isinstance(value, (date, datetime)):
        kind = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    else:
        kind = 'office:value-type="string"'
    return f"<table:table-cell{spanned} {kind}><text:p>{escape(str(value))}</text:p></table:table-cell>"


def ods(rows: Sequence[Sequence[Any]], *, sheets: Sequence[str] = ("Dữ liệu",),
        merged: dict[tuple[int, int], tuple[int, int]] | None = None,
        content: bytes | None = None) -> bytes:
    """An .ods of `rows` (str, numbers, dates, bool, None; a text starting with '=' is a
    formula) on the last of `sheets` (the ones before it are empty), as LibreOffice lays one
    out: the mimetype first and stored, the manifest, content.xml. `merged`: (row, column),
    zero-based → (rows, columns) it spans; a spanned cell is written as covered."""
    merged = merged or {}
    covered = {(r + i, c + j) for (r, c), (h, w) in merged.items()
               for i in range(h) for j in range(w) if i or j}

    def table() -> Iterator[str]:
        for r, cells in enumerate(rows):
            yield "<table:table-row>"
            for c, value in enumerate(cells):
                yield "<table:covered-table-cell/>" if (r, c) in covered \
                    else _ods_cell(value, merged.get((r, c)))
            yield "</table:table-row>"

    if content is None:
        body = "".join(f'<table:table table:name={quoteattr(name)}><table:table-row><table:table-cell/>'
                       "</table:table-row></table:table>" for name in sheets[:-1])
        body += f"<table:table table:name={quoteattr(sheets[-1])}>" + "".join(table()) + "</table:table>"
        content = (HEAD + f"<office:document-content {_ODS_NS}><office:body><office:spreadsheet>"
                   + body + "</office:spreadsheet></office:body></office:document-content>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODS_MIME, compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        z.writestr("content.xml", content)
    return out.getvalue()


# -- Excel 97–2003 (.xls, BIFF8), written by xlwt as commune offices' old Excel saves one -----
def xls(rows: Sequence[Sequence[Any]], *, title: str | None = None, name: str = "Dữ liệu",
        before: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
        after: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (), hidden: Collection[str] = (),
        date_format: str = "DD/MM/YYYY") -> bytes:
    """An .xls of `rows` (str, int, float, bool, date, datetime, None: a blank cell) on sheet
    `name`, between the sheets `before` and `after` ((name, rows) each); the sheets named in
    `hidden` are hidden. A date is a real Excel date cell (a number shown in `date_format`).
    `title`: a row above the rows, merged across as many columns as the widest row has, as
    commune offices head their sheets."""
    import xlwt

    book = xlwt.Workbook()
    day, moment = xlwt.easyxf(num_format_str=date_format), \
        xlwt.easyxf(num_format_str=date_format + " HH:MM")

    def write(sheet: Any, at: int, cells: Sequence[Any]) -> None:
        for c, value in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, datetime):
                sheet.write(at, c, value, moment)
            elif isinstance(value, date):
                sheet.write(at, c, value, day)
            else:
                sheet.write(at, c, value)

    for sheet_name, sheet_rows in [*before, (name, rows), *after]:
        sheet = book.add_sheet(sheet_name)
        sheet.visibility = 1 if sheet_name in hidden else 0
        top = 0
        if title is not None and sheet_name == name:
            width = max((len(r) for r in rows), default=1)
            sheet.write_merge(0, 0, 0, width - 1, title)
            top = 1
        for r, cells in enumerate(sheet_rows):
            write(sheet, top + r, cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls_small(data: bytes) -> bytes:
    """The same workbook in a compound file of our own whose "Workbook" stream, under 4 KiB
    once xlwt's padding is cut, is kept in the mini stream, as other writers keep small
    ones (xlwt always pads to 4 KiB): header, FAT, directory, mini FAT, mini stream."""
    from app.services.imports.biff import workbook_stream

    stream = workbook_stream(data).rstrip(b"\0") + b"\0" * 3  # it ends with EOF: 0A 00 00 00
    assert stream.endswith(b"\x0a\0\0\0") and len(stream) < 4096, len(stream)
    free, end, fat_mark, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    minis = -(-len(stream) // 64)
    mini = stream.ljust(minis * 64, b"\0")
    data_sectors = -(-len(mini) // 512)
    fat = [fat_mark, end, end] + [3 + i + 1 for i in range(data_sectors - 1)] + [end]
    mini_fat = [i + 1 for i in range(minis - 1)] + [end]

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name.encode("utf-16-le") + b"\0\0") if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBBLLL", len(raw), kind, 1, none, none, child)
                + b"\0" * 36 + struct.pack("<LQ", start, size))

    directory = (entry("Root Entry", 5, 1, 3, len(mini)) + entry("Workbook", 2, none, 0, len(stream))
                 + entry("", 0, none, 0, 0) * 2)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<LLLLLLLLL", 0, 1, 1, 0, 4096, 2, 1, end, 0)
              + struct.pack("<109L", 0, *[free] * 108))

    def sector(values: list[int]) -> bytes:
        return struct.pack(f"<{len(values)}L", *values).ljust(512, b"\xff")

    return header + sector(fat) + directory + sector(mini_fat) + mini.ljust(data_sectors * 512, b"\0")


def rss_mb() -> float:
    """This process's resident memory now, in MB (the test server runs in it)."""
    return _status("VmRSS")


def peak_mb() -> float:
    return _status("VmHWM")


def reset_peak() -> None:
    """Start the peak (VmHWM) afresh at the current resident size (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _status(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise AssertionError(field)

