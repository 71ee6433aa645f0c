"""The day a person types: when a session happened (`parse_date`) or a date to aim for
(`parse_future_date`).

Day-first (UK) order. Exact readers for what people usually type ("12/11", "12 Nov",
"yesterday", "last monday", "in 3 weeks") run before dateparser, which is slow and would read
31/02 as nothing or "32 Nov" as 1932. Kept apart from the other chat parsers because its rules
(missing years, weekdays, how far back or ahead) are many and its own; its messages, with the
others', are in journal.parsing. Plain Python: no aiogram, no storage.
"""

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import dateparser

from journal.parsing import (
    DATE_IN_FUTURE,
    DATE_NOT_REAL,
    DATE_TOO_OLD,
    DATE_UNREADABLE,
    TARGET_DATE_IN_PAST,
    TARGET_DATE_TOO_FAR,
    TARGET_DATE_UNREADABLE,
    InputError,
    squash,
)

# Nothing we accept is longer, and dateparser gets slower the more text it is given.
_MAX_DATE_CHARS = 64
# A year missing from "29/02" means the nearest such day; leap years can be 8 years apart.
_YEARS_TO_SEARCH = 9
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, 1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, 1)},
    "sept": 9,
}
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS = {
    **{name: number for number, name in enumerate(_WEEKDAY_NAMES)},
    **{name[:3]: number for number, name in enumerate(_WEEKDAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_DAY_OFFSETS = {"today": 0, "yesterday": -1, "tomorrow": 1}

_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})(?:\2(\d{4}|\d{2}))?", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})", re.ASCII)
_DAY_MONTH = re.compile(
    r"(?:the )?(\d{1,2})(?:st|nd|rd|th)? ?(?:of )?([a-z]+)\.?(?:,? (\d{4}))?", re.ASCII
)
_MONTH_DAY = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?", re.ASCII)
# "2 days ago" or "in 3 weeks". Up to 999 so the arithmetic cannot overflow; longer spans go
# to dateparser.
_DAYS_AWAY = re.compile(
    r"(?P<ahead>in )?(?P<count>\d{1,3}|an?|one) (?P<unit>day|week)s?(?P<ago> ago)?", re.ASCII
)
_WEEKDAY = re.compile(r"(?:(?P<which>last|on|next) )?(?P<name>[a-z]+)", re.ASCII)
_ABBREVIATED_MONTHS = tuple(name[:3].title() for name in _MONTH_NAMES)


class _NotARealDate(Exception):
    """A day and month that no calendar has, such as 31/02."""


def parse_date(text: str, today: date, *, max_past_days: int = 366) -> date:
    """The day of something that happened, from `today - max_past_days` to `today` inclusive.

    Day-first (UK) order. A date without a year is the latest such date not after today, and a
    weekday is the latest such day before today.
    """
    found = _parse_day(text, today, forward=False, unreadable=DATE_UNREADABLE)
    if found > today:
        raise InputError(DATE_IN_FUTURE)
    earliest = today - timedelta(days=max_past_days)
    if found < earliest:
        raise InputError(DATE_TOO_OLD.format(days=max_past_days, earliest=_show_date(earliest)))
    return found


def parse_future_date(text: str, today: date, *, max_future_days: int = 3 * 366) -> date:
    """A day to aim for, such as a goal's target date: `today` to `today + max_future_days`.

    Day-first (UK) order. A date without a year is the next such date not before today, and a
    weekday is the next such day after today.
    """
    found = _parse_day(text, today, forward=True, unreadable=TARGET_DATE_UNREADABLE)
    if found < today:
        raise InputError(TARGET_DATE_IN_PAST)
    latest = today + timedelta(days=max_future_days)
    if found > latest:
        raise InputError(TARGET_DATE_TOO_FAR.format(latest=_show_date(latest)))
    return found


def _parse_day(text: str, today: date, *, forward: bool, unreadable: str) -> date:
    """The day typed, on either side of today; `forward` settles a missing year or week."""
    typed = squash(text)
    if not typed or len(typed) > _MAX_DATE_CHARS:
        raise InputError(unreadable)
    try:
        found = _read_date(typed, today, forward)
    except _NotARealDate:
        # Echo it as typed (case kept): "31/02 isn't a real date".
        raise InputError(DATE_NOT_REAL.format(typed=" ".join(text.split()))) from None
    if found is None:
        raise InputError(unreadable)
    return found


