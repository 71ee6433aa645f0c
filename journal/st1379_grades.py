"""ST1379 grades: the grades of the two EPA methods and the overall grade they give.

ST1379 (seed 002, "Overall EPA grading"): the grades of the two methods combine through the
table in st1379.yaml `extra.overall_grades`, where "Any grade" stands for every grade; a
specific row wins over an "Any grade" row. ST1379 method grades as stored (`MarkRecord`) have
`framework_id` "st1379", `section` the method code of `extra.methods` ("observation",
"discussion") and `value` the grade ("Pass"); the newest record counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from journal.grading import MarkError, newest_last
from journal.snapshot import MarkRecord

ANY_GRADE = "Any grade"


def method_grades(table: Sequence[Mapping[str, str]], method: str) -> list[str]:
    """The grades a method can have, in the table's order ("Any grade" is not one)."""
    grades = dict.fromkeys(str(row[method]) for row in table if row[method] != ANY_GRADE)
    return list(grades)


def st1379_overall(observation: str, discussion: str, table: Sequence[Mapping[str, str]]) -> str:
    """The overall EPA grade; a specific row of the table wins over an "Any grade" row."""
    given = {"observation": observation.strip(), "discussion": discussion.strip()}
    for method, grade in given.items():
        known = method_grades(table, method)
        if grade.casefold() not in {g.casefold() for g in known}:
            raise MarkError(f"“{grade}” is not a grade of the {method} ({', '.join(known)})")

    def matches(row: Mapping[str, str], exact: bool) -> bool:
        return all(
            str(row[m]).casefold() == g.casefold() or (not exact and row[m] == ANY_GRADE)
            for m, g in given.items()
        )

    for exact in (True, False):
        for row in table:
            if matches(row, exact):
                return str(row["overall"])
    raise MarkError(f"the grade table has no row for {observation} / {discussion}")


def st1379_method_grades(records: Iterable[MarkRecord]) -> dict[str, str]:
    """The newest grade per ST1379 method code."""
    return {
        r.section.strip().lower(): r.value.strip()
        for r in newest_last(records)
        if r.framework_id == "st1379"
    }
