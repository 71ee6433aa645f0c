"""Short write transactions that also claim the Telegram update that caused them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import write_session
from storage.models import ProcessedUpdate


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
            session.add(ProcessedUpdate(update_id=update_id))
            try:
                await session.flush()
            except IntegrityError:
                raise AlreadyHandled(update_id) from None
        yield session
