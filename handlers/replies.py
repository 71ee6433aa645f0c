"""Replies to the chat: a long one as several messages, each sent again once after a flood wait.

Telegram takes at most 4,096 characters a message (DESIGN.md 10) and answers a burst with
`retry_after` seconds to wait, which aiogram raises as `TelegramRetryAfter` without retrying.
"""

from __future__ import annotations

from asyncio import sleep

from aiogram.exceptions import TelegramRetryAfter
from aiogram.types import InlineKeyboardMarkup, MaybeInaccessibleMessage, Message

from journal.textnorm import split_html


async def send(
    target: MaybeInaccessibleMessage, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """One message to the chat of `target`; after a flood wait, waited out, once more."""
    try:
        return await target.answer(text, reply_markup=reply_markup)
    except TelegramRetryAfter as wait:
        await sleep(wait.retry_after)
        return await target.answer(text, reply_markup=reply_markup)


async def reply(
    target: MaybeInaccessibleMessage, html: str, reply_markup: InlineKeyboardMarkup | None = None
) -> Message:
    """An HTML reply of any length: in parts under the limit, the buttons under the last."""
    *first, last = split_html(html) or [html]
    for part in first:
        await send(target, part)
    return await send(target, last, reply_markup=reply_markup)
