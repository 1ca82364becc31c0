"""A row's cells read the Vietnamese way (app.vn: the forms read the same way) into the values
of the resource's schema, with every cell that cannot be read reported."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.services.imports.layout import Layout
from app.services.imports.lookup import Loaded
from app.services.imports.report import Report
from app.services.imports.sheets import CONVERT_HINT, Formula, legacy_encoding
from app.services.imports.workbook import FileProblem
from app.vn import (read_bool, read_choice, read_date, read_decimal, read_int, read_money,
                    read_plain_number, read_text)

LEGACY_SCAN = 500  # rows checked for text typed in a legacy Vietnamese encoding
READERS: dict[str, Callable[[Any], Any]] = {
    "integer": read_int, "money": read_money, "id": read_int, "id_ref": read_int,
    "unit_id": read_int, "work_id": read_int, "decimal": read_decimal,
    "date": read_date, "bool": read_bool, "text": read_text, "unit_code": read_text,
    "work_code": read_text, "external_id": read_text, "code": read_text, "codes": read_text, "ids": read_text,
}
# A sheet repeats its values (the same source, unit, date, amount on many rows): what was read
# once per column is remembered, up to a bound.
MEMO_KINDS = frozenset({"enum", "bool", "date", "money", "integer", "decimal", "unit_code"})
MEMO_SIZE = 20_000
UNREAD = object()
MISMATCH = "Mã đơn vị và số hiệu đơn vị chỉ hai đơn vị khác nhau."


@dataclass
class Pending:
    number: int
    values: dict[str, Any]  # schema field → value
    external_id: str | None
    record_id: int | None
    cells: dict[str, Any]  # column name → cell as written (for messages)
    bad: bool = False  # a cell could not be read: only checked for a repeated key
    created: Any = None  # the created_at of an exported row
    auto: bool = False  # external_id is the row's fingerprint, not a key from the file
    unit_code: str | None = None  # the unit as the row names it by code


class Parser:
    """Reads rows of one file: remembers what each column's texts were read as."""

    def __init__(self, layout: Layout, lookup: Loaded, report: Report,
                 day: Callable[[dict[str, Any]], date]) -> None:
        self.layout, self.lookup, self.report = layout, lookup, report
        self.day = day  # the date a row's unit code is read at (Records.naming_day)
        self.memo: dict[int, dict[str, Any]] = {i: {} for i in layout.by_index}
        self.legacy_checked = 0

    def parse(self, number: int, cells: list[Any]) -> Pending:
        values: dict[str, Any] = {}
        written: dict[str, Any] = {}
        bad = False
        check_legacy = self.legacy_checked < LEGACY_SCAN
        self.legacy_checked += 1
        for index, column in self.layout.by_index.items():
            raw = cells[index] if index < len(cells) else None
            if isinstance(raw, str) and not raw.strip():
                raw = None
            written[column.name] = raw
            if raw is None:
                values.setdefault(column.target, None)
                continue
            # A text read before in this column (a sheet repeats its values) costs one lookup.
            value = self.memo[index].get(raw, UNREAD) if isinstance(raw, str) else UNREAD
            if value is UNREAD:
                value = self._value(number, index, raw, check_legacy)
            if value is UNREAD:
                bad = True
            elif column.kind == "work_code":
                values.setdefault("work_id", None)
                values["_work_code"] = value
            elif column.kind == "unit_code":
                values.setdefault("unit_id", None)
                values["_unit_code"] = value
            elif column.fixed is not None:
                bad = not self._fixed(number, index, raw, value, values) or bad
            else:
                values[column.target] = value
        for name, member in (values.pop("_fixed", None) or {}).items():
            if values.get(name) not in (None, member):
                self.report.error(number, self._header(name), written.get(name),
                                  f"Khác đơn vị tính của cột khối lượng ({member.vi}).")
                bad = True
            values[name] = member
        code = values.pop("_unit_code", None)
        if code is not None and not self._unit(number, values, code, written):
            bad = True
        created = None
        at = self.layout.created_index
        if at is not None and at < len(cells) and cells[at] not in (None, ""):
            created = cells[at]
        return Pending(number, values, values.pop("external_id", None), values.pop("id", None),
                       written, bad, created, unit_code=code)

    def _value(self, number: int, index: int, raw: Any, check_legacy: bool) -> Any:
        """The cell read by its column's kind, remembered; UNREAD (and the reason reported) if
        it cannot be."""
        column, header = self.layout.by_index[index], self.layout.headers[index]
        if isinstance(raw, Formula):
            self.report.error(number, header, raw.text, "Ô có công thức: hãy sao chép rồi dán "
                              "giá trị (Paste Values) thay cho công thức, rồi nhập lại.")
            return UNREAD
        if check_legacy and isinstance(raw, str) and (enc := legacy_encoding(raw)):
            raise FileProblem(f"Dòng {number}, cột '{header}': chữ '{raw[:40]}' đang ở bảng mã cũ "
                              f"{enc}, không phải Unicode. " + CONVERT_HINT)
        memo = self.memo[index]
        try:
            if column.kind == "enum" and column.enum:
                value = read_choice(raw, column.enum)
            elif self.layout.international and isinstance(raw, str) \
                    and column.kind in ("decimal", "integer", "money"):
                value = read_plain_number(raw, column.kind)
            else:
                value = READERS[column.kind](raw)
        except ValueError as exc:
            self.report.error(number, header, raw, str(exc))
            return UNREAD
        if isinstance(raw, str) and column.kind in MEMO_KINDS:
            if len(memo) > MEMO_SIZE:
                memo.clear()  # bounded: memory stays flat however long the file
            memo[raw] = value
        return value

    def _fixed(self, number: int, index: int, raw: Any, value: Any, values: dict[str, Any]) -> bool:
        """A quantity in one measure's column: the quantity, and the measure it sets."""
        column = self.layout.by_index[index]
        if values.get(column.target) is not None:
            self.report.error(number, self.layout.headers[index], raw,
                              "Mỗi dòng chỉ ghi khối lượng ở một cột.")
            return False
        values[column.target] = value
        name, member = column.fixed  # type: ignore[misc]
        values.setdefault("_fixed", {})[name] = member
        return True

    def _unit(self, number: int, values: dict[str, Any], code: str, written: dict[str, Any]) -> bool:
        """The unit a code names on the row's date (a code may be carried by a unit and its
        predecessor); the report tells which. Beside an id (an export), the code must be that
        unit's own: the id tells them apart."""
        unit_id = values.get("unit_id")
        known = self.lookup.units.get(unit_id) if unit_id is not None else None
        if known is not None:
            return known.code.upper() == code.upper() or self._refuse(number, written, MISMATCH)
        day = self.day(values)
        found = self.lookup.nearest(code, day)
        if found is None:
            return self._refuse(number, written, self.lookup.not_carried(None, code, day))
        if unit_id is not None:
            return self._refuse(number, written, MISMATCH)
        values["unit_id"] = found.id
        self.report.named(number, code, found, self.lookup.shared(code))
        return True

    def _refuse(self, number: int, written: dict[str, Any], message: str) -> bool:
        """A unit code that names no unit, or another than the id beside it."""
        self.report.error(number, self._header("unit_code"), written.get("unit_code"), message)
        return False

    def _header(self, name: str) -> str:
        return next(self.layout.headers[i] for i, c in self.layout.by_index.items() if c.name == name)
