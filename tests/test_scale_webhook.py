"""Scale-out with real servers: two webhook workers behind nginx, Redis state, PostgreSQL data.

Skipped, naming what is missing, where `.ci/run` could not provide the servers
(`tests.webhook_running.missing_servers`).
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import signal
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.offline import invite_and_join, onboard_mentor
from tests.conftest import log_session
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
WORKERS = 2


class HoldingApi(FakeBotApi):
    """The fake Bot API, which can be told to hold the next sendMessage to one chat unanswered
    (the worker sending it waits, its update in hand) and then fail it (it never arrived)."""

    hold_chat: int | None = None
    held: asyncio.Event
    release: asyncio.Event

    def hold_next_message(self, chat_id: int) -> None:
        self.hold_chat, self.held, self.release = chat_id, asyncio.Event(), asyncio.Event()

    async def _handle(self, request: web.Request) -> web.Response:
        if self.hold_chat is not None and request.match_info["method"] == "sendMessage":
            form = request.content_type != "application/json"
            payload = dict(await request.post()) if form else await request.json()
            if int(payload["chat_id"]) == self.hold_chat:
                self.hold_chat = None
                self.held.set()
                await self.release.wait()
                return web.json_response({"ok": False, "error_code": 502}, status=502)
        return await super()._handle(request)


@pytest.fixture
async def api() -> AsyncIterator[HoldingApi]:
    server = HoldingApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = await RedisServer(tmp_path / "redis").start()
    yield server
    await server.stop()


@pytest.fixture
async def deployment(
    tmp_path: Path, api: FakeBotApi, redis_server: RedisServer
) -> AsyncIterator[tuple[WebhookBot, Nginx]]:
    url = os.environ["MENTORLOG_TEST_SCALE_POSTGRES_URL"]
    await reset_postgres(url)
    base = free_ports(WORKERS)
    nginx = await Nginx(tmp_path / "nginx", [base + i for i in range(WORKERS)]).start()
    bot = WebhookBot(
        tmp_path,
        api,
        database_url=url,
        redis_url=redis_server.url,
        workers=WORKERS,
        base_port=base,
        nginx_url=nginx.url,
        FEEDBACK_DELAY_MINUTES="0",
    )
    try:
        async with bot:
            yield bot, nginx
    finally:
        await nginx.stop()
    assert bot.problems() == [], bot.output[-8000:]


async def _pg(sql: str) -> list:
    import asyncpg

    url = os.environ["MENTORLOG_TEST_SCALE_POSTGRES_URL"].replace("+asyncpg", "")
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetch(sql)
    finally:
        await connection.close()


async def test_a_conversation_through_the_proxy_moves_between_workers_and_the_draft_continues(
    deployment, api
):
    bot, _ = deployment
    anna = bot.webhook_client("Anna", 777)
    jon = bot.webhook_client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    start = len(anna.workers_seen)
    await log_session(anna)
    assert "Saved as <b>E-0001</b>" in anna.last.text

    # The /log steps of one chat were taken by different workers one after another.
    steps = anna.workers_seen[start:]
    assert set(steps) == {"0", "1"}
    assert sum(a != b for a, b in itertools.pairwise(steps)) >= len(steps) // 2
    # The feedback prompt goes out from a worker's scheduler, the answer comes back.
    prompt = await jon.expect("How useful was today's session with Anna")
    await jon.tap(prompt, "4")
    reply = await jon.send("Doing it for real was better than reading the checklist.")
    assert reply.text == "Sent to Anna. Thank you."
    await anna.expect("Jon rated E-0001")
    assert await _pg("SELECT count(*) FROM entries WHERE kind = 'session'") == [(1,)]


async def test_the_worker_holding_an_update_is_killed_and_the_update_is_handled_once(
    deployment, api
):
    import asyncpg

    bot, _ = deployment
    anna = bot.webhook_client("Anna", 777)
    jon = bot.webhook_client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await anna.send("/log")
    await anna.click("Jon")
    await anna.click("Today")
    await anna.send("1h15")
    await anna.click("In person")
    await anna.send("Shift handover checklist")
    await anna.send("Went through the checklist twice; he led the second run.")
    await anna.click("Skip")
    await anna.click("Skip")

    # Hold every update claim: the worker taking the last Skip (which saves) waits inside its
    # transaction, with the update in hand and nothing acknowledged.
    url = os.environ["MENTORLOG_TEST_SCALE_POSTGRES_URL"].replace("+asyncpg", "")
    holder = await asyncpg.connect(url)
    transaction = holder.transaction()
    await transaction.start()
    await holder.execute("LOCK TABLE processed_updates IN ACCESS EXCLUSIVE MODE")
    mark = len(api.calls)
    saving = asyncio.create_task(anna.click("Skip"))
    update_id = api._last_update_id + 1
    pid = await bot.wait_for(lambda: bot.worker_pid(update_id), "a worker taking the update")
    await asyncio.sleep(0.3)
    assert not saving.done()
    os.kill(pid, signal.SIGKILL)
    # The proxy hands the same update to the other worker (it waits for the dead one's chat
    # lock to expire, then for the claim).
    await bot.wait_for(lambda: len(set(bot.takers(update_id))) == 2, "the update taken again")
    await transaction.commit()
    await holder.close()
    reply = await asyncio.wait_for(saving, 30)

    assert "Saved as <b>E-0001</b>" in reply.text
    assert await _pg("SELECT count(*) FROM entries") == [(1,)]
    claims = await _pg(f"SELECT count(*) FROM processed_updates WHERE update_id={update_id:d}")  # noqa: S608
    assert claims == [(1,)]
    saved = [p for m, p in api.calls[mark:] if "Saved as" in str(p.get("text", ""))]
    assert len(saved) == 1
    # The supervisor started the killed worker again; the conversation goes on.
    await bot.wait_for(lambda: bot.serving() >= WORKERS + 1, "the killed worker back")
    reply = await anna.send("/entries")
    assert any(b.startswith("E-0001") for b in reply.buttons())


async def test_health_and_readiness_and_a_graceful_stop_finishes_the_update_in_hand(
    deployment, api
):
    import aiohttp
    import asyncpg

    bot, _ = deployment
    async with aiohttp.ClientSession() as http:
        for port in (bot.base_port, bot.base_port + 1):
            for path in ("/healthz", "/readyz"):
                async with http.get(f"http://127.0.0.1:{port}{path}") as response:
                    assert response.status == 200, path
    anna = bot.webhook_client("Anna", 777)
    await anna.send("/start")
    await anna.click("I agree")

    url = os.environ["MENTORLOG_TEST_SCALE_POSTGRES_URL"].replace("+asyncpg", "")
    holder = await asyncpg.connect(url)
    transaction = holder.transaction()
    await transaction.start()
    await holder.execute("LOCK TABLE people IN ACCESS EXCLUSIVE MODE")
    # Every update reads who is writing: this one waits, in hand, while the bot is told to stop.
    naming = asyncio.create_task(anna.click(lambda t: t.startswith("Use “")))
    update_id = api._last_update_id + 1
    await bot.wait_for(lambda: bot.worker_pid(update_id), "a worker taking the update")
    assert bot.process is not None
    bot.process.send_signal(signal.SIGTERM)
    await bot.wait_for(lambda: "finishing the updates in hand" in bot.output, "the stop")
    async with aiohttp.ClientSession() as http:
        ports = (bot.base_port, bot.base_port + 1)
        statuses = []
        for port in ports:
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as response:
                    statuses.append(response.status)
            except aiohttp.ClientError:
                statuses.append(None)  # stopped listening: also not taking updates
        assert 200 not in statuses
    await asyncio.sleep(0.5)
    assert not naming.done()
    await transaction.commit()
    await holder.close()
    reply = await asyncio.wait_for(naming, 30)
    assert "time zone" in reply.text
    assert await asyncio.wait_for(bot.process.wait(), 30) == 0
    assert len(set(bot.takers(update_id))) == 1


async def test_a_step_kept_only_in_redis_is_taken_once_when_its_worker_dies_before_replying(
    deployment, api
):
    bot, _ = deployment
    anna = bot.webhook_client("Anna", 777)
    jon = bot.webhook_client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    await anna.send("/log")
    await anna.click("Jon")
    await anna.click("Today")
    await anna.send("1h15")
    await anna.click("In person")

    # The plan: a step written to the draft in Redis only (no database write, no claim). The
    # worker has written it and is sending the next question when it is killed.
    api.hold_next_message(777)
    planning = asyncio.create_task(anna.send("Shift handover checklist"))
    update_id = api._last_update_id + 1
    await asyncio.wait_for(api.held.wait(), 30)
    pid = bot.worker_pid(update_id)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    api.release.set()
    # Not acknowledged: the proxy hands the update to the other worker, which finds the step
    # already in the draft and takes it as seen (as the database storage does): the plan is
    # not taken a second time, as the answer to the next step.
    reply = await asyncio.wait_for(planning, 30)
    assert len(set(bot.takers(update_id))) == 2
    assert "progressing" not in reply.text
    reply = await anna.send("Went through the checklist twice; he led the second run.")
    assert "progressing" in reply.text
    for _ in range(3):
        reply = await anna.click("Skip")
    assert "Saved as <b>E-0001</b>" in reply.text
    [(data,)] = await _pg("SELECT data FROM entries")
    answers = json.loads(data) if isinstance(data, str) else data
    assert answers["plan"] == "Shift handover checklist"
    assert answers["summary"] == "Went through the checklist twice; he led the second run."
    await bot.wait_for(lambda: bot.serving() >= WORKERS + 1, "the killed worker back")


async def test_a_document_sent_to_one_worker_is_in_the_bundle_another_worker_builds(
    deployment, api
):
    bot, _ = deployment
    anna = bot.webhook_client("Anna", 777)
    jon = bot.webhook_client("Jon", 778)
    await onboard_mentor(anna)
    await invite_and_join(anna, jon)
    content = b"%PDF-1.4\n% shift handover checklist, signed by Jon\n%%EOF\n"
    await anna.send_document(content, "checklist.pdf", file_id="doc1")
    stored_by = anna.workers_seen[-1]
    await anna.click("Evidence")
    await anna.click("Observation record")
    reply = await anna.click("Today")
    if "caption" in reply.text:
        reply = await anna.send("Handover checklist")
    assert "Saved as" in reply.text

    # The tap that builds the bundle lands where nginx's round robin sends it: asked again,
    # one update later (/help), until it is the worker that did not store the file.
    def documents() -> list[dict]:
        return [p for m, p in api.calls if m == "sendDocument"]

    for _ in range(4):
        await anna.send("/export")
        before = len(documents())
        await anna.click("Bundle .zip")
        if anna.workers_seen[-1] != stored_by:
            break
        await anna.send("/help")
    assert anna.workers_seen[-1] != stored_by
    await bot.wait_for(lambda: len(documents()) > before, "the bundle", within=60)
    bundle = documents()[before]["document"]
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        inside = [archive.read(name) for name in archive.namelist()]
    assert content in inside
