"""What people type in the chat flows: dates, session lengths, time zones, free text, ratings."""

import contextlib
import statistics
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from journal import date_parsing, timezone_parsing
from journal.date_parsing import parse_date, parse_future_date
from journal.duration_parsing import parse_duration
from journal.parsing import (
    DATE_IN_FUTURE,
    DATE_UNREADABLE,
    DURATION_TOO_SHORT,
    DURATION_UNREADABLE,
    RATING_INVALID,
    TARGET_DATE_IN_PAST,
    TZ_BAD_OFFSET,
    TZ_UNKNOWN,
    InputError,
    clean_text,
    parse_rating,
)
from journal.timezone_parsing import COMMON_TIMEZONES, parse_timezone

MONDAY_5_JAN_2026 = date(2026, 1, 5)


def refusal(parse: Callable[..., object], *args: object, **kwargs: object) -> str:
    """The message a parser gives when it refuses its input."""
    with pytest.raises(InputError) as caught:
        parse(*args, **kwargs)
    return caught.value.message


# --- Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", date(2026, 1, 5)),
        ("Yesterday", date(2026, 1, 4)),
        ("2 days ago", date(2026, 1, 3)),
        ("a week ago", date(2025, 12, 29)),
        ("3 weeks ago", date(2025, 12, 15)),
        ("12/11", date(2025, 11, 12)),
        ("12/11/2025", date(2025, 11, 12)),
        ("12/11/25", date(2025, 11, 12)),
        ("12.11", date(2025, 11, 12)),
        ("12 Nov", date(2025, 11, 12)),
        ("Nov 12", date(2025, 11, 12)),
        ("12 november", date(2025, 11, 12)),
        ("12th of November, 2025", date(2025, 11, 12)),
        ("Sept 3", date(2025, 9, 3)),
        ("2025-11-12", date(2025, 11, 12)),
        ("friday", date(2026, 1, 2)),
        ("last Friday", date(2026, 1, 2)),
        ("last month", date(2025, 12, 5)),
        ("Monday 3 Nov", date(2025, 11, 3)),
    ],
)
def test_common_date_forms_are_read(typed: str, expected: date) -> None:
    assert parse_date(typed, MONDAY_5_JAN_2026) == expected


def test_typed_12_nov_is_this_year_when_in_past() -> None:
    assert parse_date("12 Nov", date(2026, 11, 20)) == date(2026, 11, 12)


def test_typed_12_dec_in_early_january_is_last_year() -> None:
    assert parse_date("12 Dec", MONDAY_5_JAN_2026) == date(2025, 12, 12)


def test_numeric_dates_are_day_first() -> None:
    assert parse_date("05/11", MONDAY_5_JAN_2026) == date(2025, 11, 5)


def test_weekday_typed_on_that_weekday_means_a_week_ago() -> None:
    assert parse_date("monday", MONDAY_5_JAN_2026) == date(2025, 12, 29)


def test_29_february_without_a_year_is_the_latest_leap_day() -> None:
    assert parse_date("29/02", date(2025, 2, 28)) == date(2024, 2, 29)


@pytest.mark.parametrize("typed", ["31/02", "31.02.2025", "2025-02-31"])
def test_31_february_is_refused_as_not_a_real_date(typed: str) -> None:
    message = refusal(parse_date, typed, MONDAY_5_JAN_2026)
    assert message.startswith(f"{typed} isn't a real date.")


def test_32_november_is_refused_as_not_a_real_date() -> None:
    message = refusal(parse_date, "32 Nov", MONDAY_5_JAN_2026)
    assert message.startswith("32 Nov isn't a real date.")


def test_month_first_date_is_refused_with_a_hint_to_put_the_day_first() -> None:
    assert "day first" in refusal(parse_date, "11/13", MONDAY_5_JAN_2026)


