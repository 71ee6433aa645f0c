"""Bot API calls that failed on the way are tried again: an answer that is not JSON (a proxy's
HTML error page) once more, a 5xx (Telegram's server failed) up to three times more.

aiogram raises ClientDecodeError for a page, and its text holds the whole page: the log gets the
method and the size only. A second failure goes on to the handler, whose update then gets an
apology (`handlers.errors`). The call may have reached Telegram before the proxy failed, so a
retry can repeat a message; one repeat is better than a user left without an answer.

A 5xx means Telegram did not take the message (the prompt sender counts it undelivered too).
Without a retry here it escaped the handler after the handler's writes were committed: a save
whose reply met a flood wait (waited out by `handlers.replies`) and then a 502 was saved, the
draft closed, and the user never told; the update sent again found it handled and answered
nothing. The pauses (0.5, 1 and 2 s) stay well inside the minute Telegram waits for a webhook.

Prompts are sent at most once (`storage.prompts`): the sender calls inside `at_most_once()`,
and such a call is never tried again.
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
from aiogram.exceptions import ClientDecodeError, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

PAUSE_SECONDS = 0.5
SERVER_ERROR_PAUSES = (0.5, 1.0, 2.0)
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
    """Tries a call again after a page that is not JSON (once) or a 5xx (SERVER_ERROR_PAUSES)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if _once.get():
            return await make_request(bot, method)
        decoded_once = False
        pauses = iter(SERVER_ERROR_PAUSES)
        while True:
            try:
                return await make_request(bot, method)
            except ClientDecodeError as error:
                if decoded_once:
                    raise
                decoded_once = True
                log.warning(
                    "%s: the Bot API answered with something other than JSON (%d characters); "
                    "trying once more",
                    method.__api_method__,
                    answer_size(error),
                )
                pause = PAUSE_SECONDS
            except TelegramServerError:
                pause = next(pauses, None)  # type: ignore[arg-type]
                if pause is None:
                    raise
                log.warning(
                    "%s: the Bot API answered with a server error; trying again in %.1f s",
                    method.__api_method__,
                    pause,
                )
            await asyncio.sleep(pause)
