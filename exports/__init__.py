"""Exports for assessors, built from a PortfolioSnapshot (plain data, no database).

- `exports.xlsx.build_workbook(snapshot, registry, out_path)`: the mapped portfolio workbook;
- `exports.pdf.build_diary(snapshot, registry, out_path)`: the mentoring diary;
- `exports.bundle.build_bundle(snapshot, registry, out_path, key=...)`, signed with the centre's
  key (exports.signing), and `verify_bundle(path, public_key)`.

Every builder applies the framework rules first (journal.portfolio_rules: an ST1379 portfolio
is anonymised and leaves out reflective accounts) and shows the failed rule checks instead of
failing. The builders are synchronous and CPU-bound: call them in a worker thread
(`asyncio.to_thread`). This module holds what the builders share.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path, PurePath
from typing import Any

from journal.entries import KIND_LABELS, Kind
from journal.epa_selection import gateway_view
from journal.frameworks.model import Framework
from journal.frameworks.registry import Registry
from journal.hours import format_minutes
from journal.portfolio_rules import apply_rules, check_view
from journal.rule_checks import RuleCheck
from journal.snapshot import AttachmentRecord, ConfirmationRecord, EntryRecord, PortfolioSnapshot

# The field that names an entry in lists, per kind.
TITLE_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.SESSION: ("summary", "plan"),
    Kind.GOAL: ("statement",),
    Kind.GOAL_REVIEW: ("progress", "note"),
    Kind.REFLECTION: ("note", "worked", "differently", "learner_progress", "impact"),
    Kind.FEEDBACK: ("text",),
    Kind.SUPERVISION: ("discussion", "actions"),
    Kind.CONTRACT: ("activities", "boundaries", "frequency"),
    Kind.EVIDENCE: ("caption",),
    Kind.CPD: ("activity", "learning"),
}
# What each export is called in its file name: anna-kowalska-ilm-portfolio-2026-11-22.xlsx.
FILE_KINDS = {"xlsx": "portfolio", "pdf": "diary", "zip": "bundle"}
DECISION_LABELS = {"met": "Met", "not_yet": "Not yet", "not yet": "Not yet"}
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class ExportView:
    """The snapshot as the export shows it, the frameworks it follows and the rule checks."""

    snapshot: PortfolioSnapshot
    frameworks: tuple[Framework, ...]
    checks: tuple[RuleCheck, ...]
    # Off-the-job training and its confirmations (exports.otj_sheet): kept apart, since the
    # ST1379 gateway portfolio's entries are the apprentice's selection only.
    otj_entries: tuple[EntryRecord, ...] = ()
    otj_confirmations: tuple[ConfirmationRecord, ...] = ()

    @cached_property
    def entries_in_order(self) -> tuple[EntryRecord, ...]:
        return tuple(sorted(self.snapshot.entries, key=lambda e: (e.occurred_on, e.ref)))


@dataclass(frozen=True)
class SessionNotes:
    """What is shown beside each session: feedback about it and supervisor confirmations."""

    feedback: dict[str, list[EntryRecord]]
    confirmations: dict[str, list[ConfirmationRecord]]
    loose_confirmations: tuple[ConfirmationRecord, ...]

    @classmethod
    def of(cls, view: ExportView) -> SessionNotes:
        sessions = {e.ref for e in view.snapshot.entries if e.kind == Kind.SESSION}
        feedback: dict[str, list[EntryRecord]] = {}
        for e in view.entries_in_order:
            about = as_text(e.data.get("about_ref"))
            if e.kind == Kind.FEEDBACK and about in sessions:
                feedback.setdefault(about, []).append(e)
        confirmations: dict[str, list[ConfirmationRecord]] = {}
        loose = []
        for c in sorted(view.snapshot.confirmations, key=lambda c: c.confirmed_at):
            if c.entry_ref in sessions:
                confirmations.setdefault(c.entry_ref, []).append(c)
            else:
                loose.append(c)
        return cls(feedback, confirmations, tuple(loose))

    @property
    def placed_feedback(self) -> frozenset[str]:
        """Refs of the feedback shown with its session (and so not again on its own)."""
        return frozenset(e.ref for found in self.feedback.values() for e in found)


# What the bot asks a mentee after a session (handlers.texts FEEDBACK_ASK_ON,
# RATING_PROMPT_HINT and FEEDBACK_LINE), for feedback recorded without its question.
MENTEE_QUESTION = (
    "How useful was your session with {mentor} on {day}? Tap 1 (not useful) to 5 (very "
    "useful). One line on what helped or what you'd change? (optional)"
)


def feedback_giver(entry: EntryRecord) -> str:
    """Who gave feedback as people read it: their name (or pseudonym) where the entry has
    one, else where it came from ("Mentee", "Supervisor")."""
    d = entry.data
    name = as_text(d.get("from_name")) or ", ".join(entry.mentees)
    if not name and as_text(d.get("source")) not in ("mentee", "") and entry.author:
        name = entry.author
    return name or as_text(d.get("source")).capitalize() or "Unknown"


def feedback_question(entry: EntryRecord, about: EntryRecord | None, candidate: str) -> str:
    """The question the feedback answers: as recorded, or the bot's after-session prompt."""
    asked = as_text(entry.data.get("question"))
    if asked:
        return asked
    if entry.data.get("source") == "mentee" and about is not None:
        return MENTEE_QUESTION.format(mentor=candidate, day=day(about.occurred_on))
    return ""