def _read_date(typed: str, today: date, forward: bool) -> date | None:
    # Fast, exact readers first: they cover what people usually type, and they refuse 31/02
    # where dateparser would return None or, for "32 Nov", the year 1932.
    readers = (_read_relative, _read_numeric, _read_iso, _read_named_month, _read_weekday)
    for reader in readers:
        found = reader(typed, today, forward)
        if found is not None:
            return found
    return _read_with_dateparser(typed, today, forward)


def _read_relative(typed: str, today: date, forward: bool) -> date | None:
    if typed in _DAY_OFFSETS:
        return today + timedelta(days=_DAY_OFFSETS[typed])
    match = _DAYS_AWAY.fullmatch(typed)
    # Exactly one of "in" and "ago": "3 days" alone says neither way.
    if match is None or bool(match["ahead"]) == bool(match["ago"]):
        return None
    count = int(match["count"]) if match["count"].isdigit() else 1
    days = count * (7 if match["unit"] == "week" else 1)
    return today + timedelta(days=days if match["ahead"] else -days)


def _read_numeric(typed: str, today: date, forward: bool) -> date | None:
    match = _NUMERIC_DATE.fullmatch(typed)
    if match is None:
        return None
    year = _full_year(match[4]) if match[4] else None
    return _make_date(today, forward, year, int(match[3]), int(match[1]))


def _read_iso(typed: str, today: date, forward: bool) -> date | None:
    match = _ISO_DATE.fullmatch(typed)
    if match is None:
        return None
    return _make_date(today, forward, int(match[1]), int(match[3]), int(match[4]))


def _read_named_month(typed: str, today: date, forward: bool) -> date | None:
    if match := _DAY_MONTH.fullmatch(typed):
        day, month, year = match[1], match[2], match[3]
    elif match := _MONTH_DAY.fullmatch(typed):
        month, day, year = match[1], match[2], match[3]
    else:
        return None
    if month not in _MONTHS:
        return None
    return _make_date(today, forward, int(year) if year else None, _MONTHS[month], int(day))


def _read_weekday(typed: str, today: date, forward: bool) -> date | None:
    match = _WEEKDAY.fullmatch(typed)
    if match is None or match["name"] not in _WEEKDAYS:
        return None
    weekday = _WEEKDAYS[match["name"]]
    if match["which"] == "next" or (forward and match["which"] != "last"):
        return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    # "monday" typed on a Monday means last week's, as dateparser reads it too.
    return today - timedelta(days=(today.weekday() - weekday) % 7 or 7)


@lru_cache(maxsize=1024)
def _read_with_dateparser(typed: str, today: date, forward: bool) -> date | None:
    # Cached because dateparser costs about a millisecond a call; the key is short (<= 64 chars).
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "future" if forward else "past",
        "RELATIVE_BASE": datetime.combine(today, time(12)),
        # Refuses a month or a number on its own ("nov", "12"), which it would otherwise
        # complete with parts of today. STRICT_PARSING would also demand a year.
        "REQUIRE_PARTS": ["day", "month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(typed, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def _full_year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _make_date(today: date, forward: bool, year: int | None, month: int, day: int) -> date:
    if year is None:
        found = _nearest_date(today, forward, month, day)
        if found is None:
            raise _NotARealDate
        return found
    try:
        return date(year, month, day)
    except ValueError:
        raise _NotARealDate from None


def _nearest_date(today: date, forward: bool, month: int, day: int) -> date | None:
    """The first such day from today on, going forward or back; None if there is none."""
    step = 1 if forward else -1
    for year in range(today.year, today.year + step * _YEARS_TO_SEARCH, step):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if (candidate >= today) if forward else (candidate <= today):
            return candidate
    return None


def _show_date(day: date) -> str:
    # Not strftime("%b"): that follows the process locale.
    return f"{day.day} {_ABBREVIATED_MONTHS[day.month - 1]} {day.year}"
