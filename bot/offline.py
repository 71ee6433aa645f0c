"""An offline Telegram: a bot session that records every API call and answers it, and a chat
client that feeds real `Update` objects through the real Dispatcher.

The offline demo plays a mentor through the real handlers with it, and the tests use it too.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    File,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    Update,
    User,
    Voice,
)

from bot import bot_api_rules
from storage.fsm import StateBeforeReply


@dataclass
class FakeClock:
    """A clock the demo and the tests move by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


BOT_USER = User(id=42, is_bot=True, first_name="mentorlog", username="mentorlog_test_bot")
FIXED_DATE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _parse_mode(bot: Bot, method: TelegramMethod[Any]) -> str | None:
    mode = getattr(method, "parse_mode", None)
    return bot.default[mode.name] if isinstance(mode, Default) else mode


def check(bot: Bot, method: TelegramMethod[Any]) -> None:
    """Refuse what Telegram refuses (`bot.bot_api_rules`), as its 400 Bad Request."""
    try:
        if isinstance(method, (SendMessage, EditMessageText)):
            bot_api_rules.check_text(method.text, _parse_mode(bot, method))
        if isinstance(method, SendDocument):
            bot_api_rules.check_caption(method.caption, _parse_mode(bot, method))
        if isinstance(method, AnswerCallbackQuery):
            bot_api_rules.check_alert(method.text)
        markup = getattr(method, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            bot_api_rules.check_keyboard(
                [[b.model_dump(exclude_none=True) for b in row] for row in markup.inline_keyboard]
            )
    except bot_api_rules.Refused as refused:
        raise TelegramBadRequest(method=method, message=refused.description) from None


class OfflineSession(BaseSession):
    """Records API calls and answers them as Telegram would, without a network, refusing
    what Telegram refuses."""

    def __init__(self, history: int | None = None) -> None:
        """`history` bounds how many calls are kept (a long benchmark); None keeps them all."""
        super().__init__()
        self._kept: deque[TelegramMethod[Any]] = deque(maxlen=history)
        self.recorded = 0
        self.files: dict[str, bytes] = {}
        self._ids = itertools.count(1000)

    @property
    def calls(self) -> list[TelegramMethod[Any]]:
        return list(self._kept)

    def calls_since(self, mark: int) -> list[TelegramMethod[Any]]:
        """The calls made since `recorded` was `mark` (those still kept)."""
        first_kept = self.recorded - len(self._kept)
        return list(itertools.islice(self._kept, max(mark - first_kept, 0), None))

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's session interface
    ) -> Any:
        check(bot, method)
        self._kept.append(method)
        self.recorded += 1
        if isinstance(method, (SendMessage, EditMessageText)):
            return Message(
                message_id=next(self._ids),
                date=FIXED_DATE,
                chat=Chat(id=int(method.chat_id or 0), type="private"),
                from_user=BOT_USER,
                text=method.text,
                reply_markup=method.reply_markup,
            ).as_(bot)
        if isinstance(method, SendDocument):
            return Message(
                message_id=next(self._ids),
                date=FIXED_DATE,
                chat=Chat(id=int(method.chat_id), type="private"),
                document=Document(file_id="sent", file_unique_id="sent"),
            ).as_(bot)
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, GetFile):
            return File(
                file_id=method.file_id,
                file_unique_id=method.file_id,
                file_path=f"files/{method.file_id}",
            )
        # answerCallbackQuery, editMessageReplyMarkup, setMyCommands, sendChatAction ...
        return True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's session interface
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        file_id = url.rsplit("/", 1)[-1]
        yield self.files[file_id]

    async def close(self) -> None:
        return None


def offline_bot(session: OfflineSession | None = None) -> Bot:
    """A bot over an offline session, with the request middleware of the real one."""
    session = session or OfflineSession()
    session.middleware(StateBeforeReply())
    bot = Bot(
        token="42:TEST-token-not-real",  # noqa: S106 - offline, never sent anywhere
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    bot._me = BOT_USER
    return bot


_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


@dataclass
class Reply:
    """What the bot sent in answer to one update."""

    calls: list[TelegramMethod[Any]]

    @property
    def messages(self) -> list[SendMessage]:
        return [c for c in self.calls if isinstance(c, SendMessage)]

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.messages)

    @property
    def alerts(self) -> list[str]:
        return [c.text or "" for c in self.calls if isinstance(c, AnswerCallbackQuery) and c.text]

    @property
    def markup(self) -> InlineKeyboardMarkup | None:
        for call in reversed(self.calls):
            markup = getattr(call, "reply_markup", None)
            if isinstance(markup, InlineKeyboardMarkup):
                return markup
        return None

    def buttons(self) -> list[str]:
        markup = self.markup
        return [b.text for row in markup.inline_keyboard for b in row] if markup else []


