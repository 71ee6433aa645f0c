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
gateway counts: the plan asks for "post gateway", and a day cannot be split), and the
apprentice's confirmation that mentor and mentee are visible. A video that breaks a rule is
kept and flagged, never silently accepted nor silently dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
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
    NO_GATEWAY = "no_gateway"  # the gateway is not confirmed yet: cannot be post gateway
    NOT_VISIBLE = "not_visible"  # the apprentice did not confirm both are visible


@dataclass(frozen=True)
class Recording:
    recorded_on: date
    seconds: int | None
    visible: bool
    format: str


def problems(recording: Recording, gateway_on: date | None) -> list[Problem]:
    found: list[Problem] = []
    if recording.seconds is None:
        found.append(Problem.LENGTH_UNKNOWN)
    elif recording.seconds < MIN_SECONDS:
        found.append(Problem.SHORT)
    if gateway_on is None:
        found.append(Problem.NO_GATEWAY)
    elif recording.recorded_on < gateway_on:
        found.append(Problem.BEFORE_GATEWAY)
    if not recording.visible:
        found.append(Problem.NOT_VISIBLE)
    return found


@dataclass(frozen=True)
class RecordingsStatus:
    accepted: int
    flagged: int
    needed: int = NEEDED

    @property
    def enough(self) -> bool:
        return self.accepted >= self.needed


def recordings_status(recordings: Sequence[Recording], gateway_on: date | None) -> RecordingsStatus:
    accepted = sum(1 for r in recordings if not problems(r, gateway_on))
    return RecordingsStatus(accepted=accepted, flagged=len(recordings) - accepted)


def minutes_text(seconds: int | None) -> str:
    """Telegram's duration as people read it: `31 min 5 s`, `45 s`."""
    if seconds is None:
        return "length unknown"
    minutes, rest = divmod(max(seconds, 0), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
