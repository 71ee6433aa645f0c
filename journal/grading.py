"""Assessors' grading rules: ILM mark sheets and the ST1379 overall grade.

ILM (seed 004, every mark sheet): "Total 50 + overall, AND minimum in each section" gives PASS,
anything else REFERRAL, with the sections below their minimum named ("Section referral if
applicable"). A sheet is one item of ilm.yaml `extra.mark_sheets`:
`{unit, title, pass_total, sections: [{title, max, min}]}`; marks are given per section title.

ST1379 (seed 002, "Overall EPA grading"): the grades of the two methods combine through the
table in st1379.yaml `extra.overall_grades`, where "Any grade" stands for every grade.

Marks as stored (`MarkRecord`): ILM marks have `framework_id` "ilm", `sheet` the unit code
("D3.06"), `section` the section title or its 1-based number, `value` the whole mark. ST1379
method grades have `framework_id` "st1379", `section` the method code of `extra.methods`
("observation", "discussion") and `value` the grade ("Pass"). The newest record counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal.frameworks.model import Framework
from journal.snapshot import MarkRecord

PASS = "PASS"  # noqa: S105 - an outcome, not a password
REFERRAL = "REFERRAL"
ANY_GRADE = "Any grade"


class MarkError(ValueError):
    """A mark or grade the rules cannot accept; the message says which and why."""


@dataclass(frozen=True)
class SectionMark:
    title: str
    mark: int
    maximum: int
    minimum: int

    @property
    def reached(self) -> bool:
        return self.mark >= self.minimum


@dataclass(frozen=True)
class IlmResult:
    unit: str
    title: str
    pass_total: int
    sections: tuple[SectionMark, ...]

    @property
    def total(self) -> int:
        return sum(s.mark for s in self.sections)

    @property
    def maximum(self) -> int:
        return sum(s.maximum for s in self.sections)

    @property
    def below_minimum(self) -> tuple[SectionMark, ...]:
        return tuple(s for s in self.sections if not s.reached)

    @property
    def total_short(self) -> bool:
        return self.total < self.pass_total

    @property
    def outcome(self) -> str:
        return REFERRAL if self.total_short or self.below_minimum else PASS

    def summary(self) -> str:
        """'PASS, total 72 of 100' or 'REFERRAL: <section> 12 (minimum 20); total 45 (needs 50)'."""
        if self.outcome == PASS:
            return f"{PASS}, total {self.total} of {self.maximum}"
        reasons = [f"“{s.title}” {s.mark} (minimum {s.minimum})" for s in self.below_minimum]
        if self.total_short:
            reasons.append(f"total {self.total} (needs {self.pass_total})")
        return f"{REFERRAL}: " + "; ".join(reasons)


def section_mark(section: Mapping[str, Any], typed: str) -> int:
    """A typed mark for one mark-sheet section: a whole number from 0 to its maximum."""
    text = typed.strip()
    if not re.fullmatch(r"[0-9]{1,3}", text) or int(text) > int(section["max"]):
        raise MarkError(f"the mark for “{section['title']}” is a whole number 0-{section['max']}")
    return int(text)


def ilm_outcome(sheet: Mapping[str, Any], marks: Mapping[str, int]) -> IlmResult:
    """Apply the mark-sheet rule; every section needs a whole mark from 0 to its maximum."""
    sections = list(sheet["sections"])
    titles = {s["title"] for s in sections}
    unknown = sorted(set(marks) - titles)
    if unknown:
        raise MarkError(f"mark sheet {sheet['unit']} has no section “{unknown[0]}”")
    result = []
    for section in sections:
        title = section["title"]
        if title not in marks:
            raise MarkError(f"no mark for section “{title}” of {sheet['unit']}")
        mark = marks[title]
        if isinstance(mark, bool) or not isinstance(mark, int):
            raise MarkError(f"the mark for “{title}” must be a whole number, not {mark!r}")
        if mark < 0:
            raise MarkError(f"the mark for “{title}” cannot be below 0")
        if mark > section["max"]:
            raise MarkError(f"mark {mark} for “{title}” is above its maximum of {section['max']}")
        result.append(SectionMark(title, mark, int(section["max"]), int(section["min"])))
    return IlmResult(
        unit=str(sheet["unit"]),
        title=str(sheet.get("title", "")),
        pass_total=int(sheet.get("pass_total", 50)),
        sections=tuple(result),
    )


def mark_sheet(framework: Framework, unit_code: str) -> Mapping[str, Any]:
    wanted = unit_code.strip().upper()
    for sheet in framework.extra.get("mark_sheets") or []:
        if str(sheet["unit"]).upper() == wanted:
            return sheet
    raise MarkError(f"{framework.id} has no mark sheet for {unit_code}")


@dataclass(frozen=True)
class SheetStatus:
    """Where an assessor's marking of one sheet stands: a result, or why there is none yet."""

    unit: str
    title: str
    result: IlmResult | None = None
    problem: str | None = None


