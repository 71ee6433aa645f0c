"""The offline Telegram and the fake Bot API refuse what Telegram refuses."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.bot_api_rules import Refused, check_keyboard, check_text, plain_text
from tests.botkit import offline_bot


def test_html_is_read_as_telegram_reads_it():
    text = "<b>E-0001</b> &amp; <i>Q&A</i> &lt;shift&gt; &#8212; <a href='x'>link</a>"
    assert plain_text(text, "HTML") == "E-0001 & Q&A <shift> — link"
    assert plain_text("<not html>", None) == "<not html>"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("<p>Hi</p>", 'unsupported start tag "p"'),
        ("<b>open", 'end tag corresponding to "b"'),
        ("1 < 2", "unclosed start tag"),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
    ],
)
def test_html_telegram_cannot_parse_is_refused(text, why):
    with pytest.raises(Refused, match=why):
        check_text(text, "HTML")


def test_the_limit_counts_the_text_shown_not_the_markup():
    check_text("<b>" + "x" * 4096 + "</b>", "HTML")
    with pytest.raises(Refused, match="message is too long"):
        check_text("x" * 4097, "HTML")
    with pytest.raises(Refused, match="message text is empty"):
        check_text("<b> </b>", "HTML")


def test_callback_data_is_counted_in_bytes():
    check_keyboard([[{"text": "ok", "callback_data": "x" * 64}]])
    with pytest.raises(Refused, match="BUTTON_DATA_INVALID"):
        check_keyboard([[{"text": "Zoë", "callback_data": "ë" * 33}]])  # 66 bytes


async def test_the_offline_bot_refuses_like_telegram_and_records_nothing():
    bot = offline_bot()
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "x" * 5000)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Open", callback_data="e" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "Pick one", reply_markup=markup)
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1, "Anna <3 mentoring")
    assert bot.session.calls == []  # type: ignore[attr-defined]
    await bot.send_message(1, "Anna &lt;3 mentoring")
    assert len(bot.session.calls) == 1  # type: ignore[attr-defined]


async def test_the_fake_bot_api_server_refuses_like_telegram(api):
    bot = Bot(
        token="42:TEST-token-not-real",
        session=AiohttpSession(api=TelegramAPIServer.from_base(api.base)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    try:
        with pytest.raises(TelegramBadRequest, match="message is too long"):
            await bot.send_message(1, "x" * 4097)
        with pytest.raises(TelegramBadRequest, match="unsupported start tag"):
            await bot.send_message(1, "<p>x</p>")
        await bot.send_message(1, "<b>fine</b>")
        assert [m["text"] for m in api.messages[1]] == ["fine"]  # kept as shown, parsed
    finally:
        await bot.session.close()
