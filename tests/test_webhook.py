"""The webhook endpoint over a real aiohttp server on 127.0.0.1: Telegram's secret header is
required, a body that is not an update is refused with 400, and the log never holds a body."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import SendMessage
from aiohttp.test_utils import TestClient, TestServer

from bot.webhook import WEBHOOK_PATH, webhook_app
from handlers import texts
from tests.botkit import OfflineSession

SECRET = "webhook-secret-for-tests"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
PRIVATE = "Jon Smith told me about his divorce"


def start_update(update_id: int, text: str = "/start") -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": 3001, "type": "private", "first_name": "Anna"},
            "from": {"id": 3001, "is_bot": False, "first_name": "Anna"},
            "text": text,
        },
    }


@pytest.fixture
async def client(dp: Dispatcher, bot: Bot) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(webhook_app(dp, bot, SECRET), host="127.0.0.1")) as client:
        yield client


async def _sent(bot: Bot, count: int) -> list[SendMessage]:
    session: OfflineSession = bot.session  # type: ignore[assignment]
    for _ in range(200):
        sent = [c for c in session.calls if isinstance(c, SendMessage)]
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.01)
    return [c for c in session.calls if isinstance(c, SendMessage)]


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        caplog.handler.format(record) if record.exc_info is None else "TRACEBACK"
        for record in caplog.records
    )


async def test_an_update_with_the_secret_header_is_handled(client: TestClient, bot: Bot) -> None:
    response = await client.post(WEBHOOK_PATH, json=start_update(1), headers={HEADER: SECRET})
    assert response.status == 200
    [sent] = await _sent(bot, 1)
    assert sent.chat_id == 3001 and sent.text == texts.PRIVACY


async def test_requests_without_the_secret_or_with_a_wrong_one_get_401(
    client: TestClient, bot: Bot
) -> None:
    for headers in ({}, {HEADER: "guess"}):
        response = await client.post(WEBHOOK_PATH, json=start_update(2), headers=headers)
        assert response.status == 401
    await asyncio.sleep(0.05)
    assert await _sent(bot, 0) == []


async def test_malformed_json_gets_400_and_a_one_line_log_without_traceback(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = '{"update_id": 3, "message": {"text": "' + PRIVATE + '"'
    response = await client.post(
        WEBHOOK_PATH, data=body, headers={HEADER: SECRET, "Content-Type": "application/json"}
    )
    assert response.status == 400
    logged = _logged(caplog)
    assert "TRACEBACK" not in logged and "Traceback" not in logged
    assert PRIVATE not in logged
    assert f"malformed body, {len(body.encode())} bytes" in logged


@pytest.mark.parametrize(
    "body",
    [
        {"message": {"text": PRIVATE}},  # no update_id
        {"update_id": "four", "message": {"text": PRIVATE}},
        [{"update_id": 4, "message": {"text": PRIVATE}}],
        {"update_id": 4, "message": {"chat": {"id": 1}, "text": PRIVATE}},
    ],
)
async def test_a_body_that_is_not_an_update_gets_400_and_its_content_stays_out_of_the_log(
    client: TestClient, bot: Bot, caplog: pytest.LogCaptureFixture, body: object
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post(WEBHOOK_PATH, json=body, headers={HEADER: SECRET})
    assert response.status == 400
    await asyncio.sleep(0.05)
    logged = _logged(caplog)
    assert PRIVATE not in logged
    assert "TRACEBACK" not in logged
    assert f"not an update, {len(json.dumps(body).encode())} bytes" in logged
    assert await _sent(bot, 0) == []
