"""A person's data: a copy on request, and erasure (DESIGN.md section 8)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from journal.copies import (
    FORMER_MEMBER,
    REDACTED,
    RELEASE_NOTE,
    Share,
    entry_share,
    invitation_record,
    own_entry_data,
    prompt_record,
    redact,
    released_data,
    scrub_notice,
    session_record,
)
from journal.prompting import PromptKind
from journal.retention import (
    Activity,
    cutoff,
    deleted_entry_past_retention,
    person_past_retention,
)
from storage.anonymisation_names import forget_name
from storage.db import truncate_wal
from storage.models import (
    AnonymisationName,
    Apprenticeship,
    AssessmentRecordRow,
    Attachment,
    Confirmation,
    Decision,
    Entry,
    EntryMentee,
    EntryRevision,
    EpaLine,
    EpaPiece,
    EvidenceJudgement,
    FsmRecord,
    GatewayRecord,
    Goal,
    Invitation,
    Mark,
    Membership,
    Person,
    Portfolio,
    Prompt,
    QaSample,
    RecordingRow,
    SheetNote,
    StatementConfirmation,
)
from storage.prompts import State

# The assessment record: who wrote each row, and the free text in it (a name may be in it).
ASSESSMENT_RECORD = (
    (SheetNote, SheetNote.person_id, "text", SheetNote.recorded_at),
    (EvidenceJudgement, EvidenceJudgement.assessor_id, "comment", EvidenceJudgement.judged_at),
    (AssessmentRecordRow, AssessmentRecordRow.person_id, "text", AssessmentRecordRow.recorded_at),
    (QaSample, QaSample.iqa_id, "comment", QaSample.sampled_at),
)
# The ST1379 EPA selection (storage.epa_selection): the apprentice's KSB lines and what an
# employer observed; the same treatment (a copy, a name replaced, activity for retention).
WRITTEN = (
    *ASSESSMENT_RECORD,
    (EpaPiece, EpaPiece.selected_by, "observed", EpaPiece.selected_at),
    (EpaLine, EpaLine.written_by, "text", EpaLine.written_at),
)

# The ST1379 gateway, statement and recordings (issue 11): the portfolio's, with who wrote each.
GATEWAY_RECORDS = (
    (GatewayRecord, GatewayRecord.person_id, GatewayRecord.recorded_at),
    (StatementConfirmation, StatementConfirmation.person_id, StatementConfirmation.confirmed_at),
    (RecordingRow, RecordingRow.author_id, RecordingRow.created_at),
)

log = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(obj: Any, *skip: str) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns if c.key not in skip}


async def copy_of(session: AsyncSession, person: Person) -> dict[str, Any]:
    """Everything held about one person, as plain JSON-ready data (rules: journal.copies)."""
    memberships = list(
        await session.scalars(select(Membership).where(Membership.person_id == person.id))
    )
    own = list(
        (await session.scalars(select(Portfolio).where(Portfolio.mentor_id == person.id))).unique()
    )
    own_ids = {p.id for p in own}
    about_me = select(EntryMentee.entry_id).where(
        EntryMentee.membership_id.in_([m.id for m in memberships])
    )
    linked = set(await session.scalars(about_me))
    rows = list(
        await session.scalars(
            select(Entry)
            .where(
                or_(
                    Entry.portfolio_id.in_(own_ids),
                    Entry.author_id == person.id,
                    Entry.id.in_(linked),
                )
            )
            .order_by(Entry.portfolio_id, Entry.id)
        )
    )
    owners = dict(
        (
            await session.execute(
                select(Portfolio.id, Portfolio.mentor_id).where(
                    Portfolio.id.in_({e.portfolio_id for e in rows})
                )
            )
        ).all()
    )
    whole = [
        e
        for e in rows
        if entry_share(
            person.id,
            author_id=e.author_id,
            owner_id=owners[e.portfolio_id],
            about_them=e.id in linked,
        )
        is Share.WHOLE
    ]
    whole_ids = {e.id for e in whole}
    revisions: dict[int, list[EntryRevision]] = {}
    for revision in await session.scalars(
        select(EntryRevision)
        .where(EntryRevision.entry_id.in_(whole_ids))
        .order_by(EntryRevision.entry_id, EntryRevision.number)
    ):
        revisions.setdefault(revision.entry_id, []).append(revision)

    def entry(e: Entry) -> dict[str, Any]:
        owner = e.portfolio_id in own_ids
        return {
            **_row(e, "data"),
            "data": own_entry_data(e.data, owner=owner),
            "tags": [t.criterion_id for t in e.tags] if owner else [],
            "attachments": [_row(a, "entry_id") for a in e.attachments],
            "revisions": [
                {**_row(r, "entry_id", "data"), "data": own_entry_data(r.data, owner=owner)}
                for r in revisions.get(e.id, [])
                if owner or r.author_id == person.id
            ],
        }

    mine_or_on_mine = {
        model: or_(column == person.id, model.portfolio_id.in_(own_ids))
        for model, column in (
            (Confirmation, Confirmation.supervisor_id),
            (Decision, Decision.assessor_id),
            (Mark, Mark.assessor_id),
            *((model, writer) for model, writer, _, _ in WRITTEN),
            *((model, writer) for model, writer, _ in GATEWAY_RECORDS),
        )
    }

    async def rows_of(model: Any) -> list[dict[str, Any]]:
        found = await session.scalars(
            select(model).where(mine_or_on_mine[model]).order_by(model.id)
        )
        return [_row(r) for r in found]

    invitations = await session.scalars(
        select(Invitation)
        .where(or_(Invitation.created_by == person.id, Invitation.used_by == person.id))
        .order_by(Invitation.id)
    )
    prompts = await session.scalars(
        select(Prompt).where(Prompt.person_id == person.id).order_by(Prompt.id)
    )
    return {
        "person": _row(person),
        "memberships": [_row(m) for m in memberships],
        "portfolios": [
            {**_row(p), "frameworks": [f.framework_id for f in p.frameworks]} for p in own
        ],
        "entries": [entry(e) for e in whole],
        "sessions_attended": [
            session_record(_row(e)) for e in rows if e.id not in whole_ids and e.id in linked
        ],
        "prompts": [prompt_record(_row(p)) for p in prompts],
        "confirmations": await rows_of(Confirmation),
        "decisions": await rows_of(Decision),
        "marks": await rows_of(Mark),
        **{model.__tablename__: await rows_of(model) for model, *_ in WRITTEN},
        **{model.__tablename__: await rows_of(model) for model, *_ in GATEWAY_RECORDS},
        "apprenticeships": [
            _row(a)
            for a in await session.scalars(
                select(Apprenticeship).where(Apprenticeship.portfolio_id.in_(own_ids))
            )
        ],
        # The names they added to their portfolios for anonymisation (what they gave).
        "anonymisation_names": [
            _row(n)
            for n in await session.scalars(
                select(AnonymisationName)
                .where(AnonymisationName.portfolio_id.in_(own_ids))
                .order_by(AnonymisationName.id)
            )
        ],
        "invitations": [invitation_record(_row(i)) for i in invitations],
    }


@dataclass
class Erased:
    """What to remove once the erasure has committed: stored files, and the export files of
    these portfolios (their own, and every portfolio that holds the person)."""

    files: list[str] = field(default_factory=list)
    portfolios: list[int] = field(default_factory=list)


async def _delete_portfolio(session: AsyncSession, portfolio: Portfolio, erased: Erased) -> None:
    erased.files += [
        a.path
        for a in await session.scalars(
            select(Attachment).join(Entry).where(Entry.portfolio_id == portfolio.id)
        )
    ]
    erased.files += [
        path
        for path in await session.scalars(
            select(RecordingRow.path).where(RecordingRow.portfolio_id == portfolio.id)
        )
        if path
    ]
    erased.portfolios.append(portfolio.id)
    await session.delete(portfolio)


async def _anonymise_in(session: AsyncSession, portfolio_id: int, name: str, stand_in: str) -> None:
    """What others wrote in one portfolio keeps its record, the erased person's name replaced."""
    names = {name: stand_in}

    def scrubbed(obj: Any, attribute: str, value: Any) -> None:
        if value != getattr(obj, attribute):
            setattr(obj, attribute, value)

    entry_ids = select(Entry.id).where(Entry.portfolio_id == portfolio_id)
    for entry in await session.scalars(select(Entry).where(Entry.portfolio_id == portfolio_id)):
        scrubbed(entry, "data", redact(entry.data, names))
    for revision in await session.scalars(
        select(EntryRevision).where(EntryRevision.entry_id.in_(entry_ids))
    ):
        scrubbed(revision, "data", redact(revision.data, names))
    for goal in await session.scalars(select(Goal).where(Goal.portfolio_id == portfolio_id)):
        scrubbed(goal, "statement", redact(goal.statement, names))
        scrubbed(goal, "measure", redact(goal.measure, names))
    for decision in await session.scalars(
        select(Decision).where(Decision.portfolio_id == portfolio_id)
    ):
        scrubbed(decision, "comment", redact(decision.comment, names))
    for confirmation in await session.scalars(
        select(Confirmation).where(Confirmation.portfolio_id == portfolio_id)
    ):
        scrubbed(confirmation, "text", redact(confirmation.text, names))
    for model, _, text, _ in WRITTEN:
        for row in await session.scalars(select(model).where(model.portfolio_id == portfolio_id)):
            scrubbed(row, text, redact(getattr(row, text), names))
    for recording in await session.scalars(
        select(RecordingRow).where(RecordingRow.portfolio_id == portfolio_id)
    ):
        scrubbed(recording, "caption", redact(recording.caption, names))
    # Notices, sent ones too, told the mentor who said what.
    for prompt in await session.scalars(select(Prompt).where(Prompt.portfolio_id == portfolio_id)):
        about_them = prompt.kind == PromptKind.NOTICE and prompt.payload.get("who") == name
        if about_them and prompt.state == State.PENDING:
            prompt.state = State.CANCELLED
        scrubbed(prompt, "payload", scrub_notice(prompt.payload, name, stand_in))


