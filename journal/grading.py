"""Assessors' grading rules: ILM mark sheets and the ST1379 overall grade.

ILM (seed 004, every mark sheet): "Total 50 + overall, AND minimum in each section" gives PASS,
anything else REFERRAL, with the sections below their minimum named ("Section referral if
applicable"). A sheet is one item of ilm.yaml `extra.mark_sheets`:
`{unit, title, pass_total, sections: [{title, max, min}]}`; marks are given per section title.

ST1379 (seed 002, "Overall EPA grading"): the grades of the two methods combine through the
table in st1379.yaml `extra.overall_grades`, where "Any grade" stands for every grade.

Marks as stored (`MarkRecord`): ILM marks have `framework_id` "ilm", `sheet` the sheet key
("D3.06", or "D3.01+D3.02" for the joint sheet; a mark stored under "D3.01" or "D3.02" belongs
to the joint sheet too), `section` the section title or its 1-based number, `value` the whole
mark and `role` "assessor" (Assr mark) or "qa" (QA mark). ST1379 method grades have
`framework_id` "st1379", `section` the method code of `extra.methods` ("observation",
"discussion") and `value` the grade ("Pass"). The newest record counts.

Sheets as printed (`mark_sheets`): the seed prints one sheet for D3.01 and D3.02 ("MARK SHEET:
WORK-BASED ASSIGNMENT: D3.01 AND D3.02"); ilm.yaml lists it under both units, and sheets with
the same title and sections are one sheet here, so one script has one outcome. `sheet_forms`
gives every field of a sheet: centre, learner and registration number, authenticity, the
anonymous-use opt-out, per section strengths, weaknesses, assessor and QA marks, both
outcomes, the section referral, names and dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journal.frameworks.model import Framework
from journal.snapshot import MarkRecord, PortfolioSnapshot, SheetNoteRecord

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


def mark_sheets(framework: Framework) -> list[dict[str, Any]]:
    """The framework's mark sheets as printed, each with `key` and `units`: the same sheet
    listed under several units (title and sections alike) is one sheet, keyed "D3.01+D3.02"
    and named (`unit`) "D3.01 and D3.02"."""
    result: list[dict[str, Any]] = []
    for sheet in framework.extra.get("mark_sheets") or []:
        title, sections = str(sheet.get("title", "")), list(sheet["sections"])
        same = next((r for r in result if (r["title"], r["sections"]) == (title, sections)), None)
        if same is not None:
            same["units"] = (*same["units"], str(sheet["unit"]))
            same["key"], same["unit"] = "+".join(same["units"]), " and ".join(same["units"])
            continue
        unit = str(sheet["unit"])
        result.append(
            {**sheet, "title": title, "sections": sections, "units": (unit,), "key": unit}
        )
    return result


def _codes(sheet: Mapping[str, Any]) -> set[str]:
    """Every name a mark of this sheet may be stored under (its key and each of its units)."""
    units = sheet.get("units") or (sheet["unit"],)
    return {str(c).upper() for c in (sheet.get("key", sheet["unit"]), *units)}


def mark_sheet(framework: Framework, unit_code: str) -> Mapping[str, Any]:
    """The sheet of a unit ("D3.02" gives the joint D3.01 and D3.02 sheet) or of a key."""
    wanted = unit_code.strip().upper()
    for sheet in mark_sheets(framework):
        if wanted in _codes(sheet):
            return sheet
    raise MarkError(f"{framework.id} has no mark sheet for {unit_code}")


@dataclass(frozen=True)
class SheetStatus:
    """Where an assessor's marking of one sheet stands: a result, or why there is none yet."""

    unit: str
    title: str
    result: IlmResult | None = None
    problem: str | None = None
    key: str = ""


def _newest(records: Iterable[MarkRecord]) -> list[MarkRecord]:
    return sorted(records, key=lambda r: r.decided_at)


def sheet_marks(
    sheet: Mapping[str, Any], records: Iterable[MarkRecord], role: str = "assessor"
) -> dict[str, int]:
    """The newest mark of each section of `sheet` among ILM mark records of `role`."""
    titles = [s["title"] for s in sheet["sections"]]
    by_key = {t.casefold(): t for t in titles} | {str(i): t for i, t in enumerate(titles, 1)}
    codes = _codes(sheet)
    marks: dict[str, int] = {}
    for record in _newest(records):
        if record.framework_id != "ilm" or record.sheet.upper() not in codes:
            continue
        if record.role != role:
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


def ilm_statuses(
    framework: Framework, records: Iterable[MarkRecord], role: str = "assessor"
) -> list[SheetStatus]:
    """One status per mark sheet (as printed) that has at least one mark of `role`."""
    records = list(records)
    statuses = []
    for sheet in mark_sheets(framework):
        unit, title, key = str(sheet["unit"]), str(sheet.get("title", "")), sheet["key"]
        try:
            marks = sheet_marks(sheet, records, role)
            if not marks:
                continue
            missing = [s["title"] for s in sheet["sections"] if s["title"] not in marks]
            if missing:
                names = ", ".join(f"“{m}”" for m in missing)
                statuses.append(
                    SheetStatus(unit, title, problem=f"not yet marked: {names}", key=key)
                )
                continue
            statuses.append(SheetStatus(unit, title, result=ilm_outcome(sheet, marks), key=key))
        except MarkError as exc:
            statuses.append(SheetStatus(unit, title, problem=str(exc), key=key))
    return statuses


ALL_SHEETS = "*"  # a sheet note for every sheet of the framework (authenticity, opt-out)
AUTHENTIC, OPT_OUT = "authentic", "opt_out"
STRENGTHS, WEAKNESSES, COMMENT = "strengths", "weaknesses", "comment"
NOT_RECORDED = "not recorded"


