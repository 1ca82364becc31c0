"""Numbers, money and dates printed the Vietnamese way (Babel's vi locale): 1.823; 99,78%;
126,8 km; 71,66 tỷ đồng; 91,9 triệu đồng; 05/02/2021; times in Vietnam's zone."""

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import NumberPattern, parse_pattern

from app.vn.zone import ZONE

LOCALE = "vi_VN"
# Parsed once: Babel's format_decimal parses the locale name and the pattern on every call,
# which was half the time of rendering a dashboard's figures (bench/README.md).
_LOCALE = Locale.parse(LOCALE)
TY = 1_000_000_000
TRIEU = 1_000_000


def print_number(value: Any, digits: int = 2) -> str:
    """1823 → '1.823'; 126.8 → '126,8'; None → '—'."""
    if value is None:
        return "—"
    return _pattern("#,##0" + ("." + "#" * digits if digits else "")).apply(value, _LOCALE)


def print_percent(value: Any, digits: int = 2) -> str:
    """0.99781 → '99,78%'; None (nothing to divide by) → '—'."""
    if value is None:
        return "—"
    return _pattern("#,##0." + "0" * digits + "%").apply(value, _LOCALE)


def load_locale() -> None:
    """Read Babel's data for the locale now. Babel reads it on the first number or date
    printed, some 200 ms of unpickling: after a server start that was the wait of the first
    page (the unit tree's first answer, 200-300 ms instead of 20). A server calls this as it
    starts; the sheet reader's process, which prints no number, never does."""
    print_number(1823.5)
    print_date(date(2025, 7, 1))


@lru_cache(maxsize=64)
def _pattern(text: str) -> NumberPattern:
    return parse_pattern(text)


def print_money(vnd: Any, digits: int = 2) -> str:
    """VND in the report's words: '71,66 tỷ đồng', '91,9 triệu đồng', '850.000 đồng'."""
    if vnd is None:
        return "—"
    if abs(vnd) >= TY:
        return f"{print_number(vnd / TY, digits)} tỷ đồng"
    if abs(vnd) >= TRIEU:
        return f"{print_number(vnd / TRIEU, 1)} triệu đồng"
    return f"{print_number(vnd, 0)} đồng"


def print_money_short(vnd: Any) -> str:
    """For a tile or a chart, where the unit (đồng) is in the heading: '10,04 tỷ', '91,9 triệu'."""
    return print_money(vnd).removesuffix(" đồng")


def print_area(m2: Any) -> str:
    """175000 m² → '17,5 ha'; under a hectare in m²."""
    if m2 is None:
        return "—"
    return f"{print_number(m2 / 10_000, 2)} ha" if m2 >= 10_000 else f"{print_number(m2, 0)} m²"


def print_date(value: date | datetime | None) -> str:
    """date(2021, 2, 5) → '05/02/2021'; None → ''."""
    if value is None:
        return ""
    return format_date(value, format="dd/MM/yyyy", locale=_LOCALE)


def print_long_date(value: date) -> str:
    """The administrative style: 'ngày 05 tháng 02 năm 2021'."""
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"


def print_clock(value: Any) -> str:
    """A UTC moment (datetime or ISO text) as Vietnam's wall-clock time: '14:05 26/11'."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_datetime(moment, format="HH:mm dd/MM", tzinfo=ZONE, locale=_LOCALE)


def print_moment(value: Any) -> str:
    """A UTC moment as Vietnam's date and time: '26/11/2026 14:05' (a history entry)."""
    if value is None or value == "":
        return ""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_datetime(at, format="dd/MM/yyyy HH:mm", tzinfo=ZONE, locale=_LOCALE)
