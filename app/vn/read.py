"""What people type, read the Vietnamese way: the page forms and the import both read here,
so a text means the same on both. Each reader returns the value or raises ValueError with a
message for a clerk. The rules are written down in app/vn/__init__.py."""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from app.vn.text import fold, match_key, unprintable, visible

INTEGER_MESSAGE = "Phải là số nguyên. Ví dụ: 1.500.000."
FRACTION_MESSAGE = "Phải là số nguyên (không có phần lẻ)."
NUMBER_MESSAGE = "Phải là số. Ví dụ: 2,5 hoặc 1.200."
FINITE_MESSAGE = "Phải là một số hữu hạn."
DATE_MESSAGE = "Ngày không hợp lệ: nhập ngày/tháng/năm, ví dụ 05/02/2021 (hoặc 2021-02-05)."
BOOL_MESSAGE = "Ghi 'có' hoặc 'không'."

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# Thousands groups with one kind of mark: 1.500.000, 1,500,000, 1.500 (never 0.500).
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})*")
_DOT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")
_COMMA_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3}){2,}")
_ONE_MARK = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_EXPONENT = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_CURRENCY = re.compile(r"(?:đồng|đ|vnđ|vnd)$", re.IGNORECASE)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")
_WORDS_DATE = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})$")
TRUE = frozenset({"co", "x", "1", "true", "yes", "dung", "dat", "da dat", "v", "on"})
FALSE = frozenset({"khong", "0", "false", "no", "sai", "chua", "chua dat", "off"})


def _text(raw: Any) -> str:
    return unicodedata.normalize("NFC", visible(str(raw))).strip()


def _decimal_text(text: str) -> Decimal | None:
    """A number with a decimal comma (2,4) or point (2.4) and thousands dots (1.234,5): both
    marks → the last one is the decimal mark; dots in groups of three → thousands; commas in
    two or more groups of three → thousands; one comma or dot otherwise → the decimal mark."""
    if "," in text and "." in text:
        decimal_mark, group_mark = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        whole, _, fraction = text.rpartition(decimal_mark)
        if not re.fullmatch(rf"[+-]?[1-9]\d{{0,2}}(?:\{group_mark}\d{{3}})+", whole) \
                or not fraction.isdigit():
            return None
        text = whole.replace(group_mark, "") + "." + fraction
    elif _DOT_GROUPED.fullmatch(text):
        text = text.replace(".", "")
    elif _COMMA_GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif _ONE_MARK.fullmatch(text):
        text = text.replace(",", ".")
    elif not _EXPONENT.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def read_decimal(raw: Any) -> float:
    """A measure that may have decimals (area, km, days, a score): '2,4' → 2.4; '1.234,5' →
    1234.5; '1.500' → 1500 (dots group thousands); '1,5' → 1.5; '2.4' → 2.4."""
    if isinstance(raw, bool):
        raise ValueError(NUMBER_MESSAGE)
    if isinstance(raw, (int, float)):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError(FINITE_MESSAGE)
        return float(raw)
    value = _decimal_text(_SPACES.sub("", _text(raw)))
    if value is None:
        raise ValueError(NUMBER_MESSAGE)
    return float(value)


def read_int(raw: Any) -> int:
    """A count or an id: '1.500.000', '1,500,000', '1 500 000' → 1500000; '1.500' and
    '1,500' → 1500 (a mark before exactly three digits groups thousands); '1500,00' → 1500;
    '1,5' is refused (a fraction)."""
    if isinstance(raw, bool):
        raise ValueError(INTEGER_MESSAGE)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise ValueError(FRACTION_MESSAGE)
    return _integer(_SPACES.sub("", _text(raw)))


def read_money(raw: Any) -> int:
    """An amount in đồng, read as `read_int`, after an optional 'đ', 'đồng' or 'VND':
    '1.500.000 đ' → 1500000."""
    if not isinstance(raw, str):
        return read_int(raw)
    return _integer(_CURRENCY.sub("", _SPACES.sub("", _text(raw))))


