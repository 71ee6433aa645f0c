"""Off-the-job training in the ST1379 exports (issue 11): a sheet of the workbook, a short
section of the diary and one line of the cover, from the export view alone.

Each activity with its date, hours, what was learned, the KSBs it served, when it was recorded
(late when more than journal.apprenticeship.LATE_AFTER_DAYS after, as audits look for records
written after the fact; days counted in UTC, the export's clock), and who confirmed it when;
then the totals: planned, logged, confirmed by the employer, expected by now and the minimum.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exports.safe_cells import Column
from exports.sheets import write_sheet
from journal.apprenticeship import (
    FRAMEWORK,
    OtjProgress,
    confirmed_of,
    days_late,
    is_late,
    otj_progress,
)
from journal.hours import format_minutes
from journal.snapshot import ConfirmationRecord, EntryRecord

if TYPE_CHECKING:
    from openpyxl import Workbook

    from exports import ExportView

SHEET = "Off-the-job training"
COLUMNS = (
    Column("Date", 11),
    Column("Ref", 8),
    Column("Hours", 8, "hours"),
    Column("What was learned", 40),
    Column("KSBs", 16),
    Column("Recorded (UTC)", 17),
    Column("Late", 14),
    Column("Confirmed by", 16),
    Column("Confirmed (UTC)", 17),
)


@dataclass(frozen=True)
class OtjRow:
    entry: EntryRecord
    late_days: int | None  # None: on time
    confirmation: ConfirmationRecord | None  # the employer's latest, if any
    confirmed_minutes: int


@dataclass(frozen=True)
class OtjLog:
    rows: tuple[OtjRow, ...]
    logged_minutes: int
    confirmed_minutes: int
    progress: OtjProgress | None  # None: no plan set yet


def _applies(view: ExportView) -> bool:
    return any(f.id == FRAMEWORK for f in view.frameworks)


def otj_log(view: ExportView) -> OtjLog | None:
    """The off-the-job log of an ST1379 export, or None when there is nothing to show."""
    if not _applies(view):
        return None
    plan = view.snapshot.otj_plan
    if not view.otj_entries and plan is None:
        return None
    by_entry: dict[str, list[ConfirmationRecord]] = {}
    for c in sorted(view.otj_confirmations, key=lambda c: c.confirmed_at):
        if c.entry_ref:
            by_entry.setdefault(c.entry_ref, []).append(c)
    rows = []
    for e in sorted(view.otj_entries, key=lambda e: (e.occurred_on, e.ref)):
        recorded_on = e.recorded_at.date()
        found = by_entry.get(e.ref, [])
        # An entry confirmed twice counts once, up to its own length (storage.apprenticeships).
        confirmed = confirmed_of(
            e.duration_minutes, max((c.minutes or 0 for c in found), default=0)
        )
        rows.append(
            OtjRow(
                entry=e,
                late_days=days_late(e.occurred_on, recorded_on)
                if is_late(e.occurred_on, recorded_on)
                else None,
                confirmation=found[-1] if found else None,
                confirmed_minutes=confirmed,
            )
        )
    logged = sum(r.entry.duration_minutes or 0 for r in rows)
    confirmed = sum(r.confirmed_minutes for r in rows)
    today = view.snapshot.generated_at.date()
    progress = otj_progress(plan, today, logged, confirmed) if plan else None
    return OtjLog(tuple(rows), logged, confirmed, progress)


def totals(log: OtjLog) -> list[tuple[str, int | None, str]]:
    """(label, minutes, note) of the totals."""
    found: list[tuple[str, int | None, str]] = [
        ("Logged", log.logged_minutes, f"{len(log.rows)} activities"),
        ("Confirmed by the employer", log.confirmed_minutes, ""),
    ]
    p = log.progress
    if p is None:
        found.append(("Planned", None, "no apprenticeship plan set (/apprenticeship)"))
        return found
    met = "reached" if p.minimum_met else "not yet reached with confirmed hours"
    found += [
        ("Planned", p.planned_minutes, ""),
        ("Expected by now", p.expected_minutes, f"after {p.weeks} weeks on programme"),
        ("Minimum (funding rules)", p.minimum_minutes, met),
    ]
    return found


def cover_line(view: ExportView) -> str | None:
    """One line: logged, confirmed, planned, expected by now and the minimum."""
    log = otj_log(view)
    if log is None:
        return None
    line = (
        f"{format_minutes(log.logged_minutes)} logged, "
        f"{format_minutes(log.confirmed_minutes)} confirmed by the employer"
    )
    p = log.progress
    if p is None:
        return f"{line}; no apprenticeship plan set"
    state = "reached" if p.minimum_met else "not yet reached"
    return (
        f"{line}; planned {format_minutes(p.planned_minutes)}, expected by now "
        f"{format_minutes(p.expected_minutes)}, minimum {format_minutes(p.minimum_minutes)} "
        f"({state})"
    )


def _codes(entry: EntryRecord) -> str:
    return ", ".join(t.split(":", 1)[1] for t in entry.tags if t.startswith(f"{FRAMEWORK}:"))


def _rows(log: OtjLog) -> Iterator[list[Any]]:
    for r in log.rows:
        e, c = r.entry, r.confirmation
        yield [
            e.occurred_on,
            e.ref,
            (e.duration_minutes or 0) / 60,
            str(e.data.get("learned") or ""),
            _codes(e),
            e.recorded_at,
            f"late: {r.late_days} days after" if r.late_days else "on time",
            c.supervisor if c else "not confirmed",
            c.confirmed_at if c else None,
        ]
    for label, minutes, note in totals(log):
        hours = None if minutes is None else minutes / 60
        yield [None, "Total", hours, label, None, None, note or None, None, None]


def write_otj_sheet(wb: Workbook, view: ExportView, *, candidate: str, qualification: str) -> None:
    log = otj_log(view)
    if log is not None:
        write_sheet(
            wb, SHEET, COLUMNS, _rows(log), candidate=candidate, qualification=qualification
        )


def write_otj_section(writer: Any, view: ExportView) -> None:
    """The diary's short section: the totals, then one line per activity."""
    log = otj_log(view)
    if log is None:
        return
    writer.new_page()
    writer.heading(SHEET, 14, 0)
    for label, minutes, note in totals(log):
        value = "" if minutes is None else format_minutes(minutes)
        writer.paragraph(f"{label}: {value}{' (' + note + ')' if note and value else note}")
    writer.gap()
    for r in log.rows:
        e, c = r.entry, r.confirmation
        late = f"; recorded {r.late_days} days after (late)" if r.late_days else ""
        who = f"confirmed by {c.supervisor} on {c.confirmed_at:%d %b %Y}" if c else "not confirmed"
        ksbs = f" [{_codes(e)}]" if _codes(e) else ""
        writer.paragraph(
            f"{e.ref} {e.occurred_on:%d %b %Y}, {format_minutes(e.duration_minutes or 0)}: "
            f"{e.data.get('learned') or ''}{ksbs}; {who}{late}"
        )
    writer.gap()
