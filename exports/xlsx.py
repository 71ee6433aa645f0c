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
    feedback_giver,
    feedback_line,
    feedback_question,
    framework_line,
    kind_label,
    partial_file,
    period_text,
    shown,
    utc_time,
)
from exports.assessment_record import write_assessment_sheet
from exports.epa_portfolio import cover_line as epa_cover_line
from exports.epa_portfolio import write_epa_sheet
from exports.gateway_section import RECORDINGS_TITLE, gateway_lines, recording_lines
from exports.gateway_section import SECTION as GATEWAY_SECTION
from exports.gateway_section import TITLE as GATEWAY_TITLE
from exports.gateway_section import cover_line as gateway_cover_line
from exports.otj_sheet import cover_line as otj_cover_line
from exports.otj_sheet import write_otj_sheet
from exports.safe_cells import Column, setup_print
from exports.sheets import Row, footer, set_height, styled_cells, write_sheet
from exports.sizing import row_height
from exports.statement import TITLE as STATEMENT_TITLE
from exports.statement import statement_lines
from exports.summary import summary, what_to_do
from exports.tasks_sheet import write_tasks_sheet
from journal.assessment_lines import assessment_lines
from journal.coverage import coverage, tagged_refs
from journal.entries import EVIDENCE_TYPES, GOAL_STATUSES, SESSION_FORMATS, SESSION_MODES, Kind
from journal.frameworks.registry import Registry
from journal.hours import (
    UnitHours,
    format_hours,
    format_minutes,
    progress_text,
    unit_hours,
    units_in_use,
)
from journal.rule_checks import Status
from journal.snapshot import EntryRecord, PortfolioSnapshot

# Column widths are in widths of "0". Each table prints one A4 page wide in landscape; the
# columns an assessor reads come first and form the print area, the ones for filtering and
# machines (ids, fingerprints) follow it. exports.sizing.print_scale keeps the printed
# columns at 70 % scale or more (the criteria map at about 80 %).
CRITERIA_COLUMNS = (
    Column("Unit", 10),
    Column("Criterion", 10),
    Column("Criterion text", 48),
    Column("Assessment methods", 18),
    Column("Mentor's claim: evidence refs", 18),
    Column("Evidence count", 9),
    Column("Target", 8),
    Column("Coverage", 12),
    Column("Assessor decision", 10),
    Column("Assessor comment", 26),
    Column("Assessor", 14),
    Column("Decided (UTC)", 17),
    Column("Framework", 11),
    Column("Outcome", 9),
    Column("Criterion id", 24),
)
CRITERIA_PRINTED = 11
EVIDENCE_COLUMNS = (
    Column("Ref", 8),
    Column("Date", 11),
    Column("Kind", 11),
    Column("Title / caption", 36),
    Column("Evidence type", 13),
    Column("Mentees", 14),
    Column("Duration (h)", 9, "hours"),
    Column("Criteria claimed", 24),
    Column("Attachments (in the bundle)", 26),
    Column("Recorded (UTC)", 17),
    Column("Author", 14),
    Column("SHA-256", 66),
    Column("Size (bytes)", 11),
    Column("Revision", 9),
)
EVIDENCE_PRINTED = 11
DIARY_COLUMNS = (
    Column("Date", 11),
    Column("Ref", 8),
    Column("Mentees", 13),
    Column("Format", 11),
    Column("Mode", 10),
    Column("Duration (h)", 9, "hours"),
    Column("Planned", 18),
    Column("Covered", 22),
    Column("Mentee's progress", 18),
    Column("Next steps", 18),
    Column("Reflection", 20),
    Column("Feedback", 22),
    Column("Supervisor confirmation", 18),
    Column("Criteria claimed", 24),
)
DIARY_PRINTED = 13  # the criteria claimed are printed in the evidence index
GOAL_COLUMNS = (
    Column("Goal", 8),
    Column("Owner", 14),
    Column("Goal statement", 34),
    Column("Measure of success", 26),
    Column("Target date", 11),
    Column("Status", 10),
    Column("Reviewed on", 11),
    Column("Review ref", 8),
    Column("Progress", 28),
    Column("Note", 22),
    Column("Status after review", 11),
)
FEEDBACK_COLUMNS = (
    Column("Ref", 8),
    Column("Date", 11),
    Column("From", 11),
    Column("Name", 16),
    Column("About", 8),
    Column("Question asked", 30),
    Column("Rating (1-5)", 8),
    Column("Feedback", 50),
    Column("Criteria claimed", 22),
)
COVER_WIDTHS = (30, 70)


