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
from app.services.imports.workbook import (MAIN, MAX_CELLS, MAX_COLUMNS, MAX_ROW_BYTES,
                                           MAX_SHARED_BYTES, MB,
                                           MAX_SHARED_STRINGS, MAX_SHEETS, PKG_REL, REL,
                                           FileProblem, Part, parse, too_large, too_wide)
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
        row, after_row = 0, 0  # for rows and cells without r: where the last one was
        while True:
            block = f.read(BLOCK)
            pending += block
            # Whole rows only (a cell and its formula stay together): the rest waits.
            at = pending.rfind(b"row>") if block else len(pending) - 4
            if at < 0:
                if len(pending) > MAX_ROW_BYTES:  # a row that never ends would be held whole
                    raise too_large(f"một dòng của trang tính (sau dòng {print_number(row)}) "
                                    f"dài hơn {MAX_ROW_BYTES // MB} MB")
                continue
            part = bytes(memoryview(pending)[:at + 4])
            del pending[:at + 4]
            refs = _REF.findall(part)
            if refs:
                letters = {x for x, _ in refs}
                last = max(map(int, {n for _, n in refs}))
                width = max((column_index(x.decode()) + 1 for x in letters if x), default=0)
                found.reach(last, width)
                row = max(row, last)
            if _unplaced(part, len(refs)):
                row, after_row = _count_unplaced(part, found, row, after_row)
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
    """The shared strings calamine keeps in memory, bounded in bytes and in number."""
    if "xl/sharedStrings.xml" not in book.NameToInfo:
        return
    count = 0
    with Part(book, "xl/sharedStrings.xml", MAX_SHARED_BYTES) as f:
        rest = b""
        while block := f.read(BLOCK):
            buffer = rest + block
            count += buffer.count(b"<si>") + buffer.count(b"<si ") + buffer.count(b":si>")
            rest = buffer[-4:]
            count -= rest.count(b"<si>") + rest.count(b"<si ") + rest.count(b":si>")
            if count > MAX_SHARED_STRINGS:
                raise too_large(f"tệp chứa hơn {print_number(MAX_SHARED_STRINGS)} đoạn chữ khác nhau")


# -- .ods -----------------------------------------------------------------------------------
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")


def scan_ods(book: zipfile.ZipFile) -> list[Found]:
    """Each table of content.xml: how far its values reach, counting the rows and cells that
    repeat (a repeated empty row, LibreOffice's way to end a sheet, holds nothing), its
    formulas and merged ranges. calamine reads them all: their cells are bounded together."""
    tables: list[Found] = []
    state: dict[str, Any] = {"row": 0, "repeat": 1, "column": 0, "cell": None, "last": 0,
                             "cells": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _TABLE + "table":
            tables.append(Found(merged=[]))
            state["row"] = 0
            if len(tables) > MAX_SHEETS:
                raise too_large(f"bảng tính có hơn {MAX_SHEETS} trang")
        elif not tables:
            return
        elif tag == _TABLE + "table-row":
            state["repeat"] = _count(attrs, "number-rows-repeated")
            state["column"], state["last"] = 0, 0
        elif tag in _CELLS:
            _cell(tables[-1], attrs, state)
        elif tag == _TEXT + "p" and state["cell"] is not None:  # text without a value type
            column, repeat = state["cell"]
            state["last"] = max(state["last"], column + repeat)

    def end(tag: str) -> None:
        if tag in _CELLS:
            state["cell"] = None
        elif tag == _TABLE + "table-row" and tables:
            if state["last"]:
                tables[-1].reach(state["row"] + state["repeat"], state["last"])
            state["row"] += state["repeat"]
        elif tag == _TABLE + "table" and tables:
            state["cells"] += tables[-1].rows * tables[-1].columns
            if state["cells"] > MAX_CELLS:
                raise too_large(f"các trang của tệp có tổng cộng {print_number(state['cells'])} "
                                f"ô (tối đa {print_number(MAX_CELLS)})")

    with Part(book, "content.xml") as f:
        parse(f, start, end)
    return tables


def _cell(found: Found, attrs: dict[str, str], state: dict[str, Any]) -> None:
    """A table cell (or one covered by a merged cell before it), repeated across columns."""
    repeat = _count(attrs, "number-columns-repeated")
    row, column = state["row"], state["column"]
    if _OFFICE + "value-type" in attrs or _TABLE + "formula" in attrs:
        state["last"] = column + repeat
    state["cell"] = (column, repeat)
    formula = attrs.get(_TABLE + "formula")
    if formula is not None:
        text = formula.split(":", 1)[1] if formula.startswith("of:") else formula
        for r in range(row, row + min(state["repeat"], 1000)):
            for c in range(column, column + min(repeat, 1000)):
                found.formulas[(r, c)] = Formula(text if text.startswith("=") else "=" + text)
    spans = _count(attrs, "number-rows-spanned"), _count(attrs, "number-columns-spanned")
    if spans != (1, 1) and found.merged is not None:
        found.merged.append(f"{column_letter(column)}{row + 1}:"
                            f"{column_letter(column + spans[1] - 1)}{row + spans[0]}")
    state["column"] = column + repeat


def _count(attrs: dict[str, str], name: str) -> int:
    try:
        return max(1, int(attrs.get(_TABLE + name, "1")))
    except ValueError:
        raise FileProblem(f"Thuộc tính {name} không phải số: tệp .ods bị hỏng.", 415) from None