async def erase(session: AsyncSession, person: Person, now: datetime) -> Erased:
    """Erase a person; what to remove after the commit is returned (`Erased`).

    Their own portfolio goes entirely. What they wrote and gave elsewhere (a mentee's
    feedback) goes, and so do the prompts sent to them; what others wrote about them stays,
    under their pseudonym, because it is the other person's record. Their name is replaced in
    it, in the notices that told a mentor what they said, and in decisions and confirmations.
    """
    erased = Erased()
    owned = select(Portfolio).where(Portfolio.mentor_id == person.id)
    for portfolio in list((await session.scalars(owned)).unique()):
        await _delete_portfolio(session, portfolio, erased)
    authored = list(await session.scalars(select(Entry).where(Entry.author_id == person.id)))
    for entry in authored:
        erased.files += [a.path for a in entry.attachments]
        await session.delete(entry)
    for recording in await session.scalars(
        select(RecordingRow).where(RecordingRow.author_id == person.id)
    ):
        erased.files += [recording.path] if recording.path else []
        await session.delete(recording)
    await session.flush()
    await session.execute(delete(Prompt).where(Prompt.person_id == person.id))
    for membership in await session.scalars(
        select(Membership).where(Membership.person_id == person.id)
    ):
        stand_in = membership.pseudonym or FORMER_MEMBER
        await _anonymise_in(session, membership.portfolio_id, person.name, stand_in)
        # A name the mentor added for anonymisation leaves with the person (the label stays).
        await forget_name(session, membership.portfolio_id, person.name, now)
        erased.portfolios.append(membership.portfolio_id)
    for confirmation in await session.scalars(
        select(Confirmation).where(Confirmation.supervisor_id == person.id)
    ):
        confirmation.text = None
    await session.execute(delete(Invitation).where(Invitation.created_by == person.id))
    person.name = ""
    person.username = None
    person.telegram_id = None
    person.erased_at = now
    person.consent_at = None
    erased.portfolios = sorted(set(erased.portfolios))
    return erased


