"""Typed free-text answers: how long one may be, and the parts of one that Telegram's app cut.

Telegram takes at most 4,096 characters a message, so its apps send a longer text as several
messages a moment apart. A message about that long, followed within a few seconds by another,
was one answer: the second part joins the first instead of answering the next question.
"""

from __future__ import annotations

from datetime import datetime, timedelta

# The longest free-text answer kept: about three of Telegram's messages.
ANSWER_LIMIT = 12_000
# A message at least this long may be a part that Telegram's app cut at 4,096 characters.
PART_MIN = 4_000
# The parts of one text arrive a moment apart (Telegram dates messages to the second).
PART_GAP = timedelta(seconds=5)
_SENTENCE_END = tuple('.!?:;)"”')


def may_have_more(text: str) -> bool:
    """Whether a message is long enough to be the first part of a longer text."""
    return len(text) >= PART_MIN


def continues(previous_length: int, previous_at: datetime, at: datetime) -> bool:
    """Whether a message sent `at` is the next part of one of `previous_length` sent before."""
    return previous_length >= PART_MIN and timedelta(0) <= at - previous_at <= PART_GAP


def joined(text: str, part: str) -> str:
    """Two parts as one text. The app drops the space or line break it cut at: a sentence end
    was more likely a line end, anything else a space between words."""
    between = "\n" if text.rstrip().endswith(_SENTENCE_END) else " "
    return text + between + part