@pytest.mark.parametrize("typed", ["tomorrow", "6/1/2026", "2026-01-06", "next friday"])
def test_future_date_is_refused(typed: str) -> None:
    assert refusal(parse_date, typed, MONDAY_5_JAN_2026) == DATE_IN_FUTURE


def test_date_further_back_than_allowed_is_refused_with_the_earliest_date() -> None:
    message = refusal(parse_date, "12 Nov 2023", MONDAY_5_JAN_2026)
    assert message == (
        "That's more than 366 days ago, further back than I can log. "
        "Type a date from 4 Jan 2025 onwards."
    )


def test_both_ends_of_the_allowed_range_are_accepted() -> None:
    assert parse_date("4/1/2025", MONDAY_5_JAN_2026) == date(2025, 1, 4)
    assert parse_date("10 days ago", MONDAY_5_JAN_2026, max_past_days=10) == date(2025, 12, 26)
    assert refusal(parse_date, "11 days ago", MONDAY_5_JAN_2026, max_past_days=10)


@pytest.mark.parametrize("typed", ["", "   ", "nov", "12", "banana", "12 foo", "x" * 65])
def test_unreadable_date_says_what_to_type(typed: str) -> None:
    assert refusal(parse_date, typed, MONDAY_5_JAN_2026) == DATE_UNREADABLE


def test_common_date_forms_do_not_call_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_path(*args: object, **kwargs: object) -> None:
        raise AssertionError("dateparser was called")

    monkeypatch.setattr(date_parsing.dateparser, "parse", slow_path)
    for typed in ["today", "2 days ago", "12/11", "12.11", "12 Nov", "Nov 12", "monday"]:
        parse_date(typed, date(2031, 3, 3))
    assert parse_date("2030-11-12", date(2031, 3, 3)) == date(2030, 11, 12)


def test_long_text_never_reaches_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(date_parsing.dateparser, "parse", lambda text, **kwargs: seen.append(text))
    for typed in ["on the " + "very " * 20 + "first of may", "a" * 10_000]:
        refusal(parse_date, typed, date(2032, 6, 1))
    assert seen == []


def test_parse_date_median_is_well_under_5_ms() -> None:
    typed = ["today", "yesterday", "12/11", "12 Nov", "monday", "2 days ago", "last week"]
    parse_date("last week", MONDAY_5_JAN_2026)  # dateparser loads its language data once
    timings = []
    for index in range(1000):
        started = clock.perf_counter()
        parse_date(typed[index % len(typed)], MONDAY_5_JAN_2026)
        timings.append(clock.perf_counter() - started)
    assert statistics.median(timings) < 0.005


# --- Target dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", date(2026, 1, 5)),
        ("tomorrow", date(2026, 1, 6)),
        ("in 3 weeks", date(2026, 1, 26)),
        ("30/06", date(2026, 6, 30)),
        ("30 Jun", date(2026, 6, 30)),
        ("30/06/2027", date(2027, 6, 30)),
        ("friday", date(2026, 1, 9)),
        ("next month", date(2026, 2, 5)),
    ],
)
def test_target_date_forms_are_read(typed: str, expected: date) -> None:
    assert parse_future_date(typed, MONDAY_5_JAN_2026) == expected


def test_target_date_without_a_year_is_the_next_such_date() -> None:
    assert parse_future_date("4 Jan", MONDAY_5_JAN_2026) == date(2027, 1, 4)


def test_target_weekday_typed_on_that_weekday_means_next_week() -> None:
    assert parse_future_date("monday", MONDAY_5_JAN_2026) == date(2026, 1, 12)


@pytest.mark.parametrize("typed", ["yesterday", "last friday", "1/1/2026"])
def test_target_date_in_the_past_is_refused(typed: str) -> None:
    assert refusal(parse_future_date, typed, MONDAY_5_JAN_2026) == TARGET_DATE_IN_PAST


