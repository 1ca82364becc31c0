"""Vietnam's time: the one zone every date and time is read and shown in, and the one clock."""

from datetime import UTC, date, datetime

from babel.dates import get_timezone

TIMEZONE = "Asia/Ho_Chi_Minh"
ZONE = get_timezone(TIMEZONE)


def now() -> datetime:
    """The present moment (UTC): the one clock `today` reads; a test moves it by replacing this."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Vietnam, whatever the server's own zone: from 00:00 to 07:00 in Vietnam
    the UTC date is still yesterday, and a gift made this morning is not in the future."""
    return now().astimezone(ZONE).date()


def day_start(day: date) -> datetime | None:
    """The UTC moment a day begins in Vietnam (TIMEZONE): a filter by date meets stored moments
    here. None for a day at the edge of the calendar, before every moment that can be stored."""
    try:
        return datetime(day.year, day.month, day.day, tzinfo=ZONE).astimezone(UTC)
    except OverflowError:
        return None