def _newest(records: Iterable[MarkRecord]) -> list[MarkRecord]:
    return sorted(records, key=lambda r: r.decided_at)


def sheet_marks(sheet: Mapping[str, Any], records: Iterable[MarkRecord]) -> dict[str, int]:
    """The newest mark of each section of `sheet` among ILM mark records."""
    titles = [s["title"] for s in sheet["sections"]]
    by_key = {t.casefold(): t for t in titles} | {str(i): t for i, t in enumerate(titles, 1)}
    marks: dict[str, int] = {}
    for record in _newest(records):
        if record.framework_id != "ilm" or record.sheet.upper() != str(sheet["unit"]).upper():
            continue
        title = by_key.get(record.section.strip().casefold())
        if title is None:
            raise MarkError(f"mark sheet {sheet['unit']} has no section “{record.section}”")
        try:
            marks[title] = int(record.value.strip())
        except ValueError:
            raise MarkError(
                f"the mark for “{title}” is not a whole number: {record.value!r}"
            ) from None
    return marks


def ilm_statuses(framework: Framework, records: Iterable[MarkRecord]) -> list[SheetStatus]:
    """One status per mark sheet that has at least one mark."""
    records = list(records)
    statuses = []
    for sheet in framework.extra.get("mark_sheets") or []:
        unit, title = str(sheet["unit"]), str(sheet.get("title", ""))
        try:
            marks = sheet_marks(sheet, records)
            if not marks:
                continue
            missing = [s["title"] for s in sheet["sections"] if s["title"] not in marks]
            if missing:
                names = ", ".join(f"“{m}”" for m in missing)
                statuses.append(SheetStatus(unit, title, problem=f"not yet marked: {names}"))
                continue
            statuses.append(SheetStatus(unit, title, result=ilm_outcome(sheet, marks)))
        except MarkError as exc:
            statuses.append(SheetStatus(unit, title, problem=str(exc)))
    return statuses


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
        for r in _newest(records)
        if r.framework_id == "st1379"
    }


def assessment_lines(framework: Framework, records: Iterable[MarkRecord]) -> list[tuple[str, str]]:
    """(label, text) lines of what an assessor has marked or graded in this framework."""
    records = list(records)
    lines = [
        (f"Marks: {s.unit} {s.title}", s.result.summary() if s.result else s.problem or "")
        for s in ilm_statuses(framework, records)
    ]
    table = framework.extra.get("overall_grades")
    grades = st1379_method_grades(records) if table else {}
    if grades:
        given = "; ".join(f"{method}: {grade}" for method, grade in grades.items())
        try:
            overall = st1379_overall(grades["observation"], grades["discussion"], table)
        except KeyError:
            overall = "not yet graded (both methods are needed)"
        except MarkError as exc:
            overall = str(exc)
        lines.append((f"Grades: {framework.id}", f"{given}; overall: {overall}"))
    return lines
