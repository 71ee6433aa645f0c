"""A Bot API answer that is not JSON (a proxy's HTML error page) is tried once more; when the
second one fails too the user gets an apology and their draft stays. Over a real aiohttp
session to a fake Bot API on 127.0.0.1, whose first answers to sendMessage are HTML."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import CallbackQuery, Chat, Message
from aiohttp import web
from sqlalchemy import select

import bot.api_retry
from bot.app import Services, build_bot
from bot.bot_api_rules import plain_text
from bot.prompter import Limiter, run_due_prompts
from bot.settings import Settings
from handlers import texts
from storage.models import Entry, Prompt
from tests.botkit import FIXED_DATE, ChatClient
from tests.conftest import log_session
from tests.fake_bot_api import FakeBotApi

PAGE = "<html><body><h1>502 Bad Gateway</h1><p>nginx proxy-7f3a</p></body></html>"


class HtmlFirst(FakeBotApi):
    """Answers the next `html` calls of a method with the proxy's HTML page, then as usual."""

    html: dict[str, int]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if self.html.get(method, 0) > 0:
            self.html[method] -= 1
            self.calls.append((method, {}))
            return web.Response(status=502, text=PAGE, content_type="text/html")
        return await super()._handle(request)


@pytest.fixture
async def api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[HtmlFirst]:
    monkeypatch.setattr(bot.api_retry, "PAUSE_SECONDS", 0.01)
    server = HtmlFirst()
    server.html = {}
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def real_bot(api: HtmlFirst, settings: Settings) -> AsyncIterator[Bot]:
    # The offline bot's id (42), so that both see the same conversation state.
    settings.telegram_api_base = api.base
    made = build_bot(settings, token="42:TEST-token-not-real")
    yield made
    await made.session.close()


async def _say(dp: Dispatcher, bot: Bot, client: ChatClient, text: str) -> None:
    """What the user types, fed to the Dispatcher with the bot that talks to the fake API."""
    message = Message(
        message_id=900, date=FIXED_DATE, chat=client.chat, from_user=client.user, text=text
    )
    # The next update id of the offline client: the replay guard keeps ids in order per chat.
    await dp.feed_update(bot, client.update(message=message))


async def _tap(dp: Dispatcher, bot: Bot, client: ChatClient, label: str) -> None:
    """The user taps `label` under the last reply, fed to the Dispatcher with the real bot."""
    markup = client.last.markup
    assert markup is not None
    [data] = [b.callback_data for row in markup.inline_keyboard for b in row if b.text == label]
    message = Message(
        message_id=901, date=FIXED_DATE, chat=client.chat, from_user=client.user, text="(asked)"
    )
    query = CallbackQuery(
        id="tap-1", from_user=client.user, chat_instance="ci", data=data, message=message
    )
    await dp.feed_update(bot, client.update(callback_query=query))


def _delivered(api: FakeBotApi, chat: Chat) -> list[str]:
    """The texts that reached the chat, as Telegram keeps them (parsed: no markup)."""
    return [m.get("text", "") for m in api.messages.get(chat.id, [])]


def _shown(html: str) -> str:
    return plain_text(html, "HTML")


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(caplog.handler.format(r) for r in caplog.records)


async def test_one_html_answer_is_tried_again_and_the_reply_arrives(
    mentor: ChatClient, dp: Dispatcher, real_bot: Bot, api: HtmlFirst, caplog: Any
) -> None:
    api.html["sendMessage"] = 1
    await _say(dp, real_bot, mentor, "/help")
    assert _delivered(api, mentor.chat) == [_shown(texts.HELP)]
    assert [m for m, _ in api.calls].count("sendMessage") == 2
    assert PAGE not in _logged(caplog)


async def test_two_html_answers_bring_an_apology_and_the_draft_stays(
    mentor: ChatClient,
    mentee: ChatClient,
    dp: Dispatcher,
    real_bot: Bot,
    api: HtmlFirst,
    services: Services,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    api.html["sendMessage"] = 2
    await _say(dp, real_bot, mentor, "50")
    assert _delivered(api, mentor.chat) == [_shown(texts.API_TROUBLE)]
    logged = _logged(caplog)
    assert PAGE not in logged and "proxy-7f3a" not in logged
    # /start shows the unfinished session at the step after the duration, which is kept.
    reply = await mentor.send("/start")
    assert "unfinished session" in reply.text
    await mentor.click("In person")
    await mentor.send("Second observation")
    await mentor.send("Looked at questioning techniques.")
    for _ in range(3):
        reply = await mentor.click("Skip")
    assert "Saved as <b>E-0001</b>" in reply.text
    async with services.sessions() as session:
        assert (await session.scalar(select(Entry))).duration_minutes == 50


async def test_a_prompt_whose_answer_is_not_json_is_not_sent_again(
    mentor: ChatClient,
    mentee: ChatClient,
    real_bot: Bot,
    api: HtmlFirst,
    services: Services,
    clock: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A proxy's page may come after Telegram took the message: at most once, as for a timeout.
    await log_session(mentor)
    clock.advance(hours=3)
    api.html["sendMessage"] = 1
    limiter = Limiter(per_second=1000, per_chat_seconds=0)
    await run_due_prompts(real_bot, services.sessions, clock(), worker_id="w1", limiter=limiter)
    assert [m for m, _ in api.calls].count("sendMessage") == 1
    async with services.sessions() as session:
        [state] = await session.scalars(select(Prompt.state).where(Prompt.kind == "feedback"))
    assert state == "unknown"
    assert PAGE not in _logged(caplog)


async def test_a_save_whose_reply_meets_a_flood_wait_and_then_a_server_error_is_saved_and_told(
    mentor: ChatClient,
    mentee: ChatClient,
    dp: Dispatcher,
    real_bot: Bot,
    api: HtmlFirst,
    services: Services,
) -> None:
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.send("50")
    await mentor.click("In person")
    await mentor.send("Second observation")
    await mentor.send("Looked at questioning techniques.")
    await mentor.click("Skip")
    await mentor.click("Skip")
    # The reply to the last tap, the one that saves: Telegram asks to wait, then fails once.
    api.refuse("sendMessage", 429, 1, parameters={"retry_after": 1})
    api.refuse("sendMessage", 502, 1)
    await _tap(dp, real_bot, mentor, "Skip")
    [told] = [t for t in _delivered(api, mentor.chat) if "Saved as" in t]
    assert told.startswith("Saved as E-0001")
    assert [m for m, _ in api.calls].count("sendMessage") == 3
    async with services.sessions() as session:
        assert [e.duration_minutes for e in await session.scalars(select(Entry))] == [50]
    # The draft is gone: /start offers no unfinished session to save a second time.
    reply = await mentor.send("/start")
    assert "unfinished session" not in reply.text
