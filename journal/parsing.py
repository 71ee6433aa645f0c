"""Parsers for what people type in the chat flows: dates, lengths, time zones, text, ratings.

Each parser returns a clean value or raises `InputError`, whose message tells the user what to
type instead. Plain Python: no aiogram, no storage.
"""

import re
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import available_timezones

import dateparser
from rapidfuzz import fuzz, process

# --- User-facing texts, kept together so they can be translated later. -----------------------

DATE_UNREADABLE = "I couldn't read that date. Try 12 Nov, 12/11 or yesterday."
DATE_NOT_REAL = (
    "{typed} isn't a real date. Type the day first, then the month — for example 28/02 or 28 Feb."
)
DATE_IN_FUTURE = "You can't log a session in the future — try today or an earlier date."
DATE_TOO_OLD = (
    "That's more than {days:,} days ago, further back than I can log. "
    "Type a date from {earliest} onwards."
)
TARGET_DATE_UNREADABLE = "I couldn't read that date. Try 30 Jun, 30/06/2027 or in 3 weeks."
TARGET_DATE_IN_PAST = "A target date can't be in the past — try today or a later date."
TARGET_DATE_TOO_FAR = "That's further ahead than I can plan for. Type a date up to {latest}."
DURATION_UNREADABLE = "I couldn't read that length. Try 45 (minutes), 1h30 or 1:30."
DURATION_TOO_SHORT = (
    "A session has to last at least a minute. Type how long it was, for example 45 or 1h30."
)
DURATION_TOO_LONG = (
    "A single session can be at most {hours} hours. Type a shorter length, for example 1h30 or 90."
)
DURATION_DID_YOU_MEAN = "Did you mean {hours} {unit}? Type {hours}h or {minutes}."
TZ_UNKNOWN = "I don't know that place. Try a big city near you, or an offset like UTC+1."
TZ_BAD_OFFSET = (
    "I can't use that offset. Type one from UTC-12 to UTC+14 in whole hours, "
    "or a common one like UTC+5:30 — or a big city near you."
)
TEXT_EMPTY = "I didn't get any {field} there. Type it and send it again."
TEXT_TOO_LONG = (
    "That's {length:,} characters; the most I can keep here is {limit:,}. "
    "Shorten it and send it again."
)
RATING_INVALID = "I need a rating from 1 to 5. Type a number such as 4, or send ⭐⭐⭐⭐."