def test_target_date_too_far_ahead_is_refused_with_the_latest_date() -> None:
    message = refusal(parse_future_date, "1/1/2030", MONDAY_5_JAN_2026)
    assert message == "That's further ahead than I can plan for. Type a date up to 7 Jan 2029."


def test_target_31_february_is_refused_as_not_a_real_date() -> None:
    assert "isn't a real date" in refusal(parse_future_date, "31 Feb", MONDAY_5_JAN_2026)


# --- Durations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("45", 45),
        ("45m", 45),
        ("45 min", 45),
        ("90 mins", 90),
        ("1h", 60),
        ("1 h", 60),
        ("1h 30", 90),
        ("1h30m", 90),
        ("1hr30", 90),
        ("1.5h", 90),
        ("1,5 h", 90),
        ("1.5 hours", 90),
        ("1 hour 15 minutes", 75),
        ("1 hour and 15 minutes", 75),
        ("2 hrs 15 mins", 135),
        ("an hour", 60),
        ("half an hour", 30),
        ("1 ½ h", 90),
        ("1½h", 90),
        ("12h", 720),
    ],
)
def test_common_duration_forms_are_read(typed: str, minutes: int) -> None:
    assert parse_duration(typed) == minutes


def test_1h30_is_90_minutes() -> None:
    assert parse_duration("1h30") == 90


def test_colon_form_is_hours_and_minutes() -> None:
    assert parse_duration("2:15") == 135


def test_bare_number_is_minutes() -> None:
    assert parse_duration("50") == 50


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("2", "Did you mean 2 hours? Type 2h or 120."),
        ("1", "Did you mean 1 hour? Type 1h or 60."),
        ("1.5", "Did you mean 1.5 hours? Type 1.5h or 90."),
    ],
)
def test_small_bare_number_asks_whether_hours_were_meant(typed: str, question: str) -> None:
    assert refusal(parse_duration, typed) == question


def test_fractions_of_a_minute_round_half_up() -> None:
    assert parse_duration("1.33h") == 80
    assert parse_duration("2.5 min") == 3


@pytest.mark.parametrize("typed", ["0", "0h", "0 min", "0:00"])
def test_duration_zero_is_refused(typed: str) -> None:
    assert refusal(parse_duration, typed) == DURATION_TOO_SHORT


def test_negative_duration_is_refused() -> None:
    assert refusal(parse_duration, "-30") == DURATION_TOO_SHORT


@pytest.mark.parametrize("typed", ["25 hours", "12h01", "721", "13:00"])
def test_duration_25_hours_is_refused(typed: str) -> None:
    assert refusal(parse_duration, typed).startswith("A single session can be at most 12 hours.")


@pytest.mark.parametrize("typed", ["", "soon", "1h90", "1:75", "h", "45 seconds"])
def test_unreadable_duration_says_what_to_type(typed: str) -> None:
    assert refusal(parse_duration, typed) == DURATION_UNREADABLE


# --- Time zones -------------------------------------------------------------------------------


def test_city_warsaw_resolves() -> None:
    assert parse_timezone("Warsaw") == "Europe/Warsaw"


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("europe/warsaw", "Europe/Warsaw"),
        ("America/New_York", "America/New_York"),
        ("london", "Europe/London"),
        ("New York", "America/New_York"),
        ("Sydney", "Australia/Sydney"),
        ("Lagos", "Africa/Lagos"),
        ("Nairobi", "Africa/Nairobi"),
        ("Mumbai", "Asia/Kolkata"),
        ("Delhi", "Asia/Kolkata"),
        ("Kolkata", "Asia/Kolkata"),
        ("Tokyo", "Asia/Tokyo"),
        ("Edinburgh", "Europe/London"),
        ("Cardiff", "Europe/London"),
        ("Belfast", "Europe/London"),
        ("Los Angeles", "America/Los_Angeles"),
        ("Johannesburg", "Africa/Johannesburg"),
        ("Singapore", "Asia/Singapore"),
        ("Auckland", "Pacific/Auckland"),
        ("Washington", "America/New_York"),
        ("Beijing", "Asia/Shanghai"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("London, UK", "Europe/London"),
        ("UTC", "UTC"),
    ],
)
def test_zone_names_and_cities_resolve(typed: str, zone: str) -> None:
    assert parse_timezone(typed) == zone


