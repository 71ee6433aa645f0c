"""Recordings after the ST1379 gateway as plain rules: video only, 30 minutes, after the
gateway date, mentor and mentee visible; two needed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from journal.recordings import (
    Problem,
    Recording,
    Refused,
    every_problem,
    minutes_text,
    problems,
    recordings_status,
    refusal,
)

GATEWAY = date(2026, 12, 1)


def test_voice_notes_and_audio_are_refused_and_videos_accepted() -> None:
    assert refusal("voice", "audio/ogg") == Refused.AUDIO
    assert refusal("audio", "audio/mpeg") == Refused.AUDIO
    assert refusal("document", "audio/x-wav") == Refused.AUDIO
    assert refusal("photo", "image/jpeg") == Refused.NOT_VIDEO
    assert refusal("document", "application/pdf") == Refused.NOT_VIDEO
    assert refusal(None, None) == Refused.NOT_VIDEO
    for kind, mime in (("video", "video/mp4"), ("video_note", None), ("document", "video/mp4")):
        assert refusal(kind, mime) is None


def test_a_recording_before_the_gateway_date_is_flagged() -> None:
    good = Recording(GATEWAY, 30 * 60, True, "group")
    assert problems(good, GATEWAY) == []  # the gateway day itself counts
    early = Recording(date(2026, 11, 30), 31 * 60, True, "one_to_one")
    assert problems(early, GATEWAY) == [Problem.BEFORE_GATEWAY]
    assert problems(good, None) == [Problem.NO_GATEWAY]


def test_thirty_minutes_and_both_visible_are_needed() -> None:
    short = Recording(GATEWAY, 30 * 60 - 1, True, "one_to_one")
    assert problems(short, GATEWAY) == [Problem.SHORT]
    hidden = Recording(GATEWAY, 40 * 60, False, "one_to_one")
    assert problems(hidden, GATEWAY) == [Problem.NOT_VISIBLE]
    unknown = Recording(GATEWAY, None, True, "one_to_one")
    assert problems(unknown, GATEWAY) == [Problem.LENGTH_UNKNOWN]


def test_two_accepted_recordings_are_enough() -> None:
    good = Recording(GATEWAY, 35 * 60, True, "one_to_one")
    early = Recording(date(2026, 1, 1), 35 * 60, True, "one_to_one")
    one = recordings_status([good, early], GATEWAY)
    assert (one.accepted, one.flagged, one.enough) == (1, 1, False)
    assert recordings_status([good, good], GATEWAY).enough


def test_lengths_read_as_minutes_and_seconds() -> None:
    assert [minutes_text(s) for s in (45, 1800, 1865, None)] == [
        "45 s",
        "30 min",
        "31 min 5 s",
        "length unknown",
    ]


def test_a_recording_of_the_gateway_day_counts_only_when_sent_after_the_confirmation() -> None:
    confirmed = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
    before = Recording(GATEWAY, 31 * 60, True, "group", saved_at=confirmed - timedelta(hours=1))
    after = Recording(GATEWAY, 31 * 60, True, "group", saved_at=confirmed + timedelta(minutes=1))
    assert problems(before, GATEWAY, confirmed) == [Problem.SENT_BEFORE_GATEWAY]
    assert problems(after, GATEWAY, confirmed) == []
    assert recordings_status([before, after], GATEWAY, confirmed).accepted == 1


def test_the_same_video_twice_counts_once() -> None:
    first = Recording(GATEWAY, 35 * 60, True, "one_to_one", file_key="u1", sha256="aa")
    again = Recording(GATEWAY, 35 * 60, True, "one_to_one", file_key="u2", sha256="aa")
    other = Recording(GATEWAY, 35 * 60, True, "one_to_one", file_key="u3", sha256="bb")
    assert every_problem([first, again, other], GATEWAY) == [[], [Problem.DUPLICATE], []]
    status = recordings_status([first, again], GATEWAY)
    assert (status.accepted, status.flagged, status.enough) == (1, 1, False)
    # A flagged copy does not stand in the way of the one that counts.
    hidden = Recording(GATEWAY, 35 * 60, False, "one_to_one", file_key="u1")
    assert every_problem([hidden, first], GATEWAY) == [[Problem.NOT_VISIBLE], []]
