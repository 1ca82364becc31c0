"""Where a file's header row is and which column is which: headers may be the template's
Vietnamese labels (today's or an older template's), the API's field names, or an export's."""

import difflib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.services.imports.report import ImportRefused, Report
from app.services.imports.sheets import Formula, column_letter, legacy_encoding
from app.services.imports.specs import FORMER_HEADERS, TIME_ZONE_NOTE, Column, Spec
from app.vn import match_key

HEADER_SCAN = 15  # a title or blank rows may come before the header row
# Columns a file may have that the importer sets itself (beside an export's own, which each
# spec lists): read past, silently.
READ_ONLY = frozenset({"created_at", "updated_at", "version", "due_date", "external_source",
                       "search_text", "stt", "tt", "so tt", "so thu tu"})
READ_ONLY_KEYS = frozenset(match_key(name) for name in READ_ONLY)
# An export's creation time: a row matched by id must be that very record.
CREATED_KEYS = frozenset(match_key(h) for h in ("created_at", "Tạo lúc", "Tạo lúc" + TIME_ZONE_NOTE))


def header_keys(spec: Spec) -> dict[str, Column]:
    """Every header a column is known by, as a match key: its label, its field name (with
    spaces too), and the header older templates gave it."""
    keys: dict[str, Column] = {}
    names = {c.name: c for c in spec.columns}
    for c in spec.columns:
        for text in (c.header, c.name, c.name.replace("_", " ")):
            keys.setdefault(match_key(text), c)
    for header, name in FORMER_HEADERS.items():
        if name in names:
            keys.setdefault(match_key(header), names[name])
    return keys


@dataclass
class Layout:
    header_row: int
    by_index: dict[int, Column]
    headers: dict[int, str]  # as written
    # Headers are the API's field names (an exported file, another system's): its numbers
    # are written the international way (2.5), not the Vietnamese one (2,5; 1.200 = 1200).
    international: bool = False
    # An export's created_at column: a row matched by id must be that very record (SQLite
    # may give a deleted record's id to a newer one).
    created_index: int | None = None


def find(spec: Spec, rows: Iterator[tuple[int, list[Any]]], report: Report) -> Layout:
    """The layout of the first row, among the first few, that is mostly known headers."""
    keys = header_keys(spec)
    ignored = READ_ONLY_KEYS | spec.read_only
    seen = 0
    for number, cells in rows:
        texts = [c for c in cells if c not in (None, "")]
        seen += bool(texts)  # blank rows before the header do not count
        if texts:
            known = sum(1 for c in texts if match_key(c) in keys or match_key(c) in ignored)
            if known >= max(1, (len(texts) + 1) // 2):
                return _header(spec, keys, number, cells, report)
        if seen >= HEADER_SCAN:
            break
    if not seen:
        raise ImportRefused("Tệp trống: không có dòng nào để nhập.")
    expected = ", ".join(c.header for c in spec.columns if c.required)
    raise ImportRefused(
        f"Không tìm thấy dòng tiêu đề cột trong {HEADER_SCAN} dòng đầu. Dòng tiêu đề phải có "
        f"các cột của mẫu nhập {spec.title.lower()}, ít nhất: {expected}. Hãy tải mẫu nhập trên "
        "trang này và dán dữ liệu vào đó.")


def _header(spec: Spec, keys: dict[str, Column], number: int, cells: list[Any],
            report: Report) -> Layout:
    by_index: dict[int, Column] = {}
    headers: dict[int, str] = {}
    problems: list[str] = []
    created_index: int | None = None
    ignored = READ_ONLY_KEYS | spec.read_only
    for index, cell in enumerate(cells):
        if cell in (None, ""):
            continue
        text = unicodedata.normalize("NFC", str(cell)).strip()
        if isinstance(cell, Formula) or legacy_encoding(text):
            problems.append(f"Tiêu đề cột {column_letter(index)} ('{text}') "
                            + ("là công thức." if isinstance(cell, Formula) else
                               f"đang ở bảng mã cũ {legacy_encoding(text)}."))
            continue
        key = match_key(text)
        if key in CREATED_KEYS:
            created_index = index
        column = keys.get(key)
        if column is None and key in ignored:
            report.ignored_columns.append(text)
            continue
        if column is None:
            guess = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
            hint = f" Có phải là '{keys[guess[0]].header}'?" if guess else ""
            problems.append(f"Cột {column_letter(index)} có tiêu đề '{text}' không có trong mẫu "
                            f"nhập.{hint}")
            continue
        if column in by_index.values():
            problems.append(f"Cột '{column.header}' xuất hiện hai lần (cột {column_letter(index)}).")
            continue
        by_index[index] = column
        headers[index] = text
    problems += _missing(spec, {c.name for c in by_index.values()})
    if problems:
        raise ImportRefused(f"Dòng tiêu đề (dòng {number}) chưa đúng mẫu: " + " ".join(problems)
                            + " Hãy sửa tiêu đề cho đúng mẫu nhập rồi nhập lại.")
    named = sum(1 for i, c in by_index.items() if headers[i] == c.name)
    return Layout(number, by_index, headers, international=named * 2 > len(by_index),
                  created_index=created_index)


def _missing(spec: Spec, present: set[str]) -> list[str]:
    missing = []
    for c in spec.columns:
        if not c.required or c.name in present:
            continue
        if c.kind == "unit_code" and "unit_id" in present:
            continue
        missing.append(f"Thiếu cột bắt buộc '{c.header}'.")
    return missing
