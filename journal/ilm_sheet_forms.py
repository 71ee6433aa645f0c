"""ILM mark sheets as printed: every field of each sheet, filled from the portfolio.

`sheet_forms` gives the centre, learner and registration number, authenticity, the
anonymous-use opt-out, per section strengths, weaknesses, assessor and QA marks, both
outcomes, the section referral, names and dates; `learner_details` is what heads every sheet.
Notes an assessor wrote on a sheet (strengths, weaknesses, a comment, authenticity, the
opt-out) are `SheetNoteRecord`s, the newest counting. Apart from the rule (journal.ilm_marks)
because this is what the assessment record prints, not what decides an outcome.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journal.frameworks.model import Framework
from journal.grading import MarkError
from journal.ilm_marks import IlmResult, ilm_outcome, mark_sheets, sheet_codes, sheet_marks
from journal.snapshot import MarkRecord, PortfolioSnapshot, SheetNoteRecord

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
        codes = sheet_codes(sheet)
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
