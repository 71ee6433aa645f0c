"""Who a Telegram user is, cached for the embedded default.

Every update needs the person and their portfolio. One process serves an SQLite database, so
the answer can be kept in memory and dropped whenever a committed transaction touched people,
portfolios or their frameworks. Several processes (PostgreSQL) do not share memory: there
the cache is off and every update reads the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage.models import Person, Portfolio, PortfolioFramework
from storage.people import person_and_portfolio

_WATCHED = (Person, Portfolio, PortfolioFramework)
Found = tuple[Person | None, Portfolio | None]


class PeopleCache:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, enabled: bool) -> None:
        self._sessions = sessions
        self._enabled = enabled
        self._found: dict[int, Found] = {}
        self._generation = 0
        if enabled:
            event.listen(sessions.kw["sync_session_class"], "after_flush", self._after_flush)

    def _after_flush(self, session: Session, _context: Any) -> None:
        changed = (*session.new, *session.dirty, *session.deleted)
        if any(isinstance(obj, _WATCHED) for obj in changed):
            # Dropped at flush, before commit; a lookup that began earlier must not store its
            # answer afterwards, hence the generation.
            self._found.clear()
            self._generation += 1

    async def lookup(self, telegram_id: int) -> Found:
        if self._enabled and telegram_id in self._found:
            return self._found[telegram_id]
        generation = self._generation
        async with self._sessions() as session:
            found = await person_and_portfolio(session, telegram_id)
        if self._enabled and generation == self._generation:
            self._found[telegram_id] = found
        return found
