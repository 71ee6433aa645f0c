"""The ST1379 employer and apprentice statement: each party's confirmation (journal.statement)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.snapshot import StatementRecord
from journal.statement import Party
from storage.models import Person, StatementConfirmation

FORMER = "Former member"


def display(person: Person | None) -> str:
    """A person's name as records show it; an erased person's is gone."""
    if person is None or person.erased_at is not None or not person.name:
        return FORMER
    return person.name


async def records(session: AsyncSession, portfolio_id: int) -> tuple[StatementRecord, ...]:
    """Every confirmation of the portfolio's statement, oldest first."""
    rows = await session.execute(
        select(StatementConfirmation, Person)
        .outerjoin(Person, Person.id == StatementConfirmation.person_id)
        .where(StatementConfirmation.portfolio_id == portfolio_id)
        .order_by(StatementConfirmation.confirmed_at, StatementConfirmation.id)
    )
    return tuple(
        StatementRecord(row.party, display(person), row.text, row.fingerprint, row.confirmed_at)
        for row, person in rows
    )


async def confirm(
    session: AsyncSession,
    *,
    portfolio_id: int,
    party: Party,
    person: Person,
    text: str,
    fingerprint: str,
    pieces: int,
    now: datetime,
) -> StatementConfirmation:
    row = StatementConfirmation(
        portfolio_id=portfolio_id,
        party=str(party),
        person_id=person.id,
        text=text,
        fingerprint=fingerprint,
        pieces=pieces,
        confirmed_at=now,
    )
    session.add(row)
    await session.flush()
    return row