def test_utc_plus_2_resolves_to_etc_zone_with_inverted_sign() -> None:
    assert parse_timezone("UTC+2") == "Etc/GMT-2"
    assert parse_timezone("GMT-5") == "Etc/GMT+5"


@pytest.mark.parametrize("hours", range(-12, 15))
def test_whole_hour_offsets_give_a_zone_with_that_offset(hours: int) -> None:
    zone = ZoneInfo(parse_timezone(f"UTC{hours:+d}"))
    assert datetime(2026, 1, 15, tzinfo=zone).utcoffset() == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("+05:30", 330),
        ("+0545", 345),
        ("UTC+9:30", 570),
        ("-3:30", -210),
        ("+3:30", 210),
        ("+4:30", 270),
        ("+6:30", 390),
        ("UTC+12:45", 765),
    ],
)
def test_offsets_with_minutes_give_a_zone_with_that_offset(typed: str, minutes: int) -> None:
    zone = ZoneInfo(parse_timezone(typed))
    # Some of these zones keep the offset only outside their summer time.
    winter_and_summer = [datetime(2026, 1, 15, tzinfo=zone), datetime(2026, 7, 15, tzinfo=zone)]
    assert timedelta(minutes=minutes) in {moment.utcoffset() for moment in winter_and_summer}


@pytest.mark.parametrize("typed", ["+5:15", "UTC+15", "UTC-13"])
def test_offset_without_a_zone_is_refused(typed: str) -> None:
    assert refusal(parse_timezone, typed) == TZ_BAD_OFFSET


def test_typo_in_a_city_name_is_forgiven() -> None:
    assert parse_timezone("Warsw") == "Europe/Warsaw"


def test_town_near_in_spelling_to_a_far_zone_is_not_matched() -> None:
    assert parse_timezone("Nakuru") == "Africa/Nairobi"
    assert refusal(parse_timezone, "Preston") == TZ_UNKNOWN


@pytest.mark.parametrize("typed", ["", "nowhere", "abc", "x" * 65, "localtime", "Etc/GMT-99"])
def test_unknown_place_is_refused(typed: str) -> None:
    assert refusal(parse_timezone, typed) == TZ_UNKNOWN


def test_every_alias_and_button_zone_exists() -> None:
    zones = set(timezone_parsing._PLACE_ALIASES.values()) | {zone for _, zone in COMMON_TIMEZONES}
    zones |= set(timezone_parsing._PART_HOUR_OFFSETS.values())
    for zone in zones:
        ZoneInfo(zone)


def test_common_timezone_buttons_are_a_short_list_of_distinct_zones() -> None:
    labels = [label for label, _ in COMMON_TIMEZONES]
    zones = [zone for _, zone in COMMON_TIMEZONES]
    assert 6 <= len(COMMON_TIMEZONES) <= 10
    assert len(set(labels)) == len(labels)
    assert len(set(zones)) == len(zones)


# --- Free text --------------------------------------------------------------------------------


def test_text_of_5000_chars_is_refused_with_the_limit() -> None:
    assert refusal(clean_text, "x" * 5000) == (
        "That's 5,000 characters; the most I can keep here is 3,000. Shorten it and send it again."
    )


def test_text_at_the_limit_is_kept_and_the_limit_counts_after_cleaning() -> None:
    assert clean_text("  " + "x" * 3000 + "\n\n\n\n\n") == "x" * 3000
    assert refusal(clean_text, "x" * 11, limit=10).startswith("That's 11 characters;")


