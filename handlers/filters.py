"""Small async filters for messages.

aiogram runs a plain (sync) filter such as a magic `F.text` rule or a bare `State` in a worker
thread, which costs a thread hop per filter per update; these are coroutines and run in the
event loop. States go through aiogram's `StateFilter`, which is one too.
"""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import Message


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
