"""SQLAlchemy 2 models. Only portable SQL: the same models run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from journal.clock import utcnow
from journal.prompting import DEFAULT_QUIET

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, datetime: UTCDateTime}


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    language: Mapped[str] = mapped_column(String(8), default="en")
    consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    quiet_start: Mapped[str] = mapped_column(String(5), default=DEFAULT_QUIET[0])
    quiet_end: Mapped[str] = mapped_column(String(5), default=DEFAULT_QUIET[1])
    prompts_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    # Their Telegram username (without "@"), kept from the update that gave consent: an
    # anonymised export replaces "@jbaker" as it replaces the name (journal.name_variants).
    username: Mapped[str | None] = mapped_column(String(32))


class Portfolio(Base):
    __tablename__ = "portfolios"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_ref: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None]
    # What every ILM mark sheet asks for, set once per portfolio.
    centre_name: Mapped[str | None] = mapped_column(String(120))
    centre_number: Mapped[str | None] = mapped_column(String(32))
    learner_registration: Mapped[str | None] = mapped_column(String(32))

    mentor: Mapped[Person] = relationship()
    frameworks: Mapped[list[PortfolioFramework]] = relationship(
        cascade="all, delete-orphan", lazy="joined"
    )


class PortfolioFramework(Base):
    __tablename__ = "portfolio_frameworks"

    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), primary_key=True
    )
    framework_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("portfolio_id", "person_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    pseudonym: Mapped[str | None] = mapped_column(String(32))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class Entry(Base):
    """One journal entry. `data` is the current revision's fields; revisions keep every version."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("portfolio_id", "ref"),
        Index("ix_entries_portfolio_kind", "portfolio_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None]
    related_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entries.id", ondelete="SET NULL")
    )

    mentees: Mapped[list[EntryMentee]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    tags: Mapped[list[Tag]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    attachments: Mapped[list[Attachment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class EntryRevision(Base):
    __tablename__ = "entry_revisions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    occurred_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EntryMentee(Base):
    __tablename__ = "entry_mentees"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True
    )
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True
    )


TAG_BY_MENTOR = "mentor"
TAG_BY_RULE = "rule"


class Tag(Base):
    """A mentor's claim that an entry evidences a criterion; the assessor decides separately."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("entry_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(64), index=True)
    tagged_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    tagged_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "mentor": made or confirmed by the mentor (a claim); "rule": added by the bot by rule.
    source: Mapped[str] = mapped_column(
        String(8), default=TAG_BY_MENTOR, server_default=TAG_BY_MENTOR
    )


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(255))
    original_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Goal(Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), unique=True)
    mentee_membership_id: Mapped[int | None] = mapped_column(
        ForeignKey("memberships.id", ondelete="SET NULL")
    )
    statement: Mapped[str] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")


class Prompt(Base):
    """A message due to someone at a time: sent once by whichever process claims it first."""

    __tablename__ = "prompts"
    __table_args__ = (Index("ix_prompts_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    portfolio_id: Mapped[int | None] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE")
    )
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    due_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(12), default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Names a prompt that must exist at most once (a reminder of one prompt, the weekly nudge
    # of one week), so that two schedulers planning at the same time create it once.
    key: Mapped[str | None] = mapped_column(String(96), unique=True)


class Confirmation(Base):
    """What a supervisor confirmed (hours, a session, a testimony), who, and when."""

    __tablename__ = "confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"))
    minutes: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """An assessor's decision on one criterion; the newest one counts, older ones are history."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(64))
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mark(Base):
    """An ILM mark-sheet section mark or an ST1379 method grade given by an assessor."""

    __tablename__ = "marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(32))
    sheet: Mapped[str] = mapped_column(String(32))
    section: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(String(16))
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "assessor" (Assr mark) or "qa" (the quality assurer's QA mark on the same sheet).
    role: Mapped[str] = mapped_column(String(8), default="assessor", server_default="assessor")


class SheetNote(Base):
    """A mark-sheet field that is not a mark: a section's strengths, weaknesses or comment by
    the assessor, the learner's authenticity confirmation or anonymous-use opt-out. Every one
    is kept; the newest of a field counts."""

    __tablename__ = "sheet_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    framework_id: Mapped[str] = mapped_column(String(32))
    sheet: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(16))
    section: Mapped[str] = mapped_column(String(8), default="")
    text: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class EvidenceJudgement(Base):
    """An assessor's judgement of one evidence item (EcoMentor 3.10); every one is kept."""

    __tablename__ = "evidence_judgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    valid: Mapped[bool] = mapped_column(Boolean)
    authentic: Mapped[bool] = mapped_column(Boolean)
    reliable: Mapped[bool] = mapped_column(Boolean)
    current: Mapped[bool] = mapped_column(Boolean)
    sufficient: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    judged_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssessmentRecordRow(Base):
    """Eligibility, assessment plan, assessor feedback, validation stages (EcoMentor 3.2, 3.3,
    3.9); every one is kept, the newest of a kind and key counts."""

    __tablename__ = "assessment_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    framework_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(32), default="")
    outcome: Mapped[str] = mapped_column(String(16), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class QaSample(Base):
    """An internal quality assurer's judgement of one assessor decision (agree or disagree)."""

    __tablename__ = "qa_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    iqa_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    sampled_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedUpdate(Base):
    """Update ids already handled, so a replayed update changes nothing."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)


class FsmRecord(Base):
    """aiogram conversation state and data, one row per storage key."""

    __tablename__ = "fsm_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_update_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Apprenticeship(Base):
    """An ST1379 apprentice's plan on their portfolio (journal.apprenticeship): the start date,
    planned end, planned off-the-job hours and the minimum the funding rules ask for. Goes with
    the portfolio (erasure, retention)."""

    __tablename__ = "apprenticeships"

    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), primary_key=True
    )
    start_on: Mapped[date] = mapped_column(Date)
    planned_end_on: Mapped[date] = mapped_column(Date)
    planned_hours: Mapped[int] = mapped_column(Integer)
    minimum_hours: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GatewayRecord(Base):
    """An ST1379 gateway fact someone recorded (journal.gateway): English or maths with the
    alternative of the seed it meets (`value`), the employer's decision that the apprentice
    works at or above the standard, the gateway itself (`on_date` the gateway date), or the
    gateway reopened by the centre (`value` the start date it was confirmed against). Every one
    is kept; the newest of a kind counts. The decision and each gateway (`seq`: 1, then one more
    after each reopening) exist once, so two employers tapping at the same moment write one;
    English and maths (`seq` None) may be recorded again. Goes with the portfolio."""

    __tablename__ = "gateway_records"
    __table_args__ = (UniqueConstraint("portfolio_id", "kind", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(16), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16))
    on_date: Mapped[date | None] = mapped_column(Date)
    seq: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatementConfirmation(Base):
    """One party's confirmation of the ST1379 employer and apprentice statement
    (journal.statement): the exact text, who, when, and the fingerprint of the evidence they
    confirmed. Every one is kept; the newest of each party counts. `follows` is the party's
    confirmation this one came after (0 for the first): one each, so two taps at once write one."""

    __tablename__ = "statement_confirmations"
    __table_args__ = (UniqueConstraint("portfolio_id", "party", "follows"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    pieces: Mapped[int] = mapped_column(Integer)
    follows: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecordingRow(Base):
    """A video of a mentoring session after the ST1379 gateway (journal.recordings): Telegram's
    duration and file details, kept even when the file is over the download limit (`path`
    None), the day it was recorded, one-to-one or group, and whether the apprentice confirmed
    that mentor and mentee are visible. `file_unique_id` is Telegram's id of the video itself
    (the same for every copy of it), so the same video is never two recordings."""

    __tablename__ = "recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    recorded_on: Mapped[date] = mapped_column(Date)
    seconds: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    visible: Mapped[bool] = mapped_column(Boolean)
    media: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    original_name: Mapped[str | None] = mapped_column(String(255))
    path: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str | None] = mapped_column(String(64))
    caption: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EpaPiece(Base):
    """A piece the ST1379 apprentice selected for the gateway portfolio
    (journal.epa_selection); for an employer contribution, what the employer observed (a
    witness statement: the apprentice's one line). Goes with the portfolio (erasure,
    retention) and with its entry."""

    __tablename__ = "epa_pieces"
    __table_args__ = (UniqueConstraint("portfolio_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    observed: Mapped[str | None] = mapped_column(Text)
    selected_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    selected_at: Mapped[datetime] = mapped_column(default=utcnow)


class EpaLine(Base):
    """The apprentice's line on how an entry shows one KSB it is mapped to. Kept with the entry,
    not the selection, so that taking a piece out and back keeps what was written."""

    __tablename__ = "epa_lines"
    __table_args__ = (UniqueConstraint("entry_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)


class AnonymisationName(Base):
    """A name an ST1379 apprentice added for anonymisation (`/names`): a colleague, a manager, a
    site or another person their evidence names, and the label exports show instead. The
    label is given once and kept; a removed name is blanked (`removed_at`) and its label never
    given again in the portfolio, so an older export's "Colleague A" stays one person. Goes
    with the portfolio (erasure, retention)."""

    __tablename__ = "anonymisation_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]
