"""Retention (DESIGN.md section 8): how recently each portfolio was active, and destroying
what is past the retention period: portfolios, entries deleted long ago, and people left with
nothing, their conversation state too.

journal.retention says what is past it, from the activity found here; bot.retention runs the
job. A portfolio is destroyed as erasure deletes one (storage.erasure.delete_portfolio), and
`Destroyed` is erasure's `Erased` with the counts for the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.retention import (
    Activity,
    cutoff,
    deleted_entry_past_retention,
    person_past_retention,
)
from storage.erasure import Erased, delete_portfolio
from storage.models import (
    AnonymisationName,
    Apprenticeship,
    Confirmation,
    Decision,
    Entry,
    EntryRevision,
    FsmRecord,
    Mark,
    Membership,
    Person,
    Portfolio,
)
from storage.written_records import GATEWAY_RECORDS, WRITTEN


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
            await delete_portfolio(session, portfolio, destroyed)
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
