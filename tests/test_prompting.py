"""When prompts are due and whether they go out: the rules alone, without Telegram or a database."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from journal.prompting import (
    Outcome,
    QuietHours,
    Recipient,
    decide,
    feedback_criteria,
    feedback_due,
    goal_review_due,
    goal_review_window,
    next_allowed,
    parse_quiet_hours,
    reminder_due,
    repeating_day,
    repeating_due,
    retry_delay,
)

DEFAULT = QuietHours.of("21:00", "08:00")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_feedback_is_due_two_hours_after_logging_in_the_afternoon():
    assert feedback_due(utc(2026, 11, 23, 10, 0), "Europe/London", DEFAULT) == utc(
        2026, 11, 23, 12, 0
    )


def test_the_same_log_is_due_at_once_in_kolkata_but_next_morning_late_in_the_evening():
    # 10:00 UTC + 2 h = 17:30 in Kolkata: fine. 17:00 UTC + 2 h = 00:30 there: quiet until 08:00.
    assert feedback_due(utc(2026, 11, 23, 10, 0), "Asia/Kolkata", DEFAULT) == utc(
        2026, 11, 23, 12, 0
    )
    assert feedback_due(utc(2026, 11, 23, 17, 0), "Asia/Kolkata", DEFAULT) == utc(
        2026, 11, 24, 2, 30
    )


def test_quiet_hours_spanning_midnight_move_evening_and_early_morning_to_eight():
    evening = utc(2026, 11, 23, 22, 15)  # 22:15 in London (GMT in November)
    early = utc(2026, 11, 24, 6, 59)
    assert next_allowed(evening, "Europe/London", DEFAULT) == utc(2026, 11, 24, 8, 0)
    assert next_allowed(early, "Europe/London", DEFAULT) == utc(2026, 11, 24, 8, 0)
    assert next_allowed(utc(2026, 11, 24, 8, 0), "Europe/London", DEFAULT) == utc(
        2026, 11, 24, 8, 0
    )
    assert next_allowed(utc(2026, 11, 23, 20, 59), "Europe/London", DEFAULT) == utc(
        2026, 11, 23, 20, 59
    )


def test_quiet_hours_within_one_day_and_no_quiet_hours():
    lunch = QuietHours.of("12:00", "13:30")
    assert next_allowed(utc(2026, 6, 1, 11, 0), "Europe/Berlin", lunch) == utc(2026, 6, 1, 11, 30)
    off = QuietHours.of("00:00", "00:00")
    assert next_allowed(utc(2026, 6, 1, 1, 0), "Europe/Berlin", off) == utc(2026, 6, 1, 1, 0)


def test_quiet_hours_follow_summer_time():
    # 07:30 BST on 1 June is 06:30 UTC; quiet until 08:00 BST = 07:00 UTC.
    assert next_allowed(utc(2026, 6, 1, 6, 30), "Europe/London", DEFAULT) == utc(2026, 6, 1, 7, 0)


def test_a_quiet_end_inside_the_spring_forward_gap_lands_after_it():
    # 29 Mar 2026, London: 01:00 GMT jumps to 02:00 BST; 01:30 local does not exist.
    night = QuietHours.of("23:00", "01:30")
    due = next_allowed(utc(2026, 3, 29, 0, 10), "Europe/London", night)
    assert due == utc(2026, 3, 29, 1, 30)  # 02:30 BST, the first real minute after the gap


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22-7", ("22:00", "07:00")),
        ("21:00-08:00", ("21:00", "08:00")),
        ("22.30 – 6", ("22:30", "06:00")),
        ("23 to 7:15", ("23:00", "07:15")),
        ("off", ("00:00", "00:00")),
    ],
)
def test_typed_quiet_hours(typed, expected):
    assert parse_quiet_hours(typed).as_strings() == expected


@pytest.mark.parametrize("typed", ["", "late", "25-7", "22-7-8", "22:75-07"])
def test_unreadable_quiet_hours_are_refused(typed):
    with pytest.raises(ValueError):
        parse_quiet_hours(typed)


def test_a_reminder_comes_a_day_before_closing_unless_that_is_too_late():
    closes = utc(2026, 11, 26, 12, 0)
    assert reminder_due(closes, "Europe/London", DEFAULT, utc(2026, 11, 23, 12)) == utc(
        2026, 11, 25, 12
    )
    # Asked at 21:30 and closing at 08:30: the quiet night leaves no hour for a reminder.
    asked = utc(2026, 11, 25, 21, 30)
    assert reminder_due(utc(2026, 11, 26, 8, 30), "Europe/London", DEFAULT, asked) is None


def test_weekly_nudges_repeat_every_seven_days_and_only_the_latest_counts():
    last = utc(2026, 11, 1, 9, 0)
    assert repeating_due(last, timedelta(days=7), utc(2026, 11, 7, 9, 0)) is None
    assert repeating_due(last, timedelta(days=7), utc(2026, 11, 8, 9, 0)) == utc(2026, 11, 8, 9, 0)
    assert repeating_due(last, timedelta(days=7), utc(2026, 11, 30, 0, 0)) == utc(
        2026, 11, 29, 9, 0
    )


def test_a_quiet_pair_is_flagged_after_21_days():
    assert repeating_day(date(2026, 11, 1), 21, date(2026, 11, 21)) is None
    assert repeating_day(date(2026, 11, 1), 21, date(2026, 11, 22)) == date(2026, 11, 22)


def test_goal_review_is_at_nine_in_the_mentors_zone():
    assert goal_review_due(date(2026, 12, 1), "Asia/Kolkata", DEFAULT) == utc(2026, 12, 1, 3, 30)


def test_feedback_criteria_only_for_the_frameworks_followed():
    assert feedback_criteria(["ilm"]) == ["ilm:D3.07/3.2"]
    assert feedback_criteria(["st1379", "ecomentor"]) == [
        "st1379:S7",
        "st1379:S13",
        "ecomentor:M3_JM_06/3.3",
    ]
    assert feedback_criteria(["unknown"]) == []


def recipient(**changes) -> Recipient:
    return Recipient(chat_id=7, timezone="Europe/London", quiet=DEFAULT, **changes)


def test_what_happens_to_a_claimed_prompt():
    noon = utc(2026, 11, 23, 12, 0)
    assert decide(recipient(), None, True, noon).outcome == Outcome.SEND
    assert decide(recipient(paused=True), None, True, noon).outcome == Outcome.SKIPPED
    assert decide(recipient(blocked=True), None, True, noon).outcome == Outcome.SKIPPED
    assert decide(recipient(), None, False, noon).outcome == Outcome.CANCELLED
    assert decide(recipient(), noon, True, noon).outcome == Outcome.EXPIRED
    night = decide(recipient(), None, True, utc(2026, 11, 23, 23, 0))
    assert night.outcome == Outcome.LATER and night.until == utc(2026, 11, 24, 8, 0)


def test_backoff_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(20) == timedelta(hours=1)


def test_quiet_hours_contain_their_start_but_not_their_end():
    assert DEFAULT.contains(time(21, 0)) and not DEFAULT.contains(time(8, 0))


def test_goals_are_reviewed_up_to_a_week_late_or_the_day_before_their_target():
    start, end = goal_review_window(date(2026, 11, 23))
    assert (start, end) == (date(2026, 11, 16), date(2026, 11, 24))
