"""A portfolio as plain data: what exports and rules read, with no database behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from journal.apprenticeship import Plan


@dataclass(frozen=True)
class AttachmentRecord:
    entry_ref: str
    kind: str
    path: Path
    original_name: str | None
    size: int
    sha256: str
    mime_type: str | None = None


@dataclass(frozen=True)
class EntryRecord:
    ref: str
    kind: str
    occurred_on: date
    recorded_at: datetime
    author: str
    data: dict[str, Any]
    mentees: tuple[str, ...] = ()
    duration_minutes: int | None = None
    tags: tuple[str, ...] = ()  # the mentor's claims: tags they made or confirmed
    attachments: tuple[AttachmentRecord, ...] = ()
    revision: int = 1
    # Tags the bot added by rule (feedback to the feedback criteria): shown apart, never claims.
    auto_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoalReviewRecord:
    ref: str
    reviewed_on: date
    progress: str
    note: str | None
    status: str


@dataclass(frozen=True)
class GoalRecord:
    ref: str
    owner: str
    statement: str
    measure: str | None
    target_date: date | None
    status: str
    reviews: tuple[GoalReviewRecord, ...] = ()


@dataclass(frozen=True)
class DecisionRecord:
    criterion_id: str
    outcome: str
    comment: str | None
    assessor: str
    decided_at: datetime


@dataclass(frozen=True)
class MarkRecord:
    framework_id: str
    sheet: str
    section: str
    value: str
    assessor: str
    decided_at: datetime
    role: str = "assessor"  # "assessor", or "qa": the quality assurer's mark (mark sheet column)


@dataclass(frozen=True)
class SheetNoteRecord:
    """A mark-sheet field other than a mark: strengths, weaknesses or a comment of a section
    (`section` its 1-based number), or the learner's authenticity and opt-out (`sheet` "*":
    every sheet of the framework)."""

    framework_id: str
    sheet: str
    field: str
    section: str
    text: str
    person: str
    recorded_at: datetime


@dataclass(frozen=True)
class JudgementRecord:
    """An assessor's judgement of one evidence item on EcoMentor's five qualities (3.10)."""

    entry_ref: str
    qualities: dict[str, bool]  # valid, authentic, reliable, current, sufficient
    comment: str | None
    assessor: str
    judged_at: datetime


@dataclass(frozen=True)
class AssessmentRecord:
    """A record of the assessment process (EcoMentor 3.2, 3.3, 3.9): `kind` "eligibility"
    (`key` the requirement), "plan", "feedback" or "stage" (`key` the validation stage), with
    its `outcome` ("met", "completed" ...) and text."""

    framework_id: str
    kind: str
    key: str
    outcome: str
    text: str
    person: str
    recorded_at: datetime


@dataclass(frozen=True)
class QaSampleRecord:
    """An IQA's judgement of one assessor decision: the decision as sampled, then theirs."""

    criterion_id: str
    decision_outcome: str
    decision_assessor: str
    decided_at: datetime
    outcome: str  # "agree" | "disagree"
    comment: str | None
    iqa: str
    sampled_at: datetime


@dataclass(frozen=True)
class ConfirmationRecord:
    kind: str
    supervisor: str
    entry_ref: str | None
    minutes: int | None
    text: str | None
    confirmed_at: datetime


@dataclass(frozen=True)
class StatementRecord:
    """One party's confirmation of the ST1379 employer and apprentice statement
    (journal.statement): the exact text, who, when and the fingerprint of the evidence."""

    party: str  # "apprentice" | "employer"
    person: str
    text: str
    fingerprint: str
    confirmed_at: datetime


@dataclass(frozen=True)
class EpaPieceRecord:
    """A piece the apprentice selected for the ST1379 gateway portfolio (journal.epa_selection):
    for each KSB it is mapped to, one line on how it shows it; for an employer contribution,
    what the employer observed (a witness statement)."""

    entry_ref: str
    lines: dict[str, str] = field(default_factory=dict)  # criterion id -> the apprentice's line
    observed: str | None = None
    selected_at: datetime | None = None


@dataclass(frozen=True)
class AddedNameRecord:
    """A name the apprentice added for anonymisation (`/names`): a colleague, a manager, a
    site or another person, and the label an anonymised export shows ("Colleague A")."""

    name: str
    kind: str  # journal.anonymisation.ADDED_KINDS
    label: str


