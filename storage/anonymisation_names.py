"""The names an ST1379 apprentice adds for anonymisation (`/names`), and people's usernames."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.anonymisation import ADDED_KINDS, added_label
from journal.name_variants import name_key
from journal.snapshot import AddedNameRecord
from storage.models import AnonymisationName, Person

USERNAME_LIMIT = 32  # Telegram's longest username


async def listed(session: AsyncSession, portfolio_id: int) -> list[AnonymisationName]:
    """The names in use, in the order they were added."""
    return list(
        await session.scalars(
            select(AnonymisationName)
            .where(
                AnonymisationName.portfolio_id == portfolio_id,
                AnonymisationName.removed_at.is_(None),
            )
            .order_by(AnonymisationName.id)
        )
    )


async def records(session: AsyncSession, portfolio_id: int) -> tuple[AddedNameRecord, ...]:
    """The names in use as the snapshot carries them."""
    return tuple(
        AddedNameRecord(row.name, row.kind, row.label)
        for row in await listed(session, portfolio_id)
    )


async def add(
    session: AsyncSession,
    portfolio_id: int,
    name: str,
    kind: str,
    added_by: int,
    now: datetime,
) -> tuple[AnonymisationName, bool]:
    """(the row, whether it is new): a name already in use (in any letter case) is not added
    twice. Its label is the first of its kind the portfolio never gave (removed ones too)."""
    if kind not in ADDED_KINDS:
        raise ValueError(kind)
    for row in await listed(session, portfolio_id):
        if name_key(row.name) == name_key(name):
            return row, False
    taken = await session.scalars(
        select(AnonymisationName.label).where(AnonymisationName.portfolio_id == portfolio_id)
    )
    row = AnonymisationName(
        portfolio_id=portfolio_id,
        name=name,
        kind=kind,
        label=added_label(kind, taken),
        added_by=added_by,
        added_at=now,
    )
    session.add(row)
    await session.flush()
    return row, True


async def remove(
    session: AsyncSession, portfolio_id: int, name_id: int, now: datetime
) -> AnonymisationName | None:
    """Blank a name of the portfolio (its label stays taken); None if it is not one in use."""
    row = await session.get(AnonymisationName, name_id)
    if row is None or row.portfolio_id != portfolio_id or row.removed_at is not None:
        return None
    row.name = ""
    row.removed_at = now
    return row


async def forget_name(session: AsyncSession, portfolio_id: int, name: str, now: datetime) -> None:
    """An erased person's name leaves the portfolio's list if it was added (its label stays)."""
    key = name_key(name)
    if not key:
        return
    for row in await listed(session, portfolio_id):
        if name_key(row.name) == key:
            row.name = ""
            row.removed_at = now


def note_username(person: Person, username: str | None) -> None:
    """Keep a person's Telegram username as their update gives it (None when they have none)."""
    person.username = (username or "")[:USERNAME_LIMIT] or None
