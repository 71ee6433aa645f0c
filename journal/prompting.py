"""When prompts and reminders are due, and whether one should still go out (DESIGN.md section 5).

Plain Python on aware datetimes: every time stored or returned is UTC, and local wall-clock
rules (quiet hours, "a sensible hour") are applied in the recipient's own time zone.

The rules:

- A mentee's feedback prompt is due two hours after the mentor logs the session: late enough
  that the meeting is over and has sunk in, early enough to be "later the same day". If that
  falls in the mentee's quiet hours it moves to the end of them (08:00 by default), which for
  an evening log means the next morning.
- Any prompt due inside its recipient's quiet hours moves to the first minute after them. Quiet
  hours may span midnight (21:00-08:00); equal start and end mean no quiet hours.
- A feedback prompt closes three days after it is due; a supervisor's request after fourteen.
  One reminder goes out a day before an answerable prompt closes (if that still leaves an hour).
- A mentor who logged nothing for seven days gets a weekly nudge, repeated every seven days;
  a mentor-mentee pair with no session for 21 days is flagged to the mentor, every 21 days;
  a goal's target date brings a review reminder at 09:00 that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class PromptKind(StrEnum):
    FEEDBACK = "feedback"  # a mentee rates a session
    REQUEST = "request"  # a supervisor is asked to confirm hours, give feedback or testimony
    REMINDER = "reminder"  # a day before an unanswered feedback prompt or request closes
    NOTICE = "notice"  # the mentor hears that feedback or a confirmation arrived
    WEEKLY = "weekly"  # the mentor logged nothing for a week
    GOAL_REVIEW = "goal_review"  # a goal reached its target date
    PAIR_QUIET = "pair_quiet"  # no session with a mentee for three weeks
    OTJ_BEHIND = "otj_behind"  # an apprentice's off-the-job hours fell behind (weekly)


class RequestKind(StrEnum):
    HOURS = "hours"
    FEEDBACK = "feedback"
    TESTIMONY = "testimony"
    OTJ = "otj"  # the employer confirms an apprentice's off-the-job training hours


ANSWERABLE = frozenset({PromptKind.FEEDBACK, PromptKind.REQUEST})

FEEDBACK_DELAY = timedelta(hours=2)
FEEDBACK_OPEN = timedelta(days=3)
REQUEST_OPEN = timedelta(days=14)
REMINDER_BEFORE = timedelta(hours=24)
REMINDER_MIN_LEAD = timedelta(hours=1)
# The mentor's notice of a rating waits this long for the mentee's optional line, so that it
# arrives as one message; the line (or Skip) sends it at once.
NOTICE_WAITS_FOR_LINE = timedelta(minutes=15)
WEEKLY_GAP = timedelta(days=7)
PAIR_GAP_DAYS = 21
GOAL_REVIEW_AT = time(9, 0)
DEFAULT_QUIET = ("21:00", "08:00")

# Criteria that a mentee's or supervisor's feedback evidences, per framework (the list).
FEEDBACK_CRITERIA: dict[str, tuple[str, ...]] = {
    "ilm": ("ilm:D3.07/3.2",),
    "ecomentor": ("ecomentor:M3_JM_06/3.3",),
    "st1379": ("st1379:S7", "st1379:S13"),
}


def feedback_criteria(framework_ids: list[str]) -> list[str]:
    """The feedback criteria of the frameworks a portfolio follows, in the order followed."""
    return [c for f in framework_ids for c in FEEDBACK_CRITERIA.get(f, ())]


# --- Quiet hours --------------------------------------------------------------------------------

_CLOCK = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?")
_RANGE = re.compile(r"^\s*(\S+?)\s*(?:-|–|—|to|until)\s*(\S+)\s*$", re.IGNORECASE)
_OFF_WORDS = frozenset({"off", "none", "no", "never"})


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def of(cls, start: str, end: str) -> QuietHours:
        return cls(_read_clock(start), _read_clock(end))

    @property
    def off(self) -> bool:
        return self.start == self.end

    def contains(self, moment: time) -> bool:
        if self.off:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def as_strings(self) -> tuple[str, str]:
        return f"{self.start:%H:%M}", f"{self.end:%H:%M}"


def _read_clock(text: str) -> time:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a time of day: {text!r}")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour == 24 and minute == 0:
        hour = 0
    return time(hour, minute)  # raises ValueError past 23:59


def parse_quiet_hours(text: str) -> QuietHours:
    """`22-7`, `21:00-08:00`, `22.30 – 6`, or `off`; ValueError for anything else."""
    typed = " ".join(text.split()).lower()
    if typed in _OFF_WORDS:
        return QuietHours(time(0), time(0))
    match = _RANGE.match(typed)
    if match is None:
        raise ValueError(f"not a range of hours: {text!r}")
    return QuietHours(_read_clock(match.group(1)), _read_clock(match.group(2)))


def next_allowed(due: datetime, timezone: str, quiet: QuietHours) -> datetime:
    """`due` itself, or the end of the quiet hours it falls in, in the recipient's zone."""
    zone = ZoneInfo(timezone)
    local = due.astimezone(zone)
    if not quiet.contains(local.time()):
        return due
    day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        day += timedelta(days=1)  # the evening part of quiet hours that end tomorrow morning
    # An end inside a daylight-saving gap resolves to the instant just after the gap.
    end = datetime.combine(day, quiet.end, tzinfo=zone).astimezone(UTC)
    return max(end, due)