def build_workbook(snapshot: PortfolioSnapshot, registry: Registry, out_path: Path) -> Path:
    """Write the portfolio workbook to `out_path`."""
    return write_workbook(export_view(snapshot, registry), out_path)


def write_workbook(view: ExportView, out_path: Path) -> Path:
    wb = Workbook(write_only=True)
    wb.properties.creator = "mentorlog"
    wb.properties.title = f"Portfolio of evidence: {view.snapshot.candidate}"
    page = {"candidate": view.snapshot.candidate, "qualification": qualification_name(view)}
    _cover(wb, view)
    write_epa_sheet(wb, view, **page)  # ST1379 with a selection: what the assessor reads first
    write_sheet(
        wb,
        "Criteria map",
        CRITERIA_COLUMNS,
        _criteria_rows(view),
        printed=CRITERIA_PRINTED,
        **page,
    )
    write_sheet(
        wb,
        "Evidence index",
        EVIDENCE_COLUMNS,
        _evidence_rows(view),
        printed=EVIDENCE_PRINTED,
        **page,
    )
    write_sheet(
        wb, "Mentoring diary", DIARY_COLUMNS, _diary_rows(view), printed=DIARY_PRINTED, **page
    )
    write_sheet(wb, "Goals", GOAL_COLUMNS, _goal_rows(view.snapshot), **page)
    write_sheet(wb, "Feedback", FEEDBACK_COLUMNS, _feedback_rows(view), **page)
    write_sheet(wb, "Hours", *_hours_table(view), **page)
    write_otj_sheet(wb, view, **page)
    write_tasks_sheet(wb, view, **page)
    write_assessment_sheet(wb, view, **page)
    with partial_file(out_path) as partial:
        wb.save(partial)
    return Path(out_path)


def qualification_name(view: ExportView) -> str:
    return "; ".join(f.title for f in view.frameworks) or "no qualification"


