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
) -> StatementConfirmation | None:
    """Record the party's confirmation of the evidence `fingerprint`, in the write transaction;
    None when the party's newest confirmation is of this evidence already (another employer's
    tap of the same moment). `follows` is unique per party: where two transactions run side by
    side (PostgreSQL) the second's IntegrityError means the same."""
    newest = await session.scalar(
        select(StatementConfirmation)
        .where(
            StatementConfirmation.portfolio_id == portfolio_id,
            StatementConfirmation.party == str(party),
        )
        .order_by(StatementConfirmation.confirmed_at.desc(), StatementConfirmation.id.desc())
        .limit(1)
    )
    if newest is not None and newest.fingerprint == fingerprint:
        return None
    row = StatementConfirmation(
        portfolio_id=portfolio_id,
        party=str(party),
        person_id=person.id,
        text=text,
        fingerprint=fingerprint,
        pieces=pieces,
        follows=newest.id if newest is not None else 0,
        confirmed_at=now,
    )
    session.add(row)
    await session.flush()
    return row
