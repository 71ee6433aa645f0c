"""The portfolio workbook: cover, criteria map, evidence index, diary, goals, feedback, hours.

Written with openpyxl's write-only mode (streamed rows, a fraction of the memory and time of
a normal workbook); every user string goes through `safe_cells`, so none can run as a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from exports import (
    ExportView,
    SessionNotes,
    as_text,
    attachment_name,
    confirmation_line,
    decision_label,
    entry_title,
    export_view,
    feedback_line,
    framework_line,
    kind_label,
    partial_file,
    period_text,
    shown,
    utc_time,
)
from exports.safe_cells import CellMaker, Column, setup_print, write_table
from journal.coverage import coverage, tagged_refs
from journal.entries import EVIDENCE_TYPES, GOAL_STATUSES, SESSION_FORMATS, SESSION_MODES, Kind
from journal.frameworks.registry import Registry
from journal.grading import assessment_lines
from journal.hours import (
    UnitHours,
    format_hours,
    format_minutes,
    progress_text,
    unit_hours,
    units_in_use,
)
from journal.portfolio_rules import Status
from journal.snapshot import EntryRecord, PortfolioSnapshot

CRITERIA_COLUMNS = (
    Column("Framework", 11),
    Column("Unit", 10),
    Column("Outcome", 8),
    Column("Criterion", 9),
    Column("Criterion id", 18),
    Column("Criterion text", 60),
    Column("Assessment methods", 24),
    Column("Mentor's claim: evidence refs", 30),
    Column("Evidence count", 9),
    Column("Target", 7),
    Column("Coverage", 14),
    Column("Assessor decision", 11),
    Column("Assessor comment", 40),
    Column("Assessor", 18),
    Column("Decided (UTC)", 17),
)
EVIDENCE_COLUMNS = (
    Column("Ref", 9),
    Column("Date", 11),
    Column("Kind", 12),
    Column("Title / caption", 50),
    Column("Evidence type", 18),
    Column("Mentees", 18),
    Column("Duration (h)", 9, "hours"),
    Column("Criteria claimed", 28),
    Column("Attachments (in the bundle)", 28),
    Column("SHA-256", 66),
    Column("Size (bytes)", 11),
    Column("Recorded (UTC)", 17),
    Column("Revision", 8),
    Column("Author", 18),
)
DIARY_COLUMNS = (
    Column("Date", 11),
    Column("Ref", 9),
    Column("Mentees", 18),
    Column("Format", 11),
    Column("Mode", 10),
    Column("Duration (h)", 9, "hours"),
    Column("Planned", 36),
    Column("Covered", 44),
    Column("Mentee's progress", 36),
    Column("Next steps", 30),
    Column("Reflection", 36),
    Column("Feedback", 36),
    Column("Supervisor confirmation", 30),
    Column("Criteria claimed", 26),
)
GOAL_COLUMNS = (
    Column("Goal", 9),
    Column("Owner", 16),
    Column("Goal statement", 44),
    Column("Measure of success", 30),
    Column("Target date", 11),
    Column("Status", 10),
    Column("Reviewed on", 11),
    Column("Review ref", 9),
    Column("Progress", 36),
    Column("Note", 30),
    Column("Status after review", 12),
)
FEEDBACK_COLUMNS = (
    Column("Ref", 9),
    Column("Date", 11),
    Column("From", 12),
    Column("Name", 18),
    Column("About", 9),
    Column("Rating (1-5)", 8),
    Column("Feedback", 60),
    Column("Criteria claimed", 26),
)


def build_workbook(snapshot: PortfolioSnapshot, registry: Registry, out_path: Path) -> Path:
    """Write the portfolio workbook to `out_path`."""
    return write_workbook(export_view(snapshot, registry), out_path)


def write_workbook(view: ExportView, out_path: Path) -> Path:
    wb = Workbook(write_only=True)
    wb.properties.creator = "mentorlog"
    wb.properties.title = f"Portfolio of evidence: {view.snapshot.candidate}"
    _cover(wb, view)
    write_table(wb, "Criteria map", CRITERIA_COLUMNS, _criteria_rows(view))
    write_table(wb, "Evidence index", EVIDENCE_COLUMNS, _evidence_rows(view))
    write_table(wb, "Mentoring diary", DIARY_COLUMNS, _diary_rows(view))
    write_table(wb, "Goals", GOAL_COLUMNS, _goal_rows(view.snapshot))
    write_table(wb, "Feedback", FEEDBACK_COLUMNS, _feedback_rows(view))
    write_table(wb, "Hours", *_hours_table(view))
    with partial_file(out_path) as partial:
        wb.save(partial)
    return Path(out_path)


def _cover(wb: Workbook, view: ExportView) -> None:
    ws = wb.create_sheet("Cover")
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 100
    setup_print(ws, title_rows=None)
    cells = CellMaker(ws)
    for label, value, heading in cover_rows(view):
        style = "header" if heading else "text"
        ws.append([cells.text(label, style) if label else None, cells.make(value, "text")])


STATUS_LABELS = {Status.FAILED: "Failed", Status.CHECK: "To check", Status.PASSED: "Passed"}
DECLARATION = (
    "I confirm that this portfolio is my own work: the sessions, hours and evidence recorded "
    "here are a true record of my own mentoring practice, and the attachments are the files "
    "I recorded (their SHA-256 fingerprints are listed in the evidence index)."
)
CoverRow = tuple[str, Any, bool]


def cover_rows(view: ExportView) -> Iterator[CoverRow]:
    """(label, value, is_heading) rows of the cover sheet."""
    s = view.snapshot
    yield "Portfolio of evidence", None, True
    yield "Candidate", s.candidate, False
    yield "Frameworks", "\n".join(framework_line(f) for f in view.frameworks), False
    yield "Period", period_text(s), False
    yield "Generated", utc_time(s.generated_at), False
    if s.anonymised:
        yield "Anonymised", "Mentees appear as Mentee A, Mentee B ...", False
    yield "", None, False
    yield from _totals(view)
    yield "", None, False
    yield "Rule checks", None, True
    order = {Status.FAILED: 0, Status.CHECK: 1, Status.PASSED: 2}
    for check in sorted(view.checks, key=lambda c: order[c.status]):
        yield STATUS_LABELS[check.status], f"{check.framework_id}: {check.message}", False
    if not view.checks:
        yield "Passed", "no framework rules apply", False
    yield from _assessment(view)
    yield "", None, False
    yield "Declaration of authenticity", None, True
    yield "Candidate's declaration", f"{s.candidate}: {DECLARATION}", False
    yield "Signature and date", None, False


def _totals(view: ExportView) -> Iterator[CoverRow]:
    s = view.snapshot
    yield "Totals", None, True
    kinds: dict[str, int] = {}
    for e in s.entries:
        kinds[kind_label(e.kind)] = kinds.get(kind_label(e.kind), 0) + 1
    yield "Entries", f"{len(s.entries)}: " + ", ".join(f"{k} {n}" for k, n in kinds.items()), False
    minutes = sum(e.duration_minutes or 0 for e in s.entries if e.kind == Kind.SESSION)
    yield "Session hours", format_minutes(minutes), False
    yield "Attachments", sum(len(e.attachments) for e in s.entries), False
    yield "Mentees", len(s.mentees) or len({m for e in s.entries for m in e.mentees}), False
    yield "Goals", len(s.goals), False
    refs = tagged_refs(s.entries)
    for fw in view.frameworks:
        rows = coverage(s, fw, refs)
        covered = sum(r.covered for r in rows)
        met = sum(r.assessor_met for r in rows)
        yield (
            f"Criteria: {fw.id}",
            f"{covered} of {len(rows)} with evidence; {met} met by the assessor",
            False,
        )
        for unit in units_in_use(unit_hours(s, fw), fw):
            yield (f"Hours: {fw.id} {unit.unit_code}", progress_text(unit), False)


def _assessment(view: ExportView) -> Iterator[CoverRow]:
    """ILM mark-sheet outcomes and the ST1379 grade, once an assessor has marked."""
    lines = [line for fw in view.frameworks for line in assessment_lines(fw, view.snapshot.marks)]
    if lines:
        yield "", None, False
        yield "Assessor's marks", None, True
        yield from ((label, text, False) for label, text in lines)


def _criteria_rows(view: ExportView) -> Iterator[list[Any]]:
    refs = tagged_refs(view.snapshot.entries)
    for framework in view.frameworks:
        for row in coverage(view.snapshot, framework, refs):
            c, decision = row.criterion, row.decision
            if row.covered:
                status = "Covered"
            else:
                status = f"Partly ({row.count} of {row.target})" if row.count else "No evidence"
            yield [
                framework.id,
                c.unit_code,
                c.outcome_code,
                c.code,
                c.id,
                c.text,
                "; ".join(c.methods),
                ", ".join(row.refs),
                row.count,
                row.target,
                status,
                decision_label(decision.outcome) if decision else None,
                decision.comment if decision else None,
                decision.assessor if decision else None,
                decision.decided_at if decision else None,
            ]


def _evidence_rows(view: ExportView) -> Iterator[list[Any]]:
    for entry in view.entries_in_order:
        files = entry.attachments
        yield [
            entry.ref,
            entry.occurred_on,
            kind_label(entry.kind),
            entry_title(entry),
            EVIDENCE_TYPES.get(as_text(entry.data.get("evidence_type")), None),
            ", ".join(entry.mentees),
            _hours(entry),
            "\n".join(entry.tags),
            "\n".join(attachment_name(a, i) for i, a in enumerate(files, 1)),
            "\n".join(a.sha256 for a in files),
            "\n".join(str(a.size) for a in files),
            entry.recorded_at,
            entry.revision,
            entry.author,
        ]


def _hours(entry: EntryRecord) -> float | None:
    return entry.duration_minutes / 60 if entry.duration_minutes is not None else None


def _diary_rows(view: ExportView) -> Iterator[list[Any]]:
    notes = SessionNotes.of(view)
    for e in view.entries_in_order:
        if e.kind != Kind.SESSION:
            continue
        d = e.data
        yield [
            e.occurred_on,
            e.ref,
            ", ".join(e.mentees),
            shown(SESSION_FORMATS, d.get("format")),
            shown(SESSION_MODES, d.get("mode")),
            _hours(e),
            as_text(d.get("plan")),
            as_text(d.get("summary")),
            as_text(d.get("progress")),
            as_text(d.get("next_steps")),
            as_text(d.get("reflection")),
            "\n".join(feedback_line(f) for f in notes.feedback.get(e.ref, ())),
            "\n".join(confirmation_line(c) for c in notes.confirmations.get(e.ref, ())),
            "\n".join(e.tags),
        ]


def _goal_rows(snapshot: PortfolioSnapshot) -> Iterator[list[Any]]:
    for g in snapshot.goals:
        goal = [
            g.ref,
            g.owner,
            g.statement,
            g.measure,
            g.target_date,
            shown(GOAL_STATUSES, g.status),
        ]
        if not g.reviews:
            yield [*goal, None, None, None, None, None]
        for r in sorted(g.reviews, key=lambda r: (r.reviewed_on, r.ref)):
            status = shown(GOAL_STATUSES, r.status)
            yield [*goal, r.reviewed_on, r.ref, r.progress, r.note, status]


def _feedback_rows(view: ExportView) -> Iterator[list[Any]]:
    for e in view.entries_in_order:
        if e.kind != Kind.FEEDBACK:
            continue
        d = e.data
        yield [
            e.ref,
            e.occurred_on,
            as_text(d.get("source")).capitalize(),
            as_text(d.get("from_name")),
            as_text(d.get("about_ref")),
            d.get("rating"),
            as_text(d.get("text")),
            "\n".join(e.tags),
        ]


def _hours_table(view: ExportView) -> tuple[list[Column], Iterator[list[Any]]]:
    """One row per session with the running hours of every unit it counts toward.

    One column per unit (not one row per unit and session) keeps the sheet as short as the
    session log, and a session that counts toward D3.06 and D3.07 is listed once.
    """
    units = [
        unit for fw in view.frameworks for unit in units_in_use(unit_hours(view.snapshot, fw), fw)
    ]
    columns = [
        Column("Date", 11),
        Column("Session", 9),
        Column("Mentees", 18),
        Column("Duration (h)", 9, "hours"),
        Column("All sessions, running (h)", 11, "hours"),
        *(
            Column(f"{u.unit_code} running (h), minimum {format_hours(u.min_hours)}", 13, "hours")
            for u in units
        ),
        Column("Minimum reached", 14),
        Column("Supervisor confirmed", 11),
    ]
    return columns, _hours_rows(view, units)


def _hours_rows(view: ExportView, units: list[UnitHours]) -> Iterator[list[Any]]:
    confirmed = {c.entry_ref for c in view.snapshot.confirmations if c.entry_ref}
    total = 0
    for e in view.entries_in_order:
        if e.kind != Kind.SESSION:
            continue
        minutes = e.duration_minutes or 0
        total += minutes
        running = [u.running_at(e.ref) for u in units]
        reached = [
            u.unit_code
            for u, r in zip(units, running, strict=True)
            if r is not None and r >= u.minimum_minutes > r - minutes
        ]
        yield [
            e.occurred_on,
            e.ref,
            ", ".join(e.mentees),
            minutes / 60,
            total / 60,
            *(None if r is None else r / 60 for r in running),
            ", ".join(reached),
            "Yes" if e.ref in confirmed else None,
        ]