def test_text_is_stripped_and_control_characters_removed() -> None:
    typed = "  Went\x00 well\x1b.\tReally\x7f.\u0085Next  \n"
    assert clean_text(typed) == "Went well.\tReally.\nNext"


def test_windows_line_breaks_become_newlines() -> None:
    assert clean_text("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_more_than_two_blank_lines_collapse_to_two() -> None:
    assert clean_text("a\n\n\n\n\n\nb\n \n\t\n \nc\n\nd") == "a\n\n\nb\n\n\nc\n\nd"


def test_emoji_sequences_are_kept() -> None:
    assert clean_text("👩\u200d🏫 great ⭐️") == "👩\u200d🏫 great ⭐️"


def test_lone_surrogates_are_removed_so_the_text_can_be_stored() -> None:
    assert clean_text("ok\ud800").encode() == b"ok"


def test_empty_text_is_refused_naming_the_field() -> None:
    message = refusal(clean_text, " \n\x00\t ", field="summary")
    assert message == "I didn't get any summary there. Type it and send it again."


@pytest.mark.parametrize(
    ("parse", "typed"),
    [
        (clean_text, " " * 40_000 + "x"),
        (parse_duration, "9" * 40_000),
        (parse_rating, "4" * 40_000),
    ],
)
def test_long_input_is_handled_in_linear_time(parse: Callable[[str], object], typed: str) -> None:
    started = clock.perf_counter()
    with contextlib.suppress(InputError):
        parse(typed)
    # A pattern that backtracks over the whole run took seconds here.
    assert clock.perf_counter() - started < 0.5


# --- Ratings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "rating"),
    [
        ("4", 4),
        (" 4/5 ", 4),
        ("4 / 5", 4),
        ("4 out of 5", 4),
        ("five", 5),
        ("Four", 4),
        ("1 star", 1),
        ("⭐⭐⭐⭐", 4),
        ("⭐️⭐️⭐️", 3),
        ("★★★☆☆", 3),
        ("4️⃣", 4),
    ],
)
def test_rating_forms_are_read(typed: str, rating: int) -> None:
    assert parse_rating(typed) == rating


@pytest.mark.parametrize("typed", ["", "0", "6", "4.5", "4/10", "great", "☆☆☆", "⭐" * 6])
def test_rating_outside_1_to_5_is_refused(typed: str) -> None:
    assert refusal(parse_rating, typed) == RATING_INVALID


# --- Properties: anything typed gives a valid value or an InputError --------------------------

