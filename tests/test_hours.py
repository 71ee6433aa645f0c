"""Hours per unit from the session log (journal.hours)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from journal.entries import Kind
from journal.frameworks.model import Criterion, Framework, Outcome, Unit
from journal.frameworks.registry import load_registry
from journal.hours import (
    DEFAULT_CONFIRMED_HOURS_UNITS,
    UnitHours,
    format_hours,
    format_minutes,
    parse_units,
    progress_text,
    unit_hours,
    units_in_use,
)
from journal.snapshot import ConfirmationRecord, EntryRecord
from tests.snapshots import GENERATED, ilm_snapshot, session

REGISTRY = load_registry(None)
ILM = REGISTRY.frameworks["ilm"]


def by_unit(entries: Iterable[EntryRecord], framework: Framework = ILM) -> dict[str, UnitHours]:
    return {u.unit_code: u for u in unit_hours(entries, framework)}


def test_only_units_with_a_minimum_keep_hours() -> None:
    assert list(by_unit([])) == ["D3.03", "D3.04", "D3.06", "D3.07"]
    assert unit_hours([], REGISTRY.frameworks["st1379"]) == []


def test_session_over_six_hours_meets_d306_2_1() -> None:
    sessions = [session(i, i, 75, tags=("ilm:D3.06/2.1",)) for i in range(1, 6)]  # 6 h 15
    hours = by_unit(sessions)["D3.06"]
    assert (hours.minutes, hours.met, hours.remaining_minutes) == (375, True, 0)


def test_five_hours_fifty_nine_do_not_meet_d306_but_six_do() -> None:
    short = [session(1, 1, 300), session(2, 2, 59)]
    assert not by_unit(short)["D3.06"].met
    assert by_unit(short)["D3.06"].remaining_minutes == 1
    assert by_unit([*short, session(3, 3, 1)])["D3.06"].met


def test_an_untagged_session_counts_toward_both_mentoring_units() -> None:
    units = by_unit([session(1, 1, 60)])
    assert (units["D3.06"].minutes, units["D3.07"].minutes) == (60, 60)
    assert (units["D3.03"].minutes, units["D3.04"].minutes) == (0, 0)


def test_twenty_hours_of_sessions_meet_d307_2_3_once_the_supervisor_confirmed_them() -> None:
    sessions = [session(i, i, 120, tags=("ilm:D3.07/2.3",)) for i in range(1, 11)]
    d307 = by_unit(sessions)["D3.07"]
    assert (d307.hours, d307.logged_met, d307.met) == (20.0, True, False)
    confirmed = [_confirmed(s.ref, None) for s in sessions]  # None: the session's own length
    d307 = {u.unit_code: u for u in unit_hours(sessions, ILM, confirmed)}["D3.07"]
    assert (d307.confirmed_minutes, d307.met) == (1200, True)


def test_a_coaching_session_counts_toward_both_coaching_units_and_no_mentoring_unit() -> None:
    # One rule for both practices: a session counts toward every hours unit of its practice
    # (D3.06 and D3.07 for mentoring, D3.03 and D3.04 for coaching), never the other's.
    units = by_unit([session(1, 1, 90, tags=("ilm:D3.03/2.1",))])
    assert units["D3.03"].minutes == units["D3.04"].minutes == 90
    assert units["D3.06"].minutes == units["D3.07"].minutes == 0


def test_a_session_claimed_for_coaching_and_mentoring_counts_toward_both_practices() -> None:
    units = by_unit([session(1, 1, 90, tags=("ilm:D3.04/2.3", "ilm:D3.06/2.1"))])
    assert [units[c].minutes for c in ("D3.03", "D3.04", "D3.06", "D3.07")] == [90] * 4


def test_running_hours_follow_the_session_dates_not_the_order_logged() -> None:
    late, early = session(1, 20, 60), session(2, 5, 30)
    d306 = by_unit([late, early])["D3.06"]
    assert [(s.ref, s.running_minutes) for s in d306.sessions] == [("E-0002", 30), ("E-0001", 90)]
    assert d306.running_at("E-0001") == 90
    assert d306.running_at("E-0099") is None


def test_other_entries_and_sessions_without_a_duration_add_nothing() -> None:
    no_time = replace(session(1, 1, 60), duration_minutes=None)
    reflection = replace(session(2, 2, 60), kind=Kind.REFLECTION)
    assert by_unit([no_time, reflection])["D3.06"].minutes == 0


def test_supervisor_confirmed_time_is_the_time_of_confirmed_sessions() -> None:
    snapshot = ilm_snapshot()
    d306 = by_unit(snapshot.entries)["D3.06"]
    confirmed = {u.unit_code: u for u in unit_hours(snapshot, ILM)}["D3.06"]
    assert d306.confirmed_minutes == 0  # entries alone carry no confirmations
    assert confirmed.confirmed_minutes == 75


def test_every_hours_unit_is_in_use_so_missing_coaching_hours_show_as_a_gap() -> None:
    hours = unit_hours([session(1, 1, 90)], ILM)
    in_use = {u.unit_code: u for u in units_in_use(hours, ILM)}
    assert list(in_use) == ["D3.03", "D3.04", "D3.06", "D3.07"]
    assert (in_use["D3.03"].minutes, in_use["D3.03"].met) == (0, False)


def _confirmed(ref: str, minutes: int | None, kind: str = "hours") -> ConfirmationRecord:
    return ConfirmationRecord(kind, "Maria", ref, minutes, None, GENERATED)


def test_confirmed_hours_are_counted_apart_from_logged_hours_per_unit() -> None:
    sessions = [session(i, i, 120) for i in range(1, 11)]  # 20 h logged
    confirmations = [_confirmed("E-0001", 120), _confirmed("E-0002", 60), _confirmed("E-0003", 0)]
    testimony = _confirmed("E-0004", 120, kind="testimony")  # not a confirmation of hours
    units = {u.unit_code: u for u in unit_hours(sessions, ILM, [*confirmations, testimony])}
    d307 = units["D3.07"]
    assert (d307.minutes, d307.confirmed_minutes) == (1200, 180)
    # D3.07 is supervised practice: its minimum needs confirmed hours (the default setting).
    assert d307.needs_confirmed and not d307.met
    assert (d307.remaining_minutes, d307.confirmed_short_minutes) == (0, 1200 - 180)
    assert "not reached" in progress_text(d307) and "3 h confirmed" in progress_text(d307)
    # D3.06 needs logged hours only.
    assert not units["D3.06"].needs_confirmed and units["D3.06"].met
    assert progress_text(units["D3.06"]).endswith("(reached)")


def test_the_centre_says_which_unit_minimums_need_confirmed_hours() -> None:
    sessions = [session(i, i, 120) for i in range(1, 11)]
    units = {u.unit_code: u for u in unit_hours(sessions, ILM, confirmed_units=("ilm:D3.06",))}
    assert units["D3.06"].needs_confirmed and not units["D3.06"].met
    assert not units["D3.07"].needs_confirmed and units["D3.07"].met
    assert parse_units(" ilm:D3.04, ilm:d3.07 ,") == ("ilm:D3.04", "ilm:D3.07")
    assert DEFAULT_CONFIRMED_HOURS_UNITS == ("ilm:D3.04", "ilm:D3.07")


def test_a_framework_without_mentoring_units_counts_every_session_toward_each_hours_unit() -> None:
    def unit(code: str, hours: float) -> Unit:
        crit = Criterion(f"x:{code}/1.1", "1.1", "Practise", code, "1")
        return Unit(code, f"Practice {code}", (Outcome("1", "Practise", (crit,)),), min_hours=hours)

    framework = Framework("x", "X", "1", (unit("P1", 2), unit("P2", 4)))
    units = by_unit([session(1, 1, 150)], framework)
    assert (units["P1"].met, units["P2"].met) == (True, False)


def test_hours_are_written_the_way_the_bot_writes_them() -> None:
    assert [format_minutes(m) for m in (0, 45, 60, 285, 1200)] == [
        "0 h",
        "45 min",
        "1 h",
        "4 h 45",
        "20 h",
    ]
    assert format_hours(6.0) == "6 h"
    assert format_hours(0.75) == "45 min"
