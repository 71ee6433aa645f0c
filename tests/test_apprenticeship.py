"""ST1379 apprenticeship rules without a database: expected by now, the 187-hour floor, the
12-month rule at its edges, falling behind and late entries (journal.apprenticeship)."""

from __future__ import annotations

from datetime import date

import pytest

from journal.apprenticeship import (
    BEHIND_MIN_MINUTES,
    FUNDING_FLOOR_HOURS,
    Behind,
    Plan,
    PlanRefused,
    anniversary,
    check_plan,
    expected_minutes,
    falls_behind,
    is_late,
    ksb_ids,
    minimum_problem,
    on_programme_met,
    otj_progress,
)

START = date(2025, 9, 1)
# 52 weeks exactly (a day short of the 12 months check_plan asks for): plain arithmetic.
PLAN = Plan(START, date(2026, 8, 31), planned_hours=312, minimum_hours=187)


def test_expected_by_now_is_weeks_elapsed_over_planned_weeks_times_planned_hours():
    assert PLAN.planned_weeks == 52
    assert expected_minutes(PLAN, START) == 0
    assert expected_minutes(PLAN, date(2025, 9, 7)) == 0  # six days: no whole week yet
    assert expected_minutes(PLAN, date(2025, 9, 8)) == 6 * 60  # 1/52 of 312 h
    assert expected_minutes(PLAN, date(2026, 3, 2)) == 26 * 6 * 60  # half way: 156 h


def test_expected_by_now_is_bounded_by_nothing_before_the_start_and_the_plan_after_its_end():
    assert expected_minutes(PLAN, date(2025, 1, 1)) == 0
    assert expected_minutes(PLAN, date(2026, 8, 31)) == 312 * 60
    assert expected_minutes(PLAN, date(2028, 1, 1)) == 312 * 60


def test_a_minimum_below_the_funding_floor_is_refused_saying_so():
    assert FUNDING_FLOOR_HOURS == 187
    assert minimum_problem(187) is None
    message = minimum_problem(186)
    assert message is not None
    assert "186 hours is below the funding rules' floor of 187 hours" in message
    with pytest.raises(PlanRefused, match="floor of 187 hours"):
        check_plan(START, date(2026, 9, 1), planned_hours=300, minimum_hours=150)


def test_planned_hours_below_the_minimum_and_an_end_before_twelve_months_are_refused():
    with pytest.raises(PlanRefused, match="at least the minimum"):
        check_plan(START, date(2026, 9, 1), planned_hours=200, minimum_hours=250)
    with pytest.raises(PlanRefused, match="12 months"):
        check_plan(START, date(2026, 8, 31), planned_hours=300, minimum_hours=187)
    assert check_plan(START, date(2026, 9, 1), 300, 187).planned_end_on == date(2026, 9, 1)


@pytest.mark.parametrize(
    ("start", "day_before", "anniversary_day"),
    [
        (date(2025, 1, 31), date(2026, 1, 30), date(2026, 1, 31)),
        # No 29 February in 2025: the twelve months are complete on 1 March, never earlier.
        (date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)),
        (date(2025, 3, 1), date(2026, 2, 28), date(2026, 3, 1)),
        (date(2023, 2, 28), date(2024, 2, 27), date(2024, 2, 28)),  # into a leap year
        (date(2025, 12, 31), date(2026, 12, 30), date(2026, 12, 31)),
    ],
)
def test_twelve_months_on_programme_are_met_on_the_anniversary_not_the_day_before(
    start, day_before, anniversary_day
):
    assert anniversary(start) == anniversary_day
    assert not on_programme_met(start, day_before)
    assert on_programme_met(start, anniversary_day)
    assert not on_programme_met(start, start)


def test_falling_behind_is_a_shortfall_beyond_the_margin_on_logged_then_on_confirmed():
    # Early on the margin is a working day: 5 h short of 6 h expected is not behind.
    assert falls_behind(6 * 60, 60, 60) is None
    assert BEHIND_MIN_MINUTES == 6 * 60
    # Later 10 % of expected: 156 h expected, margin 15 h 36.
    expected = 156 * 60
    assert falls_behind(expected, expected - 15 * 60, expected - 15 * 60) is None
    assert falls_behind(expected, expected - 16 * 60, expected) is Behind.LOGGED
    assert falls_behind(expected, expected, expected - 16 * 60) is Behind.CONFIRMED
    assert falls_behind(expected, expected - 20 * 60, 0) is Behind.LOGGED


def test_progress_of_a_plan_brings_the_counts_together():
    found = otj_progress(PLAN, date(2026, 3, 2), logged=100 * 60, confirmed=90 * 60)
    assert (found.planned_minutes, found.minimum_minutes) == (312 * 60, 187 * 60)
    assert found.expected_minutes == 156 * 60
    assert found.behind is Behind.LOGGED
    assert found.weeks == 26
    assert not found.on_programme_met and found.on_programme_from == date(2026, 9, 1)
    assert not found.minimum_met


def test_an_entry_recorded_more_than_seven_days_after_the_activity_is_late():
    assert not is_late(date(2026, 3, 1), date(2026, 3, 1))
    assert not is_late(date(2026, 3, 1), date(2026, 3, 8))  # seven days: still on time
    assert is_late(date(2026, 3, 1), date(2026, 3, 9))


def test_typed_ksb_codes_become_st1379_criteria_and_unknown_ones_are_named():
    known = {"st1379:K14", "st1379:S13", "st1379:B2"}
    assert ksb_ids("k14, S13 and B02; K14 again", known) == (
        ["st1379:K14", "st1379:S13", "st1379:B2"],
        [],
    )
    assert ksb_ids("K99 and S13", known) == (["st1379:S13"], ["K99"])
    assert ksb_ids("", known) == ([], [])
