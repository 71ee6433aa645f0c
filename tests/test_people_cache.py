"""The in-process answer to "who is this Telegram user", and when it is dropped."""

from __future__ import annotations

from datetime import date

from bot.app import Services
from journal.clock import utcnow
from journal.entries import Kind
from storage.db import write_session
from storage.entries import create_entry
from storage.models import Person
from storage.people import Newcomer, create_portfolio, ensure_person
from storage.people_cache import PeopleCache

LONDON = Newcomer(timezone="Europe/London", quiet_start="21:00", quiet_end="08:00")


async def _mentor(services: Services, telegram_id: int) -> tuple[int, int]:
    async with write_session(services.sessions) as session:
        person = await ensure_person(session, telegram_id, LONDON)
        portfolio = await create_portfolio(session, person, ["ilm"])
        return person.id, portfolio.id


async def test_a_changed_time_zone_is_seen_at_once_and_other_people_stay_cached(
    services: Services,
) -> None:
    anna_id, _ = await _mentor(services, 501)
    await _mentor(services, 502)
    cache = PeopleCache(services.sessions, enabled=True)
    anna, _ = await cache.lookup(501)
    ben = await cache.lookup(502)
    async with write_session(services.sessions) as session:
        (await session.get(Person, anna_id)).timezone = "Europe/Paris"
    changed, _ = await cache.lookup(501)
    assert anna is not None and changed is not None
    assert (anna.timezone, changed.timezone) == ("Europe/London", "Europe/Paris")
    assert await cache.lookup(502) is ben


async def test_saving_an_entry_keeps_the_mentor_cached(services: Services) -> None:
    anna_id, portfolio_id = await _mentor(services, 501)
    cache = PeopleCache(services.sessions, enabled=True)
    before = await cache.lookup(501)
    async with write_session(services.sessions) as session:
        entry = await create_entry(
            session,
            portfolio_id=portfolio_id,
            author_id=anna_id,
            kind=Kind.REFLECTION,
            occurred_on=date(2026, 11, 23),
            data={"text": "Ask more open questions."},
            now=utcnow(),
        )
    assert entry.ref == "E-0001"
    assert await cache.lookup(501) is before


async def test_a_newcomer_is_known_as_soon_as_they_are_stored(services: Services) -> None:
    cache = PeopleCache(services.sessions, enabled=True)
    assert await cache.lookup(503) == (None, None)
    await _mentor(services, 503)
    person, portfolio = await cache.lookup(503)
    assert person is not None and portfolio is not None
    assert portfolio.mentor_id == person.id
