"""Small async filters for messages, and the guard that keeps the bot to private chats.

aiogram runs a plain (sync) filter such as a magic `F.text` rule or a bare `State` in a worker
thread, which costs a thread hop per filter per update; these are coroutines and run in the
event loop. States go through aiogram's `StateFilter`, which is one too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.enums import ChatType
from aiogram.filters import Filter
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)

from handlers import texts


def _is_command(message: Message) -> bool:
    return bool(message.text and message.text.startswith("/"))


class TypedText(Filter):
    """A text message that is not a command."""

    async def __call__(self, message: Message) -> bool:
        return bool(message.text) and not _is_command(message)


class NotCommand(Filter):
    """Any message (text, photo, document ...) that is not a command."""

    async def __call__(self, message: Message) -> bool:
        return not _is_command(message)


class IsCommand(Filter):
    async def __call__(self, message: Message) -> bool:
        return _is_command(message)


class NoText(Filter):
    """A message without text: a photo, a sticker, a voice note ..."""

    async def __call__(self, message: Message) -> bool:
        return not message.text


def _private(message: Message | None) -> bool:
    return message is not None and message.chat.type == ChatType.PRIVATE


async def _addressed_to_me(message: Message, bot: Bot) -> str | None:
    """This bot's username when the message is a command meant for it (`/x` or `/x@me`)."""
    text = message.text or message.caption or ""
    if not text.startswith("/"):
        return None
    me = (await bot.me()).username or ""
    _, at, mention = text.split(maxsplit=1)[0].partition("@")
    return me if not at or mention.casefold() == me.casefold() else None


class PrivateChatsOnly(BaseMiddleware):
    """Serves private chats only (DESIGN.md 10): a group would show personal data to everyone.

    Runs before anything reads or writes data. In a group, a command meant for the bot gets one
    short message pointing to the private chat, anything else is left alone, and a button under
    a group message is answered with an alert. A message without a person behind it (a channel
    post, an anonymous admin: no `from_user`, or a `sender_chat`) is ignored.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message):
            if event.from_user is None or event.sender_chat is not None:
                return None
            if _private(event):
                return await handler(event, data)
            me = await _addressed_to_me(event, data["bot"])
            if me is not None:
                await event.answer(texts.PRIVATE_ONLY, reply_markup=_open_private(me))
            return None
        if isinstance(event, CallbackQuery) and not _private(event.message):  # type: ignore[arg-type]
            await event.answer(texts.PRIVATE_ONLY_ALERT, show_alert=True)
            return None
        return await handler(event, data)


def _open_private(username: str) -> InlineKeyboardMarkup | None:
    if not username:
        return None
    button = InlineKeyboardButton(text=texts.OPEN_PRIVATE, url=f"https://t.me/{username}")
    return InlineKeyboardMarkup(inline_keyboard=[[button]])