def _integer(text: str) -> int:
    if _GROUPED.fullmatch(text):
        return int(re.sub(r"[.,]", "", text))
    value = _decimal_text(text)
    if value is None:
        raise ValueError(INTEGER_MESSAGE)
    if value != value.to_integral_value():
        raise ValueError(FRACTION_MESSAGE)
    return int(value)


def read_plain_number(raw: str, kind: str) -> int | float:
    """A number written the international way (a dot before decimals, no grouping), as the
    exports with the API's column names write them."""
    try:
        value = float(_SPACES.sub("", raw))
    except ValueError:
        raise ValueError("Phải là số (tệp dùng tên cột tiếng Anh: viết 2.5, không viết 2,5).") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(FINITE_MESSAGE)
    if kind == "decimal":
        return value
    if not value.is_integer():
        raise ValueError(FRACTION_MESSAGE)
    return int(value)


def read_date(raw: Any) -> date:
    """'05/02/2021', '5/2/2021', '05.02.2021', '2021-02-05', 'ngày 5 tháng 2 năm 2021' and a
    spreadsheet's date cell → date(2021, 2, 5). Day first, always (never the American order)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)):
        raise ValueError("Ô ngày đang là số; hãy định dạng ô là Ngày (dd/mm/yyyy) hoặc gõ 05/02/2021.")
    text = _SPACES.sub(" ", _text(raw))
    for pattern, order in ((_DMY, (0, 1, 2)), (_YMD, (2, 1, 0))):
        m = pattern.match(text)
        if m:
            day, month, year = (int(m.group(i + 1)) for i in order)
            break
    else:
        m = _WORDS_DATE.match(fold(text).replace(",", ""))
        if not m:
            raise ValueError(DATE_MESSAGE)
        day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Ngày không hợp lệ: {text} không có trên lịch.") from None


def read_isodate(value: Any) -> date | None:
    """'2025-11-26' (a date in JSON) → date; a date passes; empty → None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def read_bool(raw: Any) -> bool:
    """'có', 'x', 'đạt', 'yes', '1', a ticked box ('on') → True; 'không', 'chưa', 'no', '0' →
    False; marks and case do not matter."""
    if isinstance(raw, bool):
        return raw
    key = fold(_text(raw))
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise ValueError(BOOL_MESSAGE)


_CHOICE_KEYS: dict[type[Enum], dict[str, Enum]] = {}


def read_choice(raw: Any, enum: type[Enum]) -> Enum:
    """A code list's value by its code or its label, without marks or case ('Ngân sách nhà
    nước', 'ngan sach nha nuoc', 'state_budget' → Source.state_budget), or by a shortened label
    that names one value only ('Tổ chức' for 'Cơ quan, tổ chức')."""
    keys = _CHOICE_KEYS.get(enum)
    if keys is None:
        keys = {}
        for member in enum:
            for text in (member.value, getattr(member, "vi", ""), getattr(member, "en", "")):
                if text:
                    keys[fold(str(text))] = member
        _CHOICE_KEYS[enum] = keys
    typed = match_key(_text(raw))
    found = keys.get(fold(_text(raw))) or keys.get(typed)
    if found is None and len(typed) >= 4:
        near = {m for k, m in keys.items() if f" {typed} " in f" {match_key(k)} "}
        found = near.pop() if len(near) == 1 else None
    if found is None:
        allowed = "; ".join(getattr(m, "vi", m.value) for m in enum)
        raise ValueError(f"Giá trị không hợp lệ; chọn một trong: {allowed}.")
    return found


def read_text(raw: Any) -> str | None:
    """A cell's text, trimmed (None when empty); a code typed as a number is 101, not 101.0;
    a character that is no text is refused."""
    problem = unprintable(raw) if isinstance(raw, str) else None
    if problem:  # the schemas' rule (db/fields.py), for the codes and keys outside them too
        raise ValueError(problem)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _text(raw) or None
