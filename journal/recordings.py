"""Recordings of mentoring sessions after the ST1379 gateway (seed 002, observation with
questioning):

"the apprentice will provide the independent assessor with two 30-minute recordings of
mentoring sessions ... The recorded mentoring sessions must take place and be recorded post
gateway. ... In the recorded mentoring sessions the mentor and mentee must be visible in the
recording. Audio only recordings will not be accepted. Recorded and observed mentoring
sessions may be 1:1 mentoring or group mentoring".

So a recording is a video (a Telegram video, round video note, or a document whose type is
video); a voice note, an audio file or an audio document is refused. Each needs at least 30
minutes (Telegram's duration of the video), a date on or after the gateway date (the day of the
gateway counts: the plan asks for "post gateway", and a day cannot be split), sent to the bot
after the employer confirmed the gateway (a video the bot held before that moment was made
before the gateway, whatever day it names), and the apprentice's confirmation that mentor and
mentee are visible. A video that breaks a rule is kept and flagged, never silently accepted nor
silently dropped. The same video twice (the same Telegram file or the same bytes) counts once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

MIN_SECONDS = 30 * 60
NEEDED = 2
FORMATS = ("one_to_one", "group")
VIDEO_KINDS = frozenset({"video", "video_note"})
AUDIO_KINDS = frozenset({"voice", "audio"})


class Refused(StrEnum):
    AUDIO = "audio"  # audio only: the plan does not accept it
    NOT_VIDEO = "not_video"  # a photo, a text, a document that is not a video


def refusal(kind: str | None, mime: str | None) -> Refused | None:
    """Why a message's file cannot be a recording, or None for a video."""
    mime = (mime or "").lower()
    if kind in AUDIO_KINDS or (kind == "document" and mime.startswith("audio/")):
        return Refused.AUDIO
    if kind in VIDEO_KINDS or (kind == "document" and mime.startswith("video/")):
        return None
    return Refused.NOT_VIDEO


class Problem(StrEnum):
    SHORT = "short"  # under 30 minutes
    LENGTH_UNKNOWN = "length_unknown"  # a document Telegram gave no duration for
    BEFORE_GATEWAY = "before_gateway"  # recorded before the gateway date
    SENT_BEFORE_GATEWAY = "sent_before_gateway"  # the bot held it before the gateway was confirmed
    DUPLICATE = "duplicate"  # the same video as an earlier recording: it counts once
    NO_GATEWAY = "no_gateway"  # the gateway is not confirmed yet: cannot be post gateway
    NOT_VISIBLE = "not_visible"  # the apprentice did not confirm both are visible


@dataclass(frozen=True)
class Recording:
    recorded_on: date
    seconds: int | None
    visible: bool
    format: str
    # When the bot saved it, and what identifies the video itself: Telegram's file_unique_id
    # and the stored file's SHA-256 (either may be unknown: a file over the download limit).
    saved_at: datetime | None = None
    file_key: str | None = None
    sha256: str | None = None

    def same_video(self, other: Recording) -> bool:
        return bool(
            (self.file_key and self.file_key == other.file_key)
            or (self.sha256 and self.sha256 == other.sha256)
        )


def problems(
    recording: Recording, gateway_on: date | None, gateway_at: datetime | None = None
) -> list[Problem]:
    """What keeps one recording from counting, against the gateway date and the moment the
    employer confirmed it (`gateway_at`): on the gateway day, a video sent before the tap was
    recorded before the gateway; one sent after it counts."""
    found: list[Problem] = []
    if recording.seconds is None:
        found.append(Problem.LENGTH_UNKNOWN)
    elif recording.seconds < MIN_SECONDS:
        found.append(Problem.SHORT)
    if gateway_on is None:
        found.append(Problem.NO_GATEWAY)
    elif recording.recorded_on < gateway_on:
        found.append(Problem.BEFORE_GATEWAY)
    elif (
        gateway_at is not None
        and recording.saved_at is not None
        and recording.saved_at < gateway_at
    ):
        found.append(Problem.SENT_BEFORE_GATEWAY)
    if not recording.visible:
        found.append(Problem.NOT_VISIBLE)
    return found


def every_problem(
    recordings: Sequence[Recording], gateway_on: date | None, gateway_at: datetime | None = None
) -> list[list[Problem]]:
    """`problems` of each recording, in order, and DUPLICATE on a video that an earlier one
    that counts already is: the same session never counts twice."""
    found: list[list[Problem]] = []
    counted: list[Recording] = []
    for recording in recordings:
        own = problems(recording, gateway_on, gateway_at)
        if not own and any(recording.same_video(c) for c in counted):
            own = [Problem.DUPLICATE]
        elif not own:
            counted.append(recording)
        found.append(own)
    return found


@dataclass(frozen=True)
class RecordingsStatus:
    accepted: int
    flagged: int
    needed: int = NEEDED

    @property
    def enough(self) -> bool:
        return self.accepted >= self.needed


def recordings_status(
    recordings: Sequence[Recording], gateway_on: date | None, gateway_at: datetime | None = None
) -> RecordingsStatus:
    accepted = sum(1 for p in every_problem(recordings, gateway_on, gateway_at) if not p)
    return RecordingsStatus(accepted=accepted, flagged=len(recordings) - accepted)


def minutes_text(seconds: int | None) -> str:
    """Telegram's duration as people read it: `31 min 5 s`, `45 s`."""
    if seconds is None:
        return "length unknown"
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