async def leave_no_trace(sessions: async_sessionmaker[AsyncSession], tries: int = 5) -> bool:
    """After an erasure: nothing of it left in SQLite's WAL (`secure_delete` zeroed the pages
    the checkpoint writes back). A reader can hold the WAL for a moment; then try again."""
    engine = sessions.kw["bind"]
    for attempt in range(tries):
        if await truncate_wal(engine):
            return True
        await asyncio.sleep(0.05 * (attempt + 1))
    log.warning("the WAL could not be truncated after an erasure; the next checkpoint will")
    return False


# --- What others wrote about a person, released by the centre on request -------------------------


async def find_person(
    session: AsyncSession, *, person_id: int | None = None, telegram_id: int | None = None
) -> Person | None:
    if person_id is not None:
        return await session.get(Person, person_id)
    return await session.scalar(select(Person).where(Person.telegram_id == telegram_id))


async def written_about(session: AsyncSession, person: Person, now: datetime) -> dict[str, Any]:
    """What others wrote about one person in each portfolio they belong to, other people
    redacted (journal.copies.released_data): for the centre to read, then release."""
    released = []
    for membership in await session.scalars(
        select(Membership).where(Membership.person_id == person.id).order_by(Membership.id)
    ):
        portfolio = await session.get(Portfolio, membership.portfolio_id)
        mentor = await session.get(Person, portfolio.mentor_id)
        others = [
            text
            for m in await session.scalars(
                select(Membership).where(
                    Membership.portfolio_id == portfolio.id, Membership.person_id != person.id
                )
            )
            if m.person_id != mentor.id
            for text in (m.person.name, m.pseudonym)
            if text
        ]
        entries = await session.scalars(
            select(Entry)
            .join(EntryMentee, EntryMentee.entry_id == Entry.id)
            .where(
                EntryMentee.membership_id == membership.id,
                or_(Entry.author_id.is_(None), Entry.author_id != person.id),
                Entry.deleted_at.is_(None),
            )
            .order_by(Entry.occurred_on, Entry.id)
        )
        goals = await session.scalars(
            select(Goal).where(Goal.mentee_membership_id == membership.id).order_by(Goal.id)
        )
        released.append(
            {
                "portfolio_id": portfolio.id,
                "role": membership.role,
                "pseudonym": membership.pseudonym,
                "mentor": mentor.name or FORMER_MEMBER,
                "entries": [
                    {
                        **session_record(_row(e)),
                        "written_by": "mentor" if e.author_id == mentor.id else REDACTED,
                        "data": released_data(e.data, others=others),
                    }
                    for e in entries
                ],
                "goals": [
                    {
                        **released_data(
                            {"statement": g.statement, "measure": g.measure}, others=others
                        ),
                        "target_date": _plain(g.target_date),
                        "status": g.status,
                    }
                    for g in goals
                ],
            }
        )
    return {
        "note": RELEASE_NOTE,
        "person": {"id": person.id, "name": person.name},
        "prepared_at": _plain(now),
        "portfolios": released,
    }


