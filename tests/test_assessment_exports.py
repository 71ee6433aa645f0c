"""The workbook and the diary show the assessment record: each decision with its trail and
flags, tags added by rule apart, hours logged and confirmed, the mark sheets' fields, the
EcoMentor judgements and records, and the QA sample (issue 10 part B)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from exports.assessment_record import SHEET
from exports.pdf import build_diary
from exports.xlsx import build_workbook
from journal.ecomentor_record import QUALITIES
from journal.frameworks.registry import load_registry
from journal.snapshot import (
    AssessmentRecord,
    DecisionRecord,
    JudgementRecord,
    MarkRecord,
    QaSampleRecord,
    SheetNoteRecord,
)
from tests.snapshots import ecomentor_snapshot, ilm_snapshot
from tests.workbooks import sheet_rows

REGISTRY = load_registry(None)


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 10, tzinfo=UTC)


def _ilm(tmp_path: Path):
    base = ilm_snapshot(tmp_path / "files")
    first, *rest = base.entries
    feedback = replace(rest[-1], auto_tags=("ilm:D3.07/3.2",))
    decisions = (
        DecisionRecord("ilm:D3.06/2.1", "not_yet", "No plan yet.", "Peter Grant", _at(20)),
        DecisionRecord("ilm:D3.06/2.1", "met", "Plan in the diary.", "Peter Grant", _at(21)),
        DecisionRecord("ilm:D3.05/1.1", "met", None, "Peter Grant", _at(21)),  # no evidence
    )
    marks = tuple(
        MarkRecord("ilm", "D3.01+D3.02", str(i), value, "Peter Grant", _at(21))
        for i, value in ((1, "20"), (2, "20"), (3, "20"), (4, "5"))
    )
    notes = (
        SheetNoteRecord("ilm", "D3.01+D3.02", "strengths", "1", "Clear role", "Peter", _at(21)),
        SheetNoteRecord("ilm", "*", "authentic", "", "yes", "Anna Kowalska", _at(19)),
    )
    sample = QaSampleRecord(
        "ilm:D3.06/2.1", "met", "Peter Grant", _at(21), "agree", "Sound.", "Quinn Lee", _at(23)
    )
    return replace(
        base,
        entries=(first, *rest[:-1], feedback),
        decisions=base.decisions + decisions,
        marks=marks,
        sheet_notes=notes,
        qa_samples=(sample,),
        centre_name="Northside College",
        centre_number="123456",
        learner_registration="R-998877",
    )


def _record(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for section, item, detail in sheet_rows(path, SHEET)[1:]:
        found.setdefault(f"{section} | {item}", []).append(str(detail or ""))
    return found


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(path).pages)


def test_the_workbook_shows_the_ilm_assessment_record(tmp_path: Path):
    found = _record(build_workbook(_ilm(tmp_path), REGISTRY, tmp_path / "p.xlsx"))
    [trail] = found["Decision | D3.06 2.1"]
    assert trail.startswith("met, Peter Grant, 21 Nov 2026: Plan in the diary.")
    assert "earlier: not yet, Peter Grant, 20 Nov 2026: No plan yet." in trail
    assert "FLAG: met without evidence" in found["Decision | D3.05 1.1"][0]
    [by_rule] = [v for k, v in found.items() if k.startswith("Tag added by rule |")]
    assert "D3.07 3.2" in by_rule[0] and "not the candidate's claim" in by_rule[0]
    assert "confirmed by the supervisor" in found["Hours | D3.07"][0]
    assert found["Mark sheet D3.01 and D3.02 | Centre"] == ["Northside College (number 123456)"]
    assert found["Mark sheet D3.01 and D3.02 | Learner registration number"] == ["R-998877"]
    assert found["Mark sheet D3.01 and D3.02 | Authenticity"][0].startswith("confirmed by Anna")
    section = found["Mark sheet D3.01 and D3.02 | 1. Ensuring good practice in coaching"][0]
    assert section.startswith("Assessor 20 of 24 (minimum 12)")
    assert "Strengths: Clear role" in section
    assert found["Mark sheet D3.01 and D3.02 | Assessor's decision"][0].startswith("65: REFERRAL")
    assert found["QA | Sample"] == ["1 decision sampled: 1 agreed, 0 disagreed"]
    assert found["QA | D3.06 2.1"][0].startswith("agree, Quinn Lee, 23 Nov 2026: Sound.")


def test_the_diary_shows_the_ilm_assessment_record(tmp_path: Path):
    text = _pdf_text(build_diary(_ilm(tmp_path), REGISTRY, tmp_path / "d.pdf"))
    record = text[text.rindex("Assessment record") :]
    assert "D3.06 2.1: met, Peter Grant, 21 Nov 2026: Plan in the diary." in record
    assert "Mark sheet D3.01 and D3.02" in record and "R-998877" in record
    assert "1 decision sampled: 1 agreed, 0 disagreed" in record
    assert "Quinn Lee" in text[text.rindex("Internal quality assurer") :]


def test_the_ecomentor_workbook_shows_the_five_judgements_and_the_record(tmp_path: Path):
    base = ecomentor_snapshot(covered=2)
    judged = JudgementRecord(
        "E-0001", {**dict.fromkeys(QUALITIES, True), "current": False}, "Old.", "Ada", _at(21)
    )
    plan = AssessmentRecord("ecomentor", "plan", "", "", "Observe two sessions.", "Ada", _at(20))
    stage = AssessmentRecord("ecomentor", "stage", "assessment", "in progress", "", "Ada", _at(21))
    snapshot = replace(base, judgements=(judged,), records=(plan, stage))
    found = _record(build_workbook(snapshot, REGISTRY, tmp_path / "e.xlsx"))
    assert found["Evidence judged | E-0001"][0].startswith(
        "valid ✓ · authentic ✓ · reliable ✓ · current ✗ · sufficient ✓, Ada, 21 Nov 2026: Old."
    )
    assert found["Evidence judged | E-0002"] == ["not judged"]
    assert found["EcoMentor record | Assessment plan"][0].startswith("Observe two sessions.")
    assert found["EcoMentor record | Stage: assessment"][0].startswith("in progress, Ada")
    assert found["EcoMentor record | Stage: certification"] == ["not recorded"]
    text = _pdf_text(build_diary(snapshot, REGISTRY, tmp_path / "e.pdf"))
    assert "current ✗" in text[text.rindex("Assessment record") :]


def test_the_diary_never_says_a_supervised_minimum_was_reached_on_logged_hours(tmp_path: Path):
    base = ilm_snapshot(tmp_path / "files")  # 10 h logged of D3.07's 20, 1 h 15 confirmed
    sessions = [e for e in base.entries if e.kind == "session"]
    more = tuple(replace(sessions[0], ref=f"E-09{i:02d}", duration_minutes=120) for i in range(6))
    snapshot = replace(base, entries=(*base.entries, *more))
    text = _pdf_text(build_diary(snapshot, REGISTRY, tmp_path / "d.pdf"))
    assert "The minimum of 20 h was reached" not in text
    assert "but is not reached: 1 h 15 confirmed by the supervisor (18 h 45 to confirm)" in text


def test_an_anonymised_export_redacts_mentee_names_in_the_assessment_record():
    from journal.anonymisation import anonymise

    base = ilm_snapshot()
    name = base.mentees[0]
    sample = QaSampleRecord(
        "ilm:D3.06/2.1", "met", "Peter Grant", _at(21), "agree", f"{name} quoted", "Quinn", _at(23)
    )
    note = SheetNoteRecord("ilm", "D3.06", "strengths", "1", f"Helped {name}", "Peter", _at(21))
    judged = JudgementRecord("E-0001", dict.fromkeys(QUALITIES, True), f"{name}", "Ada", _at(21))
    record = AssessmentRecord("ecomentor", "plan", "", "", f"Observe {name}", "Ada", _at(20))
    shown = anonymise(
        replace(
            base, qa_samples=(sample,), sheet_notes=(note,), judgements=(judged,), records=(record,)
        )
    )
    texts = [
        shown.qa_samples[0].comment,
        shown.sheet_notes[0].text,
        shown.judgements[0].comment,
        shown.records[0].text,
    ]
    assert all(name not in t and "Mentee A" in t for t in texts)


def test_the_hours_sheet_says_a_supervised_minimum_was_logged_not_reached(tmp_path: Path):
    base = ilm_snapshot(tmp_path / "files")
    sessions = [e for e in base.entries if e.kind == "session"]
    more = tuple(replace(sessions[0], ref=f"E-09{i:02d}", duration_minutes=120) for i in range(6))
    snapshot = replace(base, entries=(*base.entries, *more))
    rows = sheet_rows(build_workbook(snapshot, REGISTRY, tmp_path / "h.xlsx"), "Hours")
    column = rows[0].index("Minimum reached")
    reached = " ".join(str(r[column] or "") for r in rows[1:] if len(r) > column)
    assert "D3.07 (logged; not yet confirmed)" in reached
    assert "D3.06" in reached.replace("D3.06 (logged", "")  # D3.06 needs no confirmation
