"""Faults with real servers: two webhook workers behind nginx, Redis, and a PostgreSQL cluster
of this test's own (initdb under /tmp on its own port, so restarting it touches no one else's).

- Redis stopped mid-conversation (an update posted while it is down) and started again from
  its append-only file: the update is handled once when it is back, the draft continues.
- PostgreSQL restarted mid-conversation, with an update posted while it is down: the same.
- The Bot API answering 429 (with retry_after) and 5xx to the workers' replies and prompts:
  no update lost or handled twice, the prompt sent once, the conversation goes on.

Skipped, naming what is missing, where the servers are not installed.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.offline import invite_and_join, onboard_mentor
from tests.fake_bot_api import FakeBotApi
from tests.webhook_running import (
    Nginx,
    PostgresServer,
    RedisServer,
    WebhookBot,
    WebhookClient,
    _binary,
    free_ports,
    postgres_bindir,
)


def _missing() -> list[str]:
    missing = [
        name
        for name, there in (
            ("redis-server", _binary("MENTORLOG_TEST_REDIS_SERVER", "redis-server")),
            ("nginx", _binary("MENTORLOG_TEST_NGINX", "nginx")),
            ("PostgreSQL server binaries (initdb, pg_ctl)", postgres_bindir()),
        )
        if not there
    ]
    if os.geteuid() == 0 and not _binary("RUNUSER", "runuser"):
        missing.append("runuser (to run PostgreSQL as postgres)")
    try:
        import asyncpg  # noqa: F401
        import pyrate_limiter  # noqa: F401
        import redis  # noqa: F401
    except ImportError as err:
        missing.append(f"the scale extra ({err.name}; pip install -e '.[scale]')")
    return missing


MISSING = _missing()
pytestmark = pytest.mark.skipif(bool(MISSING), reason="needs " + ", ".join(MISSING))
WORKERS = 2
# What a worker prints when the server it needs is down for a moment (the update is answered
# 500 and comes again): expected here, and nothing else.
# (aiohttp logs each such failed request with its traceback: one per attempt while it is down.)
EXPECTED_WHILE_DOWN = ("Traceback", "Connection", "connection", "CannotConnectNow", "refused")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = await RedisServer(tmp_path / "redis").start()
    yield server
    await server.stop()


@pytest.fixture
async def postgres() -> AsyncIterator[PostgresServer]:
    server = await PostgresServer().start()
    yield server
    await server.remove()


@pytest.fixture
async def bot(
    tmp_path: Path, api: FakeBotApi, redis_server: RedisServer, postgres: PostgresServer
) -> AsyncIterator[WebhookBot]:
    base = free_ports(WORKERS)
    nginx = await Nginx(tmp_path / "nginx", [base + i for i in range(WORKERS)]).start()
    running = WebhookBot(
        tmp_path,
        api,
        database_url=postgres.url,
        redis_url=redis_server.url,
        workers=WORKERS,
        base_port=base,
        nginx_url=nginx.url,
        FEEDBACK_DELAY_MINUTES="0",
    )
    try:
        async with running:
            yield running
    finally:
        await nginx.stop()


async def _pg(postgres: PostgresServer, sql: str) -> list[Any]:
    import asyncpg

    connection = await asyncpg.connect(postgres.url.replace("+asyncpg", ""))
    try:
        return [tuple(r) for r in await connection.fetch(sql)]
    finally:
        await connection.close()


async def _start_log(anna: WebhookClient) -> None:
    await anna.send("/log")
    await anna.click("Jon")
    await anna.click("Today")
    await anna.send("1h15")


async def _finish_log(anna: WebhookClient) -> None:
    reply = await anna.send("Shift handover checklist")
    assert "happened" in reply.text or reply.text, reply.text
    await anna.send("Went through the checklist twice; he led the second run.")
    await anna.click("Skip")
    await anna.click("Skip")
    reply = await anna.click("Skip")
    assert "Saved as <b>E-0001</b>" in reply.text, reply.text


def _once_each(bot: WebhookBot, api: FakeBotApi) -> None:
    """Every update posted came to an end in a worker (aiogram logs each end: "not handled" too
    for an attempt that failed while a server was down, answered 500 and posted again), and
    none was handled by two workers."""
    ends = [
        (int(found.group(1)), found.group(2))
        for line in bot.lines
        if (found := re.search(r"Update id=(\d+) is (not )?handled", line))
    ]
    assert {u for u, _ in ends} == set(range(1, api._last_update_id + 1))
    handled = Counter(u for u, failed in ends if not failed)
    assert [u for u, n in handled.items() if n > 1] == []


def _unexpected(bot: WebhookBot) -> list[str]:
    return [line for line in bot.problems() if not any(e in line for e in EXPECTED_WHILE_DOWN)]


async def _down_while_posting(anna: WebhookClient, label: str, stop, start) -> None:  # type: ignore[no-untyped-def]
    """Stop a server, tap `label` meanwhile (posted again until a 200), start it again."""
    await stop()
    tapping = asyncio.create_task(anna.click(label))
    await asyncio.sleep(1.5)
    assert not tapping.done()
    await start()
    reply = await asyncio.wait_for(tapping, 40)
    assert "plan" in reply.text.lower() or reply.text, reply.text


async def test_redis_stopped_mid_conversation_the_update_waits_and_the_draft_continues(
    bot, api, redis_server, postgres
):
    anna = bot.webhook_client("Anna", 777)
    jon = bot.webhook_client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await _start_log(anna)
    # The conversation state lives in Redis (appendonly): it is there after the restart.
    await _down_while_posting(anna, "In person", redis_server.stop, redis_server.start)
    await _finish_log(anna)
    await jon.expect("How useful was today's session with Anna")
    assert await _pg(postgres, "SELECT count(*) FROM entries WHERE kind = 'session'") == [(1,)]
    _once_each(bot, api)
    assert _unexpected(bot) == [], bot.output[-6000:]


async def test_postgres_restarted_mid_conversation_the_update_waits_and_the_draft_continues(
    bot, api, postgres
):
    anna = bot.webhook_client("Anna", 777)
    jon = bot.webhook_client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await _start_log(anna)
    await _down_while_posting(anna, "In person", postgres.stop, postgres.start)
    await postgres.restart()  # and a plain restart between two updates
    await _finish_log(anna)
    prompt = await jon.expect("How useful was today's session with Anna")
    await jon.tap(prompt, "4")
    assert await _pg(postgres, "SELECT count(*) FROM entries WHERE kind = 'session'") == [(1,)]
    _once_each(bot, api)
    # Delivered (Telegram kept it), not attempts refused with 429 or 5xx.
    prompts = [m for m in jon.messages() if "How useful was today's session" in m.get("text", "")]
    assert len(prompts) == 1
    assert _unexpected(bot) == [], bot.output[-6000:]


async def test_the_bot_api_answering_429_and_5xx_loses_nothing_and_sends_the_prompt_once(
    bot, api, postgres
):
    anna = bot.webhook_client("Anna", 777)
    jon = bot.webhook_client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await _start_log(anna)
    # Replies: a flood wait, then server errors, on the next sends whichever worker makes them.
    api.refuse("editMessageText", 429, 1, parameters={"retry_after": 1})
    api.refuse("sendMessage", 429, 1, parameters={"retry_after": 1})
    await anna.click("In person")
    api.refuse("sendMessage", 502, 1)
    api.refuse("sendMessage", 500, 1)
    await anna.send("Shift handover checklist")
    await anna.send("Went through the checklist twice; he led the second run.")
    await anna.click("Skip")
    await anna.click("Skip")
    # The save's reply meets a 429 (waited out), the feedback prompt a 503 and then a 429.
    api.refuse("sendMessage", 429, 1, parameters={"retry_after": 1})
    await anna.click("Skip")
    await anna.expect("Saved as E-0001")
    api.refuse("sendMessage", 503, 1)
    api.refuse("sendMessage", 429, 1, parameters={"retry_after": 1})
    prompt = await jon.expect("How useful was today's session with Anna")
    await jon.tap(prompt, "4")
    await asyncio.sleep(2)  # a retried prompt would come within this
    # Delivered (Telegram kept it), not attempts refused with 429 or 5xx.
    prompts = [m for m in jon.messages() if "How useful was today's session" in m.get("text", "")]
    assert len(prompts) == 1
    assert await _pg(postgres, "SELECT count(*) FROM entries WHERE kind = 'session'") == [(1,)]
    assert await _pg(postgres, "SELECT count(*) FROM prompts WHERE kind = 'feedback'") == [(1,)]
    _once_each(bot, api)
    reply = await anna.send("/entries")
    assert any(b.startswith("E-0001") for b in reply.buttons())
    assert _unexpected(bot) == [], bot.output[-6000:]
