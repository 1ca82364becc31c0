"""Numbers, money and dates as the report writes them (Babel's vi locale, parsed once)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from app import formatting as f


@pytest.mark.parametrize(("value", "digits", "text"), [
    (1823, 2, "1.823"), (126.8, 1, "126,8"), (126.84, 1, "126,8"), (0, 2, "0"),
    (-1234567, 0, "-1.234.567"), (Decimal("71.6612"), 2, "71,66"), (2.5, 0, "2"),
    (None, 2, "—"),
])
def test_number(value, digits, text):
    assert f.number(value, digits) == text


@pytest.mark.parametrize(("value", "digits", "text"), [
    (0.99781, 2, "99,78%"), (0.5, 0, "50%"), (1, 1, "100,0%"), (None, 2, "—"),
])
def test_percent(value, digits, text):
    assert f.percent(value, digits) == text


@pytest.mark.parametrize(("vnd", "text"), [
    (71_660_000_000, "71,66 tỷ đồng"), (91_900_000, "91,9 triệu đồng"), (850_000, "850.000 đồng"),
    (None, "—"),
])
def test_money(vnd, text):
    assert f.money(vnd) == text
    assert f.money_short(vnd) == text.removesuffix(" đồng")


def test_area_and_dates():
    assert f.area(175_000) == "17,5 ha"
    assert f.area(850) == "850 m²"
    assert f.vndate(date(2021, 2, 5)) == "05/02/2021"
    assert f.vndate(None) == ""
    # UTC 07:05 is 14:05 in Vietnam (UTC+7), on the same day.
    assert f.clock(datetime(2026, 11, 26, 7, 5, tzinfo=UTC)) == "14:05 26/11"
    assert f.clock("2026-11-26T17:30:00+00:00") == "00:30 27/11"
    assert f.clock("") == ""
    # A history entry: UTC 17:30 is already the next day in Vietnam (a naive moment is UTC,
    # as SQLite gives it back).
    assert f.moment(datetime(2026, 11, 26, 17, 30)) == "27/11/2026 00:30"
    assert f.moment(datetime(2026, 11, 26, 7, 5, tzinfo=UTC)) == "26/11/2026 14:05"


def test_patterns_are_parsed_once():
    f._pattern.cache_clear()
    for value in range(50):
        f.number(value)
        f.percent(value / 100, 1)
    assert f._pattern.cache_info().currsize == 2
