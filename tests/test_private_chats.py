"""The bot serves private chats only: in a group it says so once and shows nothing personal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.methods import AnswerCallbackQuery, SendDocument, SendMessage, TelegramMethod
from aiogram.types import Chat, Message
from sqlalchemy import func, select

from handlers.callbacks import EntryCB, MenuCB
from storage.models import Entry, FsmRecord, Person
from tests.botkit import BOT_USER, FIXED_DATE, ChatClient
from tests.conftest import log_session

GROUP = Chat(id=-1001234567890, type="supergroup", title="Mentors of Leeds")


@dataclass
class InGroup(ChatClient):
    """The same person writing in a supergroup the bot was added to."""

    @property
    def chat(self) -> Chat:
        return GROUP

    def _answers(self, call: TelegramMethod[Any], query_id: str | None) -> bool:
        if isinstance(call, AnswerCallbackQuery):
            return call.callback_query_id == query_id
        return getattr(call, "chat_id", None) in (None, GROUP.id)


def in_group(client: ChatClient) -> InGroup:
    return InGroup(dp=client.dp, bot=client.bot, user=client.user)


async def count(services, model) -> int:
    async with services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_mydata_in_a_group_sends_no_personal_data_and_points_to_the_private_chat(
    mentor, mentee
):
    await log_session(mentor)
    reply = await in_group(mentor).send("/mydata@mentorlog_test_bot")
    assert not [c for c in reply.calls if isinstance(c, SendDocument)]
    [message] = reply.messages
    assert "private chat" in message.text
    assert "Anna" not in message.text and "E-0001" not in message.text
    [[button]] = message.reply_markup.inline_keyboard
    assert button.url == "https://t.me/mentorlog_test_bot"


async def test_journal_commands_in_a_group_show_nothing_of_the_journal(mentor, mentee):
    await log_session(mentor)
    member = in_group(mentor)
    for command in ("/entries", "/progress@mentorlog_test_bot", "/log", "/help"):
        reply = await member.send(command)
        assert len(reply.messages) == 1
        assert "private chat" in reply.text, command
        assert "E-0001" not in reply.text and "Jon" not in reply.text and "D3.06" not in reply.text


async def test_a_group_chatting_among_itself_hears_nothing_from_the_bot(mentor):
    member = in_group(mentor)
    assert (await member.send("Shall we meet on Friday?")).calls == []
    assert (await member.send("/start@another_bot")).calls == []


async def test_start_in_a_group_keeps_nothing_about_a_newcomer(make_client, services):
    newcomer = in_group(make_client("Ola"))
    reply = await newcomer.send("/start")
    assert "private chat" in reply.text and "Do you agree" not in reply.text
    assert await count(services, Person) == 0
    assert await count(services, FsmRecord) == 0


async def test_a_button_under_a_group_message_is_answered_with_an_alert_and_does_nothing(
    mentor, mentee, services
):
    await log_session(mentor)
    async with services.sessions() as session:
        entry = await session.scalar(select(Entry))
    member = in_group(mentor)
    group_message = Message(
        message_id=7, date=FIXED_DATE, chat=GROUP, from_user=BOT_USER, text="(in a group)"
    )
    for data in (EntryCB(e=entry.id, act="del").pack(), MenuCB(act="entries").pack()):
        reply = await member.press(data, message=group_message)
        [alert] = reply.alerts
        assert "private chat" in alert
        assert [type(c) for c in reply.calls] == [AnswerCallbackQuery]
    async with services.sessions() as session:
        assert (await session.get(Entry, entry.id)).deleted_at is None


async def test_a_message_without_a_sender_is_ignored(mentor):
    """Channel posts and anonymous admins come without `from_user` (or with `sender_chat`)."""
    channel = Chat(id=-1009876543210, type="channel", title="Centre news")
    for fields in ({"from_user": None}, {"sender_chat": channel}):
        for text in ("/entries", "/log", "A note about nothing"):
            update = mentor.update(message=mentor._message(text=text, **fields))
            reply = await mentor.feed(update)
            assert not [c for c in reply.calls if isinstance(c, SendMessage)]
    assert (await mentor.send("/entries")).text.startswith("Nothing logged yet")