def _cover(wb: Workbook, view: ExportView) -> None:
    """The summary an assessor reads first, printed on A4 portrait; numbers as text, to the
    left beside their labels, and every row as tall as its wrapped text."""
    ws = wb.create_sheet("Cover")
    for letter, width in zip("AB", COVER_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    setup_print(ws, title_rows=None)
    ws.page_setup.orientation = "portrait"
    footer(ws, view.snapshot.candidate, qualification_name(view))
    cells = styled_cells(ws)
    rows = 0
    for label, value, heading in cover_rows(view):
        rows += 1
        text = "" if value is None else str(value)
        style = RAG_STYLE.get(label, "text") if not heading else "header"
        set_height(ws, rows, row_height([label, text], COVER_WIDTHS, bold=heading))
        ws.append([cells.text(label, style) if label else None, cells.text(text) if text else None])
    ws.print_area = f"A1:B{rows}"


# Cover labels of checks, coloured as the criteria map is.
RAG_STYLE = {
    "Failed": "red",
    "To check": "amber",
    "Passed": "green",
    "Coverage Red": "red",
    "Coverage Amber": "amber",
    "Coverage Green": "green",
}


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
    found = summary(view)
    yield "Portfolio of evidence: summary", None, True
    yield "Candidate", s.candidate, False
    yield "Centre", found.centre, False
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
        todo = f"\nWhat to do: {what_to_do(check)}" if check.status == Status.FAILED else ""
        yield STATUS_LABELS[check.status], f"{check.framework_id}: {check.message}{todo}", False
    if not view.checks:
        yield "Passed", "no framework rules apply", False
    yield from _assessment(view)
    yield "", None, False
    yield "Declaration of authenticity", None, True
    yield "Candidate's declaration", f"{s.candidate}: {DECLARATION}", False
    yield "Signature and date", None, False
    if statement := statement_lines(view):
        yield "", None, False
        yield STATEMENT_TITLE, None, True
        yield from ((label, text, False) for label, text in statement)
    if gateway := gateway_lines(view):
        yield "", None, False
        yield GATEWAY_TITLE, None, True
        yield from ((label, text, False) for label, text in gateway)
        yield "", None, False
        yield RECORDINGS_TITLE, None, True
        yield from ((label, text, False) for label, text in recording_lines(view))


def _totals(view: ExportView) -> Iterator[CoverRow]:
    s = view.snapshot
    yield "Totals", None, True
    kinds: dict[str, int] = {}
    for e in s.entries:
        kinds[kind_label(e.kind)] = kinds.get(kind_label(e.kind), 0) + 1
    yield "Entries", f"{len(s.entries)}: " + ", ".join(f"{k} {n}" for k, n in kinds.items()), False
    minutes = sum(e.duration_minutes or 0 for e in s.entries if e.kind == Kind.SESSION)
    yield "Session hours", format_minutes(minutes), False
    if (otj := otj_cover_line(view)) is not None:
        yield "Off-the-job training", otj, False
    if (epa := epa_cover_line(view)) is not None:
        yield "EPA portfolio", epa, False
    if (gateway := gateway_cover_line(view)) is not None:
        yield GATEWAY_SECTION, gateway, False
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
            confirmed = format_minutes(unit.confirmed_minutes)
            yield (f"Confirmed: {fw.id} {unit.unit_code}", f"{confirmed} by the supervisor", False)
    yield "", None, False
    yield "Coverage per unit", None, True
    for line in summary(view).units:
        colour = "Green" if line.evidenced == line.total else "Amber" if line.evidenced else "Red"
        yield f"Coverage {colour}", line.text, False


def _assessment(view: ExportView) -> Iterator[CoverRow]:
    """ILM mark-sheet outcomes and the ST1379 grade, once an assessor has marked."""
    lines = [line for fw in view.frameworks for line in assessment_lines(fw, view.snapshot.marks)]
    if lines:
        yield "", None, False
        yield "Assessor's marks", None, True
        yield from ((label, text, False) for label, text in lines)


COVERAGE_COLUMN = 7  # index of "Coverage" in CRITERIA_COLUMNS, filled red/amber/green


def _criteria_rows(view: ExportView) -> Iterator[Row]:
    """One row per criterion, a page break before each unit but the first."""
    refs = tagged_refs(view.snapshot.entries)
    for framework in view.frameworks:
        unit = None
        for row in coverage(view.snapshot, framework, refs):
            c, decision = row.criterion, row.decision
            if row.covered:
                status, colour = "Covered", "green"
            elif row.count:
                status, colour = f"Partly ({row.count} of {row.target})", "amber"
            else:
                status, colour = "No evidence", "red"
            values = [
                c.unit_code,
                c.code,
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
                framework.id,
                c.outcome_code,
                c.id,
            ]
            new_unit = unit is not None and c.unit_code != unit
            unit = c.unit_code
            yield Row(values, {COVERAGE_COLUMN: colour}, break_before=new_unit)


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
            entry.recorded_at,
            entry.author,
            "\n".join(a.sha256 for a in files),
            "\n".join(str(a.size) for a in files),
            entry.revision,
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
    by_ref = {e.ref: e for e in view.snapshot.entries}
    for e in view.entries_in_order:
        if e.kind != Kind.FEEDBACK:
            continue
        d = e.data
        about = by_ref.get(as_text(d.get("about_ref")))
        yield [
            e.ref,
            e.occurred_on,
            as_text(d.get("source")).capitalize(),
            feedback_giver(e),
            as_text(d.get("about_ref")),
            feedback_question(e, about, view.snapshot.candidate),
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
            # Supervised practice: logged here, reached once the supervisor confirmed it.
            f"{u.unit_code} (logged; not yet confirmed)"
            if u.confirmed_short_minutes
            else u.unit_code
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
