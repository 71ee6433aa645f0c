"""Who a Telegram user is, cached for the embedded default.

Every update needs the person and their portfolio. One process serves an SQLite database, so
the answer can be kept in memory; a transaction that touches people, portfolios or their
frameworks drops the answers it changes. Several processes (PostgreSQL) do not share memory:
there the cache is off and every update reads the database.
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
        changed = [
            obj
            for obj in (*session.new, *session.dirty, *session.deleted)
            if isinstance(obj, _WATCHED)
        ]
        if not changed:
            return
        people = {obj for obj in changed if isinstance(obj, Person)}
        telegram_ids = {person.telegram_id for person in people}
        person_ids = {person.id for person in people}
        portfolios = {obj for obj in changed if isinstance(obj, Portfolio)}
        person_ids |= {portfolio.mentor_id for portfolio in portfolios}
        portfolio_ids = {portfolio.id for portfolio in portfolios} | {
            obj.portfolio_id for obj in changed if isinstance(obj, PortfolioFramework)
        }
        # Dropped at flush, before commit; a lookup that began earlier must not store its
        # answer afterwards, hence the generation.
        self._generation += 1
        self._found = {
            telegram_id: found
            for telegram_id, found in self._found.items()
            if telegram_id not in telegram_ids
            and (found[0] is None or found[0].id not in person_ids)
            and (found[1] is None or found[1].id not in portfolio_ids)
        }

    async def lookup(self, telegram_id: int) -> Found:
        if self._enabled and telegram_id in self._found:
            return self._found[telegram_id]
        generation = self._generation
        async with self._sessions() as session:
            found = await person_and_portfolio(session, telegram_id)
        if self._enabled and generation == self._generation:
            self._found[telegram_id] = found
        return found
