"""Workbooks made to fill the memory (zip bombs) are refused, before reading or while reading,
with the server's memory barely moving; a part that lies about its size gains nothing."""

import io
import os
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from app.services.imports import workbook
from app.services.imports.sheets import open_file
from app.services.imports.workbook import FileProblem, Part, open_book
from tests import workbooks as w

# What reading may add at its peak: the longest row allowed (16 MB) held as read and as
# decoded, with the parser's buffers: 53 MB in a fresh process (it passed under 50 only after
# other tests had left freed memory to reuse). The bombs would take 300-400 MB.
GROWTH_MB = 64


def read_all(data: bytes) -> FileProblem:
    """The problem found reading the whole workbook, as an import would; the peak memory the
    reading took beyond what the process held before must stay small."""
    w.reset_peak()
    before = w.rss_mb()
    with pytest.raises(FileProblem) as refused:
        sheet = open_file(io.BytesIO(data), "bom.xlsx")
        for _ in sheet.rows:
            pass
    grown = w.peak_mb() - before
    assert grown < GROWTH_MB, f"reading took {grown:.0f} MB more"
    return refused.value


def endless_row() -> bytes:
    """A sheet whose one row never ends: 24 MB of cells of random text."""
    cells = (b'<c t="inlineStr"><is><t>%s</t></is></c>' % os.urandom(512).hex().encode()
             for _ in range(24 * 1024))
    sheet = [(w.HEAD + f'<worksheet xmlns="{w.MAIN}"><sheetData><row r="1">').encode(), *cells,
             b"</row></sheetData></worksheet>"]
    return w.book(xl__worksheets__sheet1_xml=sheet)


def sheet_xml(rows: bytes, before: str = "") -> bytes:
    return (w.HEAD + before + f'<worksheet xmlns="{w.MAIN}"><sheetData>').encode() + rows + \
        b"</sheetData></worksheet>"


def many_parts() -> bytes:
    out = io.BytesIO(w.book())
    with zipfile.ZipFile(out, "a") as z:
        for i in range(workbook.MAX_PARTS + 1):
            z.writestr(f"customXml/{i}.xml", b"")
    return out.getvalue()


def bzip2_part() -> bytes:
    out = io.BytesIO(w.book())
    with zipfile.ZipFile(out, "a") as z:
        z.writestr("xl/media/x.bin", b"x" * 100, compress_type=zipfile.ZIP_BZIP2)
    return out.getvalue()


