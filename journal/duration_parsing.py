"""How long a session lasted, as a person types it: "45", "1h30", "1:30", "an hour and a half".

`parse_duration` gives whole minutes from 1 to MAX_SESSION_MINUTES; a bare number is minutes,
and one too small to be (such as "2") is asked about rather than guessed. Kept apart from the
other chat parsers because its patterns and limits are its own; its messages, with the
others', are in journal.parsing. Plain Python: no aiogram, no storage.
"""

import re

from journal.parsing import (
    DURATION_DID_YOU_MEAN,
    DURATION_TOO_LONG,
    DURATION_TOO_SHORT,
    DURATION_UNREADABLE,
    InputError,
    squash,
)

MAX_SESSION_MINUTES = 12 * 60
# A bare number is minutes; below this it is more likely hours, so we ask.
_MIN_BARE_MINUTES = 5
_MAX_DURATION_CHARS = 40
_DURATION_PHRASES = {
    "an hour": 60,
    "a hour": 60,
    "one hour": 60,
    "half an hour": 30,
    "half hour": 30,
    "an hour and a half": 90,
    "quarter of an hour": 15,
    "a quarter of an hour": 15,
}
_FRACTIONS = {"½": ".5", "¼": ".25", "¾": ".75"}
_FRACTION = re.compile(r"(\d*) ?([½¼¾])")
_DECIMAL_COMMA = re.compile(r"(\d),(\d)")
_NUMBER = r"\d{1,5}(?:\.\d{1,3})?"
_BARE_NUMBER = re.compile(_NUMBER, re.ASCII)
_CLOCK = re.compile(r"(\d{1,2}):([0-5]\d)", re.ASCII)
_HOURS_MINUTES = re.compile(
    rf"(?:(?P<hours>{_NUMBER}) ?(?:hours?|hrs?|h))?"
    rf"(?:(?: and)? ?(?P<minutes>{_NUMBER}) ?(?P<unit>minutes?|mins?|m)?)?",
    re.ASCII,
)


def parse_duration(text: str) -> int:
    """A session length in whole minutes, 1 to MAX_SESSION_MINUTES."""
    typed = squash(text)
    # Checked before any pattern runs: some take time growing with the square of the length.
    if not typed or len(typed) > _MAX_DURATION_CHARS:
        raise InputError(DURATION_UNREADABLE)
    typed = _normalise_duration(typed)
    if typed.startswith("-"):
        raise InputError(DURATION_TOO_SHORT)
    minutes = _read_minutes(typed)
    if minutes is None:
        raise InputError(DURATION_UNREADABLE)
    return _check_duration(minutes)


def _normalise_duration(typed: str) -> str:
    typed = typed.replace("−", "-").rstrip(".")
    typed = _FRACTION.sub(lambda match: (match[1] or "0") + _FRACTIONS[match[2]], typed)
    return _DECIMAL_COMMA.sub(r"\1.\2", typed)


def _read_minutes(typed: str) -> float | None:
    if typed in _DURATION_PHRASES:
        return _DURATION_PHRASES[typed]
    if match := _CLOCK.fullmatch(typed):
        return int(match[1]) * 60 + int(match[2])
    if _BARE_NUMBER.fullmatch(typed):
        return _bare_minutes(float(typed))
    return _hours_and_minutes(typed)


def _bare_minutes(value: float) -> float:
    if value < _MIN_BARE_MINUTES and _round(value * 60) >= 1:
        hours = f"{value:g}"
        unit = "hour" if value == 1 else "hours"
        minutes = _round(value * 60)
        raise InputError(DURATION_DID_YOU_MEAN.format(hours=hours, unit=unit, minutes=minutes))
    return value


def _hours_and_minutes(typed: str) -> float | None:
    match = _HOURS_MINUTES.fullmatch(typed)
    if match is None:
        return None
    hours, minutes = match["hours"], match["minutes"]
    if hours is None and (minutes is None or match["unit"] is None):
        return None
    # "1h90" is more likely a typo than 2h30.
    if hours is not None and minutes is not None and float(minutes) >= 60:
        return None
    return float(hours or 0) * 60 + float(minutes or 0)


def _check_duration(minutes: float) -> int:
    whole = _round(minutes)
    if whole < 1:
        raise InputError(DURATION_TOO_SHORT)
    if whole > MAX_SESSION_MINUTES:
        raise InputError(DURATION_TOO_LONG.format(hours=MAX_SESSION_MINUTES // 60))
    return whole


def _round(value: float) -> int:
    # Half up; round() rounds halves to even, so 2.5 minutes would become 2.
    return int(value + 0.5)
