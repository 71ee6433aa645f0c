"""A person's time zone from what they type: a zone name, a city, a country or a UTC offset.

`parse_timezone` gives an IANA zone name; COMMON_TIMEZONES are the zones offered as buttons.
Places come from the zone database, a list of aliases (cities and countries that are not zone
names) and a fuzzy match for near misses. Kept apart from the other chat parsers because the
place data and its lookups are most of it; its messages, with the others', are in
journal.parsing. Plain Python: no aiogram, no storage.
"""

import re
from functools import cache
from zoneinfo import available_timezones

from rapidfuzz import fuzz, process

from journal.parsing import TZ_BAD_OFFSET, TZ_UNKNOWN, InputError, squash

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
    typed = squash(text.replace("_", " ")).replace("−", "-").strip(" .")
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