BOMBS: dict[str, tuple[Callable[[], bytes], int, str]] = {
    # the file: 400 MB of one shared string, packed into 400 KB
    "one huge string": (lambda: w.one_huge_string(400 << 20), 413, "nén chặt bất thường"),
    # packed no tighter than text: passes the archive check, stopped at Excel's cell limit
    "one long string": (lambda: w.one_long_random_string(2 << 20), 413, "32.767 ký tự"),
    "a million strings": (lambda: w.many_strings(1_100_000), 413, "1.000.000 đoạn chữ"),
    "huge sheet": (lambda: w.huge_sheet(300 << 20), 413, "nén chặt bất thường"),
    "declared too large": (lambda: w.lying(w.book(), "xl/worksheets/sheet1.xml", 600 << 20),
                           413, "tối đa 512 MB"),
    # declares 1 000 bytes, holds 300 MB: read as far as declared, then found damaged
    "lying part": (lambda: w.lying(w.huge_sheet(300 << 20), "xl/worksheets/sheet1.xml", 1000),
                   415, "bị hỏng"),
    "endless row": (endless_row, 413, "dài hơn 16 MB"),
    "column after XFD": (lambda: w.book(xl__worksheets__sheet1_xml=sheet_xml(
        b'<row r="1"><c r="ZZZZZZZZZZ1"><v>1</v></c></row>')), 413, "XFD"),
    "entities": (lambda: w.book(xl__worksheets__sheet1_xml=w.SHEET, xl__workbook_xml=(
        '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">]>'
        + w.WORKBOOK.decode().split("?>", 1)[1]).encode()), 415, "DTD"),
    "ten thousand parts": (many_parts, 413, "phần"),
    "bzip2 part": (bzip2_part, 415, "cách Excel không dùng"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_refused_in_little_memory(name: str) -> None:
    build, status, words = BOMBS[name]
    problem = read_all(build())
    assert problem.status == status, problem.message
    assert words in problem.message, problem.message


def test_all_parts_together_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(workbook, "MAX_BOOK_BYTES", 1 << 20)
    problem = read_all(w.one_long_random_string(2 << 20))
    assert problem.status == 413 and "tối đa 1 MB" in problem.message


def test_reading_a_part_counts_what_it_unpacks(monkeypatch: Any) -> None:
    """Whatever the directory declared, a part stops at the limit as it is read."""
    book = open_book(io.BytesIO(w.one_long_random_string(1 << 20)))
    monkeypatch.setattr(workbook, "MAX_PART_BYTES", 100_000)
    with Part(book, "xl/sharedStrings.xml") as part, pytest.raises(FileProblem) as refused:
        while part.read(1 << 16):
            pass
    assert refused.value.status == 413 and part.seen <= 100_000 + (1 << 16)


def test_a_small_workbook_reads_as_before() -> None:
    data = w.book(xl__sharedStrings_xml=b"".join(w.strings(
        [b'<si><t>M\xc3\xa3 \xc4\x91\xc6\xa1n v\xe1\xbb\x8b</t></si>',
         b'<si><r><t xml:space="preserve">Ng\xc6\xb0\xe1\xbb\x9di </t></r><r><t>g\xc3\xb3p</t></r>'
         b'<rPh><t>x</t></rPh></si>'])),
                  xl__worksheets__sheet1_xml=sheet_xml(
                      b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'))
    rows = list(open_file(io.BytesIO(data), "nho.xlsx").rows)
    assert rows == [(1, ["Mã đơn vị", "Người góp"])]


@pytest.mark.parametrize("cell", [b'<c r="A1" t="s"><v>7</v></c>', b'<c s="0" r="A!1"><v>1</v></c>'])
def test_a_cell_that_points_nowhere_is_a_damaged_file(cell: bytes) -> None:
    data = w.book(xl__worksheets__sheet1_xml=sheet_xml(b'<row r="1">' + cell + b"</row>"))
    problem = read_all(data)
    assert problem.status == 415 and "bị hỏng" in problem.message


def test_shared_strings_bounded(monkeypatch: Any) -> None:
    """Packed no tighter than text, the shared strings pass the archive's check; calamine
    would hold them all: their part is bounded as it is unpacked, before calamine opens it."""
    monkeypatch.setattr(workbook, "MAX_SHARED_BYTES", 1 << 20)
    from app.services.imports import scan

    monkeypatch.setattr(scan, "MAX_SHARED_BYTES", 1 << 20)
    problem = read_all(w.many_strings(200_000))  # some 5 MB of them
    assert problem.status == 413 and "1 MB" in problem.message


@pytest.mark.parametrize("where", ["A1048576", "ZZ200000", "XFD1048576"])
def test_a_far_cell_is_refused_before_calamine_builds_its_grid(where: str) -> None:
    """calamine holds a sheet as a grid from A1 to its last cell, 32 bytes a cell: one value in
    XFD1048576 asks it for 550 GB and ends the process. The scan finds how far the cells reach
    first."""
    cells = b'<c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="%s"><c r="%s"><v>1</v></c>' % (
        where.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode(), where.encode())
    problem = read_all(w.book(xl__worksheets__sheet1_xml=sheet_xml(b'<row r="1">' + cells + b"</row>")))
    assert problem.status in (413, 422) and ("ô" in problem.message or "dòng" in problem.message)


def test_cells_without_their_place_are_counted_too() -> None:
    """Cells need not say where they are: each follows the one before. A row of 20 000 of them
    under 300 rows would be a grid of 6 million cells; counted one by one, it is refused."""
    row = b"<row>" + b"<c><v>1</v></c>" * 20_000 + b"</row>"
    problem = read_all(w.book(xl__worksheets__sheet1_xml=sheet_xml(b'<row r="400"/>' + row)))
    assert problem.status == 413 and "XFD" in problem.message


def test_the_xls_reader_process_is_bounded() -> None:
    """An .xls is read by calamine in a process whose memory is bounded: a real one of 6 KB
    with a value in A1 and one in IV65536 is a grid of 16 million cells to calamine. That
    process ends; this one refuses the file and goes on, and reads a small .xls aside."""
    from app.services.imports.book import read_aside

    far = w.xls([["x"]] + [[None]] * 65_534 + [[None] * 255 + [1]])
    with pytest.raises(FileProblem) as refused:
        read_aside(far, "xls")
    assert refused.value.status == 413 and "bộ nhớ" in refused.value.message
    assert list(read_aside(w.xls([["Mã đơn vị"]]), "xls").rows) == [(1, ["Mã đơn vị"])]


@pytest.mark.parametrize("sheet", [b"", b'<row r="1"><c r="A1"><v>1</v></c></row>'])
def test_a_sheet_that_ends_at_once_or_on_a_row(sheet: bytes) -> None:
    """The scan stops at the sheet's end however it ends (an empty part once made it wait
    forever for more): refused as damaged, or read."""
    data = w.book(xl__worksheets__sheet1_xml=sheet)
    try:
        rows = list(open_file(io.BytesIO(data), "ngan.xlsx").rows)
    except FileProblem as problem:
        assert problem.status == 415 and "bị hỏng" in problem.message
    else:  # no <worksheet> around the row: calamine finds no cells
        assert rows in ([], [(1, [1.0])])
