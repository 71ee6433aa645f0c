"""A question Telegram refused or lost leaves the flow where it was; a flood wait is waited out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.methods import SendMessage, TelegramMethod
from sqlalchemy import select

import handlers.replies
from storage.models import Entry
from tests.botkit import OfflineSession, offline_bot

Refusal = Callable[[TelegramMethod[Any]], TelegramAPIError]


class Refusing(OfflineSession):
    """Telegram refusing the next message the bot sends, with the error given."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse_next: Refusal | None = None

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout=None) -> Any:  # noqa: ASYNC109
        if self.refuse_next is not None and isinstance(method, SendMessage):
            refusal, self.refuse_next = self.refuse_next, None
            raise refusal(method)
        return await super().make_request(bot, method, timeout)


@pytest.fixture
def bot() -> Bot:
    return offline_bot(Refusing())


REFUSALS: dict[str, Refusal] = {
    "refused": lambda m: TelegramBadRequest(method=m, message="Bad Request: chat not found"),
    "timed out": lambda m: TelegramNetworkError(method=m, message="Request timeout error"),
}


@pytest.mark.parametrize("refusal", REFUSALS.values(), ids=REFUSALS.keys())
async def test_an_answer_sent_again_after_the_question_was_lost_stays_in_its_field(
    mentor, mentee, services, refusal
):
    await mentor.send("/log")
    await mentor.click("Jon")
    await mentor.click("Today")
    await mentor.click("45 min")
    await mentor.click("In person")
    mentor.session.refuse_next = refusal
    with pytest.raises(TelegramAPIError):
        await mentor.send("Shift handover checklist")
    reply = await mentor.send("Shift handover checklist")
    assert "What did you actually cover" in reply.text
    await mentor.send("Went through it twice.")
    for _ in range(3):
        await mentor.click("Skip")
    async with services.sessions() as session:
        entry = await session.scalar(select(Entry))
    assert entry.data["plan"] == "Shift handover checklist"
    assert entry.data["summary"] == "Went through it twice."


async def test_a_tap_whose_question_was_lost_can_be_tapped_again(mentor, mentee):
    await mentor.send("/log")
    question = await mentor.click("Jon")
    mentor.session.refuse_next = REFUSALS["refused"]
    with pytest.raises(TelegramAPIError):
        await mentor.click("Today", question)
    reply = await mentor.click("Today", question)
    assert "How long?" in reply.text and "earlier step" not in reply.text


async def test_a_flow_whose_first_question_was_lost_has_not_begun(mentor, mentee):
    mentor.session.refuse_next = REFUSALS["refused"]
    with pytest.raises(TelegramAPIError):
        await mentor.send("/log")
    reply = await mentor.send("/log")
    assert "Who was the session with?" in reply.text and "unfinished" not in reply.text


async def test_a_flood_wait_is_waited_out_and_the_question_sent_once_more(
    mentor, mentee, monkeypatch
):
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(handlers.replies, "sleep", sleep)
    await mentor.send("/log")
    mentor.session.refuse_next = lambda m: TelegramRetryAfter(
        method=m, message="Too Many Requests: retry after 3", retry_after=3
    )
    reply = await mentor.click("Jon")
    assert waited == [3]
    assert [m.text for m in reply.messages] == ["When?  (or type: 12 Nov, 12/11, yesterday)"]


@pytest.mark.parametrize("command", ["/help", "/entries", "/start", "/cancel", "/progress"])
async def test_every_reply_waits_out_a_flood_wait(mentor, monkeypatch, command):
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(handlers.replies, "sleep", sleep)
    mentor.session.refuse_next = lambda m: TelegramRetryAfter(
        method=m, message="Too Many Requests: retry after 2", retry_after=2
    )
    reply = await mentor.send(command)
    assert waited == [2] and len(reply.messages) == 1