@dataclass(frozen=True)
class GatewayItemRecord:
    """One item of the ST1379 gateway checklist (journal.gateway.Item) as the bot kept it from
    the data when the snapshot was read: met or not, the figure it rests on (the off-the-job
    minutes the employer confirmed, the pieces of the portfolio) and what is still missing."""

    item: str  # journal.gateway.Item
    met: bool
    count: int | None = None
    missing: tuple[str, ...] = ()  # the portfolio: what is not ready (journal.epa_selection)


@dataclass(frozen=True)
class GatewayFactRecord:
    """What someone recorded for the ST1379 gateway, the newest of each kind: English or maths
    with the alternative of the seed it meets (`value`), the employer's decision, the gateway
    itself (`on_date` the gateway date); who, in which role, when."""

    kind: str  # storage.gateway.Kind: "english" | "maths" | "decision" | "gateway"
    person: str
    role: str
    recorded_at: datetime
    value: str = ""
    on_date: date | None = None


@dataclass(frozen=True)
class RecordingRecord:
    """A recording of a mentoring session after the ST1379 gateway (journal.recordings) and
    why it does not count, if it does not (journal.recordings.Problem values)."""

    recorded_on: date
    seconds: int | None
    visible: bool
    format: str  # "one_to_one" | "group"
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class PortfolioSnapshot:
    portfolio_id: int
    candidate: str
    framework_ids: tuple[str, ...]
    generated_at: datetime
    entries: tuple[EntryRecord, ...] = ()
    goals: tuple[GoalRecord, ...] = ()
    decisions: tuple[DecisionRecord, ...] = ()
    marks: tuple[MarkRecord, ...] = ()
    confirmations: tuple[ConfirmationRecord, ...] = ()
    mentees: tuple[str, ...] = ()
    targets: dict[str, int] = field(default_factory=dict)
    anonymised: bool = False
    # A mentee's display name -> the stable pseudonym the bot gave them ("Mentee B"), so
    # that anonymised exports call everyone what the bot calls them.
    pseudonyms: dict[str, str] = field(default_factory=dict)
    # The centre's CONFIRMED_HOURS_UNITS ("ilm:D3.07"); None: journal.hours' default.
    confirmed_hours_units: tuple[str, ...] | None = None
    # Set once per portfolio (mark sheets: "Centre Number", "Centre Name", "Learner
    # Registration No"), by the mentor, an assessor or `mentorlog portfolio details`.
    centre_name: str | None = None
    centre_number: str | None = None
    learner_registration: str | None = None
    sheet_notes: tuple[SheetNoteRecord, ...] = ()
    judgements: tuple[JudgementRecord, ...] = ()
    records: tuple[AssessmentRecord, ...] = ()
    qa_samples: tuple[QaSampleRecord, ...] = ()
    # Anonymisation (ST1379): the names the apprentice added, each member's Telegram username
    # by display name (without "@"), and what the exporter found reading the attachments
    # (sha256 -> "read": metadata and text, or "metadata": a picture, a scan; None: not read).
    added_names: tuple[AddedNameRecord, ...] = ()
    usernames: dict[str, str] = field(default_factory=dict)
    attachment_scans: dict[str, str] | None = None
    # The ST1379 employer and apprentice statement, every confirmation in order.
    statements: tuple[StatementRecord, ...] = ()
    # ST1379: the apprentice's gateway selection (empty: none made) and the apprenticeship plan.
    epa_pieces: tuple[EpaPieceRecord, ...] = ()
    otj_plan: Plan | None = None
    # ST1379 only (storage.gateway): the gateway checklist as kept on the day the snapshot was
    # read, in journal.gateway.ITEMS order, what was recorded for it, and the recordings.
    gateway_items: tuple[GatewayItemRecord, ...] = ()
    gateway_facts: tuple[GatewayFactRecord, ...] = ()
    recordings: tuple[RecordingRecord, ...] = ()

    @property
    def centre(self) -> str | None:
        """'Northside College (centre number 123456)', or None when neither is recorded."""
        if self.centre_name and self.centre_number:
            return f"{self.centre_name} (centre number {self.centre_number})"
        if self.centre_number:
            return f"centre number {self.centre_number}"
        return self.centre_name or None

    @property
    def period(self) -> tuple[date, date] | None:
        if not self.entries:
            return None
        days = [e.occurred_on for e in self.entries]
        return min(days), max(days)
