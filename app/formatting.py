"""Numbers, money and dates the Vietnamese way (Babel's vi locale): 1.823; 99,78%; 126,8 km;
71,66 tỷ đồng; 91,9 triệu đồng; 05/02/2021."""

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import NumberPattern, parse_pattern

LOCALE = "vi_VN"
# Parsed once: Babel's format_decimal parses the locale name and the pattern on every call,
# which was half the time of rendering a dashboard's figures (bench/README.md).
_LOCALE = Locale.parse(LOCALE)
TY = 1_000_000_000
TRIEU = 1_000_000


def number(value: Any, digits: int = 2) -> str:
    """1823 → '1.823'; 126.8 → '126,8'; None → '—'."""
    if value is None:
        return "—"
    return _pattern("#,##0" + ("." + "#" * digits if digits else "")).apply(value, _LOCALE)


def percent(value: Any, digits: int = 2) -> str:
    """0.99781 → '99,78%'; None (nothing to divide by) → '—'."""
    if value is None:
        return "—"
    return _pattern("#,##0." + "0" * digits + "%").apply(value, _LOCALE)


@lru_cache(maxsize=64)
def _pattern(text: str) -> NumberPattern:
    return parse_pattern(text)


def money(vnd: Any, digits: int = 2) -> str:
    """VND in the report's words: '71,66 tỷ đồng', '91,9 triệu đồng', '850.000 đồng'."""
    if vnd is None:
        return "—"
    if abs(vnd) >= TY:
        return f"{number(vnd / TY, digits)} tỷ đồng"
    if abs(vnd) >= TRIEU:
        return f"{number(vnd / TRIEU, 1)} triệu đồng"
    return f"{number(vnd, 0)} đồng"


def area(m2: Any) -> str:
    """175000 m² → '17,5 ha'; under a hectare in m²."""
    if m2 is None:
        return "—"
    return f"{number(m2 / 10_000, 2)} ha" if m2 >= 10_000 else f"{number(m2, 0)} m²"


def vndate(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return format_date(value, format="dd/MM/yyyy", locale=_LOCALE)


def long_date(value: date) -> str:
    """The administrative style: 'ngày 05 tháng 02 năm 2021'."""
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"


def day_start(day: date) -> datetime | None:
    """The UTC moment a day begins in Vietnam (TIMEZONE): a filter by date meets stored moments
    here. None for a day at the edge of the calendar, before every moment that can be stored."""
    try:
        return datetime(day.year, day.month, day.day, tzinfo=_ZONE).astimezone(UTC)
    except OverflowError:
        return None


def sort_key(text: str) -> tuple[str, str]:
    """Vietnamese alphabetical order, near enough for lists: 'Đa Mi' sorts with the D's, not
    after Z (Unicode order would put Đ and accented capitals last)."""
    import unicodedata

    base = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in base if not unicodedata.combining(c)).casefold(), text


def money_short(vnd: Any) -> str:
    """For a tile or a chart, where the unit (đồng) is in the heading: '10,04 tỷ', '91,9 triệu'."""
    return money(vnd).removesuffix(" đồng")


TIMEZONE = "Asia/Ho_Chi_Minh"
_ZONE = get_timezone(TIMEZONE)


def now() -> datetime:
    """The present moment (UTC): the one clock `today` reads; a test moves it by replacing this."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Vietnam, whatever the server's own zone: from 00:00 to 07:00 in Vietnam
    the UTC date is still yesterday, and a gift made this morning is not in the future."""
    return now().astimezone(_ZONE).date()


def isodate(value: Any) -> date | None:
    """'2025-11-26' (a date in JSON) → date; a date passes; empty → None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def clock(value: Any) -> str:
    """A UTC moment (datetime or ISO text) as Vietnam's wall-clock time: '14:05 26/11'."""
    if value is None or value == "":
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_datetime(moment, format="HH:mm dd/MM", tzinfo=_ZONE, locale=_LOCALE)


def moment(value: Any) -> str:
    """A UTC moment as Vietnam's date and time: '26/11/2026 14:05' (a history entry)."""
    if value is None or value == "":
        return ""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_datetime(at, format="dd/MM/yyyy HH:mm", tzinfo=_ZONE, locale=_LOCALE)