class InputError(ValueError):
    """Something the user typed could not be used; `message` says what to type instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _squash(text: str) -> str:
    """Lower-case and collapse all whitespace to single spaces, so patterns stay simple."""
    return " ".join(text.lower().split())


# --- Dates ------------------------------------------------------------------------------------

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
    typed = _squash(text)
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


# --- Durations --------------------------------------------------------------------------------

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
    typed = _squash(text)
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


# --- Time zones -------------------------------------------------------------------------------

COMMON_TIMEZONES: tuple[tuple[str, str], ...] = (
    ("London", "Europe/London"),
    ("Dublin", "Europe/Dublin"),
    ("Warsaw", "Europe/Warsaw"),
    ("Berlin / Paris", "Europe/Berlin"),
    ("Lagos", "Africa/Lagos"),
    ("Nairobi", "Africa/Nairobi"),
    ("India (Kolkata)", "Asia/Kolkata"),
    ("New York", "America/New_York"),
)

_MAX_ZONE_CHARS = 64
# Zone names under these are places; "US/Eastern", "Etc/GMT-2" and the like are not.
_PLACE_REGIONS = frozenset(
    (
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    )
)
# "localtime" depends on the host and "Factory" is a placeholder with no real offset.
_NOT_ZONES = frozenset({"localtime", "Factory"})
# Places people type that are not zone names. They win over zone names, so that "Belfast"
# gives Europe/London rather than the old link Europe/Belfast.
_PLACE_ALIASES = {
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "britain": "Europe/London",
    "great britain": "Europe/London",
    "england": "Europe/London",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "northern ireland": "Europe/London",
    "bst": "Europe/London",
    "edinburgh": "Europe/London",
    "glasgow": "Europe/London",
    "cardiff": "Europe/London",
    "belfast": "Europe/London",
    "manchester": "Europe/London",
    "birmingham": "Europe/London",
    "leeds": "Europe/London",
    "liverpool": "Europe/London",
    "bristol": "Europe/London",
    "newcastle": "Europe/London",
    "ireland": "Europe/Dublin",
    "cork": "Europe/Dublin",
    "krakow": "Europe/Warsaw",
    "wroclaw": "Europe/Warsaw",
    "gdansk": "Europe/Warsaw",
    "poznan": "Europe/Warsaw",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "lyon": "Europe/Paris",
    "porto": "Europe/Lisbon",
    "geneva": "Europe/Zurich",
    "bern": "Europe/Zurich",
    "rotterdam": "Europe/Amsterdam",
    "india": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "islamabad": "Asia/Karachi",
    "lahore": "Asia/Karachi",
    "abu dhabi": "Asia/Dubai",
    "doha": "Asia/Qatar",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "osaka": "Asia/Tokyo",
    "nigeria": "Africa/Lagos",
    "abuja": "Africa/Lagos",
    "kenya": "Africa/Nairobi",
    "mombasa": "Africa/Nairobi",
    "kisumu": "Africa/Nairobi",
    # Otherwise a near miss for Pacific/Nauru.
    "nakuru": "Africa/Nairobi",
    "kano": "Africa/Lagos",
    "ibadan": "Africa/Lagos",
    "port harcourt": "Africa/Lagos",
    "kumasi": "Africa/Accra",
    "cape town": "Africa/Johannesburg",
    "pretoria": "Africa/Johannesburg",
    "durban": "Africa/Johannesburg",
    "washington": "America/New_York",
    "washington dc": "America/New_York",
    "new york city": "America/New_York",
    "nyc": "America/New_York",
    "boston": "America/New_York",
    "philadelphia": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "ottawa": "America/Toronto",
    "montreal": "America/Toronto",
    "houston": "America/Chicago",
    "dallas": "America/Chicago",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "rio de janeiro": "America/Sao_Paulo",
    "brasilia": "America/Sao_Paulo",
    "canberra": "Australia/Sydney",
    "wellington": "Pacific/Auckland",
}
# Offsets with minutes have no Etc/ zone, so each maps to a zone that keeps it for most of the
# year (Darwin, not Adelaide, for +09:30: Adelaide moves to +10:30 in summer). Keys in minutes.
_PART_HOUR_OFFSETS = {
    -570: "Pacific/Marquesas",
    -210: "America/St_Johns",
    210: "Asia/Tehran",
    270: "Asia/Kabul",
    330: "Asia/Kolkata",
    345: "Asia/Kathmandu",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    570: "Australia/Darwin",
    630: "Australia/Lord_Howe",
    765: "Pacific/Chatham",
}
_OFFSET = re.compile(r"(?:utc|gmt)? ?([+-]) ?(\d{1,2})(?::?(\d{2}))?", re.ASCII)
_MIN_FUZZY_CHARS = 4
# fuzz.ratio out of 100: "warsw" scores 91 against "warsaw"; "preston" 86 against "creston"
# (America/Creston) must stay below it.
_FUZZY_CUTOFF = 88


def parse_timezone(text: str) -> str:
    """An IANA zone name for a zone name, city, country or UTC offset the user typed.

    Whole-hour offsets give Etc/ zones ("UTC+2" is "Etc/GMT-2": the Etc/ sign is inverted);
    offsets with minutes give a representative city zone.
    """
    typed = _squash(text.replace("_", " ")).replace("−", "-").strip(" .")
    if not typed or len(typed) > _MAX_ZONE_CHARS:
        raise InputError(TZ_UNKNOWN)
    zone = _offset_zone(typed) or _named_zone(typed) or _fuzzy_zone(typed)
    if zone is None:
        raise InputError(TZ_UNKNOWN)
    return zone


def _offset_zone(typed: str) -> str | None:
    match = _OFFSET.fullmatch(typed)
    if match is None:
        return None
    sign = 1 if match[1] == "+" else -1
    hours, minutes = int(match[2]), int(match[3] or 0)
    if minutes:
        zone = _PART_HOUR_OFFSETS.get(sign * (hours * 60 + minutes))
        if zone is None:
            raise InputError(TZ_BAD_OFFSET)
        return zone
    if hours > (14 if sign > 0 else 12):
        raise InputError(TZ_BAD_OFFSET)
    if hours == 0:
        return "UTC"
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def _named_zone(typed: str) -> str | None:
    # "London, UK": the place comes before the comma.
    place = typed.split(",", 1)[0].strip()
    return _zones_by_place().get(place) or _zones_by_name().get(place)


def _fuzzy_zone(typed: str) -> str | None:
    place = typed.split(",", 1)[0].strip()
    if len(place) < _MIN_FUZZY_CHARS:
        return None
    places = _zones_by_place()
    best = process.extractOne(place, places.keys(), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return places[best[0]] if best else None


def _zone_key(name: str) -> str:
    return name.lower().replace("_", " ")


@cache
def _zone_names() -> frozenset[str]:
    # Built on first use: available_timezones() reads the zone directories from disk.
    return frozenset(available_timezones() - _NOT_ZONES)


@cache
def _zones_by_name() -> dict[str, str]:
    return {_zone_key(zone): zone for zone in _zone_names()}


@cache
def _zones_by_place() -> dict[str, str]:
    places: dict[str, str] = {}
    # Later entries win: the deepest name (America/Argentina/Buenos_Aires, the canonical one,
    # over the old link America/Buenos_Aires), then the last alphabetically (Europe/Istanbul).
    for zone in sorted(_zone_names(), key=lambda name: (name.count("/"), name)):
        region, _, rest = zone.partition("/")
        if region in _PLACE_REGIONS:
            places[_zone_key(rest.rsplit("/", 1)[-1])] = zone
    return places | _PLACE_ALIASES


# --- Free text --------------------------------------------------------------------------------

# C0 and C1 control characters except tab and newline, and lone surrogates, which cannot be
# encoded as UTF-8 and so could not be stored.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_MANY_BLANK_LINES = re.compile(r"\n{4,}")


def clean_text(text: str, *, limit: int = 3000, field: str = "text") -> str:
    """Tidied free text of at most `limit` characters.

    `field` names what was asked for in the empty-text message, as a lower-case noun ("summary").
    At most two blank lines in a row are kept.
    """
    cleaned = _LINE_BREAKS.sub("\n", text)
    cleaned = _CONTROL_CHARS.sub("", cleaned)
    # Per line rather than a "[ \t]+$" pattern, which is quadratic on long runs of spaces.
    cleaned = "\n".join(line.rstrip(" \t") for line in cleaned.split("\n"))
    cleaned = _MANY_BLANK_LINES.sub("\n\n\n", cleaned).strip()
    if not cleaned:
        raise InputError(TEXT_EMPTY.format(field=field))
    if len(cleaned) > limit:
        raise InputError(TEXT_TOO_LONG.format(length=len(cleaned), limit=limit))
    return cleaned


# --- Ratings ----------------------------------------------------------------------------------

_RATING_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_RATING = re.compile(r"([1-5]|one|two|three|four|five) ?(?:/ ?5|out of (?:5|five)|stars?)?")
_FILLED_STARS = frozenset("⭐★")
_STARS = _FILLED_STARS | frozenset("☆")
# Emoji presentation selector and the keycap mark: "4️⃣" is "4" followed by both.
_EMOJI_MARKS = str.maketrans("", "", "\ufe0f\u20e3")


def parse_rating(text: str) -> int:
    """A rating from 1 to 5: "4", "4/5", "four", "4 stars" or "⭐⭐⭐⭐"."""
    typed = _squash(text.translate(_EMOJI_MARKS))
    if match := _RATING.fullmatch(typed):
        return _RATING_WORDS.get(match[1]) or int(match[1])
    stars = typed.replace(" ", "")
    if stars and set(stars) <= _STARS:
        filled = sum(star in _FILLED_STARS for star in stars)
        if 1 <= filled <= 5:
            return filled
    raise InputError(RATING_INVALID)
