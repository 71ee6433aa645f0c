"""The assessment record in the exports (issue 10 part B): a sheet of the workbook and a section
of the diary, from the snapshot alone.

- every decided criterion: the current decision, its trail and any flag (journal.assessment);
- tags the bot added by rule, shown apart: they are not the candidate's claims;
- hours per unit, logged and confirmed by the supervisor (journal.hours);
- ILM: each mark sheet as printed, with its fields (journal.ilm_sheet_forms.sheet_forms);
- EcoMentor: each evidence item's five judgements, what is not yet judged, and the record of
  eligibility, plan, feedback and validation stages (journal.ecomentor_record);
- the QA sample and its outcome (journal.quality).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from exports.safe_cells import Column
from exports.sheets import write_sheet
from journal.assessment import decision_rows, trail_text
from journal.ecomentor_record import (
    ECOMENTOR,
    evidence_refs,
    judgement_rows,
    record_summary,
)
from journal.hours import progress_text, unit_hours, units_in_use
from journal.ilm_sheet_forms import sheet_forms
from journal.quality import qa_rows

if TYPE_CHECKING:
    from openpyxl import Workbook

    from exports import ExportView

SHEET = "Assessment record"
COLUMNS = [Column("Section", 22), Column("Item", 30), Column("Detail", 80)]
Line = tuple[str, str, str]


def _code(criterion_id: str) -> str:
    """'ilm:D3.06/2.1' -> 'D3.06 2.1'."""
    return criterion_id.split(":", 1)[-1].replace("/", " ")


def _ours(view: ExportView, criterion_id: str) -> bool:
    return any(criterion_id.startswith(f"{f.id}:") for f in view.frameworks)


def record_lines(view: ExportView) -> Iterator[Line]:
    """(section, item, detail) lines of the whole record, in the order they are shown."""
    s = view.snapshot
    for row in decision_rows(s):
        if _ours(view, row.criterion_id):
            yield "Decision", _code(row.criterion_id), trail_text(row)
    for e in s.entries:
        by_rule = [t for t in e.auto_tags if _ours(view, t)]
        if by_rule:
            codes = ", ".join(_code(t) for t in by_rule)
            yield (
                "Tag added by rule",
                e.ref,
                f"{codes}: tagged by the bot by rule, not the candidate's claim until confirmed",
            )
    for fw in view.frameworks:
        for unit in units_in_use(unit_hours(s, fw), fw):
            needs = "; the minimum needs confirmed hours" if unit.needs_confirmed else ""
            yield "Hours", unit.unit_code, progress_text(unit) + needs
        if fw.extra.get("mark_sheets"):
            yield from _sheet_lines(view, fw)
        if fw.id == ECOMENTOR:
            yield from _ecomentor_lines(view)
    rows = [r for r in qa_rows(s) if _ours(view, r.sample.criterion_id)]
    if rows:
        agreed = sum(r.sample.outcome == "agree" for r in rows)
        noun = "decision" if len(rows) == 1 else "decisions"
        yield (
            "QA",
            "Sample",
            f"{len(rows)} {noun} sampled: {agreed} agreed, {len(rows) - agreed} disagreed",
        )
        for r in rows:
            yield "QA", _code(r.sample.criterion_id), r.text


def _sheet_lines(view: ExportView, fw: Any) -> Iterator[Line]:
    for form in sheet_forms(view.snapshot, fw):
        if not form.started:
            continue
        name = f"Mark sheet {form.unit}"
        centre = form.centre_name
        if form.centre_number != "not recorded":
            centre += f" (number {form.centre_number})"
        yield name, "Centre", centre
        yield name, "Learner", form.learner_name
        yield name, "Learner registration number", form.learner_registration
        yield name, "Authenticity", form.authenticity
        yield name, "Anonymous use by ILM", form.anonymous_use
        for i, sec in enumerate(form.sections, 1):
            mark = (
                "not marked"
                if sec.assessor_mark is None
                else f"{sec.assessor_mark} of {sec.maximum}"
            )
            parts = [f"Assessor {mark} (minimum {sec.minimum})"]
            if sec.qa_mark is not None:
                parts.append(f"QA {sec.qa_mark}")
            if sec.strengths:
                parts.append(f"Strengths: {sec.strengths}")
            if sec.weaknesses:
                parts.append(f"Weaknesses: {sec.weaknesses}")
            yield name, f"{i}. {sec.title}", " · ".join(parts)
        total = "" if form.assessor_total is None else f"{form.assessor_total}: "
        decision = total + form.assessor_outcome
        if form.section_referral:
            decision += f"; section referral: {form.section_referral}"
        yield name, "Assessor's decision", decision
        yield name, "Assessor", f"{form.assessor_name}, {form.assessor_date}".strip(", ")
        if form.qa_outcome:
            qa_total = "" if form.qa_total is None else f"{form.qa_total}: "
            yield name, "Quality assurance", f"{qa_total}{form.qa_outcome}"
            yield name, "IQA", f"{form.iqa_name}, date of IQA check {form.iqa_date}"


def _ecomentor_lines(view: ExportView) -> Iterator[Line]:
    s = view.snapshot
    judged = {r.entry_ref: r for r in judgement_rows(s)}
    live = {e.ref for e in s.entries}
    for ref in sorted({*evidence_refs(s), *(r for r in judged if r in live)}):
        row = judged.get(ref)
        yield "Evidence judged", ref, row.text if row else "not judged"
    for label, text in record_summary(s):
        yield "EcoMentor record", label, text


def write_assessment_sheet(
    wb: Workbook, view: ExportView, *, candidate: str, qualification: str
) -> None:
    """The 'Assessment record' sheet."""
    rows = ([section, item, detail] for section, item, detail in record_lines(view))
    write_sheet(wb, SHEET, COLUMNS, rows, candidate=candidate, qualification=qualification)


def write_assessment_section(writer: Any, view: ExportView) -> None:
    """The diary's 'Assessment record' section. `writer` is exports.pdf's page writer."""
    lines = list(record_lines(view))
    if not lines:
        return
    writer.new_page()
    writer.heading(SHEET, 14, 0)
    current = None
    for section, item, detail in lines:
        if section != current:
            writer.heading(section, 11.5, 1)
            current = section
        writer.paragraph(f"{item}: {detail}")
    writer.gap()
