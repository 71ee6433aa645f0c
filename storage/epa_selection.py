"""The ST1379 apprentice's gateway selection in the database: pieces in and out, a line per
KSB, and the selection as plain records for the snapshot (rules: journal.epa_selection)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from journal.snapshot import EpaPieceRecord
from storage.models import Entry, EpaLine, EpaPiece


async def live_entry(session: AsyncSession, portfolio_id: int, entry_id: int) -> Entry | None:
    """The entry of this portfolio a button names, if it is still there (a forged id or one of
    another portfolio finds nothing)."""
    entry = await session.get(Entry, entry_id)
    if entry is None or entry.portfolio_id != portfolio_id or entry.deleted_at is not None:
        return None
    return entry


async def selected_ids(session: AsyncSession, portfolio_id: int) -> set[int]:
    rows = await session.scalars(
        select(EpaPiece.entry_id).where(EpaPiece.portfolio_id == portfolio_id)
    )
    return set(rows)


async def piece(session: AsyncSession, portfolio_id: int, entry_id: int) -> EpaPiece | None:
    return await session.scalar(
        select(EpaPiece).where(EpaPiece.portfolio_id == portfolio_id, EpaPiece.entry_id == entry_id)
    )


async def add(
    session: AsyncSession,
    entry: Entry,
    person_id: int,
    now: datetime,
    observed: str | None = None,
) -> EpaPiece:
    """Put `entry` in the selection (once; adding it again records `observed` if given)."""
    row = await piece(session, entry.portfolio_id, entry.id)
    if row is None:
        row = EpaPiece(
            portfolio_id=entry.portfolio_id,
            entry_id=entry.id,
            selected_by=person_id,
            selected_at=now,
        )
        session.add(row)
    if observed is not None:
        row.observed = observed
    await session.flush()
    return row


async def remove(session: AsyncSession, portfolio_id: int, entry_id: int) -> bool:
    """Take a piece out of the selection (its lines stay with the entry)."""
    result = await session.execute(
        delete(EpaPiece).where(EpaPiece.portfolio_id == portfolio_id, EpaPiece.entry_id == entry_id)
    )
    return bool(result.rowcount)


async def lines_of(session: AsyncSession, entry_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """Entry id -> {criterion id: line}."""
    found: dict[int, dict[str, str]] = {}
    for line in await session.scalars(
        select(EpaLine).where(EpaLine.entry_id.in_(list(entry_ids))).order_by(EpaLine.id)
    ):
        found.setdefault(line.entry_id, {})[line.criterion_id] = line.text
    return found


async def set_line(
    session: AsyncSession,
    entry: Entry,
    criterion_id: str,
    text: str,
    person_id: int,
    now: datetime,
) -> None:
    """Write (or rewrite) the line on how `entry` shows `criterion_id`."""
    row = await session.scalar(
        select(EpaLine).where(EpaLine.entry_id == entry.id, EpaLine.criterion_id == criterion_id)
    )
    if row is None:
        row = EpaLine(portfolio_id=entry.portfolio_id, entry_id=entry.id, criterion_id=criterion_id)
        session.add(row)
    row.text, row.written_by, row.written_at = text, person_id, now
    await session.flush()


async def load_pieces(session: AsyncSession, portfolio_id: int) -> tuple[EpaPieceRecord, ...]:
    """The selection as the snapshot holds it. A deleted entry leaves the selection with it
    (its row goes when the entry is purged); one that is no longer a piece (untagged) stays,
    named as dropped by journal.epa_selection until the apprentice takes it out."""
    rows = list(
        await session.execute(
            select(EpaPiece, Entry.ref)
            .join(Entry, Entry.id == EpaPiece.entry_id)
            .where(EpaPiece.portfolio_id == portfolio_id, Entry.deleted_at.is_(None))
            .order_by(EpaPiece.id)
        )
    )
    lines = await lines_of(session, [p.entry_id for p, _ in rows])
    return tuple(
        EpaPieceRecord(
            entry_ref=ref,
            lines=lines.get(p.entry_id, {}),
            observed=p.observed,
            selected_at=p.selected_at,
        )
        for p, ref in rows
    )