ANY_CHARACTER = st.characters(codec=None, exclude_categories=())
ARBITRARY_TEXT = st.one_of(
    st.text(ANY_CHARACTER),
    st.text(ANY_CHARACTER, max_size=8).map(lambda text: text * 5000),
)
SMALL_NUMBERS = st.integers(-5, 40).map(str)
DATE_LIKE = st.one_of(
    st.tuples(SMALL_NUMBERS, st.sampled_from("/.-"), SMALL_NUMBERS).map("".join),
    st.tuples(SMALL_NUMBERS, st.sampled_from(["/", "."]), SMALL_NUMBERS).map(
        lambda parts: "".join(parts) + parts[1] + "2025"
    ),
    st.tuples(SMALL_NUMBERS, st.sampled_from(["nov", "Feb", "june", "sept", "xyz"])).map(" ".join),
    st.tuples(SMALL_NUMBERS, st.sampled_from(["days ago", "weeks ago"])).map(" ".join),
    st.tuples(st.just("in"), SMALL_NUMBERS, st.sampled_from(["days", "week"])).map(" ".join),
    st.sampled_from(["today", "yesterday", "monday", "last sun", "tomorrow", "next fri"]),
    st.sampled_from(["last year", "next month"]),
)
DURATION_LIKE = st.one_of(
    st.floats(-10, 2000, allow_nan=False).map(lambda value: f"{value:.2f}"),
    st.tuples(SMALL_NUMBERS, st.sampled_from(["h", ":", " hours "]), SMALL_NUMBERS).map("".join),
    st.tuples(SMALL_NUMBERS, st.sampled_from(["m", " min", "h", "½h"])).map("".join),
)
ZONE_LIKE = st.one_of(
    st.tuples(
        st.sampled_from(["UTC", "GMT", ""]),
        st.sampled_from("+-"),
        st.integers(0, 20),
        st.sampled_from(["", ":00", ":30", ":45", "15"]),
    ).map(lambda parts: f"{parts[0]}{parts[1]}{parts[2]}{parts[3]}"),
    st.sampled_from(sorted(timezone_parsing._zones_by_place())).map(str.upper),
)
PAST_DAYS = st.integers(0, 5000)
TODAYS = st.dates(date(2000, 1, 1), date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(typed=st.one_of(ARBITRARY_TEXT, DATE_LIKE), today=TODAYS, max_past_days=PAST_DAYS)
@example(typed="31/02", today=MONDAY_5_JAN_2026, max_past_days=366)
@example(typed="999 weeks ago", today=date(2000, 1, 1), max_past_days=0)
def test_parse_date_accepts_only_dates_in_range(
    typed: str, today: date, max_past_days: int
) -> None:
    try:
        found = parse_date(typed, today, max_past_days=max_past_days)
    except InputError as error:
        assert error.message
    else:
        assert today - timedelta(days=max_past_days) <= found <= today


@settings(max_examples=200, deadline=None)
@given(typed=st.one_of(ARBITRARY_TEXT, DATE_LIKE), today=TODAYS, max_future_days=PAST_DAYS)
@example(typed="in 999 weeks", today=date(2100, 12, 31), max_future_days=0)
def test_parse_future_date_accepts_only_dates_in_range(
    typed: str, today: date, max_future_days: int
) -> None:
    try:
        found = parse_future_date(typed, today, max_future_days=max_future_days)
    except InputError as error:
        assert error.message
    else:
        assert today <= found <= today + timedelta(days=max_future_days)


@settings(max_examples=200, deadline=None)
@given(typed=st.one_of(ARBITRARY_TEXT, DURATION_LIKE))
@example(typed="9" * 5000)
@example(typed="0.0004h")
def test_parse_duration_accepts_only_1_to_720_minutes(typed: str) -> None:
    try:
        minutes = parse_duration(typed)
    except InputError as error:
        assert error.message
    else:
        assert 1 <= minutes <= 720


@settings(max_examples=200, deadline=None)
@given(typed=st.one_of(ARBITRARY_TEXT, ZONE_LIKE))
def test_parse_timezone_accepts_only_loadable_zones(typed: str) -> None:
    try:
        zone = parse_timezone(typed)
    except InputError as error:
        assert error.message
    else:
        datetime.now(UTC).astimezone(ZoneInfo(zone))


@settings(max_examples=200, deadline=None)
@given(typed=ARBITRARY_TEXT, limit=st.integers(1, 5000))
@example(typed="\x00\r\n\ud800\u2028 \t", limit=10)
def test_clean_text_gives_storable_text_within_the_limit(typed: str, limit: int) -> None:
    try:
        cleaned = clean_text(typed, limit=limit)
    except InputError as error:
        assert error.message
    else:
        assert 0 < len(cleaned) <= limit
        assert cleaned == cleaned.strip()
        assert "\n\n\n\n" not in cleaned
        assert not any(ord(char) < 32 and char not in "\n\t" for char in cleaned)
        cleaned.encode()


@settings(max_examples=200, deadline=None)
@given(typed=st.one_of(ARBITRARY_TEXT, st.integers(-2, 8).map(str), st.text("⭐★☆ \ufe0f")))
def test_parse_rating_accepts_only_1_to_5(typed: str) -> None:
    try:
        rating = parse_rating(typed)
    except InputError as error:
        assert error.message
    else:
        assert 1 <= rating <= 5