def feedback_line(entry: EntryRecord) -> str:
    d = entry.data
    who = feedback_giver(entry)
    rating = f", {d['rating']}/5" if d.get("rating") is not None else ""
    text = as_text(d.get("text"))
    return f"{entry.ref} {who}{rating}: {text}" if text else f"{entry.ref} {who}{rating}"


def confirmation_line(c: ConfirmationRecord) -> str:
    minutes = f", {format_minutes(c.minutes)}" if c.minutes else ""
    text = f": {c.text}" if c.text else ""
    return f"{c.supervisor}, {utc_time(c.confirmed_at)}{minutes}{text}"


def name_slug(text: str) -> str:
    """A name as a file name part: folded, accents dropped, runs of other signs as one "-"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "-", plain).strip("-")


def export_file_name(snapshot: PortfolioSnapshot, suffix: str) -> str:
    """`anna-kowalska-ilm-portfolio-2026-11-22.xlsx`: candidate (the name the export shows,
    a pseudonym where that is all there is), qualification, file and date, so that the files of
    several candidates and qualifications unpacked in one folder never overwrite each other."""
    candidate = name_slug(snapshot.candidate) or "candidate"
    qualification = "-".join(map(name_slug, snapshot.framework_ids)) or "portfolio"
    kind = FILE_KINDS.get(suffix, suffix)
    return f"{candidate}-{qualification}-{kind}-{snapshot.generated_at:%Y-%m-%d}.{suffix}"


def export_view(snapshot: PortfolioSnapshot, registry: Registry) -> ExportView:
    frameworks = tuple(
        fw for fw in (registry.get(fid) for fid in snapshot.framework_ids) if fw is not None
    )
    view = apply_rules(snapshot)
    checks = tuple(check_view(snapshot, view, registry))
    otj = tuple(e for e in view.entries if e.kind == Kind.OTJ)
    refs = {e.ref for e in otj}
    otj_confirmations = tuple(c for c in view.confirmations if c.entry_ref in refs)
    # ST1379 with a selection: the gateway portfolio is the apprentice's pieces only.
    view = gateway_view(snapshot, view)
    return ExportView(
        snapshot=view,
        frameworks=frameworks,
        checks=checks,
        otj_entries=otj,
        otj_confirmations=otj_confirmations,
    )


def shown(labels: Mapping[str, str], value: Any) -> str:
    """A stored choice ('on_track') as people read it ('On track'); unknown ones as they are."""
    text = as_text(value)
    return labels.get(text, text)


def as_text(value: Any) -> str:
    """A data value as the user wrote it (never trimmed: the workbook keeps text exactly)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(as_text(v) for v in value)
    return str(value)


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry_title(entry: EntryRecord, limit: int = 160) -> str:
    for key in TITLE_FIELDS.get(entry.kind, ()):
        text = as_text(entry.data.get(key))
        if text.strip():
            return shorten(text, limit)
    return kind_label(entry.kind)


def kind_label(kind: str) -> str:
    try:
        return KIND_LABELS[Kind(kind)]
    except ValueError:
        return kind


def decision_label(outcome: str) -> str:
    return DECISION_LABELS.get(outcome, outcome)


def attachment_name(attachment: AttachmentRecord, index: int) -> str:
    """Where an attachment sits in the bundle: attachments/E-0042-1.jpg (1-based per entry)."""
    suffix = ""
    for candidate in (attachment.original_name or "", attachment.path.name):
        suffix = PurePath(candidate).suffix.lower()
        if _SAFE_SUFFIX.match(suffix):
            break
    else:
        suffix = mimetypes.guess_extension(attachment.mime_type or "") or ".bin"
    return f"attachments/{attachment.entry_ref}-{index}{suffix}"


def day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def utc_time(value: datetime) -> str:
    value = value.astimezone(UTC)
    return f"{day(value)} {value:%H:%M} UTC"


def period_text(snapshot: PortfolioSnapshot) -> str:
    period = snapshot.period
    return f"{day(period[0])} – {day(period[1])}" if period else "no entries yet"


def framework_line(framework: Framework) -> str:
    return f"{framework.title} (version {framework.version})"


@contextmanager
def partial_file(out_path: Path) -> Iterator[Path]:
    """A path to write to that becomes `out_path` only once complete: a failed or
    interrupted export never leaves a half-written file where a good one is expected."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".part")
    try:
        yield partial
        partial.replace(out_path)
    finally:
        partial.unlink(missing_ok=True)