@dataclass
class ChatClient:
    """One Telegram user talking to the bot in a private chat."""

    dp: Dispatcher
    bot: Bot
    user: User
    last: Reply = field(default_factory=lambda: Reply([]))
    # How many updates `sent` keeps (the last ones); None keeps them all.
    history: int | None = None
    sent: deque[Update] = field(init=False)

    def __post_init__(self) -> None:
        self.sent = deque(maxlen=self.history)

    @property
    def session(self) -> OfflineSession:
        return self.bot.session  # type: ignore[return-value]

    @property
    def chat(self) -> Chat:
        return Chat(id=self.user.id, type="private", first_name=self.user.first_name)

    def _message(self, **fields: Any) -> Message:
        fields.setdefault("from_user", self.user)
        return Message(message_id=next(_message_ids), date=FIXED_DATE, chat=self.chat, **fields)

    async def feed(self, update: Update) -> Reply:
        before = self.session.recorded
        self.sent.append(update)
        await self.dp.feed_update(self.bot, update)
        query_id = update.callback_query.id if update.callback_query else None
        self.last = Reply(
            [c for c in self.session.calls_since(before) if self._answers(c, query_id)]
        )
        return self.last

    def _answers(self, call: TelegramMethod[Any], query_id: str | None) -> bool:
        """Whether a call answered this update: other chats may be served at the same time."""
        if isinstance(call, AnswerCallbackQuery):
            return call.callback_query_id == query_id
        return getattr(call, "chat_id", None) in (None, self.user.id)

    def update(self, **fields: Any) -> Update:
        return Update(update_id=next(_update_ids), **fields)

    async def send(self, text: str) -> Reply:
        return await self.feed(self.update(message=self._message(text=text)))

    async def send_photo(
        self, content: bytes, caption: str | None = None, file_id: str = "photo1"
    ) -> Reply:
        self.session.files[file_id] = content
        photo = PhotoSize(
            file_id=file_id, file_unique_id=file_id, width=800, height=600, file_size=len(content)
        )
        return await self.feed(self.update(message=self._message(photo=[photo], caption=caption)))

    async def send_document(
        self, content: bytes, name: str, file_id: str = "doc1", size: int | None = None
    ) -> Reply:
        self.session.files[file_id] = content
        doc = Document(
            file_id=file_id,
            file_unique_id=file_id,
            file_name=name,
            mime_type="application/pdf",
            file_size=size or len(content),
        )
        return await self.feed(self.update(message=self._message(document=doc)))

    async def send_voice(self, content: bytes, file_id: str = "voice1") -> Reply:
        self.session.files[file_id] = content
        voice = Voice(file_id=file_id, file_unique_id=file_id, duration=5, file_size=len(content))
        return await self.feed(self.update(message=self._message(voice=voice)))

    async def press(self, data: str, message: Message | None = None) -> Reply:
        query = CallbackQuery(
            id=str(next(_update_ids)),
            from_user=self.user,
            chat_instance="ci",
            data=data,
            message=message or self._message(text="(earlier message)", from_user=BOT_USER),
        )
        return await self.feed(self.update(callback_query=query))

    async def click(self, label: str | Callable[[str], bool], reply: Reply | None = None) -> Reply:
        """Tap a button of the last reply (or of `reply`) by its exact label or a predicate."""
        markup = (reply or self.last).markup
        assert markup is not None, f"no buttons in: {(reply or self.last).text!r}"
        match = label if callable(label) else (lambda text: text == label)
        for row in markup.inline_keyboard:
            for button in row:
                if match(button.text):
                    return await self.press(button.callback_data or "")
        raise AssertionError(
            f"no button {label!r} among {[b.text for r in markup.inline_keyboard for b in r]}"
        )

    async def replay(self, update: Update) -> Reply:
        """Feed an update again, as Telegram does after a restart or a webhook timeout."""
        return await self.feed(update)


def starts_with(prefix: str) -> Callable[[str], bool]:
    """Match a button by the start of its label, ticked (✓) or not."""
    return lambda text: text.removeprefix("✓ ").startswith(prefix)


async def onboard_mentor(client: ChatClient, frameworks: tuple[str, ...] = ("ILM",)) -> None:
    """The whole /start conversation of a mentor, as a person would tap it."""
    await client.send("/start")
    await client.click("I agree")
    await client.click(starts_with("Use “"))
    await client.click("London")
    await client.click("Yes, I'm a mentor")
    for prefix in frameworks:
        await client.click(starts_with(prefix))
    await client.click("Done")


async def invite_and_join(mentor: ChatClient, invitee: ChatClient, role: str = "Mentee") -> str:
    """The mentor creates an invitation and the invitee joins with it; returns the code."""
    await mentor.send("/invite")
    reply = await mentor.click(role)
    code = reply.text.rsplit("start=", 1)[1].split()[0]
    await invitee.send(f"/start {code}")
    await invitee.click("I agree")
    await invitee.click(starts_with("Use “"))
    await invitee.click("London")
    return code