def _day(moment: Any) -> str:
    return f"{moment.day} {moment:%b %Y}"


@dataclass(frozen=True)
class SectionForm:
    title: str
    maximum: int
    minimum: int
    assessor_mark: int | None
    qa_mark: int | None
    strengths: str
    weaknesses: str


@dataclass(frozen=True)
class SheetForm:
    """One mark sheet with every field the seed prints, filled from the portfolio."""

    key: str
    unit: str
    title: str
    centre_name: str
    centre_number: str
    learner_name: str
    learner_registration: str
    authenticity: str
    anonymous_use: str
    sections: tuple[SectionForm, ...]
    assessor_total: int | None
    assessor_outcome: str
    section_referral: str
    assessor_name: str
    assessor_date: str
    qa_total: int | None
    qa_outcome: str
    iqa_name: str
    iqa_date: str
    comment: str

    @property
    def started(self) -> bool:
        return any(s.assessor_mark is not None or s.qa_mark is not None for s in self.sections)


def _outcome(sheet: Mapping[str, Any], marks: dict[str, int]) -> tuple[IlmResult | None, str]:
    if not marks:
        return None, NOT_RECORDED
    if len(marks) < len(sheet["sections"]):
        return None, "not yet marked in full"
    try:
        result = ilm_outcome(sheet, marks)
    except MarkError as exc:
        return None, str(exc)
    return result, result.outcome


def _latest_notes(
    snapshot: PortfolioSnapshot, framework_id: str
) -> dict[tuple[str, str, str], SheetNoteRecord]:
    notes: dict[tuple[str, str, str], SheetNoteRecord] = {}
    for note in sorted(snapshot.sheet_notes, key=lambda n: n.recorded_at):
        if note.framework_id == framework_id:
            notes[(note.sheet.upper(), note.field, note.section)] = note
    return notes


def learner_details(snapshot: PortfolioSnapshot, framework_id: str = "ilm") -> dict[str, str]:
    """What heads every mark sheet: centre, registration number, authenticity, opt-out."""
    notes = _latest_notes(snapshot, framework_id)
    authentic = notes.get((ALL_SHEETS, AUTHENTIC, ""))
    opt_out = notes.get((ALL_SHEETS, OPT_OUT, ""))
    return {
        "centre_name": snapshot.centre_name or NOT_RECORDED,
        "centre_number": snapshot.centre_number or NOT_RECORDED,
        "learner_registration": snapshot.learner_registration or NOT_RECORDED,
        "authenticity": (
            f"confirmed by {authentic.person} on {_day(authentic.recorded_at)}"
            if authentic and authentic.text == "yes"
            else "not confirmed"
        ),
        "anonymous_use": (
            "refused (opt-out ticked)"
            if opt_out and opt_out.text == "yes"
            else "agreed (opt-out not ticked)"
        ),
    }


def sheet_forms(snapshot: PortfolioSnapshot, framework: Framework) -> list[SheetForm]:
    """Every mark sheet of `framework` as printed, with what the portfolio holds for it."""
    notes = _latest_notes(snapshot, framework.id)
    details = learner_details(snapshot, framework.id)
    forms = []
    for sheet in mark_sheets(framework):
        codes = _codes(sheet)
        mine = [m for m in snapshot.marks if m.framework_id == framework.id]
        mine = [m for m in mine if m.sheet.upper() in codes]

        def marks_of(
            role: str, mine: list[MarkRecord] = mine, sheet: dict[str, Any] = sheet
        ) -> dict[str, int]:
            try:
                return sheet_marks(sheet, mine, role)
            except MarkError:
                return {}

        given, checked = marks_of("assessor"), marks_of("qa")

        def note(field: str, section: str, codes: set[str] = codes) -> str:
            found = [notes[(c, field, section)] for c in codes if (c, field, section) in notes]
            return max(found, key=lambda n: n.recorded_at).text if found else ""

        sections = tuple(
            SectionForm(
                s["title"],
                int(s["max"]),
                int(s["min"]),
                given.get(s["title"]),
                checked.get(s["title"]),
                note(STRENGTHS, str(i)),
                note(WEAKNESSES, str(i)),
            )
            for i, s in enumerate(sheet["sections"], 1)
        )
        result, outcome = _outcome(sheet, given)
        qa_result, qa_outcome = _outcome(sheet, checked)
        assessor_records = [m for m in mine if m.role == "assessor"]
        qa_records = [m for m in mine if m.role == "qa"]
        last = max(assessor_records, key=lambda m: m.decided_at) if assessor_records else None
        qa_last = max(qa_records, key=lambda m: m.decided_at) if qa_records else None
        forms.append(
            SheetForm(
                key=sheet["key"],
                unit=str(sheet["unit"]),
                title=str(sheet.get("title", "")),
                centre_name=details["centre_name"],
                centre_number=details["centre_number"],
                learner_name=snapshot.candidate,
                learner_registration=details["learner_registration"],
                authenticity=details["authenticity"],
                anonymous_use=details["anonymous_use"],
                sections=sections,
                assessor_total=sum(given.values()) if given else None,
                assessor_outcome=outcome,
                section_referral="; ".join(s.title for s in result.below_minimum) if result else "",
                assessor_name=last.assessor if last else "",
                assessor_date=_day(last.decided_at) if last else "",
                qa_total=sum(checked.values()) if checked else None,
                qa_outcome=qa_outcome if qa_result or checked else "",
                iqa_name=qa_last.assessor if qa_last else "",
                iqa_date=_day(qa_last.decided_at) if qa_last else "",
                comment=note(COMMENT, ""),
            )
        )
    return forms


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
