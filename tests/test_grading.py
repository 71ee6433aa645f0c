"""ILM mark-sheet outcomes and the ST1379 overall grade (DESIGN.md section 7)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.frameworks.registry import load_registry
from journal.grading import MarkError
from journal.ilm_marks import PASS, REFERRAL, ilm_outcome, ilm_statuses, mark_sheet, section_mark
from journal.snapshot import MarkRecord
from journal.st1379_grades import ANY_GRADE, method_grades, st1379_method_grades, st1379_overall

REGISTRY = load_registry(None)
ILM = REGISTRY.frameworks["ilm"]
ST1379 = REGISTRY.frameworks["st1379"]
SHEETS: list[dict[str, Any]] = ILM.extra["mark_sheets"]
TABLE: list[dict[str, str]] = ST1379.extra["overall_grades"]
SEED_TABLE = [  # seed 002, "Overall EPA grading", row by row
    ("Fail", "Any grade", "Fail"),
    ("Any grade", "Fail", "Fail"),
    ("Pass", "Pass", "Pass"),
    ("Pass", "Distinction", "Merit"),
    ("Distinction", "Pass", "Merit"),
    ("Distinction", "Distinction", "Distinction"),
]


def marks_at(sheet: dict[str, Any], key: str) -> dict[str, int]:
    return {s["title"]: s[key] for s in sheet["sections"]}


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s["unit"])
def test_every_section_at_its_minimum_passes_with_a_total_of_fifty(sheet: dict[str, Any]) -> None:
    result = ilm_outcome(sheet, marks_at(sheet, "min"))
    assert result.total == 50
    assert result.outcome == PASS
    assert result.summary() == f"PASS, total 50 of {result.maximum}"


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s["unit"])
def test_full_marks_pass(sheet: dict[str, Any]) -> None:
    result = ilm_outcome(sheet, marks_at(sheet, "max"))
    assert (result.outcome, result.total) == (PASS, 100)


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s["unit"])
def test_one_section_below_its_minimum_is_a_referral_naming_that_section(
    sheet: dict[str, Any],
) -> None:
    for low in sheet["sections"]:
        marks = marks_at(sheet, "max") | {low["title"]: low["min"] - 1}
        result = ilm_outcome(sheet, marks)
        assert result.outcome == REFERRAL
        assert [s.title for s in result.below_minimum] == [low["title"]]
        assert not result.total_short  # the other sections make up the total
        assert low["title"] in result.summary()
        assert "total" not in result.summary()


def test_d306_reflections_below_thirty_is_a_referral_for_that_section() -> None:
    sheet = mark_sheet(ILM, "D3.06")
    result = ilm_outcome(
        sheet,
        {
            "Planning and organising mentoring sessions": 40,
            "Reflections on the effectiveness of coaching activity": 29,
        },
    )
    assert result.outcome == REFERRAL
    assert result.total == 69
    assert result.summary() == (
        "REFERRAL: “Reflections on the effectiveness of coaching activity” 29 (minimum 30)"
    )


def test_a_short_total_is_named_even_when_every_section_reaches_its_minimum() -> None:
    sheet = {
        "unit": "X1",
        "pass_total": 60,
        "sections": [{"title": "A", "max": 50, "min": 25}, {"title": "B", "max": 50, "min": 25}],
    }
    result = ilm_outcome(sheet, {"A": 25, "B": 25})
    assert result.outcome == REFERRAL
    assert result.below_minimum == ()
    assert result.summary() == "REFERRAL: total 50 (needs 60)"


def test_both_short_sections_and_the_short_total_are_named() -> None:
    sheet = mark_sheet(ILM, "D3.07")
    result = ilm_outcome(
        sheet,
        {
            "Planning and undertaking coaching sessions": 30,
            "Reflections on your development as a mentor": 10,
        },
    )
    assert result.summary() == (
        "REFERRAL: “Planning and undertaking coaching sessions” 30 (minimum 35); "
        "“Reflections on your development as a mentor” 10 (minimum 15); total 40 (needs 50)"
    )


def test_a_mark_above_the_section_maximum_is_rejected() -> None:
    sheet = mark_sheet(ILM, "D3.06")
    marks = marks_at(sheet, "max") | {"Planning and organising mentoring sessions": 41}
    with pytest.raises(MarkError, match=r"41 .*Planning and organising.* above its maximum of 40"):
        ilm_outcome(sheet, marks)


@pytest.mark.parametrize("bad", [-1, 2.5, True, "30"])
def test_a_negative_or_non_whole_mark_is_rejected(bad: Any) -> None:
    sheet = mark_sheet(ILM, "D3.06")
    with pytest.raises(MarkError, match="Planning and organising"):
        ilm_outcome(
            sheet, marks_at(sheet, "min") | {"Planning and organising mentoring sessions": bad}
        )


def test_a_missing_or_unknown_section_is_rejected() -> None:
    sheet = mark_sheet(ILM, "D3.06")
    with pytest.raises(MarkError, match="no mark for section “Reflections"):
        ilm_outcome(sheet, {"Planning and organising mentoring sessions": 30})
    with pytest.raises(MarkError, match="no section “Attendance”"):
        ilm_outcome(sheet, marks_at(sheet, "min") | {"Attendance": 3})


@st.composite
def sheet_and_marks(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, int]]:
    sheet = draw(st.sampled_from(SHEETS))
    marks = {s["title"]: draw(st.integers(0, s["max"])) for s in sheet["sections"]}
    return sheet, marks


@given(sheet_and_marks())
def test_pass_exactly_when_total_reaches_fifty_and_every_section_its_minimum(
    case: tuple[dict[str, Any], dict[str, int]],
) -> None:
    sheet, marks = case
    every_minimum = all(marks[s["title"]] >= s["min"] for s in sheet["sections"])
    expected = PASS if sum(marks.values()) >= 50 and every_minimum else REFERRAL
    assert ilm_outcome(sheet, marks).outcome == expected


def mark(section: str, value: str, minute: int, unit: str = "D3.06") -> MarkRecord:
    return MarkRecord(
        "ilm", unit, section, value, "Peter Grant", datetime(2026, 5, 1, 9, minute, tzinfo=UTC)
    )


def test_stored_marks_name_sections_by_number_or_title_and_the_newest_counts() -> None:
    records = [
        mark("1", "10", 0),
        mark("Planning and organising mentoring sessions", "35", 5),
        mark("2", "40", 1),
    ]
    [status] = ilm_statuses(ILM, records)
    assert status.result is not None
    assert status.result.total == 75
    assert status.result.outcome == PASS


def test_a_sheet_with_a_section_not_yet_marked_has_no_outcome() -> None:
    [status] = ilm_statuses(ILM, [mark("1", "30", 0, "D3.07")])
    assert status.result is None
    assert status.problem == "not yet marked: “Reflections on your development as a mentor”"


def test_an_unreadable_stored_mark_is_reported_not_raised() -> None:
    [status] = ilm_statuses(ILM, [mark("1", "lots", 0), mark("2", "40", 0)])
    assert status.problem is not None and "not a whole number" in status.problem


def test_the_grade_table_in_the_data_is_the_seed_table() -> None:
    assert [(r["observation"], r["discussion"], r["overall"]) for r in TABLE] == SEED_TABLE


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r['observation']}/{r['discussion']}")
def test_every_row_of_the_grade_table_gives_its_overall_grade(row: dict[str, str]) -> None:
    observations = (
        method_grades(TABLE, "observation")
        if row["observation"] == ANY_GRADE
        else [row["observation"]]
    )
    discussions = (
        method_grades(TABLE, "discussion")
        if row["discussion"] == ANY_GRADE
        else [row["discussion"]]
    )
    for observation in observations:
        for discussion in discussions:
            assert st1379_overall(observation, discussion, TABLE) == row["overall"]


@pytest.mark.parametrize(
    ("observation", "discussion", "overall"),
    [
        ("Fail", "Fail", "Fail"),
        ("Fail", "Pass", "Fail"),
        ("Fail", "Distinction", "Fail"),
        ("Pass", "Fail", "Fail"),
        ("Distinction", "Fail", "Fail"),
        ("Pass", "Pass", "Pass"),
        ("Pass", "Distinction", "Merit"),
        ("Distinction", "Pass", "Merit"),
        ("Distinction", "Distinction", "Distinction"),
    ],
)
def test_method_grades_combine_as_the_seed_says(
    observation: str, discussion: str, overall: str
) -> None:
    assert st1379_overall(observation, discussion, TABLE) == overall


def test_grades_are_read_in_any_letter_case() -> None:
    assert st1379_overall(" pass", "DISTINCTION", TABLE) == "Merit"


def test_merit_is_not_a_method_grade() -> None:
    assert method_grades(TABLE, "observation") == ["Fail", "Pass", "Distinction"]
    with pytest.raises(MarkError, match="“Merit” is not a grade of the observation"):
        st1379_overall("Merit", "Pass", TABLE)


def test_the_newest_stored_method_grade_counts() -> None:
    when = datetime(2026, 6, 1, tzinfo=UTC)
    records = [
        MarkRecord("st1379", "epa", "observation", "Fail", "P", when),
        MarkRecord("st1379", "epa", "Observation", "Pass", "P", when.replace(day=2)),
        MarkRecord("ilm", "D3.06", "1", "30", "P", when),
    ]
    assert st1379_method_grades(records) == {"observation": "Pass"}


def test_a_typed_section_mark_is_a_whole_number_up_to_the_section_maximum():
    section = mark_sheet(ILM, "D3.06")["sections"][0]
    assert section_mark(section, " 7 ") == 7
    assert section_mark(section, str(section["max"])) == section["max"]
    for typed in ("", "-1", "7.5", "seven", str(section["max"] + 1), "1000"):
        with pytest.raises(MarkError):
            section_mark(section, typed)
