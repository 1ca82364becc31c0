"""Workbooks built part by part for tests, large parts streamed into the zip so that building a
bomb never holds what it unpacks to: one shared string of 400 MB, a million small ones, a
sheet of endless rows, a part that lies about its size."""

import io
import os
import struct
import zipfile
from collections.abc import Iterable, Iterator

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
# A header row whose first cell is shared string 0: reading the sheet needs the strings.
SHEET = (HEAD + f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v>'
         '</c></row></sheetData></worksheet>').encode()

Part = bytes | Iterable[bytes]


def book(**parts: Part) -> bytes:
    """An .xlsx of the minimal parts, with the given ones added or replaced (named by path
    with '/' written as '__': xl__sharedStrings_xml is xl/sharedStrings.xml)."""
    named: dict[str, Part] = {"xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": RELS,
                              "xl/worksheets/sheet1.xml": SHEET}
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

