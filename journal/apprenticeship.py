"""ST1379 apprenticeship rules: the plan, off-the-job hours and the time on programme.

Plain functions on dates and minutes (no aiogram, no SQL). The rules, from seed 002 (the EPA
plan) and the apprenticeship funding rules it refers to:

- **Floor.** "All apprentices must complete the required amount of off-the-job training
  specified by the apprenticeship funding rules": the minimum is the centre's to enter for the
  apprentice's start date, and never below the rules' floor of 187 hours.
- **On programme.** "All apprentices must spend at least 12 months on-programme": the twelve
  months are complete on the anniversary of the start date. A start on 29 February has no
  anniversary in a common year: the months are complete on 1 March, never earlier.
- **Expected by now.** Whole weeks elapsed since the start ÷ planned weeks (start to planned
  end) × planned off-the-job hours, bounded to 0 .. planned. Whole weeks: the figure moves once
  a week, as the weekly reminder does.
- **Falls behind.** Logged hours, or hours the employer confirmed, short of expected by now by
  more than BEHIND_SHARE of it and at least BEHIND_MIN_MINUTES (a working day): a few hours
  under in the first weeks is not behind.
- **Late.** An entry recorded more than LATE_AFTER_DAYS days after the activity shows as late
  (audits fail records written after the fact).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

FUNDING_FLOOR_HOURS = 187
ON_PROGRAMME_MONTHS = 12
LATE_AFTER_DAYS = 7
BEHIND_SHARE = 0.10
BEHIND_MIN_MINUTES = 6 * 60
MAX_PLANNED_HOURS = 2000
FRAMEWORK = "st1379"


class PlanRefused(ValueError):
    """A plan the rules refuse; `message` says which rule, in plain English, and `field`
    which answer to change: minimum, end or planned."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field


@dataclass(frozen=True)
class Plan:
    start_on: date
    planned_end_on: date
    planned_hours: int
    minimum_hours: int

    @property
    def planned_weeks(self) -> float:
        return (self.planned_end_on - self.start_on).days / 7

    @property
    def planned_minutes(self) -> int:
        return self.planned_hours * 60

    @property
    def minimum_minutes(self) -> int:
        return self.minimum_hours * 60


def minimum_problem(minimum_hours: int) -> str | None:
    """Why a minimum is refused (below the funding rules' floor), or None."""
    if minimum_hours < FUNDING_FLOOR_HOURS:
        return (
            f"{minimum_hours} hours is below the funding rules' floor of "
            f"{FUNDING_FLOOR_HOURS} hours of off-the-job training: the minimum can't be less."
        )
    return None


def anniversary(start: date, months: int = ON_PROGRAMME_MONTHS) -> date:
    """The day `months` months after `start` (29 February: the day after 28 February)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    try:
        return start.replace(year=year, month=month)
    except ValueError:  # no such day that month (29 Feb, 31 Apr ...): the next day's first
        return date(year + month // 12, month % 12 + 1, 1)


def on_programme_met(start: date, today: date) -> bool:
    """At least 12 months on programme since `start` by `today` (the anniversary counts)."""
    return today >= anniversary(start)


def check_plan(start: date, planned_end: date, planned_hours: int, minimum_hours: int) -> Plan:
    """The plan, or PlanRefused naming the rule it breaks."""
    if (problem := minimum_problem(minimum_hours)) is not None:
        raise PlanRefused(problem, "minimum")
    if planned_end < anniversary(start):
        raise PlanRefused(
            f"The planned end must be at least 12 months after the start "
            f"({anniversary(start):%d %b %Y} or later): all apprentices spend at least 12 "
            "months on programme.",
            "end",
        )
    if not minimum_hours <= planned_hours <= MAX_PLANNED_HOURS:
        raise PlanRefused(
            f"The planned off-the-job hours must be at least the minimum ({minimum_hours}) "
            f"and at most {MAX_PLANNED_HOURS}.",
            "planned",
        )
    return Plan(start, planned_end, planned_hours, minimum_hours)


def weeks_elapsed(start: date, today: date) -> int:
    return max((today - start).days, 0) // 7


def expected_minutes(plan: Plan, today: date) -> int:
    """Weeks elapsed ÷ planned weeks × planned hours, bounded 0 .. planned (in minutes)."""
    if plan.planned_weeks <= 0:
        return plan.planned_minutes
    share = weeks_elapsed(plan.start_on, today) / plan.planned_weeks
    return round(min(max(share, 0.0), 1.0) * plan.planned_minutes)


def behind_margin(expected: int) -> int:
    return max(round(expected * BEHIND_SHARE), BEHIND_MIN_MINUTES)


class Behind(StrEnum):
    LOGGED = "logged"
    CONFIRMED = "confirmed"


def falls_behind(expected: int, logged: int, confirmed: int) -> Behind | None:
    """Which count is short of expected by now by more than the margin (logged first)."""
    margin = behind_margin(expected)
    if expected - logged > margin:
        return Behind.LOGGED
    if expected - confirmed > margin:
        return Behind.CONFIRMED
    return None


@dataclass(frozen=True)
class OtjProgress:
    planned_minutes: int
    minimum_minutes: int
    logged_minutes: int
    confirmed_minutes: int
    expected_minutes: int
    behind: Behind | None
    weeks: int
    on_programme_met: bool
    on_programme_from: date

    @property
    def minimum_met(self) -> bool:
        """The minimum reached with hours the employer confirmed, not only logged."""
        return self.confirmed_minutes >= self.minimum_minutes


def otj_progress(plan: Plan, today: date, logged: int, confirmed: int) -> OtjProgress:
    expected = expected_minutes(plan, today)
    return OtjProgress(
        planned_minutes=plan.planned_minutes,
        minimum_minutes=plan.minimum_minutes,
        logged_minutes=logged,
        confirmed_minutes=confirmed,
        expected_minutes=expected,
        behind=falls_behind(expected, logged, confirmed),
        weeks=weeks_elapsed(plan.start_on, today),
        on_programme_met=on_programme_met(plan.start_on, today),
        on_programme_from=anniversary(plan.start_on),
    )


def days_late(occurred_on: date, recorded_on: date) -> int:
    """How many days after the activity it was recorded (0 on the day)."""
    return max((recorded_on - occurred_on).days, 0)


def is_late(occurred_on: date, recorded_on: date) -> bool:
    """Recorded more than LATE_AFTER_DAYS days after the activity."""
    return days_late(occurred_on, recorded_on) > LATE_AFTER_DAYS


_KSB = re.compile(r"\b([KSB])\s?0*(\d{1,2})\b", re.IGNORECASE)


def ksb_ids(text: str, known: Collection[str]) -> tuple[list[str], list[str]]:
    """Typed KSB codes (`K14, s13 and B2`) as criterion ids of ST1379, and the codes typed that
    the standard doesn't have; `known` is the framework's criterion ids."""
    found: list[str] = []
    unknown: list[str] = []
    for letter, number in _KSB.findall(text or ""):
        code = f"{letter.upper()}{int(number)}"
        criterion = f"{FRAMEWORK}:{code}"
        if criterion in known:
            if criterion not in found:
                found.append(criterion)
        elif code not in unknown:
            unknown.append(code)
    return found, unknown


def confirmed_of(entry_minutes: int | None, confirmed: int | None) -> int:
    """What one confirmation counts: up to the entry's own length."""
    return min(entry_minutes or 0, confirmed or 0)
