"""What the chat parsers share, and the parsers of free text and ratings.

Each parser returns a clean value or raises `InputError`, whose message tells the user what to
type instead; the messages of every parser are here, together, so they can be translated
together. Dates (journal.date_parsing), session lengths (journal.duration_parsing) and time
zones (journal.timezone_parsing) have their own modules; free text and ratings are short and
stay here. Plain Python: no aiogram, no storage.
"""

import re

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


def squash(text: str) -> str:
    """Lower-case and collapse all whitespace to single spaces, so patterns stay simple."""
    return " ".join(text.lower().split())


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
    typed = squash(text.translate(_EMOJI_MARKS))
    if match := _RATING.fullmatch(typed):
        return _RATING_WORDS.get(match[1]) or int(match[1])
    stars = typed.replace(" ", "")
    if stars and set(stars) <= _STARS:
        filled = sum(star in _FILLED_STARS for star in stars)
        if 1 <= filled <= 5:
            return filled
    raise InputError(RATING_INVALID)
