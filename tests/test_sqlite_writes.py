"""Write transactions: writers take turns in the event loop, and an update writes once."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import select

from bot.app import Services
from bot.settings import Settings
from storage.db import create_engine, session_factory, write_session
from storage.models import Person, ProcessedUpdate
from storage.sqlite_inline import SQLiteDialectInline
from storage.uow import AlreadyHandled, writing


async def test_two_engines_on_one_file_take_turns_without_stalling_the_loop(
    settings: Settings,
) -> None:
    first_engine, second_engine = (create_engine(settings.database_url) for _ in range(2))
    first, second = session_factory(first_engine), session_factory(second_engine)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def slow_writer() -> None:
        async with write_session(first) as session:
            session.add(ProcessedUpdate(update_id=1))
            await session.flush()
            # Holds SQLite's write lock while the event loop goes on with other work.
            await asyncio.sleep(0.2)

    async def second_writer() -> None:
        await asyncio.sleep(0.01)
        async with write_session(second) as session:
            session.add(ProcessedUpdate(update_id=2))

    clock = asyncio.create_task(ticker())
    try:
        await asyncio.wait_for(asyncio.gather(slow_writer(), second_writer()), timeout=10)
    finally:
        clock.cancel()
    async with first() as session:
        written = set(await session.scalars(select(ProcessedUpdate.update_id)))
    await first_engine.dispose()
    await second_engine.dispose()
    assert written == {1, 2}
    # Had the second writer waited inside SQLite, the loop would have stood still meanwhile.
    assert ticks >= 20


async def test_an_update_handled_again_writes_nothing_the_second_time(services: Services) -> None:
    for _ in range(2):
        with contextlib.suppress(AlreadyHandled):
            async with writing(services.sessions, update_id=77) as session:
                session.add(Person(telegram_id=501, timezone="Europe/London"))
    async with services.sessions() as session:
        people = list(await session.scalars(select(Person.telegram_id)))
    assert people == [501]


async def test_an_aiosqlite_url_from_an_older_env_file_still_opens_the_database(
    settings: Settings,
) -> None:
    engine = create_engine(settings.database_url.replace("sqlite://", "sqlite+aiosqlite://"))
    async with session_factory(engine)() as session:
        assert await session.scalar(select(ProcessedUpdate.update_id).limit(1)) is None
    assert isinstance(engine.dialect, SQLiteDialectInline)
    await engine.dispose()