# --- Retention (journal.retention says what is past it) ------------------------------------------


@dataclass
class Destroyed(Erased):
    """What retention destroyed: counts and internal ids only, fit for the log."""

    entries: int = 0
    people: list[int] = field(default_factory=list)
    archived: list[Path] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.portfolios or self.entries or self.people)


async def portfolio_activity(session: AsyncSession) -> list[Activity]:
    """Every portfolio with the newest time of each kind of record in it."""
    sources = (
        select(Entry.portfolio_id, func.max(Entry.recorded_at)).group_by(Entry.portfolio_id),
        select(Entry.portfolio_id, func.max(Entry.deleted_at)).group_by(Entry.portfolio_id),
        select(Entry.portfolio_id, func.max(EntryRevision.created_at))
        .join(EntryRevision, EntryRevision.entry_id == Entry.id)
        .group_by(Entry.portfolio_id),
        select(Decision.portfolio_id, func.max(Decision.decided_at)).group_by(
            Decision.portfolio_id
        ),
        select(Mark.portfolio_id, func.max(Mark.decided_at)).group_by(Mark.portfolio_id),
        select(Confirmation.portfolio_id, func.max(Confirmation.confirmed_at)).group_by(
            Confirmation.portfolio_id
        ),
        *(
            select(model.portfolio_id, func.max(at)).group_by(model.portfolio_id)
            for model, _, _, at in WRITTEN
        ),
        select(Apprenticeship.portfolio_id, Apprenticeship.updated_at),
        select(AnonymisationName.portfolio_id, func.max(AnonymisationName.added_at)).group_by(
            AnonymisationName.portfolio_id
        ),
        *(
            select(model.portfolio_id, func.max(at)).group_by(model.portfolio_id)
            for model, _, at in GATEWAY_RECORDS
        ),
    )
    latest: dict[int, list[datetime | None]] = {}
    for query in sources:
        for portfolio_id, newest in await session.execute(query):
            latest.setdefault(portfolio_id, []).append(newest)
    rows = await session.execute(
        select(Portfolio.id, Portfolio.created_at, Portfolio.closed_at).order_by(Portfolio.id)
    )
    return [
        Activity(pid, created_at=created, latest=tuple(latest.get(pid, ())), closed_at=closed)
        for pid, created, closed in rows
    ]


