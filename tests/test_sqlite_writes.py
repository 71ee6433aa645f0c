"""Write transactions: writers take turns in the event loop, and an update writes once."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import storage.db
from bot.app import Services
from bot.settings import Settings
from handlers import texts
from storage.db import create_engine, session_factory, write_session
from storage.models import Entry, Person, ProcessedUpdate
from storage.sqlite_inline import SQLiteDialectInline
from storage.uow import AlreadyHandled, writing
from tests.botkit import ChatClient
from tests.conftest import log_session


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


@contextlib.asynccontextmanager
async def another_process_holds_the_write_lock(
    database: str,
) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """A second process takes SQLite's write lock (BEGIN IMMEDIATE) and keeps it until released.

    Yields `release`, which ends that process's transaction; it is released at the end anyway.
    """
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sqlite3, sys\n"
        f"c = sqlite3.connect({database!r}, isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.readline()\n"
        "c.execute('ROLLBACK')\n",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert await holder.stdout.readline() == b"locked\n"

    async def release() -> None:
        if holder.returncode is None:
            holder.stdin.write(b"\n")
            await holder.stdin.drain()
            await holder.wait()

    try:
        yield release
    finally:
        await release()


class LongestStall:
    """Ticks every 5 ms beside the code under test and keeps the longest gap between ticks."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0.005)
            now = loop.time()
            self.seconds = max(self.seconds, now - last)
            last = now

    async def __aenter__(self) -> LongestStall:
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def _entries(services: Services) -> int:
    async with services.sessions() as session:
        return await session.scalar(select(func.count(Entry.id)))


async def _all_but_the_last_tap_of_a_log(mentor: ChatClient) -> None:
    await log_session(mentor)
    # log_session ends by saving; start a second one and stop before its last tap.
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("30 min")
    await mentor.click("In person")
    await mentor.send("Feedback on the first observed lesson")
    await mentor.send("Talked through the observation notes.")
    await mentor.click("Skip")
    await mentor.click("Skip")


async def test_a_write_waits_for_another_processs_lock_without_stalling_the_loop(
    mentor: ChatClient, mentee: ChatClient, services: Services, settings: Settings
) -> None:
    await _all_but_the_last_tap_of_a_log(mentor)
    path = make_url(settings.database_url).database
    async with another_process_holds_the_write_lock(path) as release, LongestStall() as stall:
        saving = asyncio.create_task(mentor.click("Skip"))
        await asyncio.sleep(0.4)
        assert not saving.done()
        await release()
        reply = await asyncio.wait_for(saving, timeout=5)
    assert "Saved as <b>E-0002</b>" in reply.text
    assert stall.seconds < 0.2, f"the event loop stood still for {stall.seconds:.2f} s"


async def test_a_lock_held_too_long_gets_a_try_again_and_keeps_the_step(
    mentor: ChatClient,
    mentee: ChatClient,
    services: Services,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _all_but_the_last_tap_of_a_log(mentor)
    monkeypatch.setattr(storage.db, "BUSY_SECONDS", 0.5)
    path = make_url(settings.database_url).database
    asking = mentor.last
    async with another_process_holds_the_write_lock(path), LongestStall() as stall:
        reply = await asyncio.wait_for(mentor.click("Skip", asking), timeout=10)
    assert reply.text == texts.DATABASE_BUSY
    assert stall.seconds < 0.2, f"the event loop stood still for {stall.seconds:.2f} s"
    # Nothing half-written: no entry, and the same tap works once the lock is free.
    assert await _entries(services) == 1
    reply = await mentor.click("Skip", asking)
    assert "Saved as <b>E-0002</b>" in reply.text
    assert await _entries(services) == 2
