"""Erasing a person (DESIGN.md section 8): their own portfolios go, what they wrote elsewhere
goes, and what others wrote about them stays under their pseudonym with their name replaced.

`erase` says what to remove once the transaction has committed (stored files, export files);
`leave_no_trace` then empties SQLite's WAL of what was erased. Deleting a whole portfolio is
shared with retention (storage.retention), which destroys portfolios the same way.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from journal.copies import FORMER_MEMBER, redact, scrub_notice
from journal.prompting import PromptKind
from storage.anonymisation_names import forget_name
from storage.db import truncate_wal
from storage.models import (
    Attachment,
    Confirmation,
    Decision,
    Entry,
    EntryRevision,
    Goal,
    Invitation,
    Membership,
    Person,
    Portfolio,
    Prompt,
    RecordingRow,
)
from storage.prompts import State
from storage.written_records import WRITTEN

log = logging.getLogger(__name__)


@dataclass
class Erased:
    """What to remove once the erasure has committed: stored files, and the export files of
    these portfolios (their own, and every portfolio that holds the person)."""

    files: list[str] = field(default_factory=list)
    portfolios: list[int] = field(default_factory=list)


async def delete_portfolio(session: AsyncSession, portfolio: Portfolio, erased: Erased) -> None:
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
        await delete_portfolio(session, portfolio, erased)
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