async def destroy_past_retention(
    session: AsyncSession, portfolio_ids: list[int], now: datetime, period: timedelta
) -> Destroyed:
    """Destroy the portfolios past retention, entries deleted longer ago than the period, and
    the people left with nothing (their conversation state too); files are for the caller."""
    destroyed = Destroyed()
    for portfolio_id in portfolio_ids:
        portfolio = await session.get(Portfolio, portfolio_id)
        if portfolio is not None:
            await _delete_portfolio(session, portfolio, destroyed)
    limit = cutoff(now, period)
    for entry in await session.scalars(select(Entry).where(Entry.deleted_at < limit)):
        if deleted_entry_past_retention(entry.deleted_at, now, period):
            destroyed.files += [a.path for a in entry.attachments]
            destroyed.entries += 1
            await session.delete(entry)
    await session.flush()
    holding = set(await session.scalars(select(Portfolio.mentor_id))) | set(
        await session.scalars(select(Membership.person_id))
    )
    gone_users: list[str] = []
    for person in await session.scalars(
        select(Person).where(Person.created_at < limit).order_by(Person.id)
    ):
        if person_past_retention(
            person.created_at, holds_records=person.id in holding, now=now, period=period
        ):
            destroyed.people.append(person.id)
            if person.telegram_id is not None:
                gone_users.append(str(person.telegram_id))
            await session.delete(person)
    if gone_users:
        keys = await session.scalars(
            select(FsmRecord.key).where(
                or_(*(FsmRecord.key.like(f"%:{user}:%") for user in gone_users))
            )
        )
        # Keys are bot:chat:user:thread:business:destiny (storage.fsm.storage_key).
        theirs = [k for k in keys if k.split(":")[2] in gone_users]
        if theirs:
            await session.execute(delete(FsmRecord).where(FsmRecord.key.in_(theirs)))
    return destroyed
