"""What a person's copy of their data holds, and how people are redacted (DESIGN.md 8).

A copy holds what the person wrote and gave, their own portfolio whole, and a minimal record
of the sessions they were in: when and how long, not what someone else wrote about them
(the centre releases that on request, other people redacted: `mentorlog privacy release`).
After an erasure, what others wrote keeps its record with the erased person's name replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from journal.anonymisation import NameRedactor

# A session someone else wrote down: that it happened, when and for how long.
SESSION_RECORD = ("ref", "kind", "occurred_on", "duration_minutes")
# A message the bot sent or meant to send them; the payload is internal and may carry the
# names and words of others (a notice tells a mentor what a mentee said).
PROMPT_RECORD = (
    "id",
    "kind",
    "portfolio_id",
    "due_at",
    "expires_at",
    "state",
    "sent_at",
    "answered_at",
    "created_at",
)
# An invitation's code is a credential, not data about anyone.
INVITATION_HIDDEN = ("code",)
# Names the mentor typed for people not in the bot: theirs, not the writer's.
OTHERS_NAMES = ("mentee_names",)
# Who an erased person is in others' records when they had no pseudonym there.
FORMER_MEMBER = "Former member"


class Share(StrEnum):
    WHOLE = "whole"
    SESSION = "session"
    NONE = "none"


def entry_share(person_id: int, *, author_id: int | None, owner_id: int, about_them: bool) -> Share:
    """How much of one entry goes into this person's copy."""
    if person_id in (owner_id, author_id):
        return Share.WHOLE
    return Share.SESSION if about_them else Share.NONE


def session_record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in SESSION_RECORD}


def own_entry_data(data: Mapping[str, Any], *, owner: bool) -> dict[str, Any]:
    """The fields of an entry they wrote; outside their own portfolio, without others' names."""
    return dict(data) if owner else {k: v for k, v in data.items() if k not in OTHERS_NAMES}


def prompt_record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in PROMPT_RECORD}


def invitation_record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in INVITATION_HIDDEN}


def redact(value: Any, names: Mapping[str, str]) -> Any:
    """Replace each name and each part of it with its stand-in, through nested data, in any
    letter case and spelling of case (the exports' anonymisation: `NameRedactor`); a part two
    people share becomes `[redacted]`."""
    return NameRedactor(names, ambiguous=REDACTED).value(value)


# What a notice carried of the person it names: their words and their rating.
NOTICE_GIVEN = ("text", "rating")


def scrub_notice(payload: Mapping[str, Any], name: str, stand_in: str) -> dict[str, Any]:
    """A notice after its person was erased: that something arrived, under their stand-in."""
    if name and payload.get("who") == name:
        kept = {k: v for k, v in payload.items() if k not in NOTICE_GIVEN}
        return {**redact(kept, {name: stand_in}), "who": stand_in}
    return redact(dict(payload), {name: stand_in})


# Who stands in for other people in what the centre releases.
REDACTED = "[redacted]"
RELEASE_NOTE = (
    "What was written about this person in the sessions and goals they were in. Other people "
    "known to mentorlog are replaced with [redacted]; names it was never told are not, so the "
    "centre reads the text before releasing it."
)


def released_data(data: Mapping[str, Any], *, others: list[str]) -> dict[str, Any]:
    """An entry's fields as the centre releases them to one person: every other person known
    (members of the portfolio, names the mentor typed for guests) replaced with [redacted].

    Names nobody told mentorlog cannot be found: the centre reads the text before release.
    """
    guests = [n for key in OTHERS_NAMES for n in data.get(key, []) if isinstance(n, str)]
    kept = {k: v for k, v in data.items() if k not in OTHERS_NAMES}
    return redact(kept, dict.fromkeys([*others, *guests], REDACTED))
