"""Short write transactions that also claim the Telegram update that caused them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from journal.clock import utcnow
from storage.db import dialect_insert, write_session
from storage.models import ProcessedUpdate

_CLAIM = {
    name: dialect_insert(name)(ProcessedUpdate).on_conflict_do_nothing()
    for name in ("sqlite", "postgresql")
}


class AlreadyHandled(Exception):
    """The update was handled before (Telegram sent it again); nothing was written."""


@asynccontextmanager
async def writing(
    sessions: async_sessionmaker[AsyncSession], update_id: int | None = None
) -> AsyncIterator[AsyncSession]:
    """One transaction; with an update id, a replay of the same update writes nothing.

    Never call Telegram inside: on SQLite the transaction holds the only write lock.
    """
    async with write_session(sessions) as session:
        if update_id is not None:
            connection = await session.connection()
            claimed = await connection.execute(
                _CLAIM[connection.dialect.name], {"update_id": update_id, "handled_at": utcnow()}
            )
            if claimed.rowcount == 0:
                raise AlreadyHandled(update_id)
        yield session
