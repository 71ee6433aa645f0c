"""One send budget for all processes (bot.send_budget), with a real Redis; and, with two real
webhook workers, due prompts sent within 30 a second in all while a user's reply goes at once.

Skipped, naming what is missing, where `.ci/run` could not provide the servers.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotApi
from tests.webhook_running import (
    Nginx,
    RedisServer,
    WebhookBot,
    free_ports,
    missing_servers,
    reset_postgres,
)

MISSING = missing_servers()
pytestmark = pytest.mark.skipif(bool(MISSING), reason="needs " + ", ".join(MISSING))


def most_in_one_second(times: list[float]) -> int:
    """The most events in any sliding second (how Telegram counts)."""
    times = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = await RedisServer(tmp_path / "redis").start()
    yield server
    await server.stop()


async def test_three_limiters_on_one_redis_share_30_a_second_and_1_a_second_per_chat(
    redis_server,
):
    from bot.send_budget import SharedLimiter

    limiters = [SharedLimiter(redis_server.url, 30, 1.0, bot_id="t") for _ in range(3)]
    sent: list[tuple[float, int]] = []

    async def send(limiter: SharedLimiter, chat: int) -> None:
        await limiter.wait(chat)
        sent.append((time.monotonic(), chat))

    started = time.monotonic()
    # 75 sends to 75 chats over three "processes", and 3 more to one chat from all three.
    try:
        await asyncio.gather(
            *(send(limiters[i % 3], 1000 + i) for i in range(75)),
            *(send(limiter, 7) for limiter in limiters),
        )
    finally:
        for limiter in limiters:
            await limiter.close()
    assert len(sent) == 78
    assert most_in_one_second([t for t, _ in sent]) <= 30
    assert time.monotonic() - started >= 2.0  # 78 at 30 a second: two full windows waited
    to_seven = sorted(t for t, chat in sent if chat == 7)
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(to_seven))


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


async def test_two_workers_send_due_prompts_within_one_budget_and_replies_are_not_held_back(
    tmp_path, api, redis_server
):
    from benchmarks.prompts import populate
    from storage.db import create_engine, session_factory

    url = os.environ["MENTORLOG_TEST_SCALE_POSTGRES_URL"]
    await reset_postgres(url)
    base = free_ports(2)
    nginx = await Nginx(tmp_path / "nginx", [base, base + 1]).start()
    bot = WebhookBot(
        tmp_path,
        api,
        database_url=url,
        redis_url=redis_server.url,
        workers=2,
        base_port=base,
        nginx_url=nginx.url,
    )
    # Ten seconds of sending at 30 a second: longer than the 5 s between two runs of each
    # worker's prompt job, so both workers claim some whatever their phase.
    count = 300
    try:
        async with bot:
            engine = create_engine(url)
            try:
                await populate(session_factory(engine), count)
            finally:
                await engine.dispose()
            anna = bot.webhook_client("Anna", 777)
            await bot.wait_for(lambda: len(api.sent_texts()) >= 40, "the prompts going out")
            asked = time.monotonic()
            reply = await anna.send("/start")
            waited = time.monotonic() - asked
            assert "Do you agree" in reply.text
            await bot.wait_for(
                lambda: len(_prompt_sends(api)) >= count, "every prompt sent", within=60
            )
            await asyncio.sleep(1)  # nothing more comes
    finally:
        await nginx.stop()
    assert bot.problems() == [], bot.output[-6000:]

    sends = _prompt_sends(api)
    per_chat = Counter(chat for chat, _ in sends)
    assert len(per_chat) == count and set(per_chat.values()) == {1}  # none lost, none twice
    times = [t for _, t in sends]
    assert most_in_one_second(times) <= 30
    assert (count - 30) / 30 <= max(times) - min(times)
    # The reply to the user's own message did not queue behind the bulk sends.
    assert waited < 1.0
    claimers = await _claimers(url)
    assert len(claimers) == 2, claimers  # both workers sent, from one budget


def _prompt_sends(api: FakeBotApi) -> list[tuple[int, float]]:
    return [
        (int(p["chat_id"]), t)
        for (m, p), t in zip(api.calls, api.call_times, strict=True)
        if m == "sendMessage" and int(p["chat_id"]) >= 10_000_000
    ]


async def _claimers(url: str) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await connection.fetch(
            "SELECT split_part(claimed_by, '/', 1) AS worker, count(*) AS n FROM prompts "
            "WHERE state = 'sent' GROUP BY 1"
        )
    finally:
        await connection.close()
    return {r["worker"]: r["n"] for r in rows}


async def test_prompts_keep_going_out_while_the_loop_that_handles_updates_is_busy():
    """The sender has an event loop of its own (bot.send_loop): a handler holding the main loop
    for a second and a half (as a long one does under load) does not hold the prompts back."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    from benchmarks.prompts import populate
    from bot.prompter import Limiter, build_scheduler
    from storage.db import create_engine, session_factory
    from storage.migrate import upgrade_async

    url = os.environ["MENTORLOG_TEST_SCALE_POSTGRES_URL"]
    await reset_postgres(url)
    await upgrade_async(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    await populate(sessions, 100)
    # The fake Bot API on a loop of its own too: this one is about to be held.
    api_loop = asyncio.new_event_loop()
    serving = threading.Thread(target=api_loop.run_forever, daemon=True)
    serving.start()
    api = FakeBotApi()
    asyncio.run_coroutine_threadsafe(api.start(), api_loop).result(10)
    bot = Bot(
        "42:TEST-token-not-real", session=AiohttpSession(api=TelegramAPIServer.from_base(api.base))
    )
    scheduler = build_scheduler(bot, sessions, limiter=Limiter(30, 1.0))  # PostgreSQL: own loop
    scheduler.start()
    try:
        for _ in range(3000):  # up to 30 s for the first prompts
            if len(_prompt_sends(api)) >= 5:
                break
            await asyncio.sleep(0.01)
        held_from = time.monotonic()
        while time.monotonic() - held_from < 1.5:  # the loop held: no await
            sum(range(1000))
        held_until = time.monotonic()
        while_held = [t for _, t in _prompt_sends(api) if held_from <= t <= held_until]
        # None on the held loop. Fewer than 45 (1.5 s at 30 a second) here, where the main
        # thread never lets go of the GIL: each of the sender's socket waits costs it a 5 ms
        # switch. A worker's handlers wait on sockets too (the benchmark: 27 to 28 a second).
        assert len(while_held) >= 8
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0.2)  # the shutdown runs on this loop and stops the sender's
        await bot.session.close()
        await engine.dispose()
        asyncio.run_coroutine_threadsafe(api.stop(), api_loop).result(10)
        api_loop.call_soon_threadsafe(api_loop.stop)
        serving.join(5)
        api_loop.close()  # else its self-pipe and the loop warn as unclosed in a later test