# --- Due times ----------------------------------------------------------------------------------


def feedback_due(
    logged_at: datetime, timezone: str, quiet: QuietHours, delay: timedelta = FEEDBACK_DELAY
) -> datetime:
    return next_allowed(logged_at + delay, timezone, quiet)


def reminder_due(
    closes_at: datetime, timezone: str, quiet: QuietHours, now: datetime
) -> datetime | None:
    """A day before an answerable prompt closes, out of quiet hours; None if too late for one."""
    due = next_allowed(max(closes_at - REMINDER_BEFORE, now), timezone, quiet)
    return due if due <= closes_at - REMINDER_MIN_LEAD else None


def repeating_due(since: datetime, every: timedelta, now: datetime) -> datetime | None:
    """The latest `since + k * every` (k >= 1) not after `now`: one nudge per quiet period,
    and after a long downtime only the latest one."""
    if now < since + every:
        return None
    return since + every * ((now - since) // every)


def repeating_day(since: date, every_days: int, today: date) -> date | None:
    gap = (today - since).days
    if gap < every_days:
        return None
    return since + timedelta(days=every_days * (gap // every_days))


def goal_review_window(today: date) -> tuple[date, date]:
    """Target dates whose goals are due a review now: up to a week late, or due tomorrow."""
    return today - timedelta(days=7), today + timedelta(days=1)


def goal_review_due(target: date, timezone: str, quiet: QuietHours) -> datetime:
    local = datetime.combine(target, GOAL_REVIEW_AT, tzinfo=ZoneInfo(timezone))
    return next_allowed(local.astimezone(UTC), timezone, quiet)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


# --- At the moment of sending -------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """What decides whether a person may be messaged now."""

    chat_id: int | None
    timezone: str
    quiet: QuietHours
    paused: bool = False
    blocked: bool = False
    erased: bool = False

    @property
    def reachable(self) -> bool:
        """On the bot, not erased, not blocked, not paused: may be prompted at all."""
        return self.chat_id is not None and not (self.erased or self.blocked or self.paused)


class Outcome(StrEnum):
    SEND = "send"
    LATER = "later"  # inside the recipient's quiet hours (their settings may have changed)
    SKIPPED = "skipped"  # the recipient can't or doesn't want to be prompted
    EXPIRED = "expired"
    CANCELLED = "cancelled"  # no longer relevant: the session was deleted, a goal closed ...


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    until: datetime | None = None


def decide(
    recipient: Recipient, expires_at: datetime | None, wanted: bool, now: datetime
) -> Decision:
    """Whether a claimed prompt goes out now, later, or not at all."""
    if not recipient.reachable:
        return Decision(Outcome.SKIPPED)
    if not wanted:
        return Decision(Outcome.CANCELLED)
    if expires_at is not None and now >= expires_at:
        return Decision(Outcome.EXPIRED)
    allowed = next_allowed(now, recipient.timezone, recipient.quiet)
    if allowed > now:
        return Decision(Outcome.LATER, allowed)
    return Decision(Outcome.SEND)


# --- Retries ------------------------------------------------------------------------------------

RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff after the `attempts`-th failed attempt: 30 s, 1 min, 2 min ... 1 h."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_MAX)


def days_before(occurred_on: date, today: date) -> int:
    """How long ago a session was, in the recipient's days (0 = today)."""
    return (today - occurred_on).days
