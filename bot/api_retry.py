"""Bot API answers that are not JSON (a proxy's HTML error page, say) are tried once more.

aiogram raises ClientDecodeError for them, and its text holds the whole page: the log gets the
method and the size only. A second failure goes on to the handler, whose update then gets an
apology (`handlers.errors`). The call may have reached Telegram before the proxy failed, so a
retry can repeat a message; one repeat is better than a user left without an answer. Prompts
are sent at most once (`storage.prompts`): the sender calls inside `at_most_once()`, and such
a call is never tried again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import ClientDecodeError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

PAUSE_SECONDS = 0.5
log = logging.getLogger(__name__)
_once: ContextVar[bool] = ContextVar("bot_api_at_most_once", default=False)


@contextmanager
def at_most_once() -> Iterator[None]:
    """Calls made inside are never tried again: their outcome is the caller's to record."""
    token = _once.set(True)
    try:
        yield
    finally:
        _once.reset(token)


def answer_size(error: ClientDecodeError) -> int:
    return len(error.data) if isinstance(error.data, str | bytes) else 0


class RetryUndecodable(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if _once.get():
            return await make_request(bot, method)
        try:
            return await make_request(bot, method)
        except ClientDecodeError as error:
            log.warning(
                "%s: the Bot API answered with something other than JSON (%d characters); "
                "trying once more",
                method.__api_method__,
                answer_size(error),
            )
        await asyncio.sleep(PAUSE_SECONDS)
        return await make_request(bot, method)
